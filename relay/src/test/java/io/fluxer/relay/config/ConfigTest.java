package io.fluxer.relay.config;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.fluxer.common.config.ConfigException;
import io.fluxer.common.config.ConfigValues;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Relay configuration: defaults, YAML and JSON files read through vertx-config, the base (dev
 * defaults) deep-merged with the file, {@code FLUXER_*} environment overrides, and validation errors
 * that name the offending key.
 *
 * <p>JSON snippets are written with {@code '} for {@code "} (see {@link #q}).
 */
class ConfigTest {
  private static final String SECRET = "{'token':{'hmac_secret_key':'s'}}";
  private static Vertx vertx;

  @TempDir
  Path dir;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, SECONDS);
  }

  /** JSON text with {@code '} standing for {@code "}. */
  private static String q(String singleQuoted) {
    return singleQuoted.replace('\'', '"');
  }

  private static JsonObject obj(String singleQuoted) {
    return new JsonObject(q(singleQuoted));
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, SECONDS);
  }

  private static ConfigException awaitConfigFailure(Future<?> future) throws Exception {
    try {
      Object value = await(future);
      return fail("expected a ConfigException, got " + value);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(ConfigException.class);
      return (ConfigException) e.getCause();
    }
  }

  private static ConfigException configError(Supplier<?> build) {
    try {
      Object value = build.get();
      return fail("expected a ConfigException, got " + value);
    } catch (ConfigException e) {
      return e;
    }
  }

  private static void assertNamesKey(ConfigException e, String key) {
    assertThat(e.key()).isEqualTo(key);
    assertThat(e.getMessage()).contains("'" + key + "'");
  }

  private Path write(String name, String content) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return file;
  }

  private static JsonObject devDefaults() throws Exception {
    try (InputStream in = ConfigTest.class.getResourceAsStream("/fluxer-dev.json")) {
      assertThat(in).as("fluxer-dev.json on the classpath").isNotNull();
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /** A tree with all four sections, as {@link ConfigLoader#fromMerged} hands to applyEnv. */
  private static JsonObject sections(String singleQuoted) {
    JsonObject tree = obj(singleQuoted);
    for (String s : List.of("server", "client", "token", "channel")) {
      if (!tree.containsKey(s)) {
        tree.put(s, new JsonObject());
      }
    }
    return tree;
  }

  // ---- defaults

  @Test
  void defaultsWithOnlyATokenSecret() {
    RelayConfig c = RelayConfig.fromJson(obj(SECRET));

    assertThat(c.server().host()).isEqualTo("127.0.0.1");
    assertThat(c.server().port()).isEqualTo(8000);
    assertThat(c.server().instances()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(c.server().nodeName()).startsWith("fluxer-");

    ClientOptions client = c.client();
    assertThat(client.allowedOrigins()).isEmpty();
    assertThat(client.pingInterval()).isEqualTo(Duration.ofSeconds(25));
    assertThat(client.pongTimeout()).isEqualTo(Duration.ofSeconds(8));
    assertThat(client.staleDelay()).isEqualTo(Duration.ofSeconds(10));
    assertThat(client.expiredCloseDelay()).isEqualTo(Duration.ofSeconds(25));
    assertThat(client.allowAnonymous()).isFalse();
    assertThat(client.maxMessageSize()).isEqualTo(65536);
    assertThat(client.writeQueueMaxSize()).isEqualTo(1 << 20);
    assertThat(client.maxBatchSize()).isEqualTo(65536);
    assertThat(client.channelLimit()).isEqualTo(128);
    assertThat(client.recoveryMaxPublications()).isEqualTo(300);

    assertThat(c.token()).isEqualTo(new TokenOptions("s", null, null, null, null, 0));
    assertThat(c.token().hasAnyKey()).isTrue();

    assertThat(c.channel().withoutNamespace()).isEqualTo(NamespaceOptions.closed(""));
    assertThat(c.channel().namespaces()).isEmpty();
    assertThat(c.channel().maxChannelLength()).isEqualTo(255);
  }

  @Test
  void anonymousOnlyConfigNeedsNoKey() {
    RelayConfig c = RelayConfig.fromJson(obj("{'client':{'allow_anonymous':true}}"));
    assertThat(c.token().hasAnyKey()).isFalse();
    assertThat(c.client().allowAnonymous()).isTrue();
  }

  // ---- files

  @Test
  void fullYamlFileSetsEverySection() throws Exception {
    String path = Path.of(ConfigTest.class.getResource("/config/full.yaml").toURI()).toString();
    RelayConfig c = await(ConfigLoader.load(vertx, null, path));

    assertThat(c.server()).isEqualTo(new ServerOptions("0.0.0.0", 9100, 2, "relay-a", Duration.ofSeconds(2), Duration.ofMillis(500),
        ServerOptions.defaults().limits(), java.util.List.of()));

    ClientOptions client = c.client();
    assertThat(client.allowedOrigins()).containsExactly("https://app.example.com", "*.example.org");
    assertThat(client.pingInterval()).isEqualTo(Duration.ofSeconds(20));
    assertThat(client.pongTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(client.staleDelay()).isEqualTo(Duration.ofSeconds(3));
    assertThat(client.expiredCloseDelay()).isEqualTo(Duration.ofMinutes(1));
    assertThat(client.allowAnonymous()).isTrue();
    assertThat(client.maxMessageSize()).isEqualTo(131072);
    assertThat(client.writeQueueMaxSize()).isEqualTo(2097152);
    assertThat(client.maxBatchSize()).isEqualTo(32768);
    assertThat(client.channelLimit()).isEqualTo(64);
    assertThat(client.recoveryMaxPublications()).isEqualTo(500);

    assertThat(c.token()).isEqualTo(
        new TokenOptions("yaml-secret", null, null, "fluxer-clients", "https://auth.example.com", 5));

    ChannelOptions channel = c.channel();
    assertThat(channel.maxChannelLength()).isEqualTo(128);
    assertThat(channel.withoutNamespace().presence()).isTrue();
    assertThat(channel.withoutNamespace().allowSubscribeForClient()).isTrue();
    assertThat(channel.withoutNamespace().historySize()).isZero();
    assertThat(channel.namespaces()).containsOnlyKeys("chat", "public");

    NamespaceOptions chat = channel.namespaces().get("chat");
    assertThat(chat.name()).isEqualTo("chat");
    assertThat(chat.historySize()).isEqualTo(50);
    assertThat(chat.historyTtl()).isEqualTo(Duration.ofHours(1));
    assertThat(chat.forceRecovery()).isTrue();
    assertThat(chat.allowRecovery()).isFalse();
    assertThat(chat.presence()).isTrue();
    assertThat(chat.joinLeave()).isTrue();
    assertThat(chat.forcePushJoinLeave()).isTrue();
    assertThat(chat.allowSubscribeForClient()).isTrue();
    assertThat(chat.allowSubscribeForAnonymous()).isFalse();
    assertThat(chat.allowPublishForClient()).isFalse();
    assertThat(chat.allowPublishForSubscriber()).isTrue();
    assertThat(chat.allowHistoryForSubscriber()).isTrue();
    assertThat(chat.allowPresenceForSubscriber()).isTrue();
    assertThat(chat.channelRegex().pattern()).isEqualTo("^[a-z0-9-]+$");
    assertThat(chat.recoverable(false)).isTrue();

    NamespaceOptions pub = channel.namespaces().get("public");
    assertThat(pub.historySize()).isEqualTo(10);
    assertThat(pub.historyTtl()).isEqualTo(Duration.ofSeconds(90));
    assertThat(pub.forceRecovery()).isFalse();
    assertThat(pub.allowRecovery()).isTrue();
    assertThat(pub.recoverable(false)).isFalse();
    assertThat(pub.recoverable(true)).isTrue();
    assertThat(pub.allowSubscribeForAnonymous()).isTrue();
    assertThat(pub.allowPublishForClient()).isTrue();
    assertThat(pub.allowHistoryForClient()).isTrue();
    assertThat(pub.allowPresenceForClient()).isTrue();
    assertThat(pub.channelRegex()).isNull();
  }

  @Test
  void jsonFile() throws Exception {
    Path file = write("relay.json", q("{'server':{'port':8123,'host':'::1'},"
        + "'client':{'allowed_origins':['https://x.example'],'ping_interval':'10s','pong_timeout':'2500ms'},"
        + "'token':{'rsa_public_key':'-----BEGIN PUBLIC KEY-----'},"
        + "'channel':{'namespaces':[{'name':'n','history_size':3,'history_ttl':'2d'}]}}"));
    RelayConfig c = await(ConfigLoader.load(vertx, null, file.toString()));
    assertThat(c.server().port()).isEqualTo(8123);
    assertThat(c.server().host()).isEqualTo("::1");
    assertThat(c.client().allowedOrigins()).containsExactly("https://x.example");
    assertThat(c.client().pingInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.client().pongTimeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(c.token().rsaPublicKeyPem()).isEqualTo("-----BEGIN PUBLIC KEY-----");
    assertThat(c.token().hmacSecret()).isNull();
    assertThat(c.channel().namespaces().get("n").historyTtl()).isEqualTo(Duration.ofDays(2));
  }

  @Test
  void baseIsUsedAloneWithoutAFile() throws Exception {
    RelayConfig c = await(ConfigLoader.load(vertx, devDefaults(), null));
    assertThat(c.server().nodeName()).isEqualTo("dev");
    assertThat(c.server().port()).isEqualTo(8000);
    assertThat(c.token().hmacSecret()).isEqualTo("fluxer-dev-secret-not-for-production");
    assertThat(c.channel().namespaces()).containsOnlyKeys("chat");
  }

  @Test
  void yamlFileIsDeepMergedOverTheBase() throws Exception {
    Path file = write("override.yaml", "server:\n  port: 9999\nclient:\n  channel_limit: 7\n");
    RelayConfig c = await(ConfigLoader.load(vertx, devDefaults(), file.toString()));
    // overridden
    assertThat(c.server().port()).isEqualTo(9999);
    assertThat(c.client().channelLimit()).isEqualTo(7);
    // kept from the base, in the same sections as the overrides
    assertThat(c.server().host()).isEqualTo("127.0.0.1");
    assertThat(c.server().nodeName()).isEqualTo("dev");
    assertThat(c.client().allowedOrigins()).containsExactly("*");
    // kept from the base, in sections the file does not mention
    assertThat(c.token().hmacSecret()).isEqualTo("fluxer-dev-secret-not-for-production");
    assertThat(c.channel().namespaces()).containsOnlyKeys("chat");
    assertThat(c.channel().namespaces().get("chat").historySize()).isEqualTo(100);
  }

  @Test
  void jsonFileIsDeepMergedOverTheBaseAndListsAreReplaced() throws Exception {
    Path file = write("override.json",
        q("{'token':{'audience':'aud'},'channel':{'namespaces':[{'name':'other','presence':true}]}}"));
    RelayConfig c = await(ConfigLoader.load(vertx, devDefaults(), file.toString()));
    assertThat(c.token().audience()).isEqualTo("aud");
    assertThat(c.token().hmacSecret()).isEqualTo("fluxer-dev-secret-not-for-production");
    assertThat(c.server().nodeName()).isEqualTo("dev");
    // a list in the file replaces the base's list: namespaces are not concatenated
    assertThat(c.channel().namespaces()).containsOnlyKeys("other");
  }

  @Test
  void ymlExtensionIsReadAsYaml() throws Exception {
    Path file = write("relay.yml", "token:\n  hmac_secret_key: from-yml\n");
    assertThat(await(ConfigLoader.load(vertx, null, file.toString())).token().hmacSecret()).isEqualTo("from-yml");
  }

  @Test
  void missingFileFailsNamingThePath() throws Exception {
    String path = dir.resolve("absent.yaml").toString();
    assertNamesKey(awaitConfigFailure(ConfigLoader.load(vertx, obj(SECRET), path)), path);
  }

  @Test
  void malformedYamlFailsNamingThePath() throws Exception {
    Path file = write("broken.yaml", "server:\n  port: [unclosed\n");
    assertNamesKey(awaitConfigFailure(ConfigLoader.load(vertx, obj(SECRET), file.toString())), file.toString());
  }

  @Test
  void typoInAFileKeyIsReported() throws Exception {
    Path file = write("typo.yaml", "server:\n  prot: 9000\n");
    ConfigException e = awaitConfigFailure(ConfigLoader.load(vertx, devDefaults(), file.toString()));
    assertNamesKey(e, "server.prot");
    assertThat(e.getMessage()).contains("port");
  }

  @Test
  void unknownSectionInAFileIsReported() throws Exception {
    Path file = write("section.yaml", "servr:\n  port: 9000\n");
    assertNamesKey(awaitConfigFailure(ConfigLoader.load(vertx, devDefaults(), file.toString())), "servr");
  }

  @Test
  void sectionThatIsNotAnObjectInAFileIsReported() throws Exception {
    Path file = write("scalar.yaml", "server: 9000\n");
    assertNamesKey(awaitConfigFailure(ConfigLoader.load(vertx, devDefaults(), file.toString())), "server");
  }

  // ---- environment

  @Test
  void environmentOverridesApplyToTheTree() throws Exception {
    Path secret = write("jwt-secret", "from-file-secret\n");
    JsonObject tree = sections("{'server':{'port':7000,'node_name':'file'}}");
    Map<String, Object> env = new HashMap<>();
    env.put("FLUXER_SERVER_PORT", "8001");
    env.put("FLUXER_CLIENT_ALLOWED_ORIGINS", "https://a.example, https://b.example,,");
    env.put("FLUXER_CLIENT_ALLOW_ANONYMOUS", "TRUE");
    env.put("FLUXER_CHANNEL_NAMESPACES", q("[{'name':'env','presence':true},{'name':'two'}]"));
    env.put("FLUXER_CHANNEL_WITHOUT_NAMESPACE", q(" {'join_leave':true} "));
    env.put("FLUXER_TOKEN_HMAC_SECRET_KEY_FILE", secret.toString());

    ConfigLoader.applyEnv(tree, env);
    RelayConfig c = RelayConfig.fromJson(tree);

    assertThat(c.server().port()).isEqualTo(8001);
    assertThat(c.server().nodeName()).isEqualTo("file");
    assertThat(c.client().allowedOrigins()).containsExactly("https://a.example", "https://b.example");
    assertThat(c.client().allowAnonymous()).isTrue();
    assertThat(c.channel().namespaces()).containsOnlyKeys("env", "two");
    assertThat(c.channel().namespaces().get("env").presence()).isTrue();
    assertThat(c.channel().withoutNamespace().joinLeave()).isTrue();
    assertThat(c.token().hmacSecret()).isEqualTo("from-file-secret");
  }

  @Test
  void environmentVariablesThatAreNotConfigKeysAreIgnored() {
    JsonObject tree = sections(SECRET);
    JsonObject before = tree.copy();
    Map<String, Object> env = new HashMap<>();
    env.put("FLUXER_CONFIG", "/etc/fluxer/relay.yaml");
    env.put("FLUXER_DEV_X", "1");
    env.put("FLUXER_DEV", "true");
    env.put("FLUXER_", "x");
    env.put("FLUXER_SERVER", "y");
    env.put("FLUXER_TEST_NODE_DIR", "/tmp");
    env.put("PATH", "/usr/bin");
    env.put("SERVER_PORT", "1");
    env.put("fluxer_server_port", "2");

    ConfigLoader.applyEnv(tree, env);

    assertThat(tree).isEqualTo(before);
    assertThat(RelayConfig.fromJson(tree).server().port()).isEqualTo(8000);
  }

  @Test
  void environmentKeyTypoIsReportedByItsConfigKey() {
    JsonObject tree = sections(SECRET);
    ConfigLoader.applyEnv(tree, Map.of("FLUXER_SERVER_PROT", "9000"));
    assertNamesKey(configError(() -> RelayConfig.fromJson(tree)), "server.prot");
  }

  @Test
  void environmentValueThatLooksLikeJsonButIsNotFailsNamingTheVariable() {
    JsonObject tree = sections(SECRET);
    ConfigException e = configError(() -> {
      ConfigLoader.applyEnv(tree, Map.of("FLUXER_CHANNEL_NAMESPACES", "[{\"name\":"));
      return tree;
    });
    assertNamesKey(e, "FLUXER_CHANNEL_NAMESPACES");
  }

  @Test
  void badEnvironmentPortNamesTheConfigKey() {
    JsonObject tree = sections(SECRET);
    ConfigLoader.applyEnv(tree, Map.of("FLUXER_SERVER_PORT", "abc"));
    assertNamesKey(configError(() -> RelayConfig.fromJson(tree)), "server.port");
  }

  @Test
  void mergedStoreOutputWithFlatEnvironmentKeysIsFolded() {
    // what vertx-config hands over: the file tree plus the FLUXER_* variables as flat keys
    JsonObject merged = obj("{'server':{'port':7000},'token':{'hmac_secret_key':'s'},"
        + "'FLUXER_SERVER_PORT':'7001','FLUXER_CONFIG':'/x.yaml','FLUXER_DEV_MODE':'1'}");
    RelayConfig c = ConfigLoader.fromMerged(merged);
    assertThat(c.server().port()).isEqualTo(7001);
  }

  @Test
  void realEnvironmentStoreDoesNotBreakLoading() throws Exception {
    // whatever FLUXER_* variables the test JVM has (the build sets FLUXER_TEST_NODE_DIR), loading works
    RelayConfig c = await(ConfigLoader.load(vertx, obj("{'token':{'hmac_secret_key':'s'},'server':{'port':1234}}"),
        null));
    assertThat(c.token().hmacSecret()).isEqualTo("s");
  }

  // ---- validation

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "{'server':{'port':70000}}                                             | server.port",
      "{'server':{'port':-1}}                                                | server.port",
      "{'server':{'port':'abc'}}                                             | server.port",
      "{'server':{'port':'99999999999999999999'}}                            | server.port",
      "{'server':{'port':80.5}}                                              | server.port",
      "{'server':{'instances':0}}                                            | server.instances",
      "{'server':{'host':''}}                                                | server.host",
      "{'server':{'prot':8000}}                                              | server.prot",
      "{'servr':{'port':8000}}                                               | servr",
      "{'server':'8000'}                                                     | server",
      "{'client':{'ping_interval':'5 parsecs'}}                              | client.ping_interval",
      "{'client':{'ping_interval':'-5s'}}                                    | client.ping_interval",
      "{'client':{'ping_interval':'1ms'}}                                    | client.ping_interval",
      "{'client':{'ping_interval':'99999999999999999999s'}}                  | client.ping_interval",
      "{'client':{'ping_interval':'9999999999999999d'}}                      | client.ping_interval",
      "{'client':{'pong_timeout':'30s'}}                                     | client.pong_timeout",
      "{'client':{'ping_interval':'10s','pong_timeout':'10s'}}               | client.pong_timeout",
      "{'client':{'allow_anonymous':'maybe'}}                                | client.allow_anonymous",
      "{'client':{'allowed_origins':[1]}}                                    | client.allowed_origins",
      "{'client':{'max_message_size':1}}                                     | client.max_message_size",
      "{'channel':{'namespaces':[{'name':'a'},{'name':'a'}]}}                | channel.namespaces[1].name",
      "{'channel':{'namespaces':[{'presence':true}]}}                        | channel.namespaces[0].name",
      "{'channel':{'namespaces':[{'name':''}]}}                              | channel.namespaces[0].name",
      "{'channel':{'namespaces':['chat']}}                                   | channel.namespaces[0]",
      "{'channel':{'namespaces':{'name':'chat'}}}                            | channel.namespaces",
      "{'channel':{'namespaces':[{'name':'bad name'}]}}                      | channel.namespaces.bad name.name",
      "{'channel':{'namespaces':[{'name':'c','channel_regex':'([a-z'}]}}     | channel.namespaces.c.channel_regex",
      "{'channel':{'namespaces':[{'name':'c','channel_regex':'(?=a)a'}]}}    | channel.namespaces.c.channel_regex",
      "{'channel':{'namespaces':[{'name':'c','channel_regex':'((a{1000}){1000}){1000}'}]}} | channel.namespaces.c.channel_regex",
      "{'channel':{'namespaces':[{'name':'sys','allow_user_limited_channels':true}]}} | channel.namespaces.sys.allow_user_limited_channels",
      "{'channel':{'namespaces':[{'name':'logs','allow_user_limited_channels':true}]}} | channel.namespaces.logs.allow_user_limited_channels",
      "{'channel':{'namespaces':[{'name':'c','force_recovery':true}]}}       | channel.namespaces.c.force_recovery",
      "{'channel':{'namespaces':[{'name':'c','allow_recovery':true}]}}       | channel.namespaces.c.allow_recovery",
      "{'channel':{'namespaces':[{'name':'c','history_size':10}]}}           | channel.namespaces.c.history_ttl",
      "{'channel':{'namespaces':[{'name':'c','history_ttl':'1m'}]}}          | channel.namespaces.c.history_ttl",
      "{'channel':{'namespaces':[{'name':'c','presense':true}]}}             | channel.namespaces.c.presense",
      "{'channel':{'without_namespace':{'force_recovery':true}}}             | channel.without_namespace.force_recovery",
      "{'channel':{'max_channel_length':0}}                                  | channel.max_channel_length",
      "{'token':{'hmac_secret_key':'s','leeway':'soon'}}                     | token.leeway",
      "{'token':{'hmac_secret_key':'s','hmac_secret_key_file':'/etc/x'}}     | token.hmac_secret_key",
      "{'token':{'hmac_secret_key':'s','algorithm':'HS256'}}                 | token.algorithm",
  })
  void invalidValueFailsNamingTheKey(String snippet, String key) {
    JsonObject json = obj(snippet);
    if (!json.containsKey("token")) {
      json.put("token", obj(SECRET).getJsonObject("token"));
    }
    assertNamesKey(configError(() -> RelayConfig.fromJson(json)), key);
  }

  @Test
  void noTokenKeyWithoutAnonymousAccessIsAnError() {
    ConfigException e = configError(() -> RelayConfig.fromJson(new JsonObject()));
    assertNamesKey(e, "token");
    assertThat(e.getMessage()).contains("allow_anonymous");
    assertNamesKey(configError(() -> RelayConfig.fromJson(obj("{'token':{'hmac_secret_key':'  '}}"))), "token");
  }

  @Test
  void unreadableSecretFileNamesTheFileKey() {
    String missing = dir.resolve("no-such-secret").toString();
    ConfigException e = configError(() ->
        RelayConfig.fromJson(new JsonObject().put("token", new JsonObject().put("hmac_secret_key_file", missing))));
    assertNamesKey(e, "token.hmac_secret_key_file");
    assertThat(e.getMessage()).contains(missing);
  }

  @Test
  void publicKeysMayAlsoComeFromFiles() throws Exception {
    Path rsa = write("rsa.pem", "-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----\n");
    RelayConfig c = RelayConfig.fromJson(new JsonObject().put("token", new JsonObject()
        .put("rsa_public_key_file", rsa.toString())));
    assertThat(c.token().rsaPublicKeyPem()).isEqualTo("-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----");
  }

  // ---- durations

  @ParameterizedTest(name = "{0} = {1}ms")
  @CsvSource({
      "250ms, 250",
      "25s, 25000",
      "5m, 300000",
      "1h, 3600000",
      "2d, 172800000",
      "30, 30000",
      "0, 0",
  })
  void durations(String text, long millis) {
    assertThat(ConfigValues.parseDuration(text)).isEqualTo(Duration.ofMillis(millis));
    RelayConfig c = RelayConfig.fromJson(obj(SECRET).put("client", new JsonObject().put("expired_close_delay", text)));
    assertThat(c.client().expiredCloseDelay()).isEqualTo(Duration.ofMillis(millis));
  }

  @Test
  void bareNumberDurationIsSeconds() {
    RelayConfig c = RelayConfig.fromJson(obj(SECRET).put("client",
        new JsonObject().put("ping_interval", 40).put("pong_timeout", " 3s ")));
    assertThat(c.client().pingInterval()).isEqualTo(Duration.ofSeconds(40));
    assertThat(c.client().pongTimeout()).isEqualTo(Duration.ofSeconds(3));
  }

  @ParameterizedTest
  @CsvSource({"5 parsecs", "1.5s", "s", "10 s", "5M", "1w", "''"})
  void notADuration(String text) {
    assertThat(ConfigValues.parseDuration(text)).isNull();
  }

  @Test
  void numbersAndBooleansGivenAsStringsAreAccepted() {
    RelayConfig c = RelayConfig.fromJson(obj("{'token':{'hmac_secret_key':'s'},"
        + "'server':{'port':'8088','instances':'3'},'client':{'allow_anonymous':'false','channel_limit':'9'}}"));
    assertThat(c.server().port()).isEqualTo(8088);
    assertThat(c.server().instances()).isEqualTo(3);
    assertThat(c.client().allowAnonymous()).isFalse();
    assertThat(c.client().channelLimit()).isEqualTo(9);
  }

  @Test
  void allowedOriginsAcceptAListOrACommaSeparatedString() {
    assertThat(RelayConfig.fromJson(obj(SECRET).put("client", new JsonObject()
        .put("allowed_origins", new JsonArray().add("https://a").add("*.b")))).client().allowedOrigins())
        .containsExactly("https://a", "*.b");
    assertThat(RelayConfig.fromJson(obj(SECRET).put("client", new JsonObject()
        .put("allowed_origins", " https://a ,*.b "))).client().allowedOrigins())
        .containsExactly("https://a", "*.b");
  }
}
