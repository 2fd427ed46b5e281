package io.fluxer.relay.metrics;

import com.sun.management.ThreadMXBean;
import io.fluxer.common.metrics.VertxMetricsSetup;
import io.fluxer.relay.auth.IssuerStatus;
import io.fluxer.relay.auth.TokenVerifier;
import io.fluxer.relay.client.EventLoops;
import io.fluxer.relay.client.Hub;
import io.fluxer.relay.client.HubStats;
import io.fluxer.relay.client.NodeDeliveries;
import io.fluxer.relay.engine.Broker;
import io.fluxer.relay.engine.PresenceManager;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.micrometer.backends.BackendRegistries;
import io.vertx.micrometer.impl.MicrometerMetrics;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * One node's Fluxer metrics, all named {@code fluxer_*} and tagged {@code node}, and the Prometheus
 * registry that {@code /metrics} scrapes.
 *
 * <p>On a {@link Vertx} built with Micrometer metrics and a Prometheus backend (see
 * {@link VertxMetricsSetup}) the meters join Vert.x's own registry, so one scrape holds Vert.x's
 * {@code vertx_*}, the JVM's and Fluxer's meters; {@link #close()} removes this node's meters from
 * that shared registry again. On a plain Vertx the node keeps its own registry, with JVM memory,
 * thread, class loader, CPU and uptime meters added. Two nodes with the same name on one
 * metrics-enabled Vert.x would share meter ids, so give them distinct names.
 *
 * <p>Nothing here touches the hubs' collections: counts are read from {@link HubStats}' thread-safe
 * mirrors and counters, distinct users and channels from the hubs' added and removed events, and
 * disconnects and publication latencies arrive through {@link HubStats.Listener} (once per close,
 * and once per delivery and event loop, never per subscriber).
 */
public final class FluxerMetrics implements HubStats.Listener {
  /** Connected clients (after connect). Gauge. */
  /** Signing keys cached per trusted issuer ({@code issuer} tag). Gauge. */
  public static final String JWKS_KEYS = "fluxer.jwks.keys";
  /** 1 while the last JWKS fetch of an issuer succeeded. Gauge. */
  public static final String JWKS_UP = "fluxer.jwks.up";
  /** When an issuer's JWKS was last fetched successfully, epoch seconds. Gauge. */
  public static final String JWKS_LAST_SUCCESS = "fluxer.jwks.last.success";
  /** JWKS fetches per issuer by {@code result} (ok, failed). Counter. */
  public static final String JWKS_FETCHES = "fluxer.jwks.fetches";
  public static final String CONNECTIONS = "fluxer.connections";
  /** Distinct users among them; anonymous connections count as one user. Gauge. */
  public static final String USERS = "fluxer.users";
  /** Client subscriptions (client and channel pairs). Gauge. */
  public static final String SUBSCRIPTIONS = "fluxer.subscriptions";
  /** Channels with at least one subscriber on this node. Gauge. */
  public static final String CHANNELS = "fluxer.channels";
  /** Commands received from clients. Counter. */
  public static final String MESSAGES_IN = "fluxer.messages.in";
  /** Messages (replies, publications, joins, leaves, pings) queued to clients. Counter. */
  public static final String MESSAGES_OUT = "fluxer.messages.out";
  /** Bytes of the text messages clients sent. Counter. */
  public static final String BYTES_IN = "fluxer.bytes.in";
  /** Bytes of the messages queued to clients. Counter. */
  public static final String BYTES_OUT = "fluxer.bytes.out";
  /** Connections that completed connect. Counter. */
  public static final String CONNECTS = "fluxer.connects";
  /** Closed connections by close code ({@code code} tag; 0: closed by the client). Counter. */
  public static final String DISCONNECTS = "fluxer.disconnects";
  /** Clients closed with 3008 because they did not read fast enough. Counter. */
  public static final String SLOW_DROPS = "fluxer.slow.drops";
  /** From the broker handing a publication to the node until a loop queued it to its subscribers. Timer. */
  public static final String PUBLISH_TO_WRITE = "fluxer.publish.to.write";
  /**
   * Publications the broker handed to this node, its own and other nodes' (in a cluster, only those
   * of channels with subscribers here). Counter.
   */
  public static final String PUBLICATIONS_RECEIVED = "fluxer.node.publications.received";
  /** Engine operations by {@code engine}, {@code operation} and {@code outcome}. Timer. */
  public static final String ENGINE_OPERATION = "fluxer.engine.operation";
  /** How long a task waits in a server event loop's queue, probed every second per loop. Timer. */
  public static final String EVENT_LOOP_DELAY = "fluxer.event.loop.delay";
  /**
   * Bytes allocated on the heap by all threads of the process since it started, whatever the
   * collector (the JVM's per-thread allocation counters). Counter, in bytes.
   */
  public static final String JVM_ALLOCATED = "fluxer.jvm.allocated";

  /** Histogram buckets of the latency timers, 10 µs to 5 s. */
  static final Duration[] LATENCY_BUCKETS = {
      Duration.ofNanos(10_000), Duration.ofNanos(25_000), Duration.ofNanos(50_000),
      Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
      Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5),
      Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5)};
  private static final long PROBE_PERIOD_MILLIS = 1000;

  private final String node;
  private final MeterRegistry registry;
  private final PrometheusMeterRegistry scrapeRegistry;
  private final boolean ownRegistry;
  private final List<HubStats> hubs = new CopyOnWriteArrayList<>();
  private final DistinctCount users = new DistinctCount();
  private final DistinctCount channels = new DistinctCount();
  private final Map<Integer, Counter> disconnects = new ConcurrentHashMap<>();
  /** Meters this node registered, removed from a shared registry on close. */
  private final List<Meter> meters = new CopyOnWriteArrayList<>();
  private final Timer publishToWrite;
  private final Timer loopDelay;
  private Vertx vertx;
  private long probeTimer = -1;
  private volatile boolean closed;

  private FluxerMetrics(String node, MeterRegistry registry, PrometheusMeterRegistry scrapeRegistry,
                        boolean ownRegistry) {
    this.node = node;
    this.registry = registry;
    this.scrapeRegistry = scrapeRegistry;
    this.ownRegistry = ownRegistry;
    gauge(CONNECTIONS, "Connected clients (after connect)", m -> m.sumInt(HubStats::connections));
    gauge(USERS, "Distinct connected users; anonymous connections count as one", m -> m.users.size());
    gauge(SUBSCRIPTIONS, "Client subscriptions", m -> m.sumInt(HubStats::subscriptions));
    gauge(CHANNELS, "Channels with subscribers on this node", m -> m.channels.size());
    counter(MESSAGES_IN, "Commands received from clients", HubStats::messagesIn);
    counter(MESSAGES_OUT, "Messages queued to clients", HubStats::messagesOut);
    counter(BYTES_IN, "Bytes of the messages clients sent", HubStats::bytesIn);
    counter(BYTES_OUT, "Bytes of the messages queued to clients", HubStats::bytesOut);
    counter(CONNECTS, "Connections that completed connect", HubStats::connects);
    counter(SLOW_DROPS, "Clients closed with 3008 for not reading fast enough", HubStats::slowDisconnects);
    allocatedCounter();
    publishToWrite = track(Timer.builder(PUBLISH_TO_WRITE)
        .description("From the broker handing a publication to the node until an event loop queued it to "
            + "its local subscribers; once per publication and event loop")
        .tag("node", node)
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .register(registry));
    loopDelay = track(Timer.builder(EVENT_LOOP_DELAY)
        .description("Time a task waits in a server event loop's queue, probed every second per loop")
        .tag("node", node)
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .register(registry));
  }

  /** The upper bounds of the latency histograms' buckets, in nanoseconds, ascending. */
  public static long[] latencyBoundsNanos() {
    long[] bounds = new long[LATENCY_BUCKETS.length];
    for (int i = 0; i < bounds.length; i++) {
      bounds[i] = LATENCY_BUCKETS[i].toNanos();
    }
    return bounds;
  }

  /**
   * The publish-to-write histogram now: one cumulative count per bucket of
   * {@link #latencyBoundsNanos} (values at most its bound), then the count of all values.
   */
  public long[] publishToWriteCounts() {
    HistogramSnapshot snapshot = publishToWrite.takeSnapshot();
    CountAtBucket[] buckets = snapshot.histogramCounts();
    long[] counts = new long[LATENCY_BUCKETS.length + 1];
    for (int i = 0; i < buckets.length && i < LATENCY_BUCKETS.length; i++) {
      counts[i] = (long) buckets[i].count();
    }
    counts[LATENCY_BUCKETS.length] = snapshot.count();
    return counts;
  }

  /**
   * The metrics of node {@code node} on {@code vertx}: in Vert.x's Prometheus registry when the
   * instance has one, else in a registry of their own.
   */
  public static FluxerMetrics create(Vertx vertx, String node) {
    MeterRegistry shared = vertxRegistry(vertx);
    PrometheusMeterRegistry prometheus = shared == null ? null : prometheusIn(shared);
    if (prometheus != null) {
      return new FluxerMetrics(node, shared, prometheus, false);
    }
    PrometheusMeterRegistry own = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Tags tags = Tags.of("node", node);
    new JvmMemoryMetrics(tags).bindTo(own);
    new JvmThreadMetrics(tags).bindTo(own);
    new ClassLoaderMetrics(tags).bindTo(own);
    new ProcessorMetrics(tags).bindTo(own);
    new UptimeMetrics(tags).bindTo(own);
    return new FluxerMetrics(node, own, own, true);
  }

  /** The Micrometer registry of a metrics-enabled Vert.x instance, or {@code null}. */
  static MeterRegistry vertxRegistry(Vertx vertx) {
    if (!vertx.isMetricsEnabled()) {
      return null;
    }
    if (vertx instanceof VertxInternal internal && internal.metrics() instanceof MicrometerMetrics micrometer) {
      return micrometer.registry();
    }
    return BackendRegistries.getDefaultNow();
  }

  private static PrometheusMeterRegistry prometheusIn(MeterRegistry registry) {
    if (registry instanceof PrometheusMeterRegistry prometheus) {
      return prometheus;
    }
    if (registry instanceof CompositeMeterRegistry composite) {
      for (MeterRegistry child : composite.getRegistries()) {
        PrometheusMeterRegistry prometheus = prometheusIn(child);
        if (prometheus != null) {
          return prometheus;
        }
      }
    }
    return null;
  }

  // ---- wiring, called by the node

  /** Reads {@code hub}'s counters and listens to its events; call before its loop has sessions. */
  public void bind(Hub hub) {
    HubStats stats = hub.stats();
    stats.listener(this);
    hubs.add(stats);
  }

  /** {@code broker} with every operation timed. */
  public Broker timed(Broker broker) {
    return new TimedBroker(broker, this);
  }

  /** {@code presence} with every operation timed. */
  public PresenceManager timed(PresenceManager presence) {
    return new TimedPresenceManager(presence, this);
  }

  /**
   * Once the node's servers are up: probes the delay of its event {@code loops} on {@code vertx},
   * counts the publications its {@code deliveries} received and watches the trusted issuers of {@code tokens}.
   */
  public synchronized void start(Vertx vertx, EventLoops loops, NodeDeliveries deliveries,
      TokenVerifier tokens) {
    if (closed || probeTimer >= 0) {
      return;
    }
    this.vertx = vertx;
    probeTimer = vertx.setPeriodic(PROBE_PERIOD_MILLIS, id -> probe(loops));
    track(FunctionCounter.builder(PUBLICATIONS_RECEIVED, deliveries, NodeDeliveries::publicationsReceived)
        .description("Publications the broker handed to this node (in a cluster: of channels with subscribers here)")
        .tag("node", node)
        .register(registry));
    registerIssuers(tokens);
  }

  /** Per trusted issuer: its cached keys, whether the last JWKS fetch worked, fetches by result. */
  private void registerIssuers(TokenVerifier tokens) {
    for (IssuerStatus initial : tokens.issuerStatus()) {
      String issuer = initial.issuer();
      java.util.function.Supplier<IssuerStatus> status = () -> tokens.issuerStatus().stream()
          .filter(s -> s.issuer().equals(issuer)).findFirst().orElse(initial);
      track(Gauge.builder(JWKS_KEYS, status, s -> s.get().keys())
          .description("Signing keys cached for a trusted issuer (including keys within their grace period)")
          .tags("node", node, "issuer", issuer).strongReference(true).register(registry));
      track(Gauge.builder(JWKS_UP, status, s -> s.get().lastFetchOk() ? 1 : 0)
          .description("1 if the last fetch of the issuer's JWKS succeeded, else 0 (the last good keys stay in use)")
          .tags("node", node, "issuer", issuer).strongReference(true).register(registry));
      track(Gauge.builder(JWKS_LAST_SUCCESS, status, s -> s.get().lastSuccessMillis() / 1000.0)
          .description("When the issuer's JWKS was last fetched successfully (epoch seconds; 0: never)")
          .baseUnit("seconds").tags("node", node, "issuer", issuer).strongReference(true).register(registry));
      track(FunctionCounter.builder(JWKS_FETCHES, status, s -> s.get().fetchesOk())
          .description("Fetches of the issuer's JWKS (discovery included) by result")
          .tags("node", node, "issuer", issuer, "result", "ok").register(registry));
      track(FunctionCounter.builder(JWKS_FETCHES, status, s -> s.get().fetchesFailed())
          .description("Fetches of the issuer's JWKS (discovery included) by result")
          .tags("node", node, "issuer", issuer, "result", "failed").register(registry));
    }
  }

  private void probe(EventLoops loops) {
    long queued = System.nanoTime();
    loops.inspect(hub -> System.nanoTime() - queued).onSuccess(delays -> {
      for (Long delay : delays) {
        loopDelay.record(delay, TimeUnit.NANOSECONDS);
      }
    });
  }

  /**
   * Stops the probe and takes this node's meters out of a shared registry (or closes its own).
   * Idempotent.
   */
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (probeTimer >= 0) {
      vertx.cancelTimer(probeTimer);
      probeTimer = -1;
    }
    if (ownRegistry) {
      registry.close();
    } else {
      for (Meter m : meters) {
        registry.remove(m);
      }
    }
    meters.clear();
  }

  // ---- reading

  /** The registry Fluxer's meters are in (Vert.x's when shared). */
  public MeterRegistry registry() {
    return registry;
  }

  /** Whether the meters are in Vert.x's registry, next to Vert.x's own. */
  public boolean sharesVertxRegistry() {
    return !ownRegistry;
  }

  /**
   * The registry's meters in a Prometheus exposition format ({@code text/plain; version=0.0.4} or
   * {@code application/openmetrics-text}). Does the formatting work on the calling thread.
   */
  public String scrape(String contentType) {
    return scrapeRegistry.scrape(contentType);
  }

  /** Channels with at least one subscriber on any of this node's event loops. */
  public int channelCount() {
    return channels.size();
  }

  // ---- HubStats.Listener, called on the hubs' event loops

  @Override
  public void userAdded(String user) {
    users.added(user);
  }

  @Override
  public void userRemoved(String user) {
    users.removed(user);
  }

  @Override
  public void channelAdded(String channel) {
    channels.added(channel);
  }

  @Override
  public void channelRemoved(String channel) {
    channels.removed(channel);
  }

  @Override
  public void disconnected(int code) {
    Counter counter = disconnects.get(code);
    if (counter == null) {
      if (closed) {
        return;
      }
      counter = disconnects.computeIfAbsent(code, c -> track(Counter.builder(DISCONNECTS)
          .description("Closed client connections by close code (0: closed by the client)")
          .tag("node", node)
          .tag("code", Integer.toString(c))
          .register(registry)));
    }
    counter.increment();
  }

  @Override
  public void publicationQueued(long nanos) {
    publishToWrite.record(nanos, TimeUnit.NANOSECONDS);
  }

  // ---- registration

  /** The timer of one engine operation and outcome; registered on first use. */
  Timer engineTimer(String engine, String operation, String outcome) {
    return track(Timer.builder(ENGINE_OPERATION)
        .description("Broker and presence engine operations, from the call until the result")
        .tags("node", node, "engine", engine, "operation", operation, "outcome", outcome)
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .register(registry));
  }

  private void gauge(String name, String description, ToDoubleFunction<FluxerMetrics> value) {
    track(Gauge.builder(name, this, value)
        .description(description)
        .tag("node", node)
        .strongReference(true)
        .register(registry));
  }

  private void counter(String name, String description, ToLongFunction<HubStats> value) {
    track(FunctionCounter.builder(name, this, m -> m.sumLong(value))
        .description(description)
        .tag("node", node)
        .register(registry));
  }

  /**
   * {@link #JVM_ALLOCATED}, where the JVM counts allocation per thread (HotSpot does by default).
   * Unlike Micrometer's {@code jvm_gc_memory_allocated_bytes_total}, which adds up a young pool's
   * growth between collections, it is exact for collectors without a young pool (Shenandoah) and
   * between collections.
   */
  private void allocatedCounter() {
    if (ManagementFactory.getThreadMXBean() instanceof ThreadMXBean threads
        && threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled()) {
      track(FunctionCounter.builder(JVM_ALLOCATED, threads, ThreadMXBean::getTotalThreadAllocatedBytes)
          .description("Bytes allocated on the heap by all threads since the process started")
          .baseUnit("bytes")
          .tag("node", node)
          .register(registry));
    }
  }

  private <M extends Meter> M track(M meter) {
    if (!ownRegistry) {
      meters.add(meter);
    }
    return meter;
  }

  private double sumInt(ToIntFunction<HubStats> value) {
    long sum = 0;
    for (HubStats h : hubs) {
      sum += value.applyAsInt(h);
    }
    return sum;
  }

  private double sumLong(ToLongFunction<HubStats> value) {
    long sum = 0;
    for (HubStats h : hubs) {
      sum += value.applyAsLong(h);
    }
    return sum;
  }
}
