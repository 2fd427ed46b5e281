package io.fluxer.common.config;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The embedded dev defaults ({@code fluxer-dev.json}): what {@code --dev} starts from, for the relay
 * and the control plane alike, so a dev relay and a dev control plane share the cluster's signing key.
 * Not for production: every secret in it is public.
 */
public final class DevDefaults {
  private DevDefaults() {}

  /** A fresh copy of the defaults. */
  public static JsonObject json() {
    try (InputStream in = DevDefaults.class.getResourceAsStream("/fluxer-dev.json")) {
      if (in == null) {
        throw new IOException("fluxer-dev.json missing from the classpath");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
