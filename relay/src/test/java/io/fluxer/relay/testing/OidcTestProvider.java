package io.fluxer.relay.testing;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.CookieManager;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * A real OpenID provider ({@code oidc-provider} under Node, {@code src/test/js/oidc-provider.mjs})
 * for tests of tokens from identity providers. Issuer {@code http://127.0.0.1:<port>}; it signs with
 * the test's own {@link TestJwks} keys, so tests control the algorithms and rotate keys by
 * {@link #restart(List)} on the same port.
 *
 * <p>Clients: {@code svc-rs256}, {@code svc-es256}, {@code svc-es384}, {@code svc-es512},
 * {@code svc-eddsa} (client credentials, secret {@value #CLIENT_SECRET}; see {@link #clientId}),
 * each signing its access tokens with the first key of its algorithm; and, when configured, the
 * dashboard client (authorization code + PKCE S256) whose login page accepts the configured users.
 * Node missing means the test fails, never skips.
 */
public final class OidcTestProvider implements AutoCloseable {
  public static final String AUDIENCE = "fluxer";
  public static final String OPS_AUDIENCE = "fluxer-ops";
  public static final String CLIENT_SECRET = "secret";

  private static final String SCRIPT = "oidc-provider.mjs";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);
  private static final int MAX_REDIRECTS = 10;

  /** A user of the login page; its id is the login name and the token's {@code sub}. */
  public record User(String id, List<String> roles, List<String> groups, String password, boolean rolesInIdToken) {
    public User(String id, List<String> roles, List<String> groups, String password) {
      this(id, roles, groups, password, true);
    }

    /** This user with roles and groups in access tokens only, not in the ID token (as Keycloak's defaults). */
    public User rolesInAccessTokenOnly() {
      return new User(id, roles, groups, password, false);
    }

    /** A user with these roles, no groups, and any password accepted. */
    public static User of(String id, String... roles) {
      return new User(id, List.of(roles), List.of(), null);
    }
  }

  /** The dashboard's client; a public client (PKCE only) when {@code clientSecret} is null. */
  public record DashboardClient(String clientId, List<String> redirectUris, String clientSecret) {}

  /** What the provider is started with. */
  public record Settings(List<TestJwks.Key> keys, List<User> users, Map<String, List<String>> clientRoles,
                         DashboardClient dashboardClient, Duration accessTokenTtl) {
    public Settings {
      keys = List.copyOf(keys);
      users = List.copyOf(users);
      clientRoles = Map.copyOf(clientRoles);
    }

    /** These keys and users, no client roles, no dashboard client, access tokens for 5 min. */
    public static Settings of(List<TestJwks.Key> keys, User... users) {
      return new Settings(keys, List.of(users), Map.of(), null, Duration.ofMinutes(5));
    }

    public Settings withKeys(List<TestJwks.Key> newKeys) {
      return new Settings(newKeys, users, clientRoles, dashboardClient, accessTokenTtl);
    }

    /** The {@code roles} (and {@code realm_access.roles}) of a client credentials client's tokens. */
    public Settings withClientRoles(String clientId, String... roles) {
      Map<String, List<String>> all = new HashMap<>(clientRoles);
      all.put(clientId, List.of(roles));
      return new Settings(keys, users, all, dashboardClient, accessTokenTtl);
    }

    public Settings withDashboardClient(DashboardClient client) {
      return new Settings(keys, users, clientRoles, client, accessTokenTtl);
    }

    public Settings withAccessTokenTtl(Duration ttl) {
      return new Settings(keys, users, clientRoles, dashboardClient, ttl);
    }
  }

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).build();
  private final int port;
  private Settings settings;
  private Process process;
  private Path configFile;
  private StringBuilder stderr;

  private OidcTestProvider(int port, Settings settings) {
    this.port = port;
    this.settings = settings;
  }

  /** Starts a provider with these keys and users on a free port. */
  public static OidcTestProvider start(List<TestJwks.Key> keys, User... users) throws Exception {
    return start(Settings.of(keys, users));
  }

  public static OidcTestProvider start(Settings settings) throws Exception {
    OidcTestProvider provider = new OidcTestProvider(freePort(), settings);
    provider.launch();
    return provider;
  }

  /** The client credentials client whose tokens are signed with {@code alg} ("RS256" -> "svc-rs256"). */
  public static String clientId(String alg) {
    if (!TestJwks.ALGORITHMS.contains(alg)) {
      throw new IllegalArgumentException("no client for alg " + alg + "; algorithms: " + TestJwks.ALGORITHMS);
    }
    return "svc-" + alg.toLowerCase();
  }

  public String issuer() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public URI jwksUrl() {
    return URI.create(issuer() + "/jwks");
  }

  public URI discoveryUrl() {
    return URI.create(issuer() + "/.well-known/openid-configuration");
  }

  public Settings settings() {
    return settings;
  }

  /**
   * An access token (at+jwt) from the client credentials grant of {@code clientId} for
   * {@code audience} ({@value #AUDIENCE} or {@value #OPS_AUDIENCE}).
   */
  public String clientCredentialsToken(String clientId, String audience) throws Exception {
    HttpResponse<String> response = send(http, HttpRequest.newBuilder(URI.create(issuer() + "/token"))
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
            (clientId + ":" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8)))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(form(Map.of("grant_type", "client_credentials", "resource", "urn:" + audience))).build());
    return tokenResponse(response, "client credentials for " + clientId).getString("access_token");
  }

  /** How many times the JWKS was fetched since this process started (a restart counts from 0). */
  public int jwksFetches() throws Exception {
    HttpResponse<String> response = send(http, HttpRequest.newBuilder(URI.create(issuer() + "/__test/stats")).build());
    return json(response, "stats").getInteger("jwks");
  }

  /**
   * Signs in on the provider's login page, as a browser sent to {@code authorizationUrl} (an
   * authorization request, e.g. the relay's redirect) would, following redirects within the provider;
   * returns where the provider finally redirects to (the client's redirect URI with {@code code} and
   * {@code state}, or an {@code error}). Fails if the login page refuses the user.
   */
  public URI completeLogin(URI authorizationUrl, String login, String password) throws Exception {
    HttpClient browser = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).cookieHandler(new CookieManager()).build();
    HttpResponse<String> page = browse(browser, HttpRequest.newBuilder(authorizationUrl).build());
    Optional<URI> early = leftProvider(page);
    if (early.isPresent()) {
      return early.get();
    }
    if (page.statusCode() != 200 || !page.uri().getPath().startsWith("/interaction/")) {
      throw new AssertionError("expected the provider's login page from " + authorizationUrl + ", got "
          + page.statusCode() + " at " + page.uri() + ":\n" + page.body());
    }
    HttpResponse<String> after = browse(browser, HttpRequest.newBuilder(URI.create(page.uri() + "/login"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(form(Map.of("login", login, "password", password == null ? "" : password))).build());
    return leftProvider(after).orElseThrow(() -> new AssertionError("login as " + login + " was refused: "
        + after.statusCode() + " at " + after.uri() + ":\n" + after.body()));
  }

  /**
   * Runs the dashboard client's whole authorization code flow (PKCE S256, a nonce) for a user and
   * returns the token response ({@code access_token}, {@code id_token}, ...). Needs a dashboard client.
   */
  public JsonObject login(String login, String password, String nonce) throws Exception {
    DashboardClient client = settings.dashboardClient();
    if (client == null) {
      throw new IllegalStateException("no dashboard client: start with Settings.withDashboardClient");
    }
    String redirectUri = client.redirectUris().get(0);
    String verifier = randomToken();
    String state = randomToken();
    Map<String, String> query = new LinkedHashMap<>();
    query.put("client_id", client.clientId());
    query.put("response_type", "code");
    query.put("scope", "openid profile email");
    query.put("redirect_uri", redirectUri);
    query.put("code_challenge", Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(verifier)));
    query.put("code_challenge_method", "S256");
    query.put("state", state);
    query.put("nonce", nonce);
    URI callback = completeLogin(URI.create(issuer() + "/auth?" + encode(query)), login, password);
    Map<String, String> params = queryOf(callback);
    if (!state.equals(params.get("state")) || !params.containsKey("code")) {
      throw new AssertionError("the provider did not return a code for state " + state + ": " + callback);
    }
    Map<String, String> exchange = new LinkedHashMap<>();
    exchange.put("grant_type", "authorization_code");
    exchange.put("code", params.get("code"));
    exchange.put("redirect_uri", redirectUri);
    exchange.put("code_verifier", verifier);
    exchange.put("client_id", client.clientId());
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(issuer() + "/token"))
        .header("Content-Type", "application/x-www-form-urlencoded").POST(form(exchange));
    if (client.clientSecret() != null) {
      request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
          (client.clientId() + ":" + client.clientSecret()).getBytes(StandardCharsets.UTF_8)));
    }
    return tokenResponse(send(http, request.build()), "authorization code for " + login);
  }

  /** Stops the provider (SIGTERM), waiting for it to exit. */
  public void stop() throws Exception {
    if (process == null) {
      return;
    }
    process.destroy();
    if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
    process = null;
    Files.deleteIfExists(configFile);
  }

  /** Restarts on the same port (same issuer) with another key set: a key rotation. */
  public void restart(List<TestJwks.Key> newKeys) throws Exception {
    restart(settings.withKeys(newKeys));
  }

  /** Restarts on the same port with other settings. */
  public void restart(Settings newSettings) throws Exception {
    stop();
    settings = newSettings;
    launch();
  }

  @Override
  public void close() throws Exception {
    stop();
  }

  private void launch() throws Exception {
    String node = NodeScript.prepare(SCRIPT);
    Path dir = NodeScript.dir(SCRIPT);
    configFile = Files.createTempFile("fluxer-oidc", ".json");
    Files.writeString(configFile, config().encode());
    process = new ProcessBuilder(node, SCRIPT, configFile.toString()).directory(dir.toFile()).start();
    process.getOutputStream().close();
    CompletableFuture<JsonObject> ready = new CompletableFuture<>();
    Process started = process;
    StringBuilder errors = new StringBuilder();
    stderr = errors;
    daemon("oidc-provider-" + port, () -> readStdout(started, ready));
    Thread errorReader = daemon("oidc-provider-stderr-" + port, () -> readStderr(started, errors));
    JsonObject line;
    try {
      line = ready.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      String why = e instanceof TimeoutException ? "was not ready within " + START_TIMEOUT.toSeconds() + " s"
          : "exited before it was ready (" + e.getCause().getMessage() + ")";
      stop();
      errorReader.join(STOP_TIMEOUT.toMillis());
      throw new AssertionError("node " + SCRIPT + " on port " + port + " " + why + "\n--- stderr ---\n" + stderr(), e);
    }
    if (!issuer().equals(line.getString("issuer"))) {
      stop();
      throw new AssertionError("the provider announced issuer " + line.getString("issuer") + ", expected " + issuer());
    }
  }

  /** What the provider wrote on stderr since its last (re)start. */
  public String stderr() {
    synchronized (stderr) {
      return stderr.toString();
    }
  }

  private static Thread daemon(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  /** Keeps stderr for {@link #stderr()} and shows it, without oidc-provider's development warnings. */
  private static void readStderr(Process process, StringBuilder errors) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        synchronized (errors) {
          errors.append(line).append('\n');
        }
        if (!line.startsWith("oidc-provider WARNING:")) {
          System.err.println("[oidc-provider] " + line);
        }
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  /** Completes {@code ready} with the ready line; later lines go to this JVM's stdout. */
  private static void readStdout(Process process, CompletableFuture<JsonObject> ready) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (!ready.isDone() && line.startsWith("{")) {
          try {
            JsonObject json = new JsonObject(line);
            if (json.getBoolean("ready", false)) {
              ready.complete(json);
              continue;
            }
          } catch (DecodeException e) {
            // not the ready line
          }
        }
        System.out.println("[oidc-provider] " + line);
      }
    } catch (IOException e) {
      // the process ended
    }
    ready.completeExceptionally(new IllegalStateException("stdout closed, exit code "
        + (process.isAlive() ? "unknown" : String.valueOf(process.exitValue()))));
  }

  private JsonObject config() {
    JsonObject users = new JsonObject();
    for (User user : settings.users()) {
      JsonObject entry = new JsonObject().put("roles", new JsonArray(user.roles())).put("groups", new JsonArray(user.groups()));
      if (user.password() != null) {
        entry.put("password", user.password());
      }
      if (!user.rolesInIdToken()) {
        entry.put("id_token_roles", false);
      }
      users.put(user.id(), entry);
    }
    JsonObject clients = new JsonObject();
    settings.clientRoles().forEach((id, roles) -> clients.put(id, new JsonObject().put("roles", new JsonArray(roles))));
    JsonObject config = new JsonObject()
        .put("port", port)
        .put("jwks", TestJwks.jwks(settings.keys(), true))
        .put("accessTokenTtl", settings.accessTokenTtl().toSeconds())
        .put("users", users)
        .put("clients", clients);
    DashboardClient dashboard = settings.dashboardClient();
    if (dashboard != null) {
      JsonObject client = new JsonObject().put("client_id", dashboard.clientId())
          .put("redirect_uris", new JsonArray(dashboard.redirectUris()));
      if (dashboard.clientSecret() != null) {
        client.put("client_secret", dashboard.clientSecret());
      }
      config.put("dashboardClient", client);
    }
    return config;
  }

  /** Follows redirects while they stay on the provider; the last response. */
  private HttpResponse<String> browse(HttpClient browser, HttpRequest request) throws Exception {
    HttpResponse<String> response = send(browser, request);
    for (int hop = 0; hop < MAX_REDIRECTS; hop++) {
      Optional<URI> location = location(response);
      if (location.isEmpty() || !location.get().toString().startsWith(issuer() + "/")) {
        return response;
      }
      response = send(browser, HttpRequest.newBuilder(location.get()).build());
    }
    throw new AssertionError("more than " + MAX_REDIRECTS + " redirects within the provider from " + request.uri());
  }

  /** Where a redirect leaving the provider goes. */
  private Optional<URI> leftProvider(HttpResponse<String> response) {
    return location(response).filter(uri -> !uri.toString().startsWith(issuer() + "/"));
  }

  private static Optional<URI> location(HttpResponse<String> response) {
    if (response.statusCode() / 100 != 3) {
      return Optional.empty();
    }
    return response.headers().firstValue("Location").map(response.uri()::resolve);
  }

  private static HttpResponse<String> send(HttpClient client, HttpRequest request) throws Exception {
    HttpRequest timed = HttpRequest.newBuilder(request, (name, value) -> true).timeout(HTTP_TIMEOUT).build();
    try {
      return client.send(timed, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IOException(request.method() + " " + request.uri() + " failed: " + e, e);
    }
  }

  private static JsonObject tokenResponse(HttpResponse<String> response, String what) {
    JsonObject json = json(response, what);
    if (response.statusCode() != 200 || !json.containsKey("access_token")) {
      throw new AssertionError(what + ": token endpoint answered " + response.statusCode() + " " + response.body());
    }
    return json;
  }

  private static JsonObject json(HttpResponse<String> response, String what) {
    try {
      return new JsonObject(response.body());
    } catch (DecodeException e) {
      throw new AssertionError(what + ": not JSON (" + response.statusCode() + "): " + response.body(), e);
    }
  }

  private static HttpRequest.BodyPublisher form(Map<String, String> fields) {
    return HttpRequest.BodyPublishers.ofString(encode(fields));
  }

  private static String encode(Map<String, String> fields) {
    return fields.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  private static Map<String, String> queryOf(URI uri) {
    Map<String, String> params = new HashMap<>();
    if (uri.getRawQuery() != null) {
      for (String pair : uri.getRawQuery().split("&")) {
        int eq = pair.indexOf('=');
        String key = eq < 0 ? pair : pair.substring(0, eq);
        String value = eq < 0 ? "" : pair.substring(eq + 1);
        params.put(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
      }
    }
    return params;
  }

  private static String randomToken() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static byte[] sha256(String text) throws NoSuchAlgorithmException {
    return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.US_ASCII));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
