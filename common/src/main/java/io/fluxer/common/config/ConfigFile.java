package io.fluxer.common.config;

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
 * The configuration file the relay and the control plane share, read with vertx-config: an optional
 * YAML or JSON file, then {@code FLUXER_*} environment overrides, over an optional base (the embedded
 * dev defaults, {@link DevDefaults}). Each process validates the sections it uses; this class only
 * folds the sources into one object per section.
 *
 * <p>An environment variable {@code FLUXER_<SECTION>_<KEY>} sets {@code <section>.<key>}, e.g.
 * {@code FLUXER_SERVER_PORT=8001} or {@code FLUXER_TOKEN_HMAC_SECRET_KEY_FILE=/run/secrets/jwt};
 * values that look like JSON objects or arrays (e.g. {@code FLUXER_CHANNEL_NAMESPACES}) are parsed.
 * Variables of other prefixes ({@code FLUXER_CONFIG}, {@code FLUXER_DEV_...}) are not config keys.
 */
public final class ConfigFile {
  public static final String ENV_PREFIX = "FLUXER_";
  /**
   * Every section the shared file may have: the relay's, and {@code control} (control-api's). The
   * control plane, which reads only some of them, refuses a section outside this set.
   */
  public static final Set<String> SECTIONS = Set.of("server", "client", "token", "engine", "channel", "api",
      "cluster", "postgres", "dashboard", "control");

  private ConfigFile() {}

  /**
   * Reads the sources and folds them into {@code sections}, each an object (empty when not set).
   *
   * @param base configuration the file and environment override, e.g. dev defaults
   * @param file path of a {@code .yaml}/{@code .yml}/{@code .json} file, or {@code null}
   * @param sections the sections to return
   * @param allowed the sections the sources may have (a superset of {@code sections}); any other is
   *     an error, and those not in {@code sections} are dropped
   */
  public static Future<JsonObject> load(Vertx vertx, JsonObject base, String file, Set<String> sections,
                                        Set<String> allowed) {
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
        .map(merged -> sections(merged, sections, allowed));
  }

  /**
   * Folds the merged store output (file tree plus flat environment keys) into one object per
   * section of {@code sections}; see {@link #load}.
   */
  public static JsonObject sections(JsonObject merged, Set<String> sections, Set<String> allowed) {
    Set<String> known = new TreeSet<>(allowed);
    known.addAll(sections);
    for (String key : merged.fieldNames()) {
      if (!known.contains(key) && !key.startsWith(ENV_PREFIX)) {
        throw new ConfigException(key, "unknown section (known: " + String.join(", ", known) + ")");
      }
    }
    JsonObject tree = new JsonObject();
    for (String section : new TreeSet<>(sections)) {
      Object v = merged.getValue(section);
      if (v != null && !(v instanceof JsonObject)) {
        throw new ConfigException(section, "must be an object");
      }
      tree.put(section, v == null ? new JsonObject() : ((JsonObject) v).copy());
    }
    applyEnv(tree, merged.getMap(), sections);
    return tree;
  }

  /** Sets {@code <section>.<key>} from each {@code FLUXER_<SECTION>_<KEY>} of {@code env} whose section is in the tree. */
  public static void applyEnv(JsonObject tree, Map<String, Object> env, Set<String> sections) {
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
