package io.fluxer.relay.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The relay's frame writer writes what Jackson writes, and a frame parses back to what went in. */
class JsonWriterTest {
  private static final JsonFactory JACKSON = new JsonFactory();

  @Test
  void stringsAreEscapedAsJacksonEscapesThemAndParseBack() throws Exception {
    Random random = new Random(42);
    String[] fixed = {"", "plain", "quote \" backslash \\ slash /", "\n\r\t\b\f\u0000\u001f\u007f",
        "é ü ß", "日本語", "emoji 😀 pair", "€"};
    for (String s : fixed) {
      check(s, 7);
    }
    for (int i = 0; i < 20_000; i++) {
      StringBuilder sb = new StringBuilder();
      int n = random.nextInt(20);
      for (int j = 0; j < n; j++) {
        int kind = random.nextInt(4);
        sb.appendCodePoint(switch (kind) {
          case 0 -> random.nextInt(0x80);
          case 1 -> 0x80 + random.nextInt(0x780);
          case 2 -> 0x800 + random.nextInt(0xD000 - 0x800);
          default -> 0x10000 + random.nextInt(0x10FFFF - 0x10000);
        });
      }
      long number = random.nextLong() >> random.nextInt(64);
      check(sb.toString(), number);
    }
    assertThat(ours("x", Long.MIN_VALUE)).isEqualTo(jackson("x", Long.MIN_VALUE));
    assertThat(ours("x", Long.MAX_VALUE)).isEqualTo(jackson("x", Long.MAX_VALUE));
  }

  @Test
  void aLoneSurrogateBecomesTheReplacementCharacter() {
    JsonWriter w = JsonWriter.local();
    w.writeStartObject();
    w.writeStringField("s", "a\uD800b");
    w.writeEndObject();
    assertThat(new JsonObject(new String(w.toByteArray(), StandardCharsets.UTF_8)).getString("s"))
        .isEqualTo("a\uFFFDb");
  }

  @Test
  void nestingCommasRawValuesAndAReusedBuffer() {
    for (int round = 0; round < 2; round++) {
      JsonWriter w = JsonWriter.local();
      w.writeStartObject();
      w.writeNumberField("id", 3);
      w.writeFieldName("list");
      w.writeStartArray();
      w.writeStartObject();
      w.writeBooleanField("a", true);
      w.writeEndObject();
      w.writeStartObject();
      w.writeEndObject();
      w.writeEndArray();
      w.writeFieldName("data");
      w.writeRawValue("{\"x\": [1, 2]}");
      w.writeFieldName("big");
      w.writeRawValue("\"" + "y".repeat(100_000) + "\"");
      w.writeEndObject();
      JsonObject back = new JsonObject(new String(w.toByteArray(), StandardCharsets.UTF_8));
      assertThat(back.getLong("id")).isEqualTo(3);
      assertThat(back.getJsonArray("list").encode()).isEqualTo("[{\"a\":true},{}]");
      assertThat(back.getJsonObject("data").getJsonArray("x").size()).isEqualTo(2);
      assertThat(back.getString("big")).hasSize(100_000);
    }
  }

  /**
   * Parses back to what went in; byte for byte what Jackson writes, except that characters beyond
   * the BMP are written as 4-byte UTF-8 where Jackson escapes them as a surrogate pair.
   */
  private static void check(String s, long n) throws Exception {
    byte[] ours = ours(s, n);
    JsonObject back = new JsonObject(new String(ours, StandardCharsets.UTF_8));
    assertThat(back.getString("s")).isEqualTo(s);
    assertThat(back.getLong("n")).isEqualTo(n);
    if (s.codePoints().allMatch(Character::isBmpCodePoint)) {
      assertThat(ours).as("%s / %d", s, n).isEqualTo(jackson(s, n));
    }
  }

  private static byte[] ours(String s, long n) {
    JsonWriter w = JsonWriter.local();
    w.writeStartObject();
    w.writeStringField("s", s);
    w.writeNumberField("n", n);
    w.writeEndObject();
    return w.toByteArray();
  }

  private static byte[] jackson(String s, long n) throws Exception {
    try (ByteArrayBuilder out = new ByteArrayBuilder(); JsonGenerator g = JACKSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("s", s);
      g.writeNumberField("n", n);
      g.writeEndObject();
      g.flush();
      return out.toByteArray();
    }
  }
}
