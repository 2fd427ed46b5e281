package io.fluxer.relay.auth;

import io.fluxer.relay.config.IssuerOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The signing keys of one trusted issuer, read from its JWKS (found through OpenID discovery unless
 * configured) and cached by {@code kid}.
 *
 * <ul>
 *   <li>The JWKS is fetched at start, every {@code refresh_interval}, and when a token names a
 *       {@code kid} the cache lacks; such fetches are single-flight and at most one per
 *       {@code min_refresh_interval}, so a flood of made-up {@code kid}s costs the provider one
 *       request per interval (tokens arriving between fetches wait for the next one).
 *   <li>A failed fetch keeps the last good keys; failures are counted for {@code /metrics} and shown
 *       on {@code /ready}; after a failure the next periodic try comes after {@code min_refresh_interval},
 *       doubling up to {@code refresh_interval}.
 *   <li>A key that leaves the JWKS is still accepted for {@code key_grace}, then dropped.
 *   <li>All I/O is non-blocking (Vert.x HTTP client); a provider that is down never blocks an event loop.
 * </ul>
 */
final class JwksSource {
  private static final Logger LOG = System.getLogger(JwksSource.class.getName());
  /** Largest discovery or JWKS document read. */
  static final int MAX_DOCUMENT_BYTES = 256 * 1024;
  /** Most keys taken from one JWKS. */
  static final int MAX_KEYS = 100;

  private final Vertx vertx;
  private final IssuerOptions options;
  private final Clock clock;
  private final HttpClient http;

  private volatile KeySet keys = KeySet.EMPTY;
  /** Keys by id (kid, or the key itself) as last seen, with when they left the JWKS (0: present). */
  private final Map<String, Seen> seen = new LinkedHashMap<>();
  private Future<Void> inFlight;
  private Promise<Void> delayed;
  private long lastFetchStart = Long.MIN_VALUE / 2;
  private String jwksUri;
  private long retryDelay;
  private long timer = -1;
  private long expiryTimer = -1;
  private boolean closed;

  private final AtomicLong fetchesOk = new AtomicLong();
  private final AtomicLong fetchesFailed = new AtomicLong();
  private volatile long lastSuccessMillis;
  private volatile String lastError;
  private volatile boolean lastFetchOk;

  private record Seen(List<KeySet.Key> keys, long goneSince) {}

