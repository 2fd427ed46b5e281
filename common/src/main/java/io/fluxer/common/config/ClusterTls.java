package io.fluxer.common.config;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The {@code cluster.tls} section: the event bus between cluster members runs over TLS with mutual
 * authentication, each member presenting a certificate of the cluster's own CA and accepting only
 * peers that do. The files are PEM (on Swarm, secrets under {@code /run/secrets/}).
 *
 * @param enabled TLS on the event bus; {@code false} is an explicit, logged opt-out (the embedded
 *     dev defaults only)
 * @param certFile this member's certificate chain, signed by the cluster CA
 * @param keyFile this member's private key (PKCS#8 or PKCS#1 PEM)
 * @param caFile the cluster CA's certificate: the only issuer a peer's certificate may come from
 */
public record ClusterTls(boolean enabled, String certFile, String keyFile, String caFile) {
  static final Set<String> KEYS = Set.of("enabled", "cert_file", "key_file", "ca_file");

  static ClusterTls fromJson(JsonObject json) {
    ConfigValues v = new ConfigValues(json, "cluster.tls", KEYS);
    return new ClusterTls(v.bool("enabled", true), blankToNull(v.string("cert_file", null)),
        blankToNull(v.string("key_file", null)), blankToNull(v.string("ca_file", null)));
  }

  /** On, with no files yet: what a configuration without a {@code cluster.tls} section has. */
  public static ClusterTls required() {
    return new ClusterTls(true, null, null, null);
  }

  /**
   * Checks that a clustered node can start: with TLS on, every file is set and readable.
   *
   * @throws ConfigException naming the first key that is missing or unreadable
   */
  void check() {
    if (!enabled) {
      return;
    }
    file("cert_file", certFile);
    file("key_file", keyFile);
    file("ca_file", caFile);
  }

  private static void file(String key, String path) {
    if (path == null) {
      throw new ConfigException("cluster.tls." + key, "required in cluster mode: the event bus between members "
          + "uses TLS with certificates of the cluster's own CA (docs/clustering.md#security; scripts/run_dev.sh "
          + "--cluster and docker/secrets.sh make them); cluster.tls.enabled: false turns TLS off, for development only");
    }
    if (!Files.isReadable(Path.of(path))) {
      throw new ConfigException("cluster.tls." + key, "cannot read " + path);
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
