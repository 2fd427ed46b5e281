package io.fluxer.control.events;

import io.fluxer.control.docker.EngineStreams;
import io.fluxer.control.docker.SwarmClient;
import io.fluxer.control.publish.RelayPublisher;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.System.Logger.Level;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Engine events on {@value #CHANNEL}: follows the engine's {@code GET /events} stream (types service,
 * node and container; container events only of swarm tasks, reported as {@code "type": "task"}) and
 * publishes each event, in the order the engine sends them, as {@link SwarmEvent} describes.
 *
 * <p>The stream is read on a thread of its own ({@code fluxer-swarm-events}) over an HTTP client of its
 * own. When it breaks (the engine restarts, the socket fails) it is opened again after a backoff
 * ({@value #MIN_BACKOFF_MILLIS} ms doubling to {@value #MAX_BACKOFF_MILLIS} ms), resuming with
 * {@code since} (see {@link EventCursor}) so that no event is lost or doubled, within the engine's
 * own memory of recent events. Events wait in a bounded queue for the relay; when it falls behind
 * they are dropped and a {@code {"type": "dropped", "count": N}} publication says so.
 */
public final class SwarmEvents {
  private static final System.Logger LOG = System.getLogger(SwarmEvents.class.getName());
  /** The channel the events go to. */
  public static final String CHANNEL = "swarm:events";
  static final long MIN_BACKOFF_MILLIS = 250;
  static final long MAX_BACKOFF_MILLIS = 10_000;
  static final int MAX_PENDING = 10_000;
  private static final String FILTERS = URLEncoder.encode(new JsonObject().put("type",
      new JsonArray().add("service").add("node").add("container")).encode(), StandardCharsets.UTF_8);

  private final Vertx vertx;
  private final SwarmClient client;
  private final Duration publishTimeout;
  private volatile boolean stopped;
  private volatile boolean connected;
  private volatile long connections;
  private EngineStreams streams;
  private EngineStreams.Stream current;
  private RelayPublisher<JsonObject> publisher;
  private Thread reader;

  private SwarmEvents(Vertx vertx, SwarmClient client, Duration publishTimeout) {
    this.vertx = vertx;
    this.client = client;
    this.publishTimeout = publishTimeout;
  }

  public static SwarmEvents create(Vertx vertx, SwarmClient client) {
    return new SwarmEvents(vertx, client, Duration.ofSeconds(5));
  }

  /** Starts following (from now on); completes at once, the stream opens in the background. */
  public synchronized Future<Void> start() {
    if (reader != null) {
      return Future.failedFuture(new IllegalStateException("already started"));
    }
    Context context = vertx.getOrCreateContext();
    publisher = new RelayPublisher<>(context, CHANNEL,
        new RelayPublisher.Options(Duration.ZERO, 1, MAX_PENDING, publishTimeout),
        events -> events.get(0),
        count -> new JsonObject().put("type", "dropped").put("count", count));
    streams = client.openStreams(1);
    reader = new Thread(this::follow, "fluxer-swarm-events");
    reader.setDaemon(true);
    reader.start();
    return Future.succeededFuture();
  }

  /** Stops following: closes the stream, ends the thread; events not yet published are dropped. */
  public Future<Void> stop() {
    Thread thread;
    synchronized (this) {
      if (reader == null || stopped) {
        return Future.succeededFuture();
      }
      stopped = true;
      thread = reader;
      if (current != null) {
        current.close();
      }
    }
    thread.interrupt();
    return vertx.executeBlocking(() -> {
      thread.join(TimeUnit.SECONDS.toMillis(5));
      streams.close();
      publisher.close();
      return null;
    }, false).mapEmpty();
  }

  /** Whether the event stream is open now. */
  public boolean connected() {
    return connected;
  }

  /** How many times the stream was opened (1 after the first connection, more after reconnects). */
  public long connections() {
    return connections;
  }

  /** Publications made so far. */
  public long published() {
    RelayPublisher<JsonObject> p = publisher;
    return p == null ? 0 : p.published();
  }

  /** Breaks the open stream as a failing socket would (for tests): it is opened again, resuming. */
  synchronized void breakStream() {
    if (current != null) {
      current.close();
    }
  }

  // ---- on the reading thread

  private void follow() {
    EventCursor cursor = null;
    long backoff = MIN_BACKOFF_MILLIS;
    boolean warned = false;
    while (!stopped) {
      String path = "/events?filters=" + FILTERS;
      if (cursor == null) {
        cursor = new EventCursor(Instant.now().minusSeconds(1).toEpochMilli() * 1_000_000);
      } else {
        path += "&since=" + SwarmClient.engineTime(Instant.ofEpochSecond(0, cursor.sinceNanos()));
      }
      try {
        EngineStreams.Stream stream = streams.open(path);
        synchronized (this) {
          if (stopped) {
            stream.close();
            return;
          }
          current = stream;
        }
        connected = true;
        connections++;
        if (warned) {
          LOG.log(Level.INFO, "following the engine's events again");
          warned = false;
        }
        BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
        String line;
        while ((line = lines.readLine()) != null) {
          if (line.isBlank()) {
            continue;
          }
          JsonObject raw = new JsonObject(line);
          backoff = MIN_BACKOFF_MILLIS;
          if (cursor.first(raw)) {
            JsonObject event = SwarmEvent.fromEngine(raw);
            if (event != null) {
              publisher.offer(event);
            }
          }
        }
        if (!stopped) {
          LOG.log(Level.DEBUG, "the engine's event stream ended; opening it again");
        }
      } catch (Exception e) {
        if (stopped) {
          return;
        }
        LOG.log(warned ? Level.DEBUG : Level.WARNING, "the engine's event stream broke (" + e
            + "); opening it again in " + backoff + " ms");
        warned = true;
      } finally {
        connected = false;
        synchronized (this) {
          if (current != null) {
            current.close();
            current = null;
          }
        }
      }
      try {
        Thread.sleep(backoff);
      } catch (InterruptedException e) {
        return;
      }
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
    }
  }
}
