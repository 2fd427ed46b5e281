package io.fluxer.relay.config;

import io.fluxer.common.config.ConfigFile;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the relay's configuration from the shared config file and {@code FLUXER_*} variables
 * ({@link ConfigFile}) and validates it ({@link RelayConfig#fromJson}).
 */
public final class ConfigLoader {
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
    Set<String> sections = sections(extraSections);
    return ConfigFile.load(vertx, base, file, sections, sections)
        // validation may read *_file secrets from disk: off the event loop
        .compose(tree -> vertx.executeBlocking(() -> fromTree(tree, extraSections), false));
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
    Set<String> sections = sections(extraSections);
    return fromTree(ConfigFile.sections(merged, sections, sections), extraSections);
  }

  static void applyEnv(JsonObject tree, Map<String, Object> env) {
    ConfigFile.applyEnv(tree, env, RelayConfig.SECTIONS);
  }

  private static Set<String> sections(Set<String> extraSections) {
    Set<String> sections = new TreeSet<>(RelayConfig.SECTIONS);
    sections.addAll(extraSections);
    return sections;
  }

  private static Loaded fromTree(JsonObject tree, Set<String> extraSections) {
    JsonObject extra = new JsonObject();
    extraSections.forEach(section -> extra.put(section, tree.remove(section)));
    return new Loaded(RelayConfig.fromJson(tree), extra);
  }
}
