package io.fluxer.relay.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * {@code fluxer health [URL]}: exit 0 when {@code GET URL} answers 200 within 3 s, else 1, for
 * healthchecks and scripts. URL defaults to {@code $FLUXER_HEALTH_URL}, else
 * {@code http://127.0.0.1:${FLUXER_SERVER_PORT:-8000}/ready}, as the image's {@code fluxer-health}
 * (which starts no JVM and stays the image's healthcheck).
 */
final class Health {
  static final Duration TIMEOUT = Duration.ofSeconds(3);

  private Health() {}

  static int run(List<String> args, Cli.Io io) {
    List<String> rest = new Cli.Args("health", args).positional(0, 1, "takes at most one URL");
    String url = !rest.isEmpty() ? rest.get(0) : io.env().getOrDefault("FLUXER_HEALTH_URL",
        "http://127.0.0.1:" + io.env().getOrDefault("FLUXER_SERVER_PORT", "8000") + "/ready");
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      return io.fail("health", Cli.USAGE, "not a URL: " + url);
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
      return io.fail("health", Cli.USAGE, "not an http(s) URL: " + url);
    }
    HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    try {
      HttpResponse<Void> response = client.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
          HttpResponse.BodyHandlers.discarding());
      if (response.statusCode() == 200) {
        io.out().println(url + ": 200");
        return 0;
      }
      return io.fail("health", 1, url + " answered " + response.statusCode());
    } catch (IOException e) {
      return io.fail("health", 1, url + ": no answer within " + TIMEOUT.toSeconds() + " s ("
          + e.getClass().getSimpleName() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return io.fail("health", 1, "interrupted");
    }
  }
}
