package io.fluxer.relay.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link CommandDecoder} against the Jackson-based decoder it replaced ({@link JacksonCommandDecoder}):
 * for every frame, both reject it or both return equal commands (field errors included, with their
 * text). The frames are generated from fixed seeds: valid commands of every method with fields of
 * the right and wrong types, duplicate and unknown fields, escapes, unicode, numbers at the limits,
 * nesting around the depth limit, names and numbers around their length limits, then the same
 * frames cut short or with characters inserted, removed and replaced.
 */
class CommandDecoderDifferentialTest {
  /** Random frames per seed; with {@link #SEEDS} seeds, the count in {@link #randomFramesAgree}. */
  private static final int FRAMES_PER_SEED = 25_000;
  private static final int SEEDS = 8;

  private static final String[] METHODS = {
      "connect", "subscribe", "unsubscribe", "publish", "presence", "presence_stats", "history", "rpc", "send",
      "refresh", "sub_refresh", "bogus", "Publish"};
  private static final String[] FIELDS = {
      "data", "tf", "token", "name", "version", "channel", "epoch", "method", "delta", "recover", "positioned",
      "recoverable", "join_leave", "reverse", "offset", "limit", "flag", "type", "since", "subs", "id", "x",
      "dat\\u0061", "\\u0063hannel", "chann\\/el", "", "data ", "DATA"};
  private static final String[] STRINGS = {
      "\"\"", "\"c\"", "\"chat:1\"", "\"a\\nb\"", "\"\\u0041\"", "\"\\ud800\"", "\"\\uD83D\\uDE00\"", "\"é\"",
      "\"\ud83d\ude00\"", "\"\\\"q\\\"\"", "\"\\/\"", "\"12\"", "\"-1\"", "\"+5\"", "\" 7\"", "\"007\"",
      "\"9223372036854775807\"", "\"9223372036854775808\"", "\"-9223372036854775808\"", "\"2147483648\"",
      "\"1e3\"", "\"null\"", "\"\\u00e9\\t\\r\\b\\f\"", "\"fossil\"", "\"\\\\\""};
  private static final String[] NUMBERS = {
      "0", "-0", "1", "-1", "2", "1.5", "1e2", "1E+2", "1e-2", "0.0", "-0.0", "12", "255", "4294967295",
      "4294967296", "2147483647", "2147483648", "-2147483648", "-2147483649", "9223372036854775807",
      "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "99999999999999999999",
      "18446744073709551616", "1.0", "100", "3", "0e0", "1e400", "-1e-400"};
  private static final String[] TAG_FILTERS = {
      "{\"key\":\"a\",\"cmp\":\"eq\",\"val\":\"b\"}", "{\"op\":\"and\",\"nodes\":[{\"key\":\"a\",\"cmp\":\"ex\"}]}",
      "{\"key\":\"a\",\"cmp\":\"nope\"}", "{\"key\":5}", "[]", "\"tf\"", "null", "{}"};
  private static final char[] NOISE = {
      '{', '}', '[', ']', ',', ':', '"', '\\', 'u', '0', '9', '-', '+', '.', 'e', 'E', 'a', 't', 'n', 'f', ' ',
      '\n', '\r', '\t', '\u0000', '\u001f', '\u007f', 'é', '\ud83d', '\ude00', '\ufeff', '/', '#', '\'', '*'};

  private interface Decoder {
    List<Command> decode(String frame) throws ProtocolException;
  }

  private static Object outcome(Decoder decoder, String frame) {
    try {
      return decoder.decode(frame);
    } catch (ProtocolException e) {
      return "rejected";
    } catch (RuntimeException | StackOverflowError e) {
      return "threw " + e.getClass().getName();
    }
  }

  /** Asserts both decoders agree on the frame; the outcome: the commands, or "rejected". */
  private static Object assertAgree(String frame) {
    Object expected = outcome(JacksonCommandDecoder::decode, frame);
    Object actual = outcome(CommandDecoder::decode, frame);
    assertThat(actual).as("frame %s", shown(frame)).isEqualTo(expected);
    return expected;
  }

  /** What the frames of a test came to: rejected, accepted, and accepted with a field error. */
  private static final class Tally {
    int rejected;
    int accepted;
    int invalid;

