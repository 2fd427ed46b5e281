package io.fluxer.common.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed reads from one config section; every failure names the full key. Unknown keys are errors,
 * so a typo never passes silently.
 */
public final class ConfigValues {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)?");

  private final JsonObject json;
  private final String path;

  public ConfigValues(JsonObject json, String path, Set<String> known) {
    this.json = json == null ? new JsonObject() : json;
    this.path = path;
    for (String key : this.json.fieldNames()) {
      if (!known.contains(key)) {
        throw new ConfigException(key(key), "unknown key (known: " + String.join(", ", known.stream().sorted().toList()) + ")");
      }
    }
  }

  public String key(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  public JsonObject object(String name) {
    Object v = json.getValue(name);
    if (v == null) {
      return new JsonObject();
    }
    if (v instanceof JsonObject o) {
      return o;
    }
    throw new ConfigException(key(name), "must be an object");
  }

  /**
   * A secret given inline ({@code name}) or, with the {@code _file} suffix, read from a file (Docker
   * secrets); {@code null} when neither is set.
   */
  public String secret(String name) {
    String inline = string(name, null);
    String file = string(name + "_file", null);
    if (inline != null && file != null) {
      throw new ConfigException(key(name), "set either " + name + " or " + name + "_file, not both");
    }
    if (file == null) {
      return inline;
    }
    try {
      return Files.readString(Path.of(file)).strip();
    } catch (IOException e) {
      throw new ConfigException(key(name + "_file"), "cannot read " + file + ": " + e.getMessage());
    }
  }

  public String string(String name, String def) {
    Object v = json.getValue(name);
    if (v == null) {
      return def;
    }
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Number || v instanceof Boolean) {
      return v.toString();
    }
    throw new ConfigException(key(name), "must be a string");
  }

  public boolean bool(String name, boolean def) {
    Object v = json.getValue(name);
    if (v == null) {
      return def;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
      return Boolean.parseBoolean(s);
    }
    throw new ConfigException(key(name), "must be true or false, got '" + v + "'");
  }

  public int integer(String name, int def, int min, int max) {
    Object v = json.getValue(name);
    long n;
    if (v == null) {
      return def;
    } else if (v instanceof Number num && num.doubleValue() == num.longValue()) {
      n = num.longValue();
    } else if (v instanceof String s && s.matches("-?\\d+")) {
      try {
        n = Long.parseLong(s);
      } catch (NumberFormatException e) {
        throw new ConfigException(key(name), "must be between " + min + " and " + max + ", got " + s);
      }
    } else {
      throw new ConfigException(key(name), "must be an integer, got '" + v + "'");
    }
    if (n < min || n > max) {
      throw new ConfigException(key(name), "must be between " + min + " and " + max + ", got " + n);
    }
    return (int) n;
  }

  /** A duration such as {@code 250ms}, {@code 25s}, {@code 5m}, {@code 1h}, {@code 30d}; a bare number is seconds. */
  public Duration duration(String name, Duration def, Duration min) {
    Object v = json.getValue(name);
    if (v == null) {
      return def;
    }
    Duration d = parseDuration(v.toString().trim());
    if (d == null) {
      throw new ConfigException(key(name), "must be a duration like 250ms, 25s, 5m, 1h, got '" + v + "'");
    }
    if (d.compareTo(min) < 0) {
      throw new ConfigException(key(name), "must be at least " + min.toMillis() + "ms, got '" + v + "'");
    }
    return d;
  }

  /** A list of objects (each read with its own {@link ConfigValues}); empty when absent. */
  public List<JsonObject> objects(String name) {
    Object v = json.getValue(name);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof JsonArray a)) {
      throw new ConfigException(key(name), "must be a list of objects");
    }
    List<JsonObject> out = new ArrayList<>();
    for (Object o : a) {
      if (!(o instanceof JsonObject obj)) {
        throw new ConfigException(key(name), "must be a list of objects");
      }
      out.add(obj);
    }
    return List.copyOf(out);
  }

  public List<String> strings(String name, List<String> def) {
    Object v = json.getValue(name);
    if (v == null) {
      return def;
    }
    if (v instanceof String s) {
      // env overrides give comma-separated lists
      List<String> out = new ArrayList<>();
      for (String part : s.split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
      return List.copyOf(out);
    }
    if (v instanceof JsonArray a) {
      List<String> out = new ArrayList<>();
      for (Object o : a) {
        if (!(o instanceof String s)) {
          throw new ConfigException(key(name), "must be a list of strings");
        }
        out.add(s);
      }
      return List.copyOf(out);
    }
    throw new ConfigException(key(name), "must be a list of strings");
  }

  /** The value at {@code name} as it is in the JSON, for a reader with its own type (namespace options). */
  public Object raw(String name) {
    return json.getValue(name);
  }

  /** A duration as config values write it ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 7d}; bare: seconds), or {@code null}. */
  public static Duration parseDuration(String s) {
    Matcher m = DURATION.matcher(s);
    if (!m.matches()) {
      return null;
    }
    String unit = m.group(2) == null ? "s" : m.group(2);
    try {
      long n = Long.parseLong(m.group(1));
      return switch (unit) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    } catch (NumberFormatException | ArithmeticException e) {
      return null; // too large: reported as an invalid duration under the key
    }
  }
}
