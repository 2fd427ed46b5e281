package io.fluxer.relay.config;

import io.fluxer.common.config.ConfigException;
import io.fluxer.common.config.ConfigValues;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The HTTP APIs: API keys and CORS.
 *
 * @param keys API keys with their roles
 * @param corsAllowedOrigins browser origins allowed to call the HTTP APIs (same patterns as
 *     {@code client.allowed_origins}); empty: no CORS headers
 * @param maxBatchSize most commands one {@code batch} call may carry (error 107 above)
 */
public record ApiOptions(List<ApiKey> keys, List<String> corsAllowedOrigins, int maxBatchSize) {
  public ApiOptions {
    keys = List.copyOf(keys);
    corsAllowedOrigins = List.copyOf(corsAllowedOrigins);
  }

  public static ApiOptions defaults() {
    return fromJson(new JsonObject());
  }

  static ApiOptions fromJson(JsonObject json) {
    ConfigValues v = new ConfigValues(json, "api", Set.of("keys", "cors_allowed_origins", "max_batch_size"));
    Object raw = v.raw("keys");
    if (raw instanceof String s) {
      try {
        raw = new JsonArray(s);
      } catch (RuntimeException e) {
        throw new ConfigException("api.keys", "must be a JSON array of key objects");
      }
    }
    List<ApiKey> keys = new ArrayList<>();
    if (raw != null) {
      if (!(raw instanceof JsonArray array)) {
        throw new ConfigException("api.keys", "must be a list of {name, key | key_file | key_sha256, role}");
      }
      Set<String> names = new HashSet<>();
      for (int i = 0; i < array.size(); i++) {
        if (!(array.getValue(i) instanceof JsonObject k)) {
          throw new ConfigException("api.keys[" + i + "]", "must be an object");
        }
        ApiKey key = key(k, "api.keys[" + i + "]");
        if (!names.add(key.name())) {
          throw new ConfigException("api.keys[" + i + "].name", "duplicate key name '" + key.name() + "'");
        }
        keys.add(key);
      }
    }
    return new ApiOptions(keys, v.strings("cors_allowed_origins", List.of()),
        v.integer("max_batch_size", 1000, 1, 1_000_000));
  }

  private static ApiKey key(JsonObject json, String path) {
    ConfigValues v = new ConfigValues(json, path, Set.of("name", "key", "key_file", "key_sha256", "role"));
    String name = v.string("name", null);
    if (name == null || name.isBlank()) {
      throw new ConfigException(path + ".name", "required");
    }
    String roleId = v.string("role", null);
    Role role = roleId == null ? null : Role.of(roleId);
    if (role == null) {
      throw new ConfigException(path + ".role", "must be one of viewer, ops, admin");
    }
    String key = v.string("key", null);
    String file = v.string("key_file", null);
    String sha = v.string("key_sha256", null);
    int given = (key != null ? 1 : 0) + (file != null ? 1 : 0) + (sha != null ? 1 : 0);
    if (given != 1) {
      throw new ConfigException(path + ".key", "set exactly one of key, key_file, key_sha256");
    }
    if (file != null) {
      try {
        key = Files.readString(Path.of(file)).strip();
      } catch (IOException e) {
        throw new ConfigException(path + ".key_file", "cannot read " + file + ": " + e.getMessage());
      }
    }
    if (key != null) {
      if (key.length() < 16) {
        throw new ConfigException(path + ".key", "must be at least 16 characters");
      }
      return ApiKey.ofPlainKey(name, key, role);
    }
    String lower = sha.toLowerCase(java.util.Locale.ROOT);
    if (!lower.matches("[0-9a-f]{64}")) {
      throw new ConfigException(path + ".key_sha256", "must be 64 hex digits");
    }
    return new ApiKey(name, lower, role);
  }
}
