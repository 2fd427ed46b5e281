package io.fluxer.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.config.RelayConfig;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node outside {@code --dev} refuses an HMAC secret that a captured token lets anyone guess offline. */
class WeakSecretTest {
  private static RelayConfig withSecret(String secret) {
    return RelayConfig.fromJson(new JsonObject().put("token", new JsonObject().put("hmac_secret_key", secret)));
  }

  @Test
  void secretsUnder32BytesAreAProductionProblem() {
    assertThat(withSecret("x".repeat(31)).token().productionProblem())
        .contains("token.hmac_secret_key").contains("32 bytes");
    assertThat(withSecret("x".repeat(32)).token().productionProblem()).isNull();
    // counted in bytes: 16 two-byte characters are 32 bytes
    assertThat(withSecret("é".repeat(16)).token().productionProblem()).isNull();
    assertThat(RelayConfig.fromJson(new JsonObject().put("token", new JsonObject()
        .put("rsa_public_key", "-----BEGIN PUBLIC KEY-----"))).token().productionProblem()).isNull();
  }

  @Test
  void theRelayRefusesToStartWithAShortSecretAndNamesTheKey(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("fluxer.json");
    Files.writeString(config, new JsonObject()
        .put("server", new JsonObject().put("port", 0).put("host", "127.0.0.1"))
        .put("token", new JsonObject().put("hmac_secret_key", "secret")).encode());
    Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--config", config.toString()))
        .redirectErrorStream(true).start();
    try {
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the relay exits by itself").isTrue();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as(output).isEqualTo(2);
      assertThat(output).contains("token.hmac_secret_key is shorter than 32 bytes").doesNotContain("listening");
    } finally {
      p.destroyForcibly(); // only when it did not exit: a relay that started must not outlive the test
    }
  }
}
