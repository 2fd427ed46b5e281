package io.fluxer.relay.testing;

import io.fluxer.common.config.ClusterOptions;
import io.fluxer.common.config.ClusterTls;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Throwaway certificates for the cluster tests' event bus (mutual TLS), made by the project's own
 * {@code scripts/cluster-certs.sh} (openssl) in a temporary directory: {@link #shared()} is one CA and
 * one member certificate for every node a test JVM starts; {@link #otherCa} a stranger's.
 *
 * @param ca the CA's certificate (the trust anchor)
 * @param caKey the CA's key, to sign more members
 * @param cert a member certificate the CA signed
 * @param key its key
 */
public record ClusterCerts(Path ca, Path caKey, Path cert, Path key) {
  /** The signing key of the in-process cluster tests ({@code cluster.signing_key}). */
  public static final String SIGNING_KEY = "fluxer-test-cluster-signing-key-not-for-production";
  private static ClusterCerts shared;

  /** The CA and member certificate every cluster node of this test JVM uses. */
  public static synchronized ClusterCerts shared() {
    if (shared == null) {
      shared = otherCa("shared");
    }
    return shared;
  }

  /** A new CA of its own, and a member certificate from it. */
  public static ClusterCerts otherCa(String label) {
    try {
      Path dir = Files.createTempDirectory("fluxer-cluster-certs-" + label);
      dir.toFile().deleteOnExit();
      return make(dir.resolve("ca.pem"), dir.resolve("ca.key"), "member");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Another member certificate from this CA. */
  public ClusterCerts member(String name) {
    return make(ca, caKey, name);
  }

  private static ClusterCerts make(Path ca, Path caKey, String name) {
    Path dir = ca.getParent();
    ClusterCerts certs = new ClusterCerts(ca, caKey, dir.resolve(name + ".pem"), dir.resolve(name + ".key"));
    run(List.of("bash", script().toString(), ca.toString(), caKey.toString(), certs.cert.toString(),
        certs.key.toString(), name));
    List.of(ca, caKey, certs.cert, certs.key).forEach(p -> p.toFile().deleteOnExit());
    return certs;
  }

  /** {@code cluster.tls} with these files. */
  public ClusterTls tls() {
    return new ClusterTls(true, cert.toString(), key.toString(), ca.toString());
  }

  /** {@code cluster.tls} as JSON, for a configuration or {@code FLUXER_CLUSTER_TLS}. */
  public JsonObject tlsJson() {
    return new JsonObject().put("enabled", true).put("cert_file", cert.toString()).put("key_file", key.toString())
        .put("ca_file", ca.toString());
  }

  /** The environment that gives a node process these files. */
  public Map<String, String> env() {
    return Map.of("FLUXER_CLUSTER_TLS", tlsJson().encode());
  }

  /** {@code options} with these files and the test signing key. */
  public ClusterOptions secure(ClusterOptions options) {
    return options.withSecurity(tls(), SIGNING_KEY);
  }

  /** {@code scripts/cluster-certs.sh}, from a module's directory or the project's. */
  private static Path script() {
    for (Path p : List.of(Path.of("..", "scripts", "cluster-certs.sh"), Path.of("scripts", "cluster-certs.sh"))) {
      if (Files.isRegularFile(p)) {
        return p.toAbsolutePath().normalize();
      }
    }
    throw new IllegalStateException("scripts/cluster-certs.sh not found from " + Path.of("").toAbsolutePath());
  }

  private static void run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