  JwksSource(Vertx vertx, IssuerOptions options, Clock clock) {
    this.vertx = vertx;
    this.options = options;
    this.clock = clock;
    int timeout = (int) options.fetchTimeout().toMillis();
    this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(timeout)
        .setIdleTimeout(timeout).setIdleTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS)
        .setKeepAlive(true).setMaxRedirects(0));
    this.jwksUri = options.jwksUrl();
    this.retryDelay = options.minRefreshInterval().toMillis();
  }

  IssuerOptions options() {
    return options;
  }

  /** The first fetch; completes (never fails) once it succeeded or failed, and schedules the next. */
  Future<Void> start() {
    return fetch().otherwiseEmpty();
  }

  /**
   * The key set once it knows {@code kid} (or, for a token without one, has a key for {@code alg}),
   * fetching the JWKS again if it does not: at once when the last fetch began at least
   * {@code min_refresh_interval} ago, otherwise once that interval is over (one fetch shared by every
   * token waiting meanwhile). Fails with "unknown key id" when the new JWKS lacks the key too. So a
   * provider that starts signing with a new key right after a fetch costs its first clients a wait,
   * not their connection, and a flood of made-up {@code kid}s still reaches the provider at most
   * once per interval.
   */
  Future<KeySet> keysWith(String kid, String alg) {
    KeySet current = keys;
    if (kid == null ? current.supports(alg) : current.hasKid(kid)) {
      return Future.succeededFuture(current);
    }
    Future<Void> refresh;
    synchronized (this) {
      long wait = lastFetchStart + options.minRefreshInterval().toMillis() - clock.millis();
      refresh = inFlight != null ? inFlight : wait <= 0 ? fetch() : fetchAfter(wait);
    }
    return refresh.transform(ignored -> {
      KeySet after = keys;
      return (kid == null ? after.supports(alg) : after.hasKid(kid)) ? Future.succeededFuture(after)
          : Future.failedFuture(KeySet.unknownKey());
    });
  }

  /** The one fetch planned for when {@code min_refresh_interval} allows it. */
  private Future<Void> fetchAfter(long delayMillis) {
    if (delayed == null) {
      Promise<Void> planned = Promise.promise();
      delayed = planned;
      vertx.setTimer(Math.max(1, delayMillis), t -> {
        synchronized (this) {
          delayed = null;
          fetch().onComplete(planned);
        }
      });
    }
    return delayed.future();
  }

  IssuerStatus status() {
    return new IssuerStatus(options.issuer(), keys.size(), lastFetchOk, lastSuccessMillis, lastError,
        fetchesOk.get(), fetchesFailed.get());
  }

  synchronized void close() {
    closed = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    if (expiryTimer >= 0) {
      vertx.cancelTimer(expiryTimer);
      expiryTimer = -1;
    }
    http.close();
  }

  // ---- fetching

  private synchronized Future<Void> fetch() {
    if (inFlight != null) {
      return inFlight;
    }
    if (closed) {
      return Future.failedFuture("the node is stopping");
    }
    lastFetchStart = clock.millis();
    Future<Void> f = jwksUri().compose(this::getJson).compose(doc -> {
      apply(doc);
      return Future.<Void>succeededFuture();
    });
    inFlight = f;
    f.onComplete(ar -> finished(ar.failed() ? ar.cause() : null));
    return f;
  }

  private synchronized void finished(Throwable failure) {
    inFlight = null;
    if (failure == null) {
      fetchesOk.incrementAndGet();
      lastSuccessMillis = clock.millis();
      lastError = null;
      lastFetchOk = true;
      retryDelay = options.minRefreshInterval().toMillis();
      schedule(options.refreshInterval().toMillis());
    } else {
      fetchesFailed.incrementAndGet();
      String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
      if (lastFetchOk || lastError == null || !lastError.equals(message)) {
        LOG.log(Level.WARNING, "issuer {0}: cannot read its keys ({1}); keeping the {2} known",
            options.issuer(), message, keys.size());
      }
      lastError = message;
      lastFetchOk = false;
      if (options.jwksUrl() == null) {
        jwksUri = null; // discover again: the provider may have moved its JWKS
      }
      schedule(retryDelay);
      retryDelay = Math.min(retryDelay * 2, options.refreshInterval().toMillis());
    }
  }

  private void schedule(long delayMillis) {
    if (closed) {
      return;
    }
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    timer = vertx.setTimer(Math.max(1, delayMillis), t -> {
      synchronized (this) {
        timer = -1;
      }
      fetch();
    });
  }

  private Future<String> jwksUri() {
    String known;
    synchronized (this) {
      known = jwksUri;
    }
    if (known != null) {
      return Future.succeededFuture(known);
    }
    return getJson(options.discoveryUrl()).compose(doc -> {
      if (!options.issuer().equals(doc.getValue("issuer"))) {
        return Future.failedFuture("discovery names issuer " + printable(doc.getValue("issuer"))
            + ", not the configured one");
      }
      if (!(doc.getValue("jwks_uri") instanceof String uri) || !IssuerOptions.isHttpUrl(uri)) {
        return Future.failedFuture("discovery has no http(s) jwks_uri");
      }
      synchronized (this) {
        jwksUri = uri;
      }
      return Future.succeededFuture(uri);
    });
  }

  private Future<JsonObject> getJson(String url) {
    Promise<JsonObject> result = Promise.promise();
    long timeout = options.fetchTimeout().toMillis();
    long deadline = vertx.setTimer(timeout, t -> result.tryFail("no answer from " + url + " within " + timeout + " ms"));
    RequestOptions request = new RequestOptions().setAbsoluteURI(url).setMethod(HttpMethod.GET)
        .setConnectTimeout(timeout).setIdleTimeout(timeout).putHeader(HttpHeaders.ACCEPT, "application/json");
    http.request(request).compose(req -> req.send()).onComplete(ar -> {
      if (ar.failed()) {
        result.tryFail("cannot reach " + url + ": " + ar.cause().getMessage());
        return;
      }
      var response = ar.result();
      if (response.statusCode() != 200) {
        result.tryFail(url + " answered HTTP " + response.statusCode());
        response.request().reset();
        return;
      }
      Buffer body = Buffer.buffer();
      response.handler(chunk -> {
        if (body.length() + chunk.length() > MAX_DOCUMENT_BYTES) {
          result.tryFail(url + " answered more than " + MAX_DOCUMENT_BYTES + " bytes");
          response.request().reset();
        } else {
          body.appendBuffer(chunk);
        }
      });
      response.exceptionHandler(e -> result.tryFail("reading " + url + ": " + e.getMessage()));
      response.endHandler(v -> {
        try {
          result.tryComplete(new JsonObject(body));
        } catch (RuntimeException e) {
          result.tryFail(url + " did not answer a JSON object");
        }
      });
    });
    return result.future().onComplete(ar -> vertx.cancelTimer(deadline));
  }

  /** Takes the keys of a fetched JWKS, keeping keys that left it for their grace period. */
  private void apply(JsonObject jwks) {
    if (!(jwks.getValue("keys") instanceof JsonArray entries)) {
      throw new IllegalArgumentException("the JWKS has no keys array");
    }
    Map<String, List<KeySet.Key>> fetched = new LinkedHashMap<>();
    List<String> skipped = new ArrayList<>();
    for (Object item : entries) {
      if (fetched.size() >= MAX_KEYS) {
        skipped.add("more than " + MAX_KEYS + " keys");
        break;
      }
      if (!(item instanceof JsonObject entry)) {
        skipped.add("an entry that is not an object");
        continue;
      }
      try {
        List<KeySet.Key> keys = KeySet.fromJwk(entry);
        fetched.put(idOf(keys.get(0)), keys);
      } catch (IllegalArgumentException e) {
        if (!"sig".equals(entry.getValue("use")) && entry.getValue("use") != null) {
          continue; // encryption keys are expected in a JWKS (Keycloak lists one)
        }
        skipped.add("key " + printable(entry.getValue("kid")) + ": " + e.getMessage());
      }
    }
    if (!skipped.isEmpty()) {
      LOG.log(Level.INFO, "issuer {0}: JWKS entries skipped: {1}", options.issuer(), String.join("; ", skipped));
    }
    long now = clock.millis();
    synchronized (this) {
      for (Map.Entry<String, Seen> e : seen.entrySet()) {
        if (!fetched.containsKey(e.getKey())) {
          long gone = e.getValue().goneSince() == 0 ? now : e.getValue().goneSince();
          seen.put(e.getKey(), new Seen(e.getValue().keys(), gone));
        }
      }
      fetched.forEach((id, k) -> seen.put(id, new Seen(k, 0)));
      rebuild(now);
    }
  }

  /** Makes the key set from what is present or within its grace, and plans the next expiry. */
  private void rebuild(long now) {
    long grace = options.keyGrace().toMillis();
    long nextExpiry = Long.MAX_VALUE;
    List<KeySet.Key> all = new ArrayList<>();
    for (var it = seen.entrySet().iterator(); it.hasNext(); ) {
      Seen s = it.next().getValue();
      if (s.goneSince() != 0 && now - s.goneSince() >= grace) {
        it.remove();
        continue;
      }
      if (s.goneSince() != 0) {
        nextExpiry = Math.min(nextExpiry, s.goneSince() + grace);
      }
      all.addAll(s.keys());
    }
    keys = KeySet.of(vertx, all);
    if (expiryTimer >= 0) {
      vertx.cancelTimer(expiryTimer);
      expiryTimer = -1;
    }
    if (nextExpiry != Long.MAX_VALUE && !closed) {
      expiryTimer = vertx.setTimer(Math.max(1, nextExpiry - now), t -> {
        synchronized (this) {
          expiryTimer = -1;
          rebuild(clock.millis());
        }
      });
    }
  }

  private static String idOf(KeySet.Key key) {
    return key.id() != null ? "kid:" + key.id() : "jwk:" + key.jwk().copy().put("alg", "").encode();
  }

  private static String printable(Object value) {
    return TokenVerifier.printable(String.valueOf(value), 40); // a URL fits, for the operator
  }
}
