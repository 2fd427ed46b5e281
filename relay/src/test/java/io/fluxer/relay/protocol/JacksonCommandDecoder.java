package io.fluxer.relay.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.fluxer.relay.channel.TagFilter;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Jackson-based decoder that {@link CommandDecoder} replaced (relay {@code c86f798}), unchanged
 * but for its name: the reference of {@link CommandDecoderDifferentialTest}, where both must agree
 * on every frame. It decoded client frames of the JSON protocol with a Jackson parser per frame; a
 * frame that is not JSON, or whose top-level values are not objects, failed as a whole with
 * {@link ProtocolException}; a well-formed command with wrong field types decoded to
 * {@link Request.Invalid}.
 */
final class JacksonCommandDecoder {
  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
      .build();

  private JacksonCommandDecoder() {}

  public static List<Command> decode(String frame) throws ProtocolException {
    List<Command> commands = new ArrayList<>(2);
    try (JsonParser p = JSON.createParser(frame)) {
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        if (t != JsonToken.START_OBJECT) {
          throw new ProtocolException("expected a JSON object, got " + t);
        }
        commands.add(readCommand(p, frame));
      }
    } catch (JsonProcessingException e) {
      throw new ProtocolException("malformed JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new ProtocolException("unreadable frame", e);
    }
    if (commands.isEmpty()) {
      throw new ProtocolException("empty frame");
    }
    return commands;
  }

