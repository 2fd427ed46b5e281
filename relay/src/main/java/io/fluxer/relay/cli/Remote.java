package io.fluxer.relay.cli;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A relay's HTTP API as the control client calls it: the base URL from {@code FLUXER_URL} (default
 * {@value #DEFAULT_URL}) and the credentials from {@code FLUXER_API_KEY} ({@code X-API-Key}) or else
 * {@code FLUXER_TOKEN} (an ops token, {@code Authorization: Bearer}). Blocking calls, for the command's
 * own thread. The credentials never appear in a message.
 */
final class Remote {
  static final String DEFAULT_URL = "http://127.0.0.1:8000";
  /** The control routes answer within 30 s (or 504): a little more than that. */
  static final Duration TIMEOUT = Duration.ofSeconds(35);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** The relay could not be asked: no answer, a refused connection, an interrupted wait. */
  static final class Unreachable extends Exception {
    private static final long serialVersionUID = 1L;

    Unreachable(String message) {
      super(message, null, false, false);
    }
  }

  /** One answer: its status and its body, as JSON when it is a JSON object. */
  record Response(int status, JsonObject json, String text) {
    boolean ok() {
      return status >= 200 && status < 300;
    }

    /** The API's error message ({@code error.message}), else the status and the start of the body. */
    String error() {
      if (json != null && json.getValue("error") instanceof JsonObject e && e.getValue("message") instanceof String m) {
        return m + " (HTTP " + status + ")";
      }
      String body = text == null ? "" : text.strip();
      return "HTTP " + status + (body.isEmpty() ? "" : ": " + (body.length() > 200 ? body.substring(0, 200) + "…" : body));
    }
  }

  private final URI base;
  private final String apiKey;
  private final String token;
  private final HttpClient client;

  private Remote(URI base, String apiKey, String token) {
    this.base = base;
    this.apiKey = apiKey;
    this.token = token;
    this.client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
  }

  /** From the environment; a usage error when the URL is not http(s) or no credential is set. */
  static Remote fromEnv(Cli.Io io) {
    String url = io.env().getOrDefault("FLUXER_URL", DEFAULT_URL).strip();
    while (url.endsWith("/")) {
      url = url.substring(0, url.length() - 1);
    }
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new Cli.UsageException("FLUXER_URL is not a URL: " + url);
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new Cli.UsageException("FLUXER_URL must be an http(s) URL such as " + DEFAULT_URL + ", not " + url);
    }
    if (uri.getRawUserInfo() != null) {
      throw new Cli.UsageException("FLUXER_URL must not hold credentials: set FLUXER_API_KEY or FLUXER_TOKEN");
    }
    String apiKey = blankToNull(io.env().get("FLUXER_API_KEY"));
    String token = blankToNull(io.env().get("FLUXER_TOKEN"));
    if (apiKey == null && token == null) {
      throw new Cli.UsageException("set FLUXER_API_KEY (an API key) or FLUXER_TOKEN (an ops token) to call " + url);
    }
    return new Remote(uri, apiKey, apiKey != null ? null : token);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  String url() {
    return base.toString();
  }

  /** The HTTP client, shared with the WebSocket connections ({@link Live}). */
  HttpClient client() {
    return client;
  }

  /** The relay's WebSocket endpoint: {@code ws(s)://host:port/connection/websocket}. */
  URI websocket() {
    String scheme = "https".equals(base.getScheme()) ? "wss" : "ws";
    return URI.create(scheme + "://" + base.getRawAuthority() + (base.getRawPath() == null ? "" : base.getRawPath())
        + "/connection/websocket");
  }

  Response get(String path) throws Unreachable {
    return send("GET", path, null);
  }

  /** Sends {@code body} ({@code null}: none) as JSON and reads the whole answer. */
  Response send(String method, String path, JsonObject body) throws Unreachable {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.encode(), StandardCharsets.UTF_8));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (apiKey != null) {
      request.header("X-API-Key", apiKey);
    } else {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      HttpResponse<String> r = client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Response(r.statusCode(), parse(r.body()), r.body());
    } catch (IOException e) {
      throw new Unreachable("no answer from " + base + path.replaceAll("\\?.*", "") + " ("
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage())
          + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unreachable("interrupted");
    }
  }

  /**
   * A short-lived connection token for the WebSocket protocol ({@code POST /api/v1/connection-token}),
   * reading what the credentials' role may read.
   */
  String connectionToken() throws Unreachable {
    Response r = send("POST", "/api/v1/connection-token", null);
    if (!r.ok() || r.json() == null || !(r.json().getValue("token") instanceof String t)) {
      throw new Unreachable("no connection token for the live view: " + r.error());
    }
    return t;
  }

  private static JsonObject parse(String text) {
    if (text == null || text.isBlank() || text.charAt(0) != '{') {
      return null;
    }
    try {
      return new JsonObject(text);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** A path segment: letters, digits and {@code - _ . ~} as they are, everything else percent-encoded. */
  static String segment(String s) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
          || c == '~') {
        out.append(c);
      } else {
        out.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return out.toString();
  }
}
