package io.fluxer.control.stack;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * Something in a stack file that was accepted but not applied as written: a key swarm ignores, a
 * variable that was not set, a declared network no service uses.
 *
 * @param service the service's short name in the file, or null for a warning outside {@code services}
 * @param key the key path, e.g. {@code services.web.build}
 * @param line 1-based line of the key in the stack file
 * @param message what happens instead, for a person
 */
public record StackWarning(String service, String key, int line, String message) {
  public StackWarning {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(message, "message");
  }

  static StackWarning at(String path, int line, String message) {
    return new StackWarning(serviceOf(path), path, line, message);
  }

  /** The service named by a path under {@code services.}, or null. */
  static String serviceOf(String path) {
    if (!path.startsWith("services.")) {
      return null;
    }
    String rest = path.substring("services.".length());
    int end = rest.length();
    for (int i = 0; i < rest.length(); i++) {
      char c = rest.charAt(i);
      if (c == '.' || c == '[') {
        end = i;
        break;
      }
    }
    return end == 0 ? null : rest.substring(0, end);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("key", key).put("line", line).put("message", message);
    if (service != null) {
      json.put("service", service);
    }
    return json;
  }

  @Override
  public String toString() {
    return key + ": " + message + " (line " + line + ")";
  }
}
