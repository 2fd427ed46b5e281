package io.fluxer.control.logs;

import io.fluxer.control.docker.EngineStreams;
import io.fluxer.control.docker.SwarmClient;
import io.fluxer.control.publish.RelayPublisher;
import io.fluxer.common.Addresses;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger.Level;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Live logs on {@code logs:<service>}: follows a swarm service's log while some relay node has
 * subscribers on its channel, and publishes the lines there.
 *
 * <p>The relay nodes announce their {@code logs:*} channels on {@link Addresses#CONTROL_INTEREST}
 * (see {@link LogInterest}). When a service's channel first appears anywhere, its log is followed
 * ({@link ServiceLogFollow}: one stream per task, through the engine's {@code /tasks/{id}/logs}, which
 * unlike the service-wide endpoint loses no lines across nodes); when it disappears everywhere (or
 * the last node announcing it goes silent), following stops and the streams close. A channel naming
 * no service follows nothing (logged at DEBUG) and is tried again every poll. Only the services
 * {@link LogAccess} allows are followed: the relay refuses subscribers of the others, and one
 * subscribed by other means (the server API) gets no lines.
 *
 * <p>Lines leave in publications of at most {@link LogFollowerOptions#batchLines()} lines, at most
 * {@link LogFollowerOptions#batchWindow()} after they were read, in order per task:
 * {@code {"type": "lines", "service", "lines": [{"task", "slot", "node_id", "node", "stream", "ts",
 * "text"}, …]}}. When publishing falls behind, lines are dropped and a
 * {@code {"type": "dropped", "service", "count": N}} publication says so, where they were.
 *
 * <p>Streams are read on threads of their own ({@code fluxer-logs-N}, at most
 * {@link LogFollowerOptions#maxStreams()} at once, beyond which tasks wait with a warning), over an
 * HTTP client of their own; the event loop and the {@value SwarmClient#WORKER_NAME} pool only list
 * tasks and nodes.
 */
public final class LogFollowers {
  private static final System.Logger LOG = System.getLogger(LogFollowers.class.getName());
  static final long CHECK_MILLIS = 1_000;
  static final long RECHECK_MILLIS = 5_000;

  private final Vertx vertx;
  private final SwarmClient client;
  private final LogFollowerOptions options;
  private final LogAccess access;
  private final LogInterest interest = new LogInterest();
  /** Services being checked with {@link LogAccess}, and those refused, until when (on the context only). */
  private final Set<String> checking = new HashSet<>();
  private final Map<String, Long> refusedUntil = new HashMap<>();
  private final Map<String, ServiceLogFollow> follows = new ConcurrentHashMap<>();
  private final Map<String, String> hostnames = new ConcurrentHashMap<>();
  private final AtomicInteger streamCount = new AtomicInteger();
  private Context context;
  private EngineStreams streams;
  private ExecutorService threads;
  private MessageConsumer<JsonObject> consumer;
  private long timer = -1;

  private LogFollowers(Vertx vertx, SwarmClient client, LogFollowerOptions options, LogAccess access) {
    this.vertx = vertx;
    this.client = client;
    this.options = options;
    this.access = access;
  }

  public static LogFollowers create(Vertx vertx, SwarmClient client, LogAccess access) {
    return create(vertx, client, LogFollowerOptions.defaults(), access);
  }

  /** Follows only the services {@code access} allows: a refused one is asked about again after {@value #RECHECK_MILLIS} ms. */
  public static LogFollowers create(Vertx vertx, SwarmClient client, LogFollowerOptions options, LogAccess access) {
    return new LogFollowers(vertx, client, options, access);
  }

  /** Listens to the relay's interest notices; completes once the consumer is registered. */
  public Future<Void> start() {
    Promise<Void> started = Promise.promise();
    context = vertx.getOrCreateContext();
    context.runOnContext(v -> {
      streams = client.openStreams(options.maxStreams());
      threads = new ThreadPoolExecutor(0, options.maxStreams() * 2, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
          threadFactory());
      consumer = vertx.eventBus().consumer(Addresses.CONTROL_INTEREST, m -> {
        interest.notice(m.body(), System.currentTimeMillis());
        reconcile();
      });
      timer = vertx.setPeriodic(CHECK_MILLIS, id -> reconcile());
      consumer.completion().onComplete(started);
    });
    return started.future();
  }

  /** Stops listening, closes every stream and ends the reading threads. */
  public Future<Void> stop() {
    if (context == null) {
      return Future.succeededFuture();
    }
    Promise<Void> stopped = Promise.promise();
    context.runOnContext(v -> {
      vertx.cancelTimer(timer);
      Future<Void> unregistered = consumer == null ? Future.succeededFuture() : consumer.unregister();
      consumer = null;
      follows.values().forEach(ServiceLogFollow::close);
      follows.clear();
      unregistered.eventually(() -> vertx.executeBlocking(() -> {
        streams.close();
        threads.shutdownNow();
        threads.awaitTermination(5, TimeUnit.SECONDS);
        return null;
      }, false)).<Void>mapEmpty().onComplete(stopped);
    });
    return stopped.future();
  }

  /** The services followed now (wanted by a subscriber somewhere), by name or ID as the channel has it. */
  public Set<String> followedServices() {
    return Set.copyOf(follows.keySet());
  }

  /** Task log streams open now, over all services. */
  public int openStreams() {
    return streamCount.get();
  }

  /** {@code {"streams": N, "services": {"<service>": {"streams", "published", "dropped"}}}}. */
  public JsonObject status() {
    JsonObject services = new JsonObject();
    new TreeMap<>(follows).forEach((name, f) -> services.put(name, new JsonObject()
        .put("streams", f.openStreams()).put("published", f.publisher().published())
        .put("dropped", f.publisher().droppedTotal())));
    return new JsonObject().put("streams", streamCount.get()).put("services", services);
  }

  // ---- for ServiceLogFollow (on the context)

  Vertx vertx() {
    return vertx;
  }

  SwarmClient client() {
    return client;
  }

  LogFollowerOptions options() {
    return options;
  }

  Map<String, String> knownHostnames() {
    return hostnames;
  }

  /** Makes sure the hostnames of these nodes are known (when the swarm says); never fails. */
  Future<Void> hostnames(Collection<String> nodeIds) {
    if (nodeIds.stream().allMatch(id -> id == null || hostnames.containsKey(id))) {
      return Future.succeededFuture();
    }
    return client.nodeHostnames().map(names -> {
      hostnames.putAll(names);
      return (Void) null;
    }).recover(e -> {
      LOG.log(Level.DEBUG, "cannot list the nodes for their hostnames: " + e.getMessage());
      return Future.succeededFuture();
    });
  }

  /** Starts following a task's log on a thread of its own; null when {@code maxStreams} are open. */
  TaskLogStream startStream(LogLine.Task task, TaskLogStream.Cursor cursor, Consumer<LogLine> sink) {
    if (streamCount.incrementAndGet() > options.maxStreams()) {
      streamCount.decrementAndGet();
      return null;
    }
    TaskLogStream stream = new TaskLogStream(streams, task, cursor, sink, streamCount::decrementAndGet);
    try {
      threads.execute(stream);
    } catch (RejectedExecutionException e) {
      streamCount.decrementAndGet();
      return null;
    }
    return stream;
  }

  // ---- internals

  private void reconcile() {
    Set<String> wanted = interest.services(System.currentTimeMillis());
    follows.entrySet().removeIf(e -> {
      if (!wanted.contains(e.getKey())) {
        e.getValue().close();
        return true;
      }
      return false;
    });
    long now = System.currentTimeMillis();
    refusedUntil.values().removeIf(until -> until <= now);
    for (String service : wanted) {
      if (!follows.containsKey(service) && !checking.contains(service) && !refusedUntil.containsKey(service)) {
        checking.add(service);
        access.readable(service).onComplete(ar -> {
          checking.remove(service);
          if (ar.succeeded() && ar.result().isPresent()) {
            follow(service);
          } else {
            LOG.log(Level.DEBUG, "not following the logs of " + service + ": "
                + (ar.succeeded() ? "not a service of a managed stack nor allowed" : ar.cause().getMessage()));
            refusedUntil.put(service, System.currentTimeMillis() + RECHECK_MILLIS);
          }
        });
      }
    }
  }

  private void follow(String service) {
    if (consumer == null || follows.containsKey(service)
        || !interest.services(System.currentTimeMillis()).contains(service)) {
      return; // stopped, or no subscriber any more
    }
    ServiceLogFollow follow = new ServiceLogFollow(this, service, publisher(service));
    follows.put(service, follow);
    follow.start();
  }

  private RelayPublisher<LogLine> publisher(String service) {
    return new RelayPublisher<>(context, LogInterest.channel(service),
        new RelayPublisher.Options(options.batchWindow(), options.batchLines(), options.maxPendingLines(),
            options.publishTimeout()),
        lines -> {
          JsonArray out = new JsonArray();
          lines.forEach(l -> out.add(l.toJson()));
          return new JsonObject().put("type", "lines").put("service", service).put("lines", out);
        },
        count -> new JsonObject().put("type", "dropped").put("service", service).put("count", count));
  }

  private static ThreadFactory threadFactory() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "fluxer-logs-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
