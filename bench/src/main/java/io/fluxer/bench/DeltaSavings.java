package io.fluxer.bench;

import io.fluxer.relay.client.Delivery;
import io.fluxer.relay.protocol.ClientCodec;
import io.fluxer.relay.protocol.JsonCodec;
import io.fluxer.relay.protocol.ProtobufCodec;
import io.fluxer.relay.protocol.Publication;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;

/**
 * Bytes on the wire with and without Fossil delta compression, for payloads whose shape repeats
 * between publications: the push frames a subscriber gets (JSON and Protobuf) for a sequence of
 * publications made with {@code delta: true}, through the relay's own {@link Delivery#deltaFrame},
 * against the plain frames. Deterministic (fixed seed).
 *
 * <p>{@code java -cp <bench classpath> io.fluxer.bench.DeltaSavings [publications]}
 */
public final class DeltaSavings {
  private DeltaSavings() {}

  public static void main(String[] args) {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
    Random random = new Random(42);
    System.out.println("| payload | publications | avg data bytes | codec | plain frames | delta frames | saved |");
    System.out.println("|---|---|---|---|---|---|---|");
    report("scoreboard: 40 players, 3 scores change", count, scoreboard(random));
    report("order book: 2 × 20 levels, 4 levels change", count, orderBook(random));
    report("chat message: new text each time", count, chat(random));
  }

  private static void report(String name, int count, IntFunction<JsonObject> payloads) {
    String[] data = new String[count];
    long dataBytes = 0;
    for (int i = 0; i < count; i++) {
      data[i] = payloads.apply(i).encode();
      dataBytes += data[i].length();
    }
    for (ClientCodec codec : new ClientCodec[] {JsonCodec.INSTANCE, new ProtobufCodec(1 << 20)}) {
      long plain = 0;
      long delta = 0;
      Publication previous = null;
      for (int i = 0; i < count; i++) {
        Publication p = new Publication(i + 1, data[i], null, Map.of(), true);
        Delivery d = Delivery.publication("scores:final", p, "epoch", 0);
        plain += d.frame(codec).length;
        delta += d.deltaFrame(codec, previous).length;
        previous = p;
      }
      System.out.printf(Locale.ROOT, "| %s | %,d | %,d | %s | %,d | %,d | %.1f %% |%n", name, count, dataBytes / count,
          codec.name(), plain, delta, 100.0 * (plain - delta) / plain);
    }
  }

  private static IntFunction<JsonObject> scoreboard(Random random) {
    int[] scores = new int[40];
    return round -> {
      for (int k = 0; k < 3; k++) {
        scores[random.nextInt(scores.length)] += 1 + random.nextInt(5);
      }
      JsonArray players = new JsonArray();
      for (int i = 0; i < scores.length; i++) {
        players.add(new JsonObject().put("id", "player-" + i).put("name", "Player " + i)
            .put("team", i % 2 == 0 ? "red" : "blue").put("score", scores[i]));
      }
      return new JsonObject().put("match", "final").put("round", round).put("players", players);
    };
  }

  private static IntFunction<JsonObject> orderBook(Random random) {
    long[][] sizes = new long[2][20];
    for (long[] side : sizes) {
      for (int i = 0; i < side.length; i++) {
        side[i] = 100 + random.nextInt(10_000);
      }
    }
    return seq -> {
      for (int k = 0; k < 4; k++) {
        sizes[random.nextInt(2)][random.nextInt(20)] = 100 + random.nextInt(10_000);
      }
      JsonObject book = new JsonObject().put("symbol", "FLUX-EUR").put("seq", seq);
      String[] sides = {"bids", "asks"};
      for (int s = 0; s < 2; s++) {
        JsonArray levels = new JsonArray();
        for (int i = 0; i < 20; i++) {
          double price = s == 0 ? 101.25 - i * 0.05 : 101.30 + i * 0.05;
          levels.add(new JsonArray().add(String.format(Locale.ROOT, "%.2f", price)).add(sizes[s][i]));
        }
        book.put(sides[s], levels);
      }
      return book;
    };
  }

  private static IntFunction<JsonObject> chat(Random random) {
    String letters = "abcdefghijklmnopqrstuvwxyz     ";
    return n -> {
      StringBuilder text = new StringBuilder();
      int length = 20 + random.nextInt(120);
      for (int i = 0; i < length; i++) {
        text.append(letters.charAt(random.nextInt(letters.length())));
      }
      return new JsonObject().put("user", "user-" + random.nextInt(50)).put("text", text.toString()).put("n", n);
    };
  }
}
