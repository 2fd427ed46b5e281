package io.fluxer.relay.engine.memory;

import io.fluxer.relay.engine.Broker;
import io.fluxer.relay.engine.BrokerEventHandler;
import io.fluxer.relay.engine.HistoryFilter;
import io.fluxer.relay.engine.PublishOptions;
import io.fluxer.relay.engine.UnrecoverablePositionException;
import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.HistoryResult;
import io.fluxer.relay.protocol.Publication;
import io.fluxer.relay.protocol.StreamPosition;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Single-node {@link Broker}: channel streams live in this JVM.
 *
 * <p>Thread-safe. Each channel has its own stream object and every operation on a channel runs
 * {@code synchronized} on that object only, so publishes to different channels never contend. The
 * event handler's {@link BrokerEventHandler#onPublication} is called <em>inside</em> the channel's
 * lock: for one channel it sees publications in offset order and never concurrently, so it must be
 * quick and must not call back into this broker (a nested publish could deadlock with another
 * thread doing the same in the opposite order).
 *
 * <p>Semantics worth knowing:
 * <ul>
 *   <li>A publish without history ({@code historySize == 0}) stores nothing, hands the publication
 *       (offset 0) to the handler and answers {@code StreamPosition(0, "")}: the empty epoch says
 *       "no stream". It leaves no state behind except its idempotency key, if any.</li>
 *   <li>A publish with history assigns the stream's top offset + 1, trims history to
 *       {@code historySize}, and keeps the epoch and top offset until {@code historyMetaTtl} passes
 *       without a publication; after that the channel starts over with a new epoch.</li>
 *   <li>Reading the history of an unknown channel creates its stream meta (offset 0, new epoch) with
 *       the broker's default meta TTL, so later publications keep that epoch.</li>
 *   <li>With {@code since} and {@code reverse}, history answers the publications after
 *       {@code since}, newest first.</li>
 *   <li>An idempotency key is remembered per channel for the broker's idempotency window; a repeated
 *       publish answers the first position without publishing again.</li>
 *   <li>If the handler throws, the publication stays stored and the publish future fails.</li>
 * </ul>
 *
 * <p>Expired streams are dropped lazily when touched, and an incremental sweep visits a bounded number
 * of streams every {@value #SWEEP_EVERY} operations; no timer is used.
 */
public final class MemoryBroker implements Broker {
  public static final Duration DEFAULT_IDEMPOTENCY_WINDOW = Duration.ofMinutes(5);
  public static final Duration DEFAULT_META_TTL = Duration.ofDays(30);

  /** Position answered by publishes to channels without history. */
  static final String NO_EPOCH = "";
  static final int SWEEP_EVERY = 256;
  static final int SWEEP_BATCH = 256;
  /** Caps TTLs so that {@code now + ttl} stays far from overflow. */
  private static final long MAX_TTL_NANOS = Long.MAX_VALUE / 4;
  /** {@link #MAX_TTL_NANOS} made once: each publish compares two TTLs with it. */
  private static final Duration MAX_TTL = Duration.ofNanos(MAX_TTL_NANOS);

  private final ConcurrentHashMap<String, Stream> streams = new ConcurrentHashMap<>();
  private final long idempotencyWindowNanos;
  private final long defaultMetaTtlNanos;
  private final LongSupplier nanoTime;
  private final AtomicLong operations = new AtomicLong();
  private final ReentrantLock sweepLock = new ReentrantLock();
  private Iterator<Stream> sweepCursor;
  private volatile BrokerEventHandler handler;

  public MemoryBroker() {
    this(DEFAULT_IDEMPOTENCY_WINDOW, DEFAULT_META_TTL);
  }

  /**
   * @param idempotencyWindow how long an idempotency key suppresses repeated publishes
   * @param defaultMetaTtl how long the stream meta created by reading an unknown channel lives
   */
  public MemoryBroker(Duration idempotencyWindow, Duration defaultMetaTtl) {
    this(idempotencyWindow, defaultMetaTtl, System::nanoTime);
  }

  /** For tests: {@code nanoTime} replaces {@link System#nanoTime()}. */
  MemoryBroker(Duration idempotencyWindow, Duration defaultMetaTtl, LongSupplier nanoTime) {
    this.idempotencyWindowNanos = positiveNanos(idempotencyWindow, "idempotencyWindow");
    this.defaultMetaTtlNanos = positiveNanos(defaultMetaTtl, "defaultMetaTtl");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
  }

  @Override
  public void setEventHandler(BrokerEventHandler handler) {
    this.handler = Objects.requireNonNull(handler, "handler");
  }

  @Override
  public Future<StreamPosition> publish(String channel, String data, PublishOptions options) {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(options, "options");
    BrokerEventHandler h = handler;
    if (h == null) {
      return Future.failedFuture(new IllegalStateException("no event handler set"));
    }
    maybeSweep();
    while (true) {
      Stream stream = stream(channel);
      synchronized (stream) {
        if (stream.removed) {
          continue; // swept or released meanwhile: take the channel's current stream
        }
        try {
          return Future.succeededFuture(stream.publish(h, data, options, nanoTime.getAsLong()));
        } catch (RuntimeException e) {
          return Future.failedFuture(e);
        } finally {
          releaseIfEmpty(stream);
        }
      }
    }
  }

  @Override
  public Future<Void> publishJoin(String channel, ClientInfo info) {
    return BrokerEventHandler.hand(handler, h -> h.onJoin(channel, info));
  }

  @Override
  public Future<Void> publishLeave(String channel, ClientInfo info) {
    return BrokerEventHandler.hand(handler, h -> h.onLeave(channel, info));
  }

  /** One node: every event reaches the handler, subscribed or not. */
  @Override
  public Future<Void> subscribe(String channel) {
    return Future.succeededFuture();
  }

  @Override
  public void unsubscribe(String channel) {
  }

  @Override
  public Future<HistoryResult> history(String channel, HistoryFilter filter) {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(filter, "filter");
    maybeSweep();
    while (true) {
      Stream stream = stream(channel);
      synchronized (stream) {
        if (stream.removed) {
          continue;
        }
        long now = nanoTime.getAsLong();
        stream.expire(now);
        stream.ensureMeta(now, defaultMetaTtlNanos);
        StreamPosition top = stream.position();
        StreamPosition since = filter.since();
        if (since != null && !since.epoch().equals(top.epoch())) {
          return Future.failedFuture(new UnrecoverablePositionException(
              "epoch " + since.epoch() + " is not the current epoch of channel " + channel));
        }
        return Future.succeededFuture(new HistoryResult(top, stream.read(filter, now)));
      }
    }
  }

  @Override
  public Future<Void> removeHistory(String channel) {
    Objects.requireNonNull(channel, "channel");
    Stream stream = streams.get(channel);
    if (stream != null) {
      synchronized (stream) {
        stream.dropHistory();
      }
    }
    return Future.succeededFuture();
  }

  /** Drops all streams. The broker stays usable; there is no timer to cancel. */
  @Override
  public Future<Void> close() {
    for (Stream stream : streams.values()) {
      synchronized (stream) {
        stream.dropHistory();
      }
    }
    streams.clear();
    return Future.succeededFuture();
  }

  /** Number of channel streams held, for tests and stats. */
  int streamCount() {
    return streams.size();
  }

  /** Visits up to {@code max} streams and removes those whose meta and idempotency keys expired. */
  void sweep(int max) {
    if (!sweepLock.tryLock()) {
      return; // another thread is sweeping
    }
    try {
      long now = nanoTime.getAsLong();
      for (int i = 0; i < max; i++) {
        if (sweepCursor == null || !sweepCursor.hasNext()) {
          sweepCursor = streams.values().iterator();
          if (!sweepCursor.hasNext()) {
            return;
          }
        }
        Stream stream = sweepCursor.next();
        synchronized (stream) {
          if (!stream.removed) {
            stream.expire(now);
            releaseIfEmpty(stream);
          }
        }
      }
    } finally {
      sweepLock.unlock();
    }
  }

  /**
   * The channel's stream, made when it has none. Looked up first: {@code Stream::new} captures this
   * broker, so passing it to {@code computeIfAbsent} would make a lambda per publish.
   */
  private Stream stream(String channel) {
    Stream stream = streams.get(channel);
    return stream != null ? stream : streams.computeIfAbsent(channel, Stream::new);
  }

  private void maybeSweep() {
    if (operations.incrementAndGet() % SWEEP_EVERY == 0) {
      sweep(SWEEP_BATCH);
    }
  }

  /** Must hold the stream's lock. Removes a stream that has no meta and no live idempotency key. */
  private void releaseIfEmpty(Stream stream) {
    if (stream.epoch == null && stream.idempotency == null) {
      stream.removed = true;
      streams.remove(stream.channel, stream);
    }
  }

  private static long positiveNanos(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be > 0");
    }
    return ttlNanos(d);
  }

  private static long ttlNanos(Duration d) {
    return d.compareTo(MAX_TTL) > 0 ? MAX_TTL_NANOS : d.toNanos();
  }

  private static boolean reached(long now, long deadline) {
    return now - deadline >= 0;
  }

  private static String newEpoch(String previous) {
    String epoch;
    do {
      epoch = String.format("%08x", ThreadLocalRandom.current().nextInt());
    } while (epoch.equals(previous));
    return epoch;
  }

  private record Remembered(StreamPosition position, long expiresAt) {}

  /** One channel's state; every access holds its monitor. */
  private final class Stream {
    final String channel;
    /** Set once the stream left the map; a thread that finds it set must look the channel up again. */
    boolean removed;
    /** {@code null} while the channel has no stream meta (only no-history publishes or keys). */
    String epoch;
    String lastEpoch;
    long top;
    long metaExpiresAt;
    /**
     * The history, {@code null} while empty: a channel that is read (subscribed to) but has no
     * publications kept costs no ring (one stream per subscribed channel, most never published to).
     */
    HistoryRing publications;
    /**
     * Idempotency keys, {@code null} while there are none. Insertion order equals expiry order, as
     * the window is fixed.
     */
    LinkedHashMap<String, Remembered> idempotency;

    Stream(String channel) {
      this.channel = channel;
    }

    StreamPosition publish(BrokerEventHandler h, String data, PublishOptions options, long now) {
      expire(now);
      String key = options.idempotencyKey();
      if (key != null) {
        Remembered previous = idempotency == null ? null : idempotency.get(key);
        if (previous != null) {
          return previous.position();
        }
      }
      StreamPosition position;
      Publication publication;
      if (options.keepsHistory()) {
        ensureMeta(now, 0);
        top++;
        publication = new Publication(top, data, options.info(), options.tags(), options.delta());
        if (publications == null) {
          publications = new HistoryRing();
        }
        publications.addLast(publication, now + ttlNanos(options.historyTtl()));
        while (publications.size() > options.historySize()) {
          publications.removeFirst();
        }
        metaExpiresAt = now + ttlNanos(options.historyMetaTtl());
        position = new StreamPosition(top, epoch);
      } else {
        publication = new Publication(0, data, options.info(), options.tags(), options.delta());
        position = new StreamPosition(0, NO_EPOCH);
      }
      if (key != null) {
        if (idempotency == null) {
          idempotency = new LinkedHashMap<>();
        }
        idempotency.put(key, new Remembered(position, now + idempotencyWindowNanos));
      }
      h.onPublication(channel, publication, position.epoch());
      return position;
    }

    /** Drops the history and frees its ring's memory at once. */
    void dropHistory() {
      if (publications != null) {
        publications.clear();
        publications = null;
      }
    }

    /** Drops expired meta, publications and idempotency keys. */
    void expire(long now) {
      if (epoch != null && reached(now, metaExpiresAt)) {
        lastEpoch = epoch;
        epoch = null;
        top = 0;
        dropHistory();
      }
      if (publications != null) {
        while (!publications.isEmpty() && reached(now, publications.expiresAt(0))) {
          publications.removeFirst();
        }
        if (publications.isEmpty()) {
          dropHistory();
        }
      }
      if (idempotency != null) {
        Iterator<Remembered> keys = idempotency.values().iterator();
        while (keys.hasNext() && reached(now, keys.next().expiresAt())) {
          keys.remove();
        }
        if (idempotency.isEmpty()) {
          idempotency = null;
        }
      }
    }

    /** Gives the stream a fresh epoch at offset 0 if it has none, living {@code ttlNanos}. */
    void ensureMeta(long now, long ttlNanos) {
      if (epoch == null) {
        epoch = newEpoch(lastEpoch);
        top = 0;
        metaExpiresAt = now + ttlNanos;
      }
    }

    StreamPosition position() {
      return new StreamPosition(top, epoch);
    }

    List<Publication> read(HistoryFilter filter, long now) {
      int limit = filter.limit();
      if (limit == 0) {
        return List.of();
      }
      long after = filter.since() == null ? -1 : filter.since().offset();
      int n = publications == null ? 0 : publications.size();
      List<Publication> result = new ArrayList<>();
      for (int i = 0; i < n && (limit == HistoryFilter.NO_LIMIT || result.size() < limit); i++) {
        int index = filter.reverse() ? n - 1 - i : i;
        if (publications.offset(index) <= after) {
          if (filter.reverse()) {
            break; // everything further is older still
          }
          continue;
        }
        if (!reached(now, publications.expiresAt(index))) { // TTLs may differ between publishes
          result.add(publications.get(index));
        }
      }
      return result;
    }
  }
}