    void add(Object outcome) {
      if (outcome instanceof List<?> commands) {
        accepted++;
        if (commands.stream().anyMatch(c -> ((Command) c).request() instanceof Request.Invalid)) {
          invalid++;
        }
      } else {
        rejected++;
      }
    }
  }

  private static String shown(String frame) {
    StringBuilder b = new StringBuilder();
    String f = frame.length() > 400 ? frame.substring(0, 400) + "…(" + frame.length() + " chars)" : frame;
    for (char c : f.toCharArray()) {
      if (c < 0x20 || c > 0x7e) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  @Test
  void randomFramesAgree() {
    Tally tally = new Tally();
    for (int seed = 1; seed <= SEEDS; seed++) {
      Random r = new Random(seed);
      for (int i = 0; i < FRAMES_PER_SEED; i++) {
        String frame = frame(r);
        if (r.nextInt(3) > 0) {
          frame = mutate(r, frame);
        }
        tally.add(assertAgree(frame));
      }
    }
    assertThat(tally.accepted + tally.rejected).isEqualTo(200_000);
    // the frames reach every outcome, each many times
    assertThat(tally.accepted).isGreaterThan(40_000);
    assertThat(tally.rejected).isGreaterThan(40_000);
    assertThat(tally.invalid).isGreaterThan(10_000);
  }

  @Test
  void nestingAroundTheDepthLimitAgrees() {
    Tally tally = new Tally();
    for (int depth = 55; depth <= 70; depth++) {
      for (String open : new String[] {"[", "{\"a\":"}) {
        String close = open.equals("[") ? "]" : "}";
        String nested = open.repeat(depth) + "1" + close.repeat(depth);
        tally.add(assertAgree("{\"id\":1,\"publish\":{\"channel\":\"c\",\"data\":" + nested + "}}"));
        tally.add(assertAgree("{\"id\":1,\"x\":" + nested + "}"));
        assertAgree("{\"id\":1,\"publish\":{\"channel\":5,\"y\":" + nested + "}}");
        assertAgree("{\"id\":1,\"history\":{\"since\":{\"epoch\":" + nested + "}}}");
        assertAgree("{\"id\":1,\"connect\":{\"subs\":{\"c\":{\"data\":" + nested + "}}}}");
        assertAgree("{\"id\":1,\"publish\":{\"data\":" + nested.substring(0, nested.length() - 1) + "}}");
      }
      StringBuilder since = new StringBuilder("{\"id\":1,\"history\":");
      since.append("{\"since\":".repeat(depth)).append("{\"offset\":\"x\"}").append("}".repeat(depth)).append("}");
      assertAgree(since.toString());
    }
    assertThat(tally.accepted).isPositive();
    assertThat(tally.rejected).isPositive();
  }

  @Test
  void namesAndNumbersAroundTheirLengthLimitsAgree() {
    Tally names = new Tally();
    for (int length : new int[] {49_999, 50_000, 50_001}) {
      String name = "n".repeat(length);
      names.add(assertAgree("{\"id\":1,\"" + name + "\":1}"));
      assertAgree("{\"id\":1,\"connect\":{\"subs\":{\"" + name + "\":{}}}}");
      assertAgree("{\"id\":1,\"publish\":{\"data\":{\"" + name + "\":1},\"channel\":\"c\"}}");
      assertAgree("{\"id\":1,\"publish\":{\"channel\":5,\"x\":{\"" + name + "\":1}}}");
      assertAgree("{\"id\":1,\"\\u006e" + name.substring(1) + "\":1}");
    }
    assertThat(names.accepted).isEqualTo(2);
    assertThat(names.rejected).isEqualTo(1);
    Tally numbers = new Tally();
    for (int digits = 997; digits <= 1002; digits++) {
      String integer = "1" + "0".repeat(digits - 1);
      for (String n : new String[] {integer, "-" + integer, integer.substring(1) + ".5",
          "1." + "0".repeat(digits - 1), "1e" + "1".repeat(digits - 1), "1.0e" + "1".repeat(digits - 2),
          "1" + "0".repeat(digits / 2) + "." + "0".repeat(digits - digits / 2 - 2) + "E-1"}) {
        numbers.add(assertAgree("{\"id\":1,\"publish\":{\"channel\":\"c\",\"data\":" + n + "}}"));
        assertAgree("{\"id\":" + n + "}");
        assertAgree("{\"id\":1,\"subscribe\":{\"offset\":" + n + "}}");
        assertAgree("{\"id\":1,\"x\":[" + n + "]}");
      }
    }
    assertThat(numbers.accepted).isPositive();
    assertThat(numbers.rejected).isPositive();
  }

  @Test
  void stringsAroundTheLengthLimitAgree() {
    Tally data = new Tally();
    for (int length : new int[] {JsonCursor.MAX_STRING_LENGTH, JsonCursor.MAX_STRING_LENGTH + 1}) {
      String text = "s".repeat(length - 1);
      data.add(assertAgree("{\"id\":1,\"publish\":{\"channel\":\"c\",\"data\":\"" + text + "\\n\"}}"));
      assertAgree("{\"id\":1,\"publish\":{\"channel\":\"" + text + "x\",\"data\":1}}");
      assertAgree("{\"id\":1,\"publish\":{\"channel\":5,\"data\":\"" + text + "x\"}}");
      assertAgree("{\"id\":1,\"x\":\"" + text + "x\"}");
    }
    assertThat(data.accepted).isEqualTo(1);
    assertThat(data.rejected).isEqualTo(1);
  }

  @Test
  void everyCutOfValidFramesAgrees() {
    Random r = new Random(99);
    for (int i = 0; i < 300; i++) {
      String frame = frame(r);
      for (int cut = 0; cut <= frame.length(); cut++) {
        assertAgree(frame.substring(0, cut));
      }
    }
  }

  // ---- generation

  private static String frame(Random r) {
    StringBuilder b = new StringBuilder();
    b.append(whitespace(r));
    int commands = 1 + (r.nextInt(4) == 0 ? r.nextInt(3) : 0);
    for (int i = 0; i < commands; i++) {
      if (i > 0) {
        b.append(switch (r.nextInt(5)) {
          case 0 -> "\n";
          case 1 -> "\r\n";
          case 2 -> "";
          case 3 -> " \n\t";
          default -> "\n\n";
        });
      }
      b.append(command(r));
    }
    b.append(whitespace(r));
    return b.toString();
  }

  private static String whitespace(Random r) {
    return switch (r.nextInt(8)) {
      case 0 -> " ";
      case 1 -> "\n";
      case 2 -> "\r\n\t ";
      default -> "";
    };
  }

  private static String command(Random r) {
    List<String> members = new ArrayList<>();
    if (r.nextInt(10) > 0) {
      members.add("\"id\":" + (r.nextInt(5) > 0 ? String.valueOf(1 + r.nextInt(100)) : anyValue(r, 1)));
    }
    int methods = r.nextInt(8) == 0 ? r.nextInt(3) : 1;
    for (int i = 0; i < methods; i++) {
      String method = METHODS[r.nextInt(METHODS.length)];
      String key = r.nextInt(20) == 0 ? escapedName(method) : method;
      members.add("\"" + key + "\":" + (r.nextInt(15) == 0 ? anyValue(r, 1) : request(r, method, 2)));
    }
    if (r.nextInt(6) == 0) {
      members.add("\"" + FIELDS[r.nextInt(FIELDS.length)] + "\":" + anyValue(r, 1));
    }
    if (r.nextInt(15) == 0 && !members.isEmpty()) {
      members.add(members.get(r.nextInt(members.size()))); // a duplicate
    }
    if (r.nextBoolean()) {
      Collections.shuffle(members, r);
    }
    return object(r, members);
  }

  private static String escapedName(String name) {
    return "\\u" + String.format("%04x", (int) name.charAt(0)) + name.substring(1);
  }

  private static String object(Random r, List<String> members) {
    StringBuilder b = new StringBuilder("{");
    for (int i = 0; i < members.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append(r.nextInt(10) == 0 ? " " : "").append(members.get(i));
    }
    return b.append(r.nextInt(10) == 0 ? "\n}" : "}").toString();
  }

  /** A request object: mostly fields of the method with values of the right type. */
  private static String request(Random r, String method, int depth) {
    List<String> members = new ArrayList<>();
    int n = r.nextInt(6);
    for (int i = 0; i < n; i++) {
      String field = switch (method) {
        case "publish" -> pick(r, "channel", "data", "data", "x");
        case "subscribe" -> pick(r, "channel", "token", "recover", "offset", "epoch", "positioned", "recoverable",
            "join_leave", "data", "flag", "type", "tf", "delta", "since");
        case "connect" -> pick(r, "token", "data", "name", "version", "subs", "subs", "since");
        case "history" -> pick(r, "channel", "limit", "since", "reverse");
        case "rpc" -> pick(r, "method", "data");
        default -> FIELDS[r.nextInt(FIELDS.length)];
      };
      String value = r.nextInt(6) == 0 ? anyValue(r, depth + 1) : fieldValue(r, field, depth + 1);
      members.add("\"" + field + "\":" + value);
    }
    if (r.nextInt(8) == 0) {
      members.add("\"" + FIELDS[r.nextInt(FIELDS.length)] + "\":" + anyValue(r, depth + 1));
    }
    return object(r, members);
  }

  private static String pick(Random r, String... options) {
    return options[r.nextInt(options.length)];
  }

  private static String fieldValue(Random r, String field, int depth) {
    return switch (field) {
      case "recover", "positioned", "recoverable", "join_leave", "reverse" -> pick(r, "true", "false", "null");
      case "offset", "limit", "flag", "type" -> r.nextInt(4) == 0
          ? STRINGS[r.nextInt(STRINGS.length)] : NUMBERS[r.nextInt(NUMBERS.length)];
      case "tf" -> TAG_FILTERS[r.nextInt(TAG_FILTERS.length)];
      case "since" -> r.nextInt(6) == 0 ? "null" : request(r, "since", depth);
      case "subs" -> subs(r, depth);
      case "data" -> anyValue(r, depth);
      default -> r.nextInt(10) == 0 ? "null" : STRINGS[r.nextInt(STRINGS.length)];
    };
  }

  private static String subs(Random r, int depth) {
    List<String> members = new ArrayList<>();
    int n = r.nextInt(4);
    for (int i = 0; i < n; i++) {
      String channel = pick(r, "news", "chat:room", "", "\\u00e9", "a\\\"b", "news");
      members.add("\"" + channel + "\":" + (r.nextInt(8) == 0 ? anyValue(r, depth + 1) : request(r, "subscribe",
          depth + 1)));
    }
    return r.nextInt(10) == 0 ? "null" : object(r, members);
  }

  private static String anyValue(Random r, int depth) {
    int k = r.nextInt(depth > 6 ? 5 : 8);
    switch (k) {
      case 0, 1 -> {
        return STRINGS[r.nextInt(STRINGS.length)];
      }
      case 2, 3 -> {
        return NUMBERS[r.nextInt(NUMBERS.length)];
      }
      case 4 -> {
        return pick(r, "true", "false", "null");
      }
      case 5 -> {
        StringBuilder b = new StringBuilder("[");
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
          b.append(i > 0 ? "," : "").append(anyValue(r, depth + 1));
        }
        return b.append(']').toString();
      }
      default -> {
        List<String> members = new ArrayList<>();
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
          members.add("\"" + FIELDS[r.nextInt(FIELDS.length)] + "\":" + anyValue(r, depth + 1));
        }
        return object(r, members);
      }
    }
  }

  /** The frame cut short, or with a few characters inserted, removed, replaced or repeated. */
  private static String mutate(Random r, String frame) {
    StringBuilder b = new StringBuilder(frame);
    int edits = 1 + r.nextInt(3);
    for (int e = 0; e < edits && b.length() > 0; e++) {
      int at = r.nextInt(b.length());
      switch (r.nextInt(6)) {
        case 0 -> b.setLength(at);
        case 1 -> b.deleteCharAt(at);
        case 2 -> b.insert(at, NOISE[r.nextInt(NOISE.length)]);
        case 3 -> b.setCharAt(at, NOISE[r.nextInt(NOISE.length)]);
        case 4 -> {
          int to = Math.min(b.length(), at + 1 + r.nextInt(12));
          b.insert(at, b.substring(at, to));
        }
        default -> b.insert(at, NUMBERS[r.nextInt(NUMBERS.length)]);
      }
    }
    return b.toString();
  }
}
