package io.fluxer.bench;

import io.fluxer.relay.auth.JwtSigner;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The generator's WebSocket connections, spread over several event loops ({@link Lane}s) of its
 * own Vert.x instance. Opens connections with bounded concurrency, closes them, and adds up what
 * the lanes measured. Methods not named {@code ...Async} block the calling (main) thread.
 */
final class ClientPool implements AutoCloseable {
  private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);

  private final Vertx vertx;
  private final WebSocketClient client;
  private final Lane[] lanes;
  private final Lane publisherLane;
  private final WebSocketConnectOptions target;
  /** Subscribers speak the Protobuf protocol (the publisher always speaks JSON). */
  private final boolean protobuf;
  private final WebSocketConnectOptions protobufTarget;
  /** Every connection opened from now on but the publisher's connects as one user. */
  private volatile boolean oneUser;
  /** Each node's endpoint when the connections are spread over a cluster ({@link #nodes}); else null. */
  private volatile WebSocketConnectOptions[] nodeTargets;
  private volatile WebSocketConnectOptions[] protobufNodeTargets;
  private final JwtSigner signer;
  private final Map<String, LongAdder> disconnects = new ConcurrentHashMap<>();
  private volatile int step;

  /**
   * @param url    {@code ws://host:port/path} of the server
   * @param loops  event loops for the connections; the publisher gets one more when
   *               {@code loops > 1}, so that its timer is not delayed by receiving
   * @param secret HMAC secret for the HS256 connection tokens
   */
  ClientPool(URI url, int loops, String secret, boolean protobuf, boolean oneUser) {
    this(url, loops, secret, protobuf, oneUser, null);
  }

  /** @param timeline where every lane records latency over time; {@code null}: nowhere */
  ClientPool(URI url, int loops, String secret, boolean protobuf, boolean oneUser, Timeline timeline) {
    this.protobuf = protobuf;
    this.oneUser = oneUser;
    int publisherLoops = loops > 1 ? 1 : 0;
    this.vertx = Vertx.vertx(new VertxOptions()
        .setEventLoopPoolSize(loops + publisherLoops)
        .setPreferNativeTransport(false)
        .setBlockedThreadCheckInterval(TimeUnit.SECONDS.toMillis(10))
        .setWarningExceptionTime(TimeUnit.SECONDS.toNanos(60)));
    this.client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxConnections(1_000_000)
        .setMaxFrameSize(16 << 20)
        .setMaxMessageSize(16 << 20)
        .setTcpNoDelay(true)
        .setConnectTimeout((int) HANDSHAKE_TIMEOUT.toMillis())
        .setClosingTimeout(2));
    List<Context> contexts = laneContexts(vertx, loops + publisherLoops);
    this.publisherLane = new Lane(-1, contexts.get(0), timeline);
    this.lanes = new Lane[loops];
    for (int i = 0; i < loops; i++) {
      lanes[i] = new Lane(i, contexts.get(i + publisherLoops), timeline);
    }
    this.target = connectOptions(url);
    this.protobufTarget = connectOptions(url).addSubProtocol(BenchClient.PROTOBUF_SUBPROTOCOL);
    this.signer = JwtSigner.hmac("HS256", secret.getBytes(StandardCharsets.UTF_8));
  }

  private static WebSocketConnectOptions connectOptions(URI url) {
    return new WebSocketConnectOptions()
        .setHost(url.getHost())
        .setPort(url.getPort() > 0 ? url.getPort() : 80)
        .setURI(url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
        // No Origin header, as a non-browser client (Vert.x would add one derived from the URL).
        .setAllowOriginHeader(false);
  }

  /**
   * One event-loop context per lane: each instance of a deployed verticle gets its own context,
   * on the next event loop. (Outside Vert.x threads getOrCreateContext() keeps returning one.)
   */
  private static List<Context> laneContexts(Vertx vertx, int n) {
    List<Context> contexts = new CopyOnWriteArrayList<>();
    await(vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        contexts.add(context);
        return Future.succeededFuture();
      }
    }, new DeploymentOptions().setInstances(n)), Duration.ofSeconds(10));
    return new ArrayList<>(contexts);
  }

  /** Names of the event-loop threads the lanes run on (to check they are distinct). */
  List<String> laneThreads() {
    List<Future<String>> names = new ArrayList<>();
    for (Lane l : lanes) {
      Promise<String> p = Promise.promise();
      l.context.runOnContext(v -> p.complete(Thread.currentThread().getName()));
      names.add(p.future());
    }
    List<String> out = new ArrayList<>();
    for (Future<String> f : names) {
      out.add(await(f, Duration.ofSeconds(5)));
    }
    return out;
  }

  Vertx vertx() {
    return vertx;
  }

  /**
   * Spreads the connections opened from now on over these nodes: connection {@code i} goes to
   * node {@link ClusterLayout#nodeOf}{@code (i)}, the publisher to the first node.
   */
  void nodes(List<URI> urls) {
    WebSocketConnectOptions[] json = new WebSocketConnectOptions[urls.size()];
    WebSocketConnectOptions[] binary = new WebSocketConnectOptions[urls.size()];
    for (int i = 0; i < json.length; i++) {
      json[i] = connectOptions(urls.get(i));
      binary[i] = connectOptions(urls.get(i)).addSubProtocol(BenchClient.PROTOBUF_SUBPROTOCOL);
    }
    protobufNodeTargets = binary;
    nodeTargets = json;
  }

  /** How many nodes the connections are spread over (1 when not spread). */
  int nodeCount() {
    WebSocketConnectOptions[] t = nodeTargets;
    return t == null ? 1 : t.length;
  }

  boolean oneUser() {
    return oneUser;
  }

  /** Whether the connections opened from now on (but the publisher's) all connect as one user. */
  void oneUser(boolean one) {
    oneUser = one;
  }

  int loops() {
    return lanes.length;
  }

  /** The step whose publications count; publications of other steps count as late. */
  int step() {
    return step;
  }

  void step(int s) {
    step = s;
  }

  /** Opens connection {@code index} on its lane; subscribes to {@code channel} unless it is null. */
  Future<BenchClient> openAsync(int index, String channel) {
    return open(index, channel, lanes[Math.floorMod(index, lanes.length)]);
  }

  /** The publishing connection, on its own event loop when there is more than one. */
  BenchClient openPublisher() {
    return await(open(-1, null, publisherLane), HANDSHAKE_TIMEOUT.plusSeconds(5));
  }

  private Future<BenchClient> open(int index, String channel, Lane lane) {
    Promise<BenchClient> result = Promise.promise();
    String token = token(index < 0 ? "bench-publisher" : oneUser ? "bench-user" : "bench-" + index);
    boolean binary = protobuf && channel != null;
    WebSocketConnectOptions[] nodes = binary ? protobufNodeTargets : nodeTargets;
    int node = nodes == null ? -1 : index < 0 ? ClusterLayout.PUBLISHING_NODE : ClusterLayout.nodeOf(index, nodes.length);
    WebSocketConnectOptions to = node < 0 ? binary ? protobufTarget : target : nodes[node];
    lane.context.runOnContext(v -> client.connect(to)
        .compose(ws -> new BenchClient(index, channel, node, lane, this, binary).start(ws, token))
        .timeout(HANDSHAKE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .onComplete(result));
    return result.future();
  }

  private String token(String user) {
    long now = Instant.now().getEpochSecond();
    return signer.sign(new JsonObject().put("sub", user).put("iat", now).put("exp", now + 86_400));
  }

  /** Result of {@link #openAll}. */
  record Opened(List<BenchClient> clients, int failed, long elapsedNanos, Histogram handshakeMicros,
                List<String> errors) {}

  /**
   * Opens one connection per entry of {@code channels} (connection {@code i} subscribes to
   * {@code channels[i]}), at most {@code concurrency} handshakes at a time, and waits for all.
   * Connections that fail are left out of the result and counted.
   */
  Opened openAll(String[] channels, int concurrency) {
    int[] indices = new int[channels.length];
    for (int i = 0; i < indices.length; i++) {
      indices[i] = i;
    }
    return openAll(indices, channels, concurrency);
  }

  /** Opens connections {@code indices} (connection {@code i} subscribes to {@code channels[i]}). */
  Opened openAll(int[] indices, String[] channels, int concurrency) {
    Semaphore slots = new Semaphore(concurrency);
    BenchClient[] opened = new BenchClient[indices.length];
    Recorder handshakes = new Recorder(3);
    AtomicInteger failed = new AtomicInteger();
    List<String> errors = new ArrayList<>();
    List<Future<BenchClient>> all = new ArrayList<>(indices.length);
    long start = System.nanoTime();
    for (int k = 0; k < indices.length; k++) {
      slots.acquireUninterruptibly();
      int index = k;
      long t0 = System.nanoTime();
      all.add(openAsync(indices[k], channels[indices[k]]).onComplete(ar -> {
        slots.release();
        if (ar.succeeded()) {
          opened[index] = ar.result();
          handshakes.recordValue((System.nanoTime() - t0) / 1000);
        } else {
          failed.incrementAndGet();
          synchronized (errors) {
            if (errors.size() < 5) {
              errors.add(String.valueOf(ar.cause().getMessage()));
            }
          }
        }
      }));
    }
    try {
      Future.join(all).toCompletionStage().toCompletableFuture().get(HANDSHAKE_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // counted as failures below
    }
    long elapsed = System.nanoTime() - start;
    List<BenchClient> clients = new ArrayList<>(indices.length);
    for (BenchClient c : opened) {
      if (c != null) {
        clients.add(c);
      }
    }
    List<String> firstErrors;
    synchronized (errors) {
      firstErrors = List.copyOf(errors);
    }
    return new Opened(clients, indices.length - clients.size(), elapsed, handshakes.getIntervalHistogram(),
        firstErrors);
  }

  /** Closes the connections and waits (bounded) until they are closed. */
  void closeAll(Collection<BenchClient> clients) {
    clients.forEach(BenchClient::close);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline && clients.stream().anyMatch(c -> !c.closed)) {
      sleep(50);
    }
  }

  void countDisconnect(Short code) {
    disconnects.computeIfAbsent(String.valueOf(code), k -> new LongAdder()).increment();
  }

  /** Server-initiated closes by close code since the previous call. */
  Map<String, Long> takeDisconnects() {
    Map<String, Long> out = new TreeMap<>();
    disconnects.forEach((code, n) -> {
      long v = n.sumThenReset();
      if (v > 0) {
        out.put(code, v);
      }
    });
    return out;
  }

  long received() {
    long n = 0;
    for (Lane l : lanes) {
      n += l.received.get();
    }
    return n;
  }

  long late() {
    long n = 0;
    for (Lane l : lanes) {
      n += l.late.get();
    }
    return n;
  }

  long gaps() {
    long n = 0;
    for (Lane l : lanes) {
      n += l.gaps.get();
    }
    return n;
  }

  long duplicates() {
    long n = 0;
    for (Lane l : lanes) {
      n += l.duplicates.get();
    }
    return n;
  }

  long lastArrivalNanos() {
    long t = Long.MIN_VALUE;
    for (Lane l : lanes) {
      t = Math.max(t, l.lastArrivalNanos);
    }
    return t;
  }

  /** Latencies recorded on all lanes since the previous call. */
  Histogram latencyInterval() {
    List<Histogram> parts = new ArrayList<>();
    for (Lane l : lanes) {
      parts.add(l.takeLatency());
    }
    return LatencyHistogram.sum(parts);
  }

  /**
   * Latencies since the previous call, all lanes, by where the subscriber sits when the
   * connections are spread over nodes: {all, on the publishing node, on another node}.
   */
  Histogram[] latencyIntervalByNode() {
    List<Histogram> all = new ArrayList<>();
    List<Histogram> same = new ArrayList<>();
    List<Histogram> other = new ArrayList<>();
    for (Lane l : lanes) {
      Histogram[] h = l.takeLatencies();
      all.add(h[0]);
      same.add(h[1]);
      other.add(h[2]);
    }
    return new Histogram[] {LatencyHistogram.sum(all), LatencyHistogram.sum(same), LatencyHistogram.sum(other)};
  }

  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      // exiting anyway
    }
  }

  static <T> T await(Future<T> f, Duration timeout) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException("timed out or interrupted: " + e, e);
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
