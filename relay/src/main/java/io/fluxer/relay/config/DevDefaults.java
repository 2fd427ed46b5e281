package io.fluxer.relay.config;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** The embedded dev defaults ({@code fluxer-dev.json}): what {@code --dev} and the CLI's dev tools start from. */
public final class DevDefaults {
  private DevDefaults() {}

  /** The dev defaults as read from the classpath; fails when the file is missing. */
  public static JsonObject read() throws IOException {
    try (InputStream in = DevDefaults.class.getResourceAsStream("/fluxer-dev.json")) {
      if (in == null) {
        throw new IOException("fluxer-dev.json missing from the classpath");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }
}
