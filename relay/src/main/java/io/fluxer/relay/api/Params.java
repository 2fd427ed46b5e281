package io.fluxer.relay.api;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed reads of one request object's fields. A field that is absent or {@code null} takes its
 * default; a field of the wrong type fails with error 107 naming it ({@code since.offset}).
 */
final class Params {
  private final JsonObject json;
  private final String prefix;

  Params(JsonObject json) {
    this(json, "");
  }

  private Params(JsonObject json, String prefix) {
    this.json = json;
    this.prefix = prefix;
  }

  /** A string, {@code ""} when absent. */
  String string(String key) {
    Object v = json.getValue(key);
    if (v == null) {
      return "";
    }
    if (!(v instanceof String s)) {
      throw ApiError.badRequest(name(key) + " must be a string");
    }
    return s;
  }

  /** A string that must not be empty. */
  String requiredString(String key) {
    String s = string(key);
    if (s.isEmpty()) {
      throw ApiError.badRequest(name(key) + " required");
    }
    return s;
  }

  boolean bool(String key) {
    Object v = json.getValue(key);
    if (v == null) {
      return false;
    }
    if (!(v instanceof Boolean b)) {
      throw ApiError.badRequest(name(key) + " must be a boolean");
    }
    return b;
  }

  /** A whole number in the int range. */
  int integer(String key, int otherwise) {
    long v = longValue(key, otherwise);
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw ApiError.badRequest(name(key) + " must be an integer");
    }
    return (int) v;
  }

  /** A whole number ({@code 5} or {@code 5.0}, not {@code 5.5} or {@code "5"}). */
  long longValue(String key, long otherwise) {
    Object v = json.getValue(key);
    if (v == null) {
      return otherwise;
    }
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Number n) {
      double d = n.doubleValue();
      if (d == Math.rint(d) && Math.abs(d) < 9.0e15) {
        return (long) d;
      }
    }
    throw ApiError.badRequest(name(key) + " must be an integer");
  }

  /** A nested object's fields, or {@code null} when absent. */
  Params object(String key) {
    Object v = json.getValue(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonObject o)) {
      throw ApiError.badRequest(name(key) + " must be an object");
    }
    return new Params(o, name(key) + ".");
  }

  /** An object whose values are all strings; empty when absent. */
  Map<String, String> stringMap(String key) {
    Object v = json.getValue(key);
    if (v == null) {
      return Map.of();
    }
    if (!(v instanceof JsonObject o)) {
      throw ApiError.badRequest(name(key) + " must be an object of strings");
    }
    Map<String, String> map = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : o) {
      if (!(e.getValue() instanceof String s)) {
        throw ApiError.badRequest(name(key) + "." + e.getKey() + " must be a string");
      }
      map.put(e.getKey(), s);
    }
    return map;
  }

  /** An array of strings; empty when absent. */
  List<String> strings(String key) {
    Object v = json.getValue(key);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof JsonArray a)) {
      throw ApiError.badRequest(name(key) + " must be an array of strings");
    }
    List<String> list = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      if (!(a.getValue(i) instanceof String s)) {
        throw ApiError.badRequest(name(key) + "[" + i + "] must be a string");
      }
      list.add(s);
    }
    return list;
  }

  /** An array of objects; empty when absent. */
  List<JsonObject> objects(String key) {
    Object v = json.getValue(key);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof JsonArray a)) {
      throw ApiError.badRequest(name(key) + " must be an array of objects");
    }
    List<JsonObject> list = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      if (!(a.getValue(i) instanceof JsonObject o)) {
        throw ApiError.badRequest(name(key) + "[" + i + "] must be an object");
      }
      list.add(o);
    }
    return list;
  }

  /** Any JSON value as its JSON text; absent or {@code null} is an error. */
  String requiredJson(String key) {
    Object v = json.getValue(key);
    if (v == null) {
      throw ApiError.badRequest(name(key) + " required");
    }
    return Json.encode(v);
  }

  private String name(String key) {
    return prefix + key;
  }
}
