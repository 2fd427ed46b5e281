package io.fluxer.relay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code fluxer} tools run in-process as the launcher runs them ({@link Cli#run}): output,
 * exit codes and messages, against files, a real relay and its HTTP API.
 */
class CliTest extends RelayTestBase {
  @TempDir
  Path dir;

  /** What one command printed and answered. */
  private record Run(int code, String out, String err) {}

  private static Run run(String stdin, Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Cli.run(args, new Cli.Io(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), env));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static Run run(String... args) {
    return run("", Map.of(), args);
  }

  /** The test relay's own configuration as a file, so tokens made from it work on it. */
  private Path testConfigFile() throws IOException {
    Path file = dir.resolve("test.json");
    Files.writeString(file, TestRelay.defaultConfig().encodePrettily());
    return file;
  }

  @Test
  @DisplayName("version and help print; an unknown option is exit 2 with a message naming it")
  void versionHelpUsage() {
    assertThat(run("version").out()).startsWith("fluxer 0.1.0 (Java ");
    assertThat(run("help").out()).startsWith("usage: fluxer ").contains("gentoken", "checktoken", "hash-password");
    Run bad = run("version", "--verbose");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("unknown option --verbose");
    assertThat(run("gentoken", "--dev").err()).contains("--user is required");
  }

  @Test
  @DisplayName("genconfig makes a config that checkconfig accepts, with a working admin password, written 600 and never overwritten")
  void genconfigPassesCheckconfig() throws IOException {
    Path file = dir.resolve("fluxer.yaml");
    Run made = run("genconfig", "--output", file.toString());
    assertThat(made.code()).as(made.err()).isZero();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");

    Run checked = run("checkconfig", file.toString());
    assertThat(checked.code()).as(checked.err()).isZero();
    assertThat(checked.out()).contains(file + ": ok (port 8000, memory engines, cluster off");

    Matcher password = Pattern.compile("password \\(shown once, stored only as its hash\\): (\\S+)").matcher(made.err());
    assertThat(password.find()).as(made.err()).isTrue();
    String text = Files.readString(file);
    Matcher hash = Pattern.compile("admin_password_hash: \"(\\S+)\"").matcher(text);
    assertThat(hash.find()).isTrue();
    assertThat(BCrypt.verifyer().verify(password.group(1).toCharArray(), hash.group(1)).verified).isTrue();
    assertThat(text).doesNotContain(password.group(1));

    Files.writeString(file, "kept");
    Run again = run("genconfig", "--output", file.toString());
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err()).contains("exists; not overwritten");
    assertThat(Files.readString(file)).isEqualTo("kept");

    Run other = run("genconfig");
    assertThat(other.out()).as("new secrets every time").doesNotContain(hash.group(1));
  }

  @Test
  @DisplayName("checkconfig names the key of a problem and exits 1; a missing file or no file is an error too")
  void checkconfigErrors() throws IOException {
    Path unknown = dir.resolve("unknown.yaml");
    Files.writeString(unknown, "token:\n  hmac_secret_key: \"0123456789abcdef0123456789abcdef\"\nserver:\n  prot: 8000\n");
    Run r = run("checkconfig", unknown.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("server.prot");

    Path weak = dir.resolve("weak.yaml");
    Files.writeString(weak, "token:\n  hmac_secret_key: short\n");
    Run w = run("checkconfig", weak.toString());
    assertThat(w.code()).isEqualTo(1);
    assertThat(w.err()).contains("token.hmac_secret_key is shorter than 32 bytes");

    Path badDuration = dir.resolve("dur.yaml");
    Files.writeString(badDuration, "token:\n  hmac_secret_key: \"0123456789abcdef0123456789abcdef\"\n"
        + "channel:\n  namespaces:\n    - name: chat\n      history_size: 10\n      history_ttl: soon\n");
    Run d = run("checkconfig", badDuration.toString());
    assertThat(d.code()).isEqualTo(1);
    assertThat(d.err()).contains("history_ttl");

    assertThat(run("checkconfig", dir.resolve("none.yaml").toString()).err()).contains("no such file");
    assertThat(run("checkconfig").code()).isEqualTo(2);
  }

  @Test
  @DisplayName("gentoken makes a connection token a real relay accepts; checktoken shows its user, roles and channels")
  void gentokenOnARealRelay() throws IOException {
    Path config = testConfigFile();
    Run made = run("gentoken", "--config", config.toString(), "--user", "carol", "--role", "viewer", "--ttl", "10m",
        "--channels", "chat:a, chat:b");
    assertThat(made.code()).as(made.err()).isZero();
    String token = made.out().strip();

    WsTestClient c = open();
    JsonObject connected = c.connectWith(token);
    assertThat(connected.getString("client")).as("%s", connected).isNotBlank();
    assertThat(connected.getJsonObject("subs").fieldNames()).as("the token's channels, subscribed by the relay")
        .containsExactlyInAnyOrder("chat:a", "chat:b");

    Run checked = run("checktoken", "--config", config.toString(), token);
    assertThat(checked.code()).as(checked.err()).isZero();
    assertThat(checked.out()).contains("valid connection token: user 'carol'", "roles [viewer]",
        "channels [chat:a, chat:b]", "\"sub\" : \"carol\"");
    assertThat(checked.out()).containsPattern("expires \\S+ \\(in (9m|10m)");
  }

  @Test
  @DisplayName("gentoken --ops makes an ops token /api/v1 accepts; a connection token is refused there and by checktoken --ops")
  void opsTokens() throws IOException {
    Path config = testConfigFile();
    String ops = run("gentoken", "--config", config.toString(), "--user", "olga", "--role", "ops", "--ops",
        "--ttl", "5m").out().strip();
    String connection = run("gentoken", "--config", config.toString(), "--user", "olga", "--role", "ops").out().strip();

    HttpTestClient.Response stats = http().get("/api/v1/stats", Map.of("Authorization", "Bearer " + ops));
    assertThat(stats.status()).as(stats.body()).isEqualTo(200);
    assertThat(http().get("/api/v1/stats", Map.of("Authorization", "Bearer " + connection)).status()).isEqualTo(401);

    assertThat(run("checktoken", "--ops", "--config", config.toString(), ops).out())
        .contains("valid ops token: user 'olga'", "role ops");
    Run refused = run("checktoken", "--ops", "--config", config.toString(), connection);
    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.err()).startsWith("fluxer checktoken: invalid ops token: ");

    Run tooLong = run("gentoken", "--config", config.toString(), "--user", "olga", "--role", "ops", "--ops", "--ttl", "2h");
    assertThat(tooLong.code()).isEqualTo(1);
    assertThat(tooLong.err()).contains("token.ops.max_lifetime");
    assertThat(run("gentoken", "--dev", "--user", "u", "--role", "root").err()).contains("--role must be one of");
  }

  @Test
  @DisplayName("checktoken tells why a token fails: expired, another key, tampered, not a JWT")
  void checktokenReasons() throws IOException {
    Path config = testConfigFile();
    long now = Instant.now().getEpochSecond();
    String expired = relay().token(new JsonObject().put("sub", "al").put("iat", now - 7200).put("exp", now - 3600));
    Run e = run("checktoken", "--config", config.toString(), expired);
    assertThat(e.code()).isEqualTo(1);
    assertThat(e.err()).contains("invalid connection token: ").containsIgnoringCase("expired");

    String devToken = run("gentoken", "--dev", "--user", "al").out().strip();
    Run other = run("checktoken", "--config", config.toString(), devToken);
    assertThat(other.code()).as("signed with the dev key, checked with the test key").isEqualTo(1);
    assertThat(run("checktoken", "--dev", devToken).code()).isZero();

    String[] parts = devToken.split("\\.");
    String tampered = parts[0] + "." + parts[1].substring(0, parts[1].length() - 2) + "xx." + parts[2];
    assertThat(run("checktoken", "--dev", tampered).code()).isEqualTo(1);
    assertThat(run("checktoken", "--dev", "not-a-jwt").err()).contains("invalid connection token");
    assertThat(run("checktoken", "--dev").code()).as("no token").isEqualTo(2);
  }

  @Test
  @DisplayName("hash-password hashes the first line of stdin with bcrypt; empty, short and over-72-byte passwords are refused")
  void hashPassword() {
    Run r = run("correct horse battery\n", Map.of(), "hash-password");
    assertThat(r.code()).as(r.err()).isZero();
    String hash = r.out().strip();
    assertThat(hash).startsWith("$2a$10$");
    assertThat(BCrypt.verifyer().verify("correct horse battery".toCharArray(), hash).verified).isTrue();
    assertThat(BCrypt.verifyer().verify("correct horse".toCharArray(), hash).verified).isFalse();

    assertThat(run("", Map.of(), "hash-password").err()).contains("no password on stdin");
    assertThat(run("short\n", Map.of(), "hash-password").code()).isEqualTo(1);
    assertThat(run("x".repeat(73) + "\n", Map.of(), "hash-password").err()).contains("longer than 72 bytes");
    assertThat(run("hash-password", "secret").code()).as("never as an argument").isEqualTo(2);
  }

  @Test
  @DisplayName("health is 0 for a relay's /ready, 1 for a closed port or a non-200 answer, 2 for a bad URL")
  void health() throws IOException {
    assertThat(run("health", relay().httpUrl() + "/ready").code()).isZero();
    assertThat(run("", Map.of("FLUXER_HEALTH_URL", relay().httpUrl() + "/ready"), "health").code()).isZero();
    Run missing = run("health", relay().httpUrl() + "/no-such-page");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("answered 404");
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    Run down = run("health", "http://127.0.0.1:" + closed + "/ready");
    assertThat(down.code()).isEqualTo(1);
    assertThat(down.err()).contains("no answer within 3 s");
    assertThat(run("health", "ftp://x/").code()).isEqualTo(2);
  }
}
