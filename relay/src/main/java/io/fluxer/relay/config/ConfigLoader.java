package io.fluxer.relay.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the configuration with vertx-config: an optional YAML or JSON file, then {@code FLUXER_*}
 * environment overrides, over an optional base (the embedded dev defaults).
 *
 * <p>An environment variable {@code FLUXER_<SECTION>_<KEY>} sets {@code <section>.<key>}, e.g.
 * {@code FLUXER_SERVER_PORT=8001} or {@code FLUXER_TOKEN_HMAC_SECRET_KEY_FILE=/run/secrets/jwt};
 * values that look like JSON objects or arrays (e.g. {@code FLUXER_CHANNEL_NAMESPACES}) are parsed.
 * Variables of other prefixes ({@code FLUXER_CONFIG}, {@code FLUXER_DEV_...}) are not config keys.
 */
public final class ConfigLoader {
  public static final String ENV_PREFIX = "FLUXER_";

  private ConfigLoader() {}

  /**
   * @param base configuration the file and environment override, e.g. dev defaults
   * @param file path of a {@code .yaml}/{@code .yml}/{@code .json} file, or {@code null}
   */
  public static Future<RelayConfig> load(Vertx vertx, JsonObject base, String file) {
    return load(vertx, base, file, Set.of()).map(Loaded::relay);
  }

  /**
   * The relay's configuration plus sections another part reads from the same file and
   * {@code FLUXER_<SECTION>_*} variables (control-api's {@code control}), handed over as JSON for
   * that part to validate.
   *
   * @param extraSections section names besides the relay's; any other unknown section is an error
   */
  public static Future<Loaded> load(Vertx vertx, JsonObject base, String file, Set<String> extraSections) {
    ConfigRetrieverOptions options = new ConfigRetrieverOptions().setIncludeDefaultStores(false);
    options.addStore(new ConfigStoreOptions().setType("json").setConfig(base == null ? new JsonObject() : base));
    if (file != null) {
      String format = file.endsWith(".yaml") || file.endsWith(".yml") ? "yaml" : "json";
      options.addStore(new ConfigStoreOptions().setType("file").setFormat(format)
          .setConfig(new JsonObject().put("path", file)));
    }
    JsonArray envKeys = new JsonArray();
    System.getenv().keySet().stream().filter(k -> k.startsWith(ENV_PREFIX)).sorted().forEach(envKeys::add);
    options.addStore(new ConfigStoreOptions().setType("env")
        .setConfig(new JsonObject().put("raw-data", true).put("keys", envKeys)));
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever.getConfig()
        .eventually(retriever::close)
        .recover(e -> Future.failedFuture(new ConfigException(file == null ? "config" : file, e.getMessage())))
        // validation may read *_file secrets from disk: off the event loop
        .compose(merged -> vertx.executeBlocking(() -> fromMerged(merged, extraSections), false));
  }

  /** What {@link #load(Vertx, JsonObject, String, Set)} read: the relay's config and the extra sections. */
  public record Loaded(RelayConfig relay, JsonObject extra) {
    /** One extra section, empty when not configured. */
    public JsonObject section(String name) {
      return extra.getJsonObject(name, new JsonObject());
    }
  }

  /** Folds the merged store output (file tree plus flat environment keys) into a validated config. */
  static RelayConfig fromMerged(JsonObject merged) {
    return fromMerged(merged, Set.of()).relay();
  }

  static Loaded fromMerged(JsonObject merged, Set<String> extraSections) {
    Set<String> sections = new TreeSet<>(RelayConfig.SECTIONS);
    sections.addAll(extraSections);
    JsonObject tree = new JsonObject();
    for (String section : sections) {
      Object v = merged.getValue(section);
      if (v != null && !(v instanceof JsonObject)) {
        throw new ConfigException(section, "must be an object");
      }
      tree.put(section, v == null ? new JsonObject() : ((JsonObject) v).copy());
    }
    for (String key : merged.fieldNames()) {
      if (!sections.contains(key) && !key.startsWith(ENV_PREFIX)) {
        throw new ConfigException(key, "unknown section (known: " + String.join(", ", sections) + ")");
      }
    }
    applyEnv(tree, merged.getMap(), sections);
    JsonObject extra = new JsonObject();
    extraSections.forEach(section -> extra.put(section, tree.remove(section)));
    return new Loaded(RelayConfig.fromJson(tree), extra);
  }

  static void applyEnv(JsonObject tree, Map<String, Object> env) {
    applyEnv(tree, env, RelayConfig.SECTIONS);
  }

  private static void applyEnv(JsonObject tree, Map<String, Object> env, Set<String> sections) {
    for (Map.Entry<String, Object> e : env.entrySet()) {
      String name = e.getKey();
      if (!name.startsWith(ENV_PREFIX)) {
        continue;
      }
      String rest = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT);
      int cut = rest.indexOf('_');
      if (cut <= 0 || !sections.contains(rest.substring(0, cut))) {
        continue;
      }
      String value = String.valueOf(e.getValue()).trim();
      tree.getJsonObject(rest.substring(0, cut)).put(rest.substring(cut + 1), jsonOrText(name, value));
    }
  }

  private static Object jsonOrText(String envName, String value) {
    try {
      if (value.startsWith("{")) {
        return new JsonObject(value);
      }
      if (value.startsWith("[")) {
        return new JsonArray(value);
      }
    } catch (RuntimeException ex) {
      throw new ConfigException(envName, "looks like JSON but does not parse: " + ex.getMessage());
    }
    return value;
  }
}
