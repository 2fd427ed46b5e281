package io.fluxer.relay.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code cluster} section: off by default; members or DNS; cluster mode refuses the memory
 * engines. JSON snippets use {@code '} for {@code "}.
 */
class ConfigClusterTest {
  private static final String REDIS = "'engine':{'type':'redis'}";

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
    ClusterOptions cluster = config(REDIS + ",'cluster':{'enabled':true,'members':['127.0.0.1:5801','10.0.0.2'],"
        + "'port':5801,'port_count':3,'interface':'10.0.1.*','public_address':'203.0.113.5:5801',"
        + "'bus_host':'10.0.1.4','bus_port':5900,'bus_public_host':'203.0.113.5','node_timeout':'3s'}").cluster();

    assertThat(cluster).isEqualTo(new ClusterOptions(true, null, List.of("127.0.0.1:5801", "10.0.0.2"), null, 5801, 3,
        "10.0.1.*", null, "203.0.113.5:5801", "10.0.1.4", 5900, "203.0.113.5", Duration.ofSeconds(3)));
  }

  @Test
  void environmentGivesMembersAsACommaList() {
    JsonObject tree = new JsonObject().put("token", new JsonObject()).put("engine", new JsonObject())
        .put("cluster", new JsonObject());
    ConfigLoader.applyEnv(tree, Map.<String, Object>of("FLUXER_CLUSTER_ENABLED", "true", "FLUXER_CLUSTER_MEMBERS",
        "127.0.0.1:5801, 127.0.0.1:5802", "FLUXER_ENGINE_TYPE", "redis", "FLUXER_TOKEN_HMAC_SECRET_KEY", "s"));

    ClusterOptions cluster = RelayConfig.fromJson(tree).cluster();

    assertThat(cluster.enabled()).isTrue();
    assertThat(cluster.members()).containsExactly("127.0.0.1:5801", "127.0.0.1:5802");
  }

  @Test
  void dnsForSwarm() {
    assertThat(config(REDIS + ",'cluster':{'enabled':true,'dns':'tasks.fluxer_relay'}").cluster().dns())
        .isEqualTo("tasks.fluxer_relay");
  }

  @Test
  void subnetOfTheClusterNetwork() {
    ClusterOptions cluster = config(REDIS + ",'cluster':{'enabled':true,'dns':'tasks.s_relay.s_cluster',"
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
    assertThat(config(REDIS + ",'server':{'stats_interval':'2s'},'cluster':{'enabled':true,'node_timeout':'4s'}")
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
}
