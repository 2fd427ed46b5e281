package io.fluxer.relay.protocol;

import static io.fluxer.relay.protocol.FossilDeltaTest.isUtf8;
import static io.fluxer.relay.protocol.FossilDeltaTest.mutateBytes;
import static io.fluxer.relay.protocol.FossilDeltaTest.mutateText;
import static io.fluxer.relay.protocol.FossilDeltaTest.randomBytes;
import static io.fluxer.relay.protocol.FossilDeltaTest.randomText;
import static io.fluxer.relay.protocol.FossilDeltaTest.tick;
import static io.fluxer.relay.protocol.FossilDeltaTest.ticker;
import static io.fluxer.relay.protocol.FossilDeltaTest.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxer.relay.testing.NodeScript;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deltas made by {@link FossilDelta} applied by the official centrifuge-js SDK (fossil-check.mjs),
 * as a subscription applies them: the first publication whole, the next ones as deltas against the
 * previous one; JSON data as the JSON strings the wire carries, Protobuf data as bytes.
 */
class FossilDeltaClientTest {
  private static final String SCRIPT = "fossil-check.mjs";

  /** A publication as the script gets it: data is a JSON string's value (json) or base64 (protobuf). */
  private record Pub(boolean delta, String data) {}

  /** Publications and what each must decode to; no values when the SDK must refuse the delta. */
  private record Case(String codec, List<Pub> pubs, List<byte[]> expected) {
    JsonObject toJson(int id) {
      JsonArray array = new JsonArray();
      pubs.forEach(p -> array.add(new JsonObject().put("delta", p.delta()).put("data", p.data())));
      return new JsonObject().put("id", id).put("codec", codec).put("pubs", array);
    }
  }

  @Test
  void centrifugeJsAppliesTheDeltas(@TempDir Path dir) throws Exception {
    Random random = new Random(20);
    List<Case> cases = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      JsonObject state = ticker(random);
      List<byte[]> values = new ArrayList<>();
      values.add(state.toBuffer().getBytes());
      for (int k = 0; k < 4; k++) {
        tick(state, random);
        values.add(state.toBuffer().getBytes());
      }
      cases.add(jsonStream(values));
    }
    for (int i = 0; i < 40; i++) {
      String text = randomText(random, 1 + random.nextInt(300));
      List<byte[]> values = new ArrayList<>();
      for (int k = 0; k < 5; k++) {
        values.add(new JsonObject().put("seq", k).put("text", text).toBuffer().getBytes());
        text = mutateText(random, text);
      }
      cases.add(jsonStream(values));
    }
    byte[] sample = randomBytes(random, 100);
    cases.add(bytesPair(new byte[0], new byte[0]));
    cases.add(bytesPair(new byte[0], sample));
    cases.add(bytesPair(sample, new byte[0]));
    cases.add(bytesPair(sample, sample));
    cases.add(bytesPair(new byte[] {1, 2, 3}, sample));
    while (cases.size() < 180) {
      byte[] source = randomBytes(random, random.nextInt(8000));
      cases.add(bytesPair(source, mutateBytes(random, source)));
    }
    for (int i = 0; i < 10; i++) {
      byte[] source = utf8(new JsonObject().put("n", i).put("text", randomText(random, 100)).encode());
      cases.add(againstOtherSource("json", source, utf8(new String(source, StandardCharsets.UTF_8)
          .replace("\"n\"", "\"N\""))));
      byte[] bytes = randomBytes(random, 200 + random.nextInt(2000));
      byte[] flipped = bytes.clone();
      flipped[random.nextInt(bytes.length)] ^= 1;
      cases.add(againstOtherSource("protobuf", bytes, flipped));
    }

    Path casesFile = dir.resolve("cases.jsonl");
    Path resultsFile = dir.resolve("results.jsonl");
    List<String> lines = new ArrayList<>();
    for (int id = 0; id < cases.size(); id++) {
      lines.add(cases.get(id).toJson(id).encode());
    }
    Files.write(casesFile, lines);

    JsonObject summary = NodeScript.run(SCRIPT, Map.of("FOSSIL_CASES", casesFile.toString(),
        "FOSSIL_RESULTS", resultsFile.toString()), Duration.ofSeconds(60)).summary();

    List<JsonObject> results = Files.readAllLines(resultsFile).stream().map(JsonObject::new)
        .collect(Collectors.toList());
    assertThat(results).hasSize(cases.size());
    int deltas = 0;
    int refused = 0;
    for (JsonObject result : results) {
      int id = result.getInteger("id");
      Case c = cases.get(id);
      if (c.expected() == null) {
        assertThat(result.getString("error")).as("case %d", id).isEqualTo("bad checksum");
        refused++;
        continue;
      }
      assertThat(result.getString("error")).as("case %d (%s)", id, c.codec()).isNull();
      JsonArray values = result.getJsonArray("values");
      assertThat(values).as("case %d", id).hasSize(c.expected().size());
      for (int k = 0; k < values.size(); k++) {
        assertThat(Base64.getDecoder().decode(values.getString(k)))
            .as("case %d (%s), publication %d", id, c.codec(), k).isEqualTo(c.expected().get(k));
      }
      deltas += values.size() - 1;
    }
    System.out.printf("centrifuge-js applied %d deltas made by FossilDelta in %d cases, all as made; "
        + "refused the %d made against other bytes%n", deltas, cases.size() - refused, refused);
    assertThat(summary.getInteger("cases")).isEqualTo(cases.size());
    assertThat(summary.getInteger("errors")).isEqualTo(refused).isEqualTo(20);
  }

  /** A JSON subscription's publications: the first whole, the rest deltas, all as JSON strings. */
  private static Case jsonStream(List<byte[]> values) {
    List<Pub> pubs = new ArrayList<>();
    pubs.add(new Pub(false, new String(values.get(0), StandardCharsets.UTF_8)));
    for (int k = 1; k < values.size(); k++) {
      byte[] delta = FossilDeltaTest.assertRoundTrip(values.get(k - 1), values.get(k));
      assertThat(isUtf8(delta)).as("delta of JSON is UTF-8").isTrue();
      pubs.add(new Pub(true, new String(delta, StandardCharsets.UTF_8)));
    }
    return new Case("json", pubs, values);
  }

  /** A Protobuf subscription's two publications: source whole, then target as a delta. */
  private static Case bytesPair(byte[] source, byte[] target) {
    byte[] delta = FossilDeltaTest.assertRoundTrip(source, target);
    return new Case("protobuf", List.of(new Pub(false, base64(source)), new Pub(true, base64(delta))),
        List.of(source, target));
  }

  /**
   * A delta made against {@code source} that the client applies to {@code other}, of the same
   * length: its checksum fails, in FossilDelta as in the SDK.
   */
  private static Case againstOtherSource(String codec, byte[] source, byte[] other) {
    byte[] delta = FossilDelta.create(source, source);
    assertThatThrownBy(() -> FossilDelta.apply(other, delta)).isInstanceOf(FossilDelta.DeltaException.class);
    boolean json = codec.equals("json");
    return new Case(codec, List.of(
        new Pub(false, json ? new String(other, StandardCharsets.UTF_8) : base64(other)),
        new Pub(true, json ? new String(delta, StandardCharsets.UTF_8) : base64(delta))), null);
  }

  private static String base64(byte[] data) {
    return Base64.getEncoder().encodeToString(data);
  }
}
