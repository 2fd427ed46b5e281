package io.fluxer.relay.stats;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The cluster's figures over the last hour as this node saw them at each of its stats samples (its
 * own stats summed with the other nodes' last heartbeats, as a dashboard subscribed to
 * {@code sys:stats} would have summed them), so a chart opened later starts filled.
 *
 * <p>Two windows: {@link Window#FIVE_MINUTES} keeps every sample ({@code server.stats_interval}
 * apart, 1 s by default); {@link Window#HOUR} keeps one point per 10 s of wall clock, holding the
 * counts of the last sample in it, the rates averaged over its samples and the highest latencies
 * of its samples (publish to write, the worst node's p50 and p99). Both are fixed-size
 * rings: a few hundred points, whatever the load. Fed on the stats timer, read from any event loop;
 * every method holds the lock only to copy a few numbers.
 */
public final class StatsHistory implements Consumer<NodeStats> {
  private static final long HOUR_STEP_MS = 10_000;

  /** The windows a chart can ask for, by their query value ({@code 5m}, {@code 1h}). */
  public enum Window {
    FIVE_MINUTES("5m", Duration.ofMinutes(5)), HOUR("1h", Duration.ofHours(1));

    private final String id;
    private final Duration length;

    Window(String id, Duration length) {
      this.id = id;
      this.length = length;
    }

    public String id() {
      return id;
    }

    /** The window named {@code id}, or an {@link IllegalArgumentException} listing the ones there are. */
    public static Window of(String id) {
      for (Window w : values()) {
        if (w.id.equals(id.toLowerCase(Locale.ROOT))) {
          return w;
        }
      }
      throw new IllegalArgumentException("window must be 5m or 1h");
    }
  }

  /** One point of a chart: the cluster at {@code atMillis}. */
  record Point(long atMillis, int nodes, long connections, long subscriptions, long channels, double messagesIn,
               double messagesOut, double p50Ms, double p99Ms) {}

  private final Supplier<List<NodeStats>> others;
  private final long sampleMs;
  private final Ring fine;
  private final Ring hour;
  /** The 10 s bucket the hour ring's newest point covers, and the rates summed over its samples. */
  private long bucket = Long.MIN_VALUE;
  private double bucketIn;
  private double bucketOut;
  private double bucketP50;
  private double bucketP99;
  private int bucketSamples;

  /**
   * @param others the other nodes' last stats (their heartbeats), added to each sample of this node
   * @param sampleInterval {@code server.stats_interval}: how far apart samples come
   */
  public StatsHistory(Supplier<List<NodeStats>> others, Duration sampleInterval) {
    this.others = others;
    this.sampleMs = Math.max(1, sampleInterval.toMillis());
    this.fine = new Ring((int) Math.min(10_000, Window.FIVE_MINUTES.length.toMillis() / sampleMs + 1));
    this.hour = new Ring((int) (Window.HOUR.length.toMillis() / HOUR_STEP_MS + 1));
  }

  /** Records the cluster as of this sample of this node. */
  @Override
  public void accept(NodeStats self) {
    List<NodeStats> all = new ArrayList<>();
    all.add(self);
    all.addAll(others.get());
    ClusterStats sum = ClusterStats.of(all);
    Point p = new Point(self.atMillis(), sum.nodes(), sum.totals().connections(), sum.totals().subscriptions(),
        sum.totals().channels(), sum.perSecond().messagesIn(), sum.perSecond().messagesOut(),
        sum.publishToWrite().p50Ms(), sum.publishToWrite().p99Ms());
    record(p);
  }

  synchronized void record(Point p) {
    fine.add(p);
    long b = Math.floorDiv(p.atMillis(), HOUR_STEP_MS);
    if (b != bucket) {
      bucket = b;
      bucketIn = 0;
      bucketOut = 0;
      bucketP50 = 0;
      bucketP99 = 0;
      bucketSamples = 0;
    } else {
      hour.dropNewest();
    }
    bucketIn += p.messagesIn();
    bucketOut += p.messagesOut();
    bucketP50 = Math.max(bucketP50, p.p50Ms());
    bucketP99 = Math.max(bucketP99, p.p99Ms());
    bucketSamples++;
    hour.add(new Point(b * HOUR_STEP_MS, p.nodes(), p.connections(), p.subscriptions(), p.channels(),
        bucketIn / bucketSamples, bucketOut / bucketSamples, bucketP50, bucketP99));
  }

  /**
   * The points of {@code window} that fall within it as of {@code nowMillis}, oldest first, as
   * columns (one array per figure, {@code t} in epoch milliseconds) with the window and the step.
   */
  public JsonObject toJson(Window window, long nowMillis) {
    List<Point> points;
    long step;
    synchronized (this) {
      points = (window == Window.HOUR ? hour : fine).list();
      step = window == Window.HOUR ? HOUR_STEP_MS : sampleMs;
    }
    long from = nowMillis - window.length.toMillis();
    JsonArray t = new JsonArray();
    JsonArray nodes = new JsonArray();
    JsonArray connections = new JsonArray();
    JsonArray subscriptions = new JsonArray();
    JsonArray channels = new JsonArray();
    JsonArray in = new JsonArray();
    JsonArray out = new JsonArray();
    JsonArray p50 = new JsonArray();
    JsonArray p99 = new JsonArray();
    for (Point p : points) {
      if (p.atMillis() < from) {
        continue;
      }
      t.add(p.atMillis());
      nodes.add(p.nodes());
      connections.add(p.connections());
      subscriptions.add(p.subscriptions());
      channels.add(p.channels());
      in.add(Rates.round(p.messagesIn()));
      out.add(Rates.round(p.messagesOut()));
      p50.add(p.p50Ms());
      p99.add(p.p99Ms());
    }
    return new JsonObject().put("window", window.id()).put("window_seconds", window.length.toSeconds())
        .put("step_ms", step).put("t", t).put("nodes", nodes).put("connections", connections)
        .put("subscriptions", subscriptions).put("channels", channels).put("messages_in_per_second", in)
        .put("messages_out_per_second", out).put("publish_to_write_p50_ms", p50).put("publish_to_write_p99_ms", p99);
  }

  /** The last {@code capacity} points added, in a fixed array. */
  private static final class Ring {
    private final Point[] points;
    private int next;
    private int size;

    Ring(int capacity) {
      points = new Point[capacity];
    }

    void add(Point p) {
      points[next] = p;
      next = (next + 1) % points.length;
      size = Math.min(points.length, size + 1);
    }

    void dropNewest() {
      if (size > 0) {
        next = (next - 1 + points.length) % points.length;
        points[next] = null;
        size--;
      }
    }

    List<Point> list() {
      List<Point> out = new ArrayList<>(size);
      for (int i = size; i > 0; i--) {
        out.add(points[(next - i + points.length) % points.length]);
      }
      return out;
    }
  }
}
