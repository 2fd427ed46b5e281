package io.fluxer.relay.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxer.relay.protocol.FossilDelta.DeltaException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class FossilDeltaTest {
  private static final String DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~";

  // ---- known deltas, written from the format ----

  @Test
  void aSourceOfAtMost16BytesGivesOneInsert() {
    byte[] delta = FossilDelta.create(ascii("short source"), ascii("hello"));
    assertThat(text(delta)).isEqualTo("5\n5:hello" + base64(referenceChecksum(ascii("hello"))) + ";");
  }

  @Test
  void aSharedPrefixIsCopiedAndTheRestInserted() {
    byte[] source = ascii("abcdefghijklmnopqrstuvwxyz1234567890");
    byte[] target = ascii("abcdefghijklmnopqrstuvwxyz0987654321");
    // 36 bytes ('_'); copy 26 ('Q') from 0; insert 10 ('A')
    String expected = "_\nQ@0,A:0987654321" + base64(referenceChecksum(target)) + ";";
    assertThat(text(FossilDelta.create(source, target))).isEqualTo(expected);
    assertThat(FossilDelta.apply(source, ascii(expected))).isEqualTo(target);
  }

  @Test
  void appliesADeltaMadeElsewhere() {
    // a delta quoted in a public issue about a Centrifugo client: copy all 64 bytes, checksum 2zOyWD
    byte[] base = ascii("{\"event\":\"price\",\"channel\":\"market-data\",\"data\":{\"asset\":\"BTC\"}}");
    assertThat(FossilDelta.apply(base, ascii("10\n10@0,2zOyWD;"))).isEqualTo(base);
    assertThat(text(FossilDelta.create(base, base))).isEqualTo("10\n10@0,2zOyWD;");
  }

  @Test
  void appliesCommandsInAnyOrder() {
    byte[] source = ascii("0123456789abcdefghij");
    byte[] target = ascii("abcXY0123abc");
    String delta = "C\n3@A,2:XY4@0,3@A," + base64(referenceChecksum(target)) + ";";
    assertThat(FossilDelta.apply(source, ascii(delta))).isEqualTo(target);
  }

  @Test
  void checksumIsTheSumOfBigEndianWords() {
    Random random = new Random(1);
    for (int length = 0; length < 200; length++) {
      byte[] data = new byte[length];
      random.nextBytes(data);
      assertThat(Integer.toUnsignedLong(FossilDelta.checksum(data, length)))
          .as("length %d", length).isEqualTo(referenceChecksum(data));
    }
  }

  // ---- round trips ----

  @Test
  void roundTripsEdgeCases() {
    byte[] text = ascii("The quick brown fox jumps over the lazy dog, again and again and again.");
    byte[][][] pairs = {
        {new byte[0], new byte[0]},
        {new byte[0], text},
        {text, new byte[0]},
        {ascii("a"), ascii("b")},
        {text, text},
        {text, Arrays.copyOf(text, 17)},
        {Arrays.copyOfRange(text, 3, 19), text},
        {text, concat(text, text, text)},
    };
    for (byte[][] pair : pairs) {
      assertRoundTrip(pair[0], pair[1]);
    }
  }

  @Test
  void identicalInputGivesATinyDelta() {
    byte[] data = randomBytes(new Random(2), 10_000);
    byte[] delta = assertRoundTrip(data, data);
    assertThat(delta.length).isLessThan(20);
  }

  @Test
  void unrelatedInputCostsOnlyTheFraming() {
    Random random = new Random(3);
    byte[] source = randomBytes(random, 4096);
    byte[] target = randomBytes(random, 4096);
    byte[] delta = assertRoundTrip(source, target);
    assertThat(delta.length).isLessThanOrEqualTo(target.length + 16);
  }

  @Test
  @Timeout(10)
  void aMegabyteWithAFewEditsGivesASmallDelta() {
    Random random = new Random(4);
    byte[] source = randomBytes(random, 1 << 20);
    byte[] target = source.clone();
    for (int i = 0; i < 20; i++) {
      target[random.nextInt(target.length)] ^= 0x55;
    }
    target = concat(Arrays.copyOfRange(target, 0, 500_000), ascii("inserted in the middle"),
        Arrays.copyOfRange(target, 500_100, target.length));
    long start = System.nanoTime();
    byte[] delta = assertRoundTrip(source, target);
    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.printf("fossil delta, 1 MiB with 22 edits: %d bytes (%.4f%% of the target), create+apply %d ms%n",
        delta.length, 100.0 * delta.length / target.length, millis);
    assertThat(delta.length).isLessThan(2_000);
  }

  @Test
  @Timeout(10)
  void repetitiveInputStaysFast() {
    byte[] zeros = new byte[1 << 20];
    byte[] almost = zeros.clone();
    for (int i = 0; i < almost.length; i += 4096) {
      almost[i] = 1;
    }
    assertThat(assertRoundTrip(zeros, zeros).length).isLessThan(20);
    assertThat(assertRoundTrip(zeros, almost).length).isLessThan(almost.length / 100);
  }

  @Test
  void aRealisticJsonStreamCompressesWell() {
    Random random = new Random(5);
    JsonObject state = ticker(random);
    byte[] previous = state.toBuffer().getBytes();
    long fullBytes = 0;
    long deltaBytes = 0;
    long fullWire = 0;
    long deltaWire = 0;
    int updates = 100;
    for (int i = 0; i < updates; i++) {
      tick(state, random);
      byte[] next = state.toBuffer().getBytes();
      byte[] delta = assertRoundTrip(previous, next);
      fullBytes += next.length;
      deltaBytes += delta.length;
      // what the JSON protocol carries: the data as a JSON string, in full or as a delta
      fullWire += jsonString(next).length;
      deltaWire += jsonString(delta).length;
      previous = next;
    }
    System.out.printf("fossil delta, %d updates of a %d-byte JSON ticker: %d bytes per delta vs %d in full "
            + "(%.1f%%); as JSON strings %d vs %d (%.1f%%)%n",
        updates, previous.length, deltaBytes / updates, fullBytes / updates, 100.0 * deltaBytes / fullBytes,
        deltaWire / updates, fullWire / updates, 100.0 * deltaWire / fullWire);
    assertThat(previous.length).isBetween(1_800, 2_600);
    assertThat(deltaBytes).isLessThan(fullBytes / 5);
  }

  // ---- UTF-8: the JSON protocol carries a delta as a JSON string ----

  @Test
  void aChangedCharacterIsInsertedWhole() {
    String prefix = "{\"id\":1712,\"table\":\"terrace\",\"order\":\"caf";
    String suffix = " au lait, oat milk, served hot\",\"paid\":true}";
    byte[] source = utf8(prefix + "é" + suffix);
    byte[] target = utf8(prefix + "è" + suffix); // é is C3 A9, è is C3 A8: they share a byte
    byte[] delta = assertRoundTrip(source, target);
    assertThat(isUtf8(delta)).as(text(delta)).isTrue();
    assertThat(text(delta)).contains("2:è");
  }

  @Test
  void deltasOfUtf8TextAreUtf8() {
    Random random = new Random(6);
    for (int i = 0; i < 500; i++) {
      byte[] source = utf8(randomText(random, random.nextInt(600)));
      byte[] target = utf8(mutateText(random, new String(source, StandardCharsets.UTF_8)));
      byte[] delta = assertRoundTrip(source, target);
      assertThat(isUtf8(delta)).as("case %d: %s", i, text(delta)).isTrue();
    }
  }

  // ---- malformed deltas ----

  @Test
  void rejectsMalformedDeltas() {
    byte[] source = ascii("0123456789abcdefghij");
    String sum = base64(referenceChecksum(ascii("0123")));
    assertRejected(source, "", "number expected in the target length");
    assertRejected(source, "4", "delta ends inside the target length");
    assertRejected(source, "4;", "target length not terminated by '\\n'");
    assertRejected(source, "4\n", "delta ends without a checksum");
    assertRejected(source, "4\n4@0," + sum, "delta ends inside the command");
    assertRejected(source, "4\n4@0", "delta ends inside the copy command");
    assertRejected(source, "4\n4@0;" + sum + ";", "copy command not terminated by ','");
    assertRejected(source, "4\n@0," + sum + ";", "number expected in the command");
    assertRejected(source, "4\n4#0," + sum + ";", "unknown command '#'");
    assertRejected(source, "4\n4@K," + sum + ";", "extends past the end of the 20-byte source");
    assertRejected(source, "4\n5@0," + sum + ";", "copy of 5 bytes exceeds the target length 4");
    assertRejected(source, "4\n5:01234" + sum + ";", "insert of 5 bytes exceeds the target length 4");
    assertRejected(source, "4\n4:012", "insert of 4 bytes runs past the end of the delta");
    assertRejected(source, "5\n4@0," + sum + ";", "delta makes 4 bytes, its header says 5");
    assertRejected(source, "4\n4@0,1;", "checksum mismatch");
    assertRejected(source, "4\n4@0," + sum + ";x", "bytes after the checksum");
    assertRejected(source, "4\n4@0,~~~~~~~;", "number too large in the command");
    assertRejected(source, "2~~~~~\n1@0," + sum + ";", "target length 3221225471 is too large");
    assertThat(FossilDelta.apply(source, ascii("4\n4@0," + sum + ";"))).isEqualTo(ascii("0123"));
  }

  @Test
  void aHugeClaimedLengthAllocatesNothingUpFront() {
    // 2^31 - 1 bytes claimed, 4 made: must fail on the sizes, not run out of memory
    assertThatThrownBy(() -> FossilDelta.apply(new byte[20], ascii("1~~~~~\n4@0,0;")))
        .isInstanceOf(DeltaException.class).hasMessageContaining("its header says 2147483647");
  }

  @Test
  void aDeltaAppliedToOtherSourceBytesFailsItsChecksum() {
    Random random = new Random(7);
    byte[] source = randomBytes(random, 2000);
    byte[] target = source.clone();
    target[1000] ^= 1;
    byte[] delta = FossilDelta.create(source, target);
    byte[] otherSource = source.clone();
    otherSource[10] ^= 1;
    assertThatThrownBy(() -> FossilDelta.apply(otherSource, delta))
        .isInstanceOf(DeltaException.class).hasMessageContaining("checksum mismatch");
  }

  @Test
  void corruptedDeltasFailOnlyWithDeltaException() {
    Random random = new Random(8);
    int rejected = 0;
    for (int i = 0; i < 2_000; i++) {
      byte[] source = randomBytes(random, random.nextInt(300));
      byte[] delta = FossilDelta.create(source, mutateBytes(random, source));
      byte[] corrupt = delta.clone();
      for (int k = 1 + random.nextInt(3); k > 0; k--) {
        int at = random.nextInt(corrupt.length);
        corrupt[at] = random.nextBoolean() ? (byte) random.nextInt(256)
            : (byte) DIGITS.charAt(random.nextInt(64));
      }
      try {
        FossilDelta.apply(source, corrupt);
      } catch (DeltaException e) {
        rejected++;
      }
    }
    assertThat(rejected).isGreaterThan(1_500);
  }

  // ---- randomized round trips ----

  @Test
  void roundTripsRandomMutations() {
    Random random = new Random(17);
    long sourceBytes = 0;
    long deltaBytes = 0;
    for (int i = 0; i < 2_000; i++) {
      byte[] source;
      byte[] target;
      if (i % 2 == 0) {
        source = i % 4 == 0 ? randomBytes(random, random.nextInt(5000))
            : smallAlphabet(random, random.nextInt(5000));
        target = mutateBytes(random, source);
      } else {
        String text = randomText(random, random.nextInt(2000));
        source = utf8(text);
        target = utf8(mutateText(random, text));
      }
      byte[] delta = assertRoundTrip(source, target);
      sourceBytes += target.length;
      deltaBytes += delta.length;
    }
    System.out.printf("fossil delta, 2000 random mutations: deltas are %.1f%% of the targets%n",
        100.0 * deltaBytes / sourceBytes);
  }

  // ---- helpers, shared with FossilDeltaClientTest ----

  static byte[] assertRoundTrip(byte[] source, byte[] target) {
    byte[] delta = FossilDelta.create(source, target);
    assertThat(FossilDelta.apply(source, delta)).as("apply(create(source, target))").isEqualTo(target);
    return delta;
  }

  private static void assertRejected(byte[] source, String delta, String message) {
    assertThatThrownBy(() -> FossilDelta.apply(source, ascii(delta)))
        .as("delta %s", delta.replace("\n", "\\n"))
        .isInstanceOf(DeltaException.class).hasMessageContaining(message);
  }

  /** The checksum by its definition: bytes as big-endian 32-bit words, zero-padded, summed mod 2^32. */
  static long referenceChecksum(byte[] data) {
    long sum = 0;
    for (int i = 0; i < data.length; i++) {
      sum += (long) (data[i] & 0xff) << (24 - 8 * (i % 4));
    }
    return sum & 0xffffffffL;
  }

  private static String base64(long v) {
    StringBuilder s = new StringBuilder();
    do {
      s.insert(0, DIGITS.charAt((int) (v & 63)));
      v >>>= 6;
    } while (v != 0);
    return s.toString();
  }

  /** A market ticker of about 2 KB, as a channel of price updates would carry. */
  static JsonObject ticker(Random random) {
    JsonArray bids = new JsonArray();
    JsonArray asks = new JsonArray();
    for (int i = 0; i < 20; i++) {
      bids.add(new JsonObject().put("price", 64_000.5 - i * 0.5).put("size", random.nextInt(10_000) / 1000.0)
          .put("orders", random.nextInt(40)));
      asks.add(new JsonObject().put("price", 64_001.0 + i * 0.5).put("size", random.nextInt(10_000) / 1000.0)
          .put("orders", random.nextInt(40)));
    }
    return new JsonObject()
        .put("type", "ticker")
        .put("symbol", "BTC-EUR")
        .put("exchange", "Börse Frankfurt — Xetra")
        .put("sequence", 1_000_000)
        .put("time", "2025-06-01T12:00:00.000Z")
        .put("last", 64_000.75)
        .put("open24h", 63_120.0)
        .put("high24h", 64_410.25)
        .put("low24h", 62_980.5)
        .put("volume24h", 1234.5678)
        .put("status", "open")
        .put("bids", bids)
        .put("asks", asks)
        .put("notes", "Prix indicatifs, données différées de 15 minutes ✓");
  }

  /** One update: the sequence, time, last price, and a few book levels change. */
  static void tick(JsonObject ticker, Random random) {
    int sequence = ticker.getInteger("sequence") + 1 + random.nextInt(3);
    ticker.put("sequence", sequence);
    ticker.put("time", String.format("2025-06-01T12:%02d:%02d.%03dZ", sequence / 60 % 60, sequence % 60,
        random.nextInt(1000)));
    ticker.put("last", Math.round((ticker.getDouble("last") + random.nextInt(21) - 10) * 4) / 4.0);
    ticker.put("volume24h", Math.round((ticker.getDouble("volume24h") + random.nextDouble()) * 10_000) / 10_000.0);
    for (int k = 0; k < 3; k++) {
      JsonArray side = ticker.getJsonArray(random.nextBoolean() ? "bids" : "asks");
      side.getJsonObject(random.nextInt(side.size())).put("size", random.nextInt(10_000) / 1000.0);
    }
  }

  static byte[] randomBytes(Random random, int length) {
    byte[] data = new byte[length];
    random.nextBytes(data);
    return data;
  }

  /** Bytes from a four-letter alphabet: many spurious hash hits. */
  private static byte[] smallAlphabet(Random random, int length) {
    byte[] data = new byte[length];
    for (int i = 0; i < length; i++) {
      data[i] = (byte) "ACGT".charAt(random.nextInt(4));
    }
    return data;
  }

  /** Up to 8 edits: replaced, inserted, deleted, duplicated or moved runs, some of them new bytes. */
  static byte[] mutateBytes(Random random, byte[] source) {
    byte[] data = source.clone();
    for (int edits = random.nextInt(9); edits > 0; edits--) {
      int at = data.length == 0 ? 0 : random.nextInt(data.length);
      int len = Math.min(data.length - at, random.nextInt(64));
      byte[] run = random.nextBoolean() ? randomBytes(random, 1 + random.nextInt(40))
          : Arrays.copyOfRange(data, at, at + len);
      int to = data.length == 0 ? 0 : random.nextInt(data.length);
      data = switch (random.nextInt(4)) {
        case 0 -> concat(Arrays.copyOfRange(data, 0, at), run, Arrays.copyOfRange(data, Math.min(data.length, at + run.length), data.length));
        case 1 -> concat(Arrays.copyOfRange(data, 0, to), run, Arrays.copyOfRange(data, to, data.length));
        case 2 -> concat(Arrays.copyOfRange(data, 0, at), Arrays.copyOfRange(data, at + len, data.length));
        default -> concat(Arrays.copyOfRange(data, 0, to), Arrays.copyOfRange(data, at, at + len),
            Arrays.copyOfRange(data, to, data.length));
      };
    }
    return data;
  }

  private static final String[] WORDS = {"price", "size", "é", "naïve", "Größe", "日本語", "價格", "😀", "🚀",
      "\"quoted\"", "\\", "\n", "{", "}", ":", ",", "0", "42", "3.14", " ", "ü", "ß", "я", "ω"};

  static String randomText(Random random, int words) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < words; i++) {
      s.append(WORDS[random.nextInt(WORDS.length)]);
    }
    return s.toString();
  }

  /** Up to 8 edits on whole words, so the result is valid text. */
  static String mutateText(Random random, String text) {
    StringBuilder s = new StringBuilder(text);
    for (int edits = random.nextInt(9); edits > 0; edits--) {
      int at = s.isEmpty() ? 0 : s.offsetByCodePoints(0, random.nextInt(s.codePointCount(0, s.length())));
      switch (random.nextInt(3)) {
        case 0 -> s.insert(at, randomText(random, 1 + random.nextInt(5)));
        case 1 -> s.delete(at, s.offsetByCodePoints(at, Math.min(s.codePointCount(at, s.length()), random.nextInt(6))));
        default -> {
          int end = s.offsetByCodePoints(at, Math.min(s.codePointCount(at, s.length()), 1));
          s.replace(at, end, WORDS[random.nextInt(WORDS.length)]);
        }
      }
    }
    return s.toString();
  }

  static boolean isUtf8(byte[] data) {
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(data));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  private static byte[] jsonString(byte[] utf8) {
    return utf8(Json.encode(new String(utf8, StandardCharsets.UTF_8)));
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String text(byte[] delta) {
    return new String(delta, StandardCharsets.UTF_8);
  }
}