  private static Command readCommand(JsonParser p, String src) throws IOException, ProtocolException {
    long id = 0;
    Request request = null;
    String badField = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      if ("id".equals(field)) {
        if (value != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
            || p.getLongValue() < 0 || p.getLongValue() > 0xFFFFFFFFL) {
          badField = "id";
          p.skipChildren();
        } else {
          id = p.getLongValue();
        }
      } else if (request == null && value == JsonToken.START_OBJECT && isMethod(field)) {
        request = readRequest(field, p, src);
      } else {
        p.skipChildren();
      }
    }
    if (badField != null) {
      throw new ProtocolException("field 'id' must be an unsigned 32-bit integer");
    }
    if (request == null) {
      return id == 0 ? Command.PONG : new Command(id, new Request.Unknown());
    }
    return new Command(id, request);
  }

  private static boolean isMethod(String field) {
    return switch (field) {
      case "connect", "subscribe", "unsubscribe", "publish", "presence", "presence_stats", "history",
          "rpc", "send", "refresh", "sub_refresh" -> true;
      default -> false;
    };
  }

  private static Request readRequest(String method, JsonParser p, String src) throws IOException {
    Fields f = new Fields();
    int depth = p.getParsingContext().getNestingDepth();
    try {
      readFields(p, src, f, "connect".equals(method));
    } catch (FieldTypeException e) {
      skipToEndOfObjectAt(p, depth);
      return new Request.Invalid(method, e.getMessage());
    }
    return switch (method) {
      case "connect" -> new Request.Connect(f.str("token"), f.raw("data"), f.str("name"),
          f.str("version"), f.subs);
      case "subscribe" -> subscribe(f);
      case "unsubscribe" -> new Request.Unsubscribe(f.str("channel"));
      case "publish" -> f.raw("data") == null
          ? new Request.Invalid(method, "data required")
          : new Request.Publish(f.str("channel"), f.raw("data"));
      case "presence" -> new Request.Presence(f.str("channel"));
      case "presence_stats" -> new Request.PresenceStats(f.str("channel"));
      case "history" -> new Request.History(f.str("channel"), (int) f.num("limit"), f.since, f.bool("reverse"));
      case "rpc" -> new Request.Rpc(f.str("method"), f.raw("data"));
      case "send" -> new Request.Send(f.raw("data"));
      case "refresh" -> new Request.Refresh(f.str("token"));
      case "sub_refresh" -> new Request.SubRefresh(f.str("channel"), f.str("token"));
      default -> throw new IllegalStateException(method);
    };
  }

  /** A subscribe command: its position, options and tags filter (an invalid filter: error 107). */
  private static Request subscribe(Fields f) {
    TagFilter tf = null;
    String tfText = f.raw("tf");
    if (tfText != null && !tfText.equals("null")) {
      try {
        tf = TagFilter.parse(new JsonObject(tfText));
      } catch (DecodeException | ClassCastException e) {
        return new Request.Invalid("subscribe", "tf must be an object");
      } catch (IllegalArgumentException e) { // InvalidFilterException, or a field of the wrong type
        return new Request.Invalid("subscribe", e.getMessage());
      }
    }
    return subscribe(f, f.str("channel"), tf);
  }

  private static Request.Subscribe subscribe(Fields f, String channel, TagFilter tf) {
    long type = f.num("type");
    return new Request.Subscribe(channel, f.str("token"), f.bool("recover"), f.num("offset"),
        f.str("epoch"), f.bool("positioned"), f.bool("recoverable"), f.bool("join_leave"), f.raw("data"),
        f.num("flag"), type < Integer.MIN_VALUE || type > Integer.MAX_VALUE ? -1 : (int) type, tf, f.str("delta"));
  }

  /** Reads the fields of the object whose START_OBJECT is the current token. */
  private static void readFields(JsonParser p, String src, Fields f, boolean connect)
      throws IOException, FieldTypeException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      switch (name) {
        case "data", "tf" -> f.put(name, rawValue(p, t, src));
        case "token", "name", "version", "channel", "epoch", "method", "delta" -> f.put(name, string(p, t, name));
        case "recover", "positioned", "recoverable", "join_leave", "reverse" -> f.put(name, bool(p, t, name));
        case "offset", "limit", "flag", "type" -> f.put(name, number(p, t, name));
        case "since" -> f.since = connect ? skip(p) : since(p, t, src);
        case "subs" -> {
          if (connect) {
            f.subs = subs(p, t, src);
          } else {
            p.skipChildren();
          }
        }
        default -> p.skipChildren();
      }
    }
  }

  private static StreamPosition skip(JsonParser p) throws IOException {
    p.skipChildren();
    return null;
  }

  private static StreamPosition since(JsonParser p, JsonToken t, String src) throws IOException, FieldTypeException {
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t != JsonToken.START_OBJECT) {
      throw new FieldTypeException("since must be an object");
    }
    Fields f = new Fields();
    readFields(p, src, f, false);
    return new StreamPosition(f.num("offset"), f.str("epoch"));
  }

  private static Map<String, Request.Subscribe> subs(JsonParser p, JsonToken t, String src)
      throws IOException, FieldTypeException {
    if (t == JsonToken.VALUE_NULL) {
      return Map.of();
    }
    if (t != JsonToken.START_OBJECT) {
      throw new FieldTypeException("subs must be an object");
    }
    Map<String, Request.Subscribe> subs = new HashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String channel = p.currentName();
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new FieldTypeException("subs." + channel + " must be an object");
      }
      Fields f = new Fields();
      readFields(p, src, f, false);
      subs.put(channel, subscribe(f, channel, null)); // a recovery position: filters belong to subscribe
    }
    return subs;
  }

  private static String string(JsonParser p, JsonToken t, String name) throws IOException, FieldTypeException {
    if (t == JsonToken.VALUE_STRING) {
      return p.getText();
    }
    if (t == JsonToken.VALUE_NULL) {
      return "";
    }
    p.skipChildren();
    throw new FieldTypeException(name + " must be a string");
  }

  private static boolean bool(JsonParser p, JsonToken t, String name) throws IOException, FieldTypeException {
    if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
      return t == JsonToken.VALUE_TRUE;
    }
    if (t == JsonToken.VALUE_NULL) {
      return false;
    }
    p.skipChildren();
    throw new FieldTypeException(name + " must be a boolean");
  }

  /**
   * A non-negative 64-bit integer ({@code limit}: a 32-bit one, or -1). Values out of range are a
   * field error of this command, not a malformed frame.
   */
  private static long number(JsonParser p, JsonToken t, String name) throws IOException, FieldTypeException {
    if (t == JsonToken.VALUE_NULL) {
      return 0;
    }
    boolean limit = "limit".equals(name);
    long v;
    if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
      v = p.getLongValue();
    } else if (t == JsonToken.VALUE_STRING) {
      // protojson writes 64-bit integers as strings; accept them.
      try {
        v = Long.parseLong(p.getText());
      } catch (NumberFormatException e) {
        throw new FieldTypeException(name + " must be a non-negative integer");
      }
    } else {
      p.skipChildren();
      throw new FieldTypeException(name + " must be a non-negative integer");
    }
    if (v < (limit ? -1 : 0) || limit && v > Integer.MAX_VALUE) {
      throw new FieldTypeException(name + " out of range: " + v);
    }
    return v;
  }

  /**
   * The exact JSON text of the current value. Strings keep their escapes too: decoding and
   * re-encoding would turn an escaped lone surrogate into a char the UTF-8 encoder refuses to
   * write raw.
   */
  private static String rawValue(JsonParser p, JsonToken t, String src) throws IOException {
    switch (t) {
      case START_OBJECT, START_ARRAY -> {
        int start = (int) p.currentTokenLocation().getCharOffset();
        p.skipChildren();
        int end = (int) p.currentLocation().getCharOffset();
        return src.substring(start, end);
      }
      case VALUE_STRING -> {
        int start = (int) p.currentTokenLocation().getCharOffset();
        p.getText(); // completes the lazily read token: the location moves past the closing quote
        int end = (int) p.currentLocation().getCharOffset();
        return src.substring(start, end);
      }
      case VALUE_NULL -> {
        return null;
      }
      default -> {
        return p.getText();
      }
    }
  }

  /** Skips to the END_OBJECT that closes the object entered at nesting depth {@code depth}. */
  private static void skipToEndOfObjectAt(JsonParser p, int depth) throws IOException {
    while (true) {
      JsonToken t = p.currentToken();
      if (t == null || t == JsonToken.END_OBJECT && p.getParsingContext().getNestingDepth() == depth - 1) {
        return;
      }
      if (p.nextToken() == null) {
        return;
      }
    }
  }

  /**
   * Fields read from one request object: one slot per field name the decoder knows, in one array
   * (a map per kind of value cost four maps and their tables per command).
   */
  private static final class Fields {
    private static final int COUNT = 18;
    private final Object[] values = new Object[COUNT];
    StreamPosition since;
    Map<String, Request.Subscribe> subs = Map.of();

    /** The slot of a field name that {@link #readFields} reads. */
    private static int slot(String name) {
      return switch (name) {
        case "data" -> 0;
        case "tf" -> 1;
        case "token" -> 2;
        case "name" -> 3;
        case "version" -> 4;
        case "channel" -> 5;
        case "epoch" -> 6;
        case "method" -> 7;
        case "delta" -> 8;
        case "recover" -> 9;
        case "positioned" -> 10;
        case "recoverable" -> 11;
        case "join_leave" -> 12;
        case "reverse" -> 13;
        case "offset" -> 14;
        case "limit" -> 15;
        case "flag" -> 16;
        case "type" -> 17;
        default -> throw new IllegalArgumentException("not a known field: " + name);
      };
    }

    void put(String name, Object value) {
      values[slot(name)] = value;
    }

    String str(String name) {
      Object v = values[slot(name)];
      return v == null ? "" : (String) v;
    }

    String raw(String name) {
      return (String) values[slot(name)];
    }

    boolean bool(String name) {
      return values[slot(name)] == Boolean.TRUE;
    }

    long num(String name) {
      Object v = values[slot(name)];
      return v == null ? 0 : (Long) v;
    }
  }

  private static final class FieldTypeException extends Exception {
    FieldTypeException(String message) {
      super(message, null, false, false);
    }
  }
}
