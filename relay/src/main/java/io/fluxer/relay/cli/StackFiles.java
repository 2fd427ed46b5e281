package io.fluxer.relay.cli;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The local files a stack file names, which {@code fluxer stack deploy} sends with it as the body's
 * {@code files} (the control plane has no access to the CI machine): {@code file:} of secrets and
 * configs, and services' {@code env_file}, keyed by the path as written and read relative to the
 * stack file's directory. A file that does not parse is sent without them: the control plane
 * answers its problems, with lines. Paths holding {@code ${…}} are left to the control plane too.
 */
final class StackFiles {
  private StackFiles() {}

  /** The paths the stack file names, in order, without repeats. */
  static List<String> referenced(String yaml) {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(50);
    options.setAllowRecursiveKeys(false);
    Object root;
    try {
      root = new Yaml(new SafeConstructor(options)).load(yaml);
    } catch (RuntimeException e) {
      return List.of();
    }
    List<String> paths = new ArrayList<>();
    if (!(root instanceof Map<?, ?> top)) {
      return paths;
    }
    for (String section : List.of("secrets", "configs")) {
      if (top.get(section) instanceof Map<?, ?> declared) {
        for (Object entry : declared.values()) {
          if (entry instanceof Map<?, ?> m && m.get("file") instanceof String f) {
            add(paths, f);
          }
        }
      }
    }
    if (top.get("services") instanceof Map<?, ?> services) {
      for (Object service : services.values()) {
        if (!(service instanceof Map<?, ?> s)) {
          continue;
        }
        Object envFile = s.get("env_file");
        if (envFile instanceof String f) {
          add(paths, f);
        } else if (envFile instanceof List<?> list) {
          for (Object item : list) {
            if (item instanceof String f) {
              add(paths, f);
            } else if (item instanceof Map<?, ?> m && m.get("path") instanceof String f) {
              add(paths, f);
            }
          }
        }
      }
    }
    return paths;
  }

  private static void add(List<String> paths, String path) {
    if (!path.contains("$") && !paths.contains(path)) {
      paths.add(path);
    }
  }

  /**
   * Reads each referenced file relative to the directory of {@code stackFile}; a missing one is a
   * usage error naming it.
   */
  static JsonObject read(String yaml, String stackFile) {
    Path dir = Path.of(stackFile).toAbsolutePath().getParent();
    JsonObject files = new JsonObject();
    for (String path : referenced(yaml)) {
      Path file = dir.resolve(path).normalize();
      files.put(path, StackCommands.readText(file.toString(), "-c " + stackFile + " names " + path + ", but"));
    }
    return files;
  }
}
