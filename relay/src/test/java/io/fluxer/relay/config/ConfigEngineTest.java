package io.fluxer.relay.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxer.common.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The {@code engine} section: memory by default, Redis with a URL, key prefix and presence TTL; bad
 * values stop start-up naming the key. JSON snippets use {@code '} for {@code "}.
 */
class ConfigEngineTest {
  @TempDir
  Path dir;

  private static RelayConfig config(String engineSingleQuoted) {
    return RelayConfig.fromJson(new JsonObject(("{'token':{'hmac_secret_key':'s'},'engine':" + engineSingleQuoted + "}")
        .replace('\'', '"')));
  }

  private static ConfigException error(String engineSingleQuoted) {
    try {
      RelayConfig c = config(engineSingleQuoted);
      throw new AssertionError("expected a ConfigException, got " + c.engine());
    } catch (ConfigException e) {
      return e;
    }
  }

  @Test
  void memoryByDefault() {
    EngineOptions engine = RelayConfig.fromJson(new JsonObject("{\"token\":{\"hmac_secret_key\":\"s\"}}")).engine();

    assertThat(engine).isEqualTo(new EngineOptions(EngineOptions.Type.MEMORY, "redis://127.0.0.1:6379", "fluxer",
        Duration.ofSeconds(60)));
    assertThat(engine.redis()).isFalse();
    assertThat(EngineOptions.defaults()).isEqualTo(engine);
  }

  @Test
  void redisWithEveryKey() {
    EngineOptions engine = config("{'type':'redis','redis_url':'redis://:pw@redis.internal:6380/2',"
        + "'redis_prefix':'relay-eu','presence_ttl':'90s'}").engine();

    assertThat(engine).isEqualTo(new EngineOptions(EngineOptions.Type.REDIS, "redis://:pw@redis.internal:6380/2",
        "relay-eu", Duration.ofSeconds(90)));
    assertThat(engine.redis()).isTrue();
  }

  @Test
  void typeIsCaseInsensitive() {
    assertThat(config("{'type':'Redis'}").engine().type()).isEqualTo(EngineOptions.Type.REDIS);
    assertThat(config("{'type':'MEMORY'}").engine().type()).isEqualTo(EngineOptions.Type.MEMORY);
  }

  @Test
  void environmentOverridesSetTheEngine() {
    JsonObject merged = new JsonObject("{\"token\":{\"hmac_secret_key\":\"s\"},"
        + "\"FLUXER_ENGINE_TYPE\":\"redis\",\"FLUXER_ENGINE_REDIS_URL\":\"rediss://cache:6379\","
        + "\"FLUXER_ENGINE_PRESENCE_TTL\":\"2m\"}");

    EngineOptions engine = ConfigLoader.fromMerged(merged).engine();

    assertThat(engine.type()).isEqualTo(EngineOptions.Type.REDIS);
    assertThat(engine.redisUrl()).isEqualTo("rediss://cache:6379");
    assertThat(engine.presenceTtl()).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void redisUrlFromAFile() throws Exception {
    Path secret = Files.writeString(dir.resolve("redis_url"), "redis://:from-file@redis:6379\n");

    EngineOptions engine = config("{'type':'redis','redis_url_file':'" + secret + "'}").engine();

    assertThat(engine.redisUrl()).isEqualTo("redis://:from-file@redis:6379");
  }

  @Test
  void redisClusterBySeedNodes() {
    EngineOptions engine = config("{'type':'redis','redis_mode':'Cluster',"
        + "'redis_cluster_urls':['redis://node-1:7000','rediss://node-2:7001']}").engine();

    assertThat(engine.redisMode()).isEqualTo(EngineOptions.RedisMode.CLUSTER);
    assertThat(engine.redisClusterUrls()).containsExactly("redis://node-1:7000", "rediss://node-2:7001");
    assertThat(engine.redisSentinelUrls()).isEmpty();
    assertThat(engine.redisPassword()).isNull();
  }

  @Test
  void redisShardsInTheirOrder() {
    EngineOptions engine = config("{'type':'redis','redis_mode':'sharded','redis_password':'pw',"
        + "'redis_shard_urls':['redis://shard-2:6379','rediss://user:secret@shard-1:6380/1','unix:///r.sock']}").engine();

    assertThat(engine.redisMode()).isEqualTo(EngineOptions.RedisMode.SHARDED);
    assertThat(engine.redisShardUrls())
        .containsExactly("redis://shard-2:6379", "rediss://user:secret@shard-1:6380/1", "unix:///r.sock");
    assertThat(engine.redisClusterUrls()).isEmpty();
    assertThat(engine.toString()).doesNotContain("secret").doesNotContain("pw")
        .contains("redisShardUrls=[redis://shard-2:6379, rediss://***@shard-1:6380/1, unix:///r.sock]");
  }

  @Test
  void environmentOverridesChooseShards() {
    JsonObject merged = new JsonObject("{\"token\":{\"hmac_secret_key\":\"s\"},"
        + "\"FLUXER_ENGINE_TYPE\":\"redis\",\"FLUXER_ENGINE_REDIS_MODE\":\"sharded\","
        + "\"FLUXER_ENGINE_REDIS_SHARD_URLS\":\"redis://a:6379, redis://b:6379\"}");

    EngineOptions engine = ConfigLoader.fromMerged(merged).engine();

    assertThat(engine.redisMode()).isEqualTo(EngineOptions.RedisMode.SHARDED);
    assertThat(engine.redisShardUrls()).containsExactly("redis://a:6379", "redis://b:6379");
  }

  @Test
  void aRepeatedShardUrlIsReportedWithoutItsPassword() {
    ConfigException e = error("{'redis_mode':'sharded',"
        + "'redis_shard_urls':['redis://:s3cret@a:6379','redis://b:6379','redis://:s3cret@a:6379']}");

    assertThat(e.key()).isEqualTo("engine.redis_shard_urls");
    assertThat(e.getMessage()).contains("entry 3 repeats").doesNotContain("s3cret");
  }

  @Test
  void redisSentinelWithPasswordFromAFile() throws Exception {
    Path secret = Files.writeString(dir.resolve("redis_password"), "s3cret\n");

    EngineOptions engine = config("{'type':'redis','redis_mode':'sentinel','redis_sentinel_master':'main',"
        + "'redis_sentinel_urls':['redis://sentinel-1:26379','redis://sentinel-2:26379'],"
        + "'redis_password_file':'" + secret + "'}").engine();

    assertThat(engine.redisMode()).isEqualTo(EngineOptions.RedisMode.SENTINEL);
    assertThat(engine.redisSentinelUrls()).containsExactly("redis://sentinel-1:26379", "redis://sentinel-2:26379");
    assertThat(engine.redisSentinelMaster()).isEqualTo("main");
    assertThat(engine.redisPassword()).isEqualTo("s3cret");
    assertThat(engine.toString()).doesNotContain("s3cret").contains("redisPassword=***");
  }

  @Test
  void environmentOverridesChooseSentinel() {
    JsonObject merged = new JsonObject("{\"token\":{\"hmac_secret_key\":\"s\"},"
        + "\"FLUXER_ENGINE_TYPE\":\"redis\",\"FLUXER_ENGINE_REDIS_MODE\":\"sentinel\","
        + "\"FLUXER_ENGINE_REDIS_SENTINEL_URLS\":\"redis://s1:26379, redis://s2:26379\","
        + "\"FLUXER_ENGINE_REDIS_SENTINEL_MASTER\":\"main\"}");

    EngineOptions engine = ConfigLoader.fromMerged(merged).engine();

    assertThat(engine.redisMode()).isEqualTo(EngineOptions.RedisMode.SENTINEL);
    assertThat(engine.redisSentinelUrls()).containsExactly("redis://s1:26379", "redis://s2:26379");
    assertThat(engine.redisSentinelMaster()).isEqualTo("main");
  }

  @Test
  void urlsWithPasswordsAreNotShownByToString() {
    EngineOptions engine = config("{'type':'redis','redis_url':'redis://:pw1@cache:6379','redis_mode':'cluster',"
        + "'redis_cluster_urls':['redis://user:pw2@node-1:7000']}").engine();

    assertThat(engine.toString()).doesNotContain("pw1").doesNotContain("pw2").contains("node-1:7000");
  }

  @Test
  void redisUrlAndItsFileTogetherAreAnError() {
    assertThat(error("{'redis_url':'redis://a:6379','redis_url_file':'/x'}").key()).isEqualTo("engine.redis_url");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{'type':'postgres'}                        | engine.type         | must be memory or redis",
      "{'type':''}                                | engine.type         | must be memory or redis",
      "{'redis_url':'http://redis:6379'}          | engine.redis_url    | must start with redis://",
      "{'redis_url':'redis-host:6379'}            | engine.redis_url    | must start with redis://",
      "{'redis_url':''}                           | engine.redis_url    | must not be empty",
      "{'redis_url':'redis://:se cret@host'}      | engine.redis_url    | not a valid URL",
      "{'redis_prefix':''}                        | engine.redis_prefix | must be non-empty",
      "{'redis_prefix':'a{b}'}                    | engine.redis_prefix | '{' or '}'",
      "{'redis_prefix':'two words'}               | engine.redis_prefix | without spaces",
      "{'presence_ttl':'500ms'}                   | engine.presence_ttl | at least 1000ms",
      "{'presence_ttl':'soon'}                    | engine.presence_ttl | must be a duration",
      "{'redis_host':'redis'}                     | engine.redis_host   | unknown key",
      "{'redis_mode':'replication'}                | engine.redis_mode   | must be standalone, cluster, sentinel or sharded",
      "{'redis_mode':'sharded'}                    | engine.redis_shard_urls | at least two URLs",
      "{'redis_mode':'sharded','redis_shard_urls':['redis://a']} | engine.redis_shard_urls | at least two URLs",
      "{'redis_mode':'sharded','redis_shard_urls':['redis://a','http://b']} | engine.redis_shard_urls | redis://, rediss:// or unix://",
      "{'redis_mode':'sharded','redis_shard_urls':['redis://a','redis://:se cret@b']} | engine.redis_shard_urls | not a valid URL",
      "{'redis_mode':'sharded','redis_shard_urls':['redis://a','']} | engine.redis_shard_urls | entry 2 must not be empty",
      "{'redis_mode':'sharded','redis_shard_urls':['redis://a','REDIS://A']} | engine.redis_shard_urls | entry 2 repeats",
      "{'redis_mode':'sharded','redis_shard_urls':['redis://a','redis://b'],'redis_cluster_urls':['redis://c']} "
          + "| engine.redis_cluster_urls | only used with redis_mode: cluster",
      "{'redis_shard_urls':['redis://a','redis://b']} | engine.redis_shard_urls | only used with redis_mode: sharded",
      "{'redis_mode':'cluster'}                    | engine.redis_cluster_urls | at least one URL",
      "{'redis_mode':'cluster','redis_cluster_urls':['unix:///r.sock']} | engine.redis_cluster_urls | redis:// or rediss://",
      "{'redis_mode':'cluster','redis_cluster_urls':'redis://a','redis_sentinel_master':'m'} | engine.redis_sentinel_master | only used with",
      "{'redis_mode':'sentinel','redis_sentinel_urls':['redis://s:26379']} | engine.redis_sentinel_master | must name the master",
      "{'redis_mode':'sentinel','redis_sentinel_master':'m'} | engine.redis_sentinel_urls | at least one URL",
      "{'redis_cluster_urls':['redis://a:7000']}   | engine.redis_cluster_urls | only used with redis_mode: cluster",
      "{'redis_sentinel_urls':7}                  | engine.redis_sentinel_urls | must be a list of strings",
      "{'redis_password':''}                      | engine.redis_password | must not be empty",
  })
  void badValuesNameTheKey(String engine, String key, String problem) {
    ConfigException e = error(engine);

    assertThat(e.key()).isEqualTo(key);
    assertThat(e.getMessage()).contains("'" + key + "'").contains(problem);
  }

  @Test
  void aBadUrlIsReportedWithoutItsPassword() {
    assertThat(error("{'redis_url':'redis://:s3cret pw@host'}").getMessage()).doesNotContain("s3cret");
  }

  @Test
  void engineMustBeAnObject() {
    assertThatThrownBy(() -> RelayConfig.fromJson(new JsonObject(
        "{\"token\":{\"hmac_secret_key\":\"s\"},\"engine\":\"redis\"}")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'engine'");
  }
}
