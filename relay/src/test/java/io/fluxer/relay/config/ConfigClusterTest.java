package io.fluxer.relay.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxer.common.config.ClusterOptions;
import io.fluxer.common.config.ClusterTls;
import io.fluxer.common.config.ConfigException;
import io.fluxer.common.config.Subnet;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code cluster} section: off by default; members or DNS; cluster mode refuses the memory
 * engines. JSON snippets use {@code '} for {@code "}.
 */
class ConfigClusterTest {
  private static final String REDIS = "'engine':{'type':'redis'}";
  private static final String KEY = "0123456789abcdef0123456789abcdef";
  /** What every clustered configuration needs: the signing key, and TLS (turned off here). */
  private static final String SECURE = "'signing_key':'" + KEY + "','tls':{'enabled':false},";

  private static RelayConfig config(String sectionsSingleQuoted) {
    return RelayConfig.fromJson(new JsonObject(("{'token':{'hmac_secret_key':'s'}," + sectionsSingleQuoted + "}")
        .replace('\'', '"')));
  }

  @Test
  void offByDefault() {
    ClusterOptions cluster = config("'server':{}").cluster();

    assertThat(cluster.enabled()).isFalse();
    assertThat(cluster.members()).isEmpty();
    assertThat(cluster.dns()).isNull();
    assertThat(cluster.port()).isEqualTo(5701);
    assertThat(cluster.nodeTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(ClusterOptions.disabled()).isEqualTo(cluster);
  }

  @Test
  void membersForLocalRuns() {
    ClusterOptions cluster = config(REDIS + ",'cluster':{'enabled':true," + SECURE
        + "'members':['127.0.0.1:5801','10.0.0.2'],"
        + "'port':5801,'port_count':3,'interface':'10.0.1.*','public_address':'203.0.113.5:5801',"
        + "'bus_host':'10.0.1.4','bus_port':5900,'bus_public_host':'203.0.113.5','node_timeout':'3s'}").cluster();

    assertThat(cluster).isEqualTo(new ClusterOptions(true, null, List.of("127.0.0.1:5801", "10.0.0.2"), null, 5801, 3,
        "10.0.1.*", null, "203.0.113.5:5801", "10.0.1.4", 5900, "203.0.113.5", Duration.ofSeconds(3),
        new ClusterTls(false, null, null, null), KEY));
  }

  @Test
  void environmentGivesMembersAsACommaList() {
    JsonObject tree = new JsonObject().put("token", new JsonObject()).put("engine", new JsonObject())
        .put("cluster", new JsonObject());
    ConfigLoader.applyEnv(tree, Map.<String, Object>of("FLUXER_CLUSTER_ENABLED", "true", "FLUXER_CLUSTER_MEMBERS",
        "127.0.0.1:5801, 127.0.0.1:5802", "FLUXER_ENGINE_TYPE", "redis", "FLUXER_TOKEN_HMAC_SECRET_KEY", "s",
        "FLUXER_CLUSTER_SIGNING_KEY", KEY, "FLUXER_CLUSTER_TLS", "{\"enabled\":false}"));

    ClusterOptions cluster = RelayConfig.fromJson(tree).cluster();

    assertThat(cluster.enabled()).isTrue();
    assertThat(cluster.members()).containsExactly("127.0.0.1:5801", "127.0.0.1:5802");
  }

  @Test
  void dnsForSwarm() {
    assertThat(config(REDIS + ",'cluster':{'enabled':true," + SECURE + "'dns':'tasks.fluxer_relay'}").cluster().dns())
        .isEqualTo("tasks.fluxer_relay");
  }

  @Test
  void subnetOfTheClusterNetwork() {
    ClusterOptions cluster = config(REDIS + ",'cluster':{'enabled':true," + SECURE + "'dns':'tasks.s_relay.s_cluster',"
        + "'subnet':'10.231.0.0/24'}").cluster();

    assertThat(cluster.subnet()).isEqualTo(Subnet.parse("10.231.0.0/24"));
    assertThat(cluster.networkInterface()).isNull();
    assertThatThrownBy(() -> config(REDIS + ",'cluster':{'subnet':'10.231.0.0/24','interface':'10.231.0.*'}"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("cluster.subnet"));
    assertThatThrownBy(() -> config(REDIS + ",'cluster':{'subnet':'10.231.0.0'}"))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.key()).isEqualTo("cluster.subnet");
          assertThat(e.getMessage()).contains("address/prefix");
        });
    assertThatThrownBy(() -> config(REDIS + ",'cluster':{'subnet':'overlay.example/24'}"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("cluster.subnet"));
  }

  @Test
  void clusterModeRefusesTheMemoryEngines() {
    assertThatThrownBy(() -> config("'cluster':{'enabled':true}"))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.key()).isEqualTo("engine.type");
          assertThat(e.getMessage()).contains("Redis");
        });
    assertThatThrownBy(() -> config("'server':{}").withCluster(ClusterOptions.disabled().withEnabled(true)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("engine.type");
  }

  @Test
  void heartbeatsMustOutpaceTheNodeTimeout() {
    assertThatThrownBy(() -> config(REDIS + ",'server':{'stats_interval':0},'cluster':{'enabled':true}"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("server.stats_interval"));
    assertThatThrownBy(() -> config(REDIS + ",'server':{'stats_interval':'3s'},'cluster':{'enabled':true}"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("cluster.node_timeout"));
    assertThat(config(REDIS + ",'server':{'stats_interval':'2s'},'cluster':{'enabled':true," + SECURE + "'node_timeout':'4s'}")
        .cluster().nodeTimeout()).isEqualTo(Duration.ofSeconds(4));
  }

  @Test
  void badValuesNameTheKey() {
    assertThatThrownBy(() -> config(REDIS + ",'cluster':{'members':['a:1'],'dns':'tasks.x'}"))
        .hasMessageContaining("cluster.dns");
    assertThatThrownBy(() -> config(REDIS + ",'cluster':{'members':['a b']}")).hasMessageContaining("cluster.members");
    assertThatThrownBy(() -> config(REDIS + ",'cluster':{'dns':'tasks x'}")).hasMessageContaining("cluster.dns");
    assertThatThrownBy(() -> config(REDIS + ",'cluster':{'port':70000}")).hasMessageContaining("cluster.port");
    assertThatThrownBy(() -> config(REDIS + ",'cluster':{'node_timeout':'10ms'}"))
        .hasMessageContaining("cluster.node_timeout");
    assertThatThrownBy(() -> config(REDIS + ",'cluster':{'multicast':true}")).hasMessageContaining("cluster.multicast");
  }

  @Test
  @DisplayName("cluster mode needs the signing key (32 bytes or more, inline or from a file) and the TLS files, each named when missing")
  void clusterModeNeedsTheSigningKeyAndTls(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> config(REDIS + ",'cluster':{'enabled':true,'tls':{'enabled':false}}"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("cluster.signing_key"));
    assertThatThrownBy(() -> config(REDIS + ",'cluster':{'signing_key':'short'}"))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.key()).isEqualTo("cluster.signing_key");
          assertThat(e.getMessage()).contains("at least 32 bytes").doesNotContain("short");
        });
    assertThatThrownBy(() -> config(REDIS + ",'cluster':{'enabled':true,'signing_key':'" + KEY + "'}"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("cluster.tls.cert_file"));
    assertThatThrownBy(() -> config("'server':{}," + REDIS).withCluster(ClusterOptions.disabled().withEnabled(true)))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("cluster.signing_key"));

    Path keyFile = dir.resolve("signing_key");
    Files.writeString(keyFile, KEY + "\n");
    Path cert = Files.writeString(dir.resolve("m.pem"), "x");
    Path missing = dir.resolve("none.pem");
    String tls = "'tls':{'cert_file':'" + cert + "','key_file':'" + cert + "','ca_file':'%s'}";
    assertThatThrownBy(() -> config(REDIS + ",'cluster':{'enabled':true,'signing_key_file':'" + keyFile + "',"
        + tls.formatted(missing) + "}"))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.key()).isEqualTo("cluster.tls.ca_file");
          assertThat(e.getMessage()).contains("cannot read " + missing);
        });
    ClusterOptions cluster = config(REDIS + ",'cluster':{'enabled':true,'signing_key_file':'" + keyFile + "',"
        + tls.formatted(cert) + "}").cluster();
    assertThat(cluster.signingKey()).isEqualTo(KEY);
    assertThat(cluster.tls()).isEqualTo(new ClusterTls(true, cert.toString(), cert.toString(), cert.toString()));
    assertThat(cluster.toString()).doesNotContain(KEY);
  }

  @Test
  void theDevDefaultsHaveAKeyAndTurnTlsOffExplicitly() throws Exception {
    ClusterOptions dev = RelayConfig.fromJson(io.fluxer.common.config.DevDefaults.json()).cluster();

    assertThat(dev.signingKey()).isNotNull();
    assertThat(dev.tls().enabled()).isFalse();
    assertThat(ClusterOptions.disabled().tls().enabled()).as("on unless turned off").isTrue();
  }
}
