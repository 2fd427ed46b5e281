package io.fluxer.relay.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.common.config.ConfigException;
import io.fluxer.common.config.PostgresOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The {@code postgres} section: absent by default (namespaces from the file), a URL turns it on; bad
 * values stop start-up naming the key. JSON snippets use {@code '} for {@code "}.
 */
class ConfigPostgresTest {
  @TempDir
  Path dir;

  private static RelayConfig config(String postgresSingleQuoted) {
    return RelayConfig.fromJson(new JsonObject(("{'token':{'hmac_secret_key':'s'},'postgres':" + postgresSingleQuoted
        + "}").replace('\'', '"')));
  }

  private static ConfigException error(String postgresSingleQuoted) {
    try {
      RelayConfig c = config(postgresSingleQuoted);
      throw new AssertionError("expected a ConfigException, got " + c.postgres());
    } catch (ConfigException e) {
      return e;
    }
  }

  @Test
  void offByDefault() {
    PostgresOptions postgres = RelayConfig.fromJson(new JsonObject("{\"token\":{\"hmac_secret_key\":\"s\"}}")).postgres();

    assertThat(postgres).isEqualTo(new PostgresOptions(null, 4, Duration.ofSeconds(30)));
    assertThat(postgres.enabled()).isFalse();
    assertThat(PostgresOptions.none()).isEqualTo(postgres);
  }

  @Test
  void everyKey() {
    PostgresOptions postgres = config("{'url':'postgresql://relay:pw@db.internal:5433/fluxer','pool_size':8,"
        + "'reload_interval':'5s'}").postgres();

    assertThat(postgres).isEqualTo(new PostgresOptions("postgresql://relay:pw@db.internal:5433/fluxer", 8,
        Duration.ofSeconds(5)));
    assertThat(postgres.enabled()).isTrue();
    assertThat(postgres.connectOptions().getHost()).isEqualTo("db.internal");
    assertThat(postgres.connectOptions().getPort()).isEqualTo(5433);
    assertThat(postgres.connectOptions().getDatabase()).isEqualTo("fluxer");
    assertThat(postgres.connectOptions().getUser()).isEqualTo("relay");
  }

  @Test
  void passwordFromItsOwnFileAsTheServerReadsIt() throws Exception {
    Path secret = dir.resolve("pg_password");
    Files.writeString(secret, "s3cret-pw\n");

    PostgresOptions postgres = config("{'url':'postgresql://fluxer@postgres:5432/fluxer','password_file':'"
        + secret + "'}").postgres();

    assertThat(postgres.password()).isEqualTo("s3cret-pw");
    assertThat(postgres.connectOptions().getUser()).isEqualTo("fluxer");
    assertThat(postgres.connectOptions().getPassword()).isEqualTo("s3cret-pw");
    assertThat(postgres.toString()).doesNotContain("s3cret-pw");
    assertThat(config("{'url':'postgresql://fluxer:in-url@postgres/fluxer','password':'apart'}").postgres()
        .connectOptions().getPassword()).isEqualTo("apart");
    assertThat(config("{'url':'postgresql://fluxer:in-url@postgres/fluxer'}").postgres().toString())
        .doesNotContain("in-url").contains("fluxer:***@postgres");
    assertThat(error("{'password':'pw'}").key()).isEqualTo("postgres.password");
    assertThat(error("{'url':'postgresql://fluxer@postgres/fluxer','password':'a','password_file':'" + secret + "'}")
        .key()).isEqualTo("postgres.password");
  }

  @Test
  void postgresSchemeAndNoPeriodicReload() {
    PostgresOptions postgres = config("{'url':'postgres://u@localhost/db','reload_interval':'0'}").postgres();

    assertThat(postgres.enabled()).isTrue();
    assertThat(postgres.reloadInterval()).isEqualTo(Duration.ZERO);
  }

  @Test
  void anEmptyUrlMeansNoPostgres() {
    assertThat(config("{'url':''}").postgres().enabled()).isFalse();
  }

  @Test
  void environmentOverridesSetPostgres() {
    JsonObject merged = new JsonObject("{\"token\":{\"hmac_secret_key\":\"s\"},"
        + "\"FLUXER_POSTGRES_URL\":\"postgresql://env@pg:5432/fluxer\",\"FLUXER_POSTGRES_POOL_SIZE\":\"2\","
        + "\"FLUXER_POSTGRES_RELOAD_INTERVAL\":\"1m\"}");

    PostgresOptions postgres = ConfigLoader.fromMerged(merged).postgres();

    assertThat(postgres).isEqualTo(new PostgresOptions("postgresql://env@pg:5432/fluxer", 2, Duration.ofMinutes(1)));
  }

  @Test
  void urlFromAFile() throws Exception {
    Path secret = Files.writeString(dir.resolve("pg_url"), "postgresql://relay:from-file@pg:5432/fluxer\n");

    PostgresOptions postgres = config("{'url_file':'" + secret + "'}").postgres();

    assertThat(postgres.url()).isEqualTo("postgresql://relay:from-file@pg:5432/fluxer");
  }

  @Test
  void urlAndItsFileTogetherAreAnError() {
    assertThat(error("{'url':'postgresql://a/b','url_file':'/x'}").key()).isEqualTo("postgres.url");
  }

  @Test
  void anUnreadableUrlFileNamesTheKey() {
    assertThat(error("{'url_file':'" + dir.resolve("missing") + "'}").key()).isEqualTo("postgres.url_file");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{'url':'mysql://db:3306/x'}                  | postgres.url             | must start with postgresql://",
      "{'url':'db.internal:5432'}                   | postgres.url             | must start with postgresql://",
      "{'url':'postgresql://u:se cret@db/x'}        | postgres.url             | not a valid URL",
      "{'url':'postgresql://db:notaport/x'}         | postgres.url             | not a PostgreSQL connection URL",
      "{'pool_size':0}                              | postgres.pool_size       | between 1 and 100",
      "{'pool_size':101}                            | postgres.pool_size       | between 1 and 100",
      "{'pool_size':'many'}                         | postgres.pool_size       | must be an integer",
      "{'reload_interval':'often'}                  | postgres.reload_interval | must be a duration",
      "{'reload_interval':'-1s'}                    | postgres.reload_interval | must be a duration",
      "{'host':'db'}                                | postgres.host            | unknown key",
  })
  void badValuesNameTheKey(String postgres, String key, String problem) {
    ConfigException e = error(postgres);

    assertThat(e.key()).isEqualTo(key);
    assertThat(e.getMessage()).contains("'" + key + "'").contains(problem);
  }

  @Test
  void aBadUrlIsReportedWithoutItsPassword() {
    assertThat(error("{'url':'postgresql://u:s3cret pw@db/x'}").getMessage()).doesNotContain("s3cret");
    assertThat(error("{'url':'postgresql://u:s3cret@db:bad/x'}").getMessage()).doesNotContain("s3cret");
  }
}
