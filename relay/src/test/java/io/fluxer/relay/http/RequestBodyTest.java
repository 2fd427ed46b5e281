package io.fluxer.relay.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.HttpTestClient.Response;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Request bodies: read only after the caller is authenticated, kept in memory (never stored under
 * Vert.x's {@code file-uploads/}), and over the limit answered with a JSON 413 and no SEVERE log.
 */
class RequestBodyTest extends ApiTestBase {
  private static final Path UPLOADS = Path.of("file-uploads");
  private static final String BOUNDARY = "fluxer-test-boundary";

  private final List<LogRecord> severe = new ArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      if (r.getLevel().intValue() >= Level.SEVERE.intValue()) {
        synchronized (severe) {
          severe.add(r);
        }
      }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };
  private int uploadsBefore;

  @BeforeEach
  void captureLog() throws IOException {
    Logger.getLogger("").addHandler(capture);
    uploadsBefore = uploads();
  }

  @AfterEach
  void releaseLog() {
    Logger.getLogger("").removeHandler(capture);
  }

  /** Files under file-uploads/ (-1: no such directory). */
  private static int uploads() throws IOException {
    if (!Files.exists(UPLOADS)) {
      return -1;
    }
    try (Stream<Path> files = Files.list(UPLOADS)) {
      return (int) files.count();
    }
  }

  private static Buffer multipart(int fileBytes) {
    return Buffer.buffer("--" + BOUNDARY + "\r\n"
        + "Content-Disposition: form-data; name=\"file\"; filename=\"x.bin\"\r\n"
        + "Content-Type: application/octet-stream\r\n\r\n"
        + "x".repeat(fileBytes) + "\r\n--" + BOUNDARY + "--\r\n");
  }

  private Response multipartTo(HttpMethod method, String path, Map<String, String> credentials, int fileBytes) {
    Map<String, String> headers = new HashMap<>(credentials);
    headers.put("Content-Type", "multipart/form-data; boundary=" + BOUNDARY);
    return http().sendRaw(method, path, headers, multipart(fileBytes));
  }

  @Test
  @DisplayName("Anonymous requests with bodies, even oversized, get 401 before the body is read")
  void credentialsBeforeBody() {
    String huge = "{\"pad\":\"" + "x".repeat(5 * 1024 * 1024) + "\"}";
    Map<String, String> routes = Map.of(
        "/api/publish", "POST",
        "/api/v1/namespaces/chat", "PUT",
        "/api/v1/keys", "POST",
        "/api/v1/stacks/web", "PUT");
    routes.forEach((path, method) -> {
      Response r = http().send(HttpMethod.valueOf(method), path, HttpTestClient.NONE, huge);
      assertThat(r.status()).as(method + " " + path + ": " + r).isEqualTo(401);
    });
    Response wrongRole = http().send(HttpMethod.PUT, "/api/v1/namespaces/chat", VIEWER, huge);
    assertThat(wrongRole.status()).as(wrongRole.toString()).isEqualTo(403);
    Response wrongRoleApi = http().send(HttpMethod.POST, "/api/publish", VIEWER, huge);
    assertThat(wrongRoleApi.status()).as(wrongRoleApi.toString()).isEqualTo(403);
  }

  @Test
  @DisplayName("No route stores uploads on disk: multipart, oversized and anonymous requests leave no file-uploads/")
  void noUploadsOnDisk() throws IOException {
    for (int i = 0; i < 3; i++) {
      multipartTo(HttpMethod.POST, "/dashboard/api/login", HttpTestClient.NONE, 1000);
      multipartTo(HttpMethod.PUT, "/api/v1/namespaces/chat", HttpTestClient.NONE, 1000);
      multipartTo(HttpMethod.PUT, "/api/v1/namespaces/chat", ADMIN, 1000);
      multipartTo(HttpMethod.PUT, "/api/v1/namespaces/chat", ADMIN, 200_000);
      multipartTo(HttpMethod.POST, "/api/publish", ADMIN, 1000);
      multipartTo(HttpMethod.POST, "/api/v1/keys", ADMIN, 1000);
      multipartTo(HttpMethod.POST, "/api/v1/hooks/stacks/web", HttpTestClient.NONE, 1000);
    }
    assertThat(uploads()).as("entries in " + UPLOADS.toAbsolutePath()).isEqualTo(uploadsBefore);
  }

  @Test
  @DisplayName("An oversized body from an authorised caller answers a JSON 413 on every route, and nothing SEVERE is logged")
  void oversizedIsJson413() {
    String huge = "{\"pad\":\"" + "x".repeat(1200 * 1024) + "\"}";
    List<String[]> routes = List.of(
        new String[] {"POST", "/api/publish"},
        new String[] {"PUT", "/api/v1/namespaces/chat"},
        new String[] {"POST", "/api/v1/keys"},
        new String[] {"PUT", "/api/v1/stacks/web"},
        new String[] {"POST", "/api/v1/hooks/stacks/web"},
        new String[] {"POST", "/dashboard/api/login"});
    for (String[] route : routes) {
      Response r = http().send(HttpMethod.valueOf(route[0]), route[1], ADMIN, huge);
      assertThat(r.status()).as(route[0] + " " + route[1] + ": " + r).isEqualTo(413);
      assertThat(r.headers().get("Content-Type")).as(route[1]).startsWith("application/json");
      assertThat(r.json().getJsonObject("error").getInteger("code")).isEqualTo(413);
    }
    // the log handlers run on the event loops; a SEVERE record would have been published before the answer
    synchronized (severe) {
      assertThat(severe).extracting(LogRecord::getMessage).isEmpty();
    }
    assertThat(http().get("/health", HttpTestClient.NONE).status()).isEqualTo(200);
  }
}
