package io.fluxer.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * Publishes at a fixed rate over one connection with the WebSocket {@code publish} command, one
 * command per message, round-robin over its channels. Each publication's {@code data} carries a
 * per-channel sequence number, {@link System#nanoTime()} at sending (less {@link #CLOCK_BASE}) and
 * the step number. A 1 ms
 * timer on the publisher's own event loop sends whatever is due by then, so the offered rate holds
 * even when a tick is late.
 */
final class Publisher {
  /** Publications carry {@code System.nanoTime() - CLOCK_BASE}: fewer digits to write and parse. */
  static final long CLOCK_BASE = System.nanoTime();

  private final Vertx vertx;
  private final BenchClient connection;
  private final String[] channelPrefixes;
  private final long[] sequences;
  private final String padding;
  private long counter;

  /**
   * @param channels     channels to publish to, round-robin
   * @param paddingBytes extra bytes of {@code data} (a string field), to vary the message size
   */
  Publisher(Vertx vertx, BenchClient connection, String[] channels, int paddingBytes) {
    this.vertx = vertx;
    this.connection = connection;
    this.channelPrefixes = new String[channels.length];
    for (int i = 0; i < channels.length; i++) {
      channelPrefixes[i] = ",\"publish\":{\"channel\":\"" + channels[i] + "\",\"data\":{\"b\":[";
    }
    this.sequences = new long[channels.length];
    this.padding = paddingBytes > 0 ? "],\"p\":\"" + "x".repeat(paddingBytes) + "\"}}}" : "]}}}";
  }

  /** Publishes {@code round(rate * seconds)} messages over {@code seconds}; completes with the count. */
  Future<Long> run(double rate, double seconds, int step) {
    long total = Math.round(rate * seconds);
    Promise<Long> done = Promise.promise();
    connection.lane().context.runOnContext(v -> {
      long start = System.nanoTime();
      long[] sent = {0};
      vertx.setPeriodic(0, 1, id -> {
        double elapsed = (System.nanoTime() - start) / 1e9;
        long due = Math.min(total, (long) (elapsed * rate));
        while (sent[0] < due) {
          publishOne(step);
          sent[0]++;
        }
        if (sent[0] >= total) {
          vertx.cancelTimer(id);
          done.complete(sent[0]);
        }
      });
    });
    return done.future();
  }

  private void publishOne(int step) {
    int ch = (int) (counter++ % channelPrefixes.length);
    long seq = sequences[ch]++;
    StringBuilder b = new StringBuilder(128 + padding.length());
    b.append("{\"id\":").append(connection.nextId()).append(channelPrefixes[ch])
        .append(seq).append(',').append(System.nanoTime() - CLOCK_BASE).append(',').append(step)
        .append(padding);
    connection.send(b.toString());
  }

  /**
   * Publications sent so far per channel, in the order of the constructor's {@code channels}; call
   * when no {@link #run} is under way (after its future completed).
   */
  long[] sentPerChannel() {
    return sequences.clone();
  }

  long acks() {
    return connection.publishAcks.get();
  }

  long errors() {
    return connection.publishErrors.get();
  }
}
