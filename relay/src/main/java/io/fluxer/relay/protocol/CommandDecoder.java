package io.fluxer.relay.protocol;

import io.fluxer.relay.channel.TagFilter;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes client frames of the JSON protocol: one or more JSON objects separated by newlines (any
 * whitespace). Pure and thread-safe (each thread reuses its own cursor, see {@link #SCRATCH}); raw
 * {@code data} values keep the client's exact text.
 *
 * <p>A frame that is not JSON, or whose top-level values are not objects, fails as a whole with
 * {@link ProtocolException}. A well-formed command with wrong field types decodes to
 * {@link Request.Invalid} so that only that command fails.
 *
 * <p>The frame is read in place by a {@link JsonCursor}: no parser, token or tree objects per
 * command, and {@code data} is a slice of the frame. It accepts and rejects exactly what the
 * Jackson parser it replaced did, with its limits (the differential test keeps both in step).
 */
public final class CommandDecoder {
  private static final String[] TOP = {
      "id", "connect", "subscribe", "unsubscribe", "publish", "presence", "presence_stats", "history", "rpc",
      "send", "refresh", "sub_refresh"};
  private static final int ID = 0;

  // the fields of a request, in the order of TOP's index: the index is the switch's key
  private static final String[] FIELDS = {
      "data", "tf", "token", "name", "version", "channel", "epoch", "method", "delta", "recover", "positioned",
      "recoverable", "join_leave", "reverse", "offset", "limit", "flag", "type", "since", "subs"};
  private static final int DATA = 0;
  private static final int TF = 1;
  private static final int TOKEN = 2;
  private static final int NAME = 3;
  private static final int VERSION = 4;
  private static final int CHANNEL = 5;
  private static final int EPOCH = 6;
  private static final int METHOD = 7;
  private static final int DELTA = 8;
  private static final int RECOVER = 9;
  private static final int POSITIONED = 10;
  private static final int RECOVERABLE = 11;
  private static final int JOIN_LEAVE = 12;
  private static final int REVERSE = 13;
  private static final int OFFSET = 14;
  private static final int LIMIT = 15;
  private static final int FLAG = 16;
  private static final int TYPE = 17;
  private static final int SINCE = 18;
  private static final int SUBS = 19;

  /**
   * Per thread, the cursor and the fields of a command's request, reused frame after frame as
   * {@link JsonWriter}'s buffer is (they were two objects of 150 bytes per command); both are
   * cleared after each frame so that nothing of it stays reachable.
   */
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private CommandDecoder() {}

  public static List<Command> decode(String frame) throws ProtocolException {
    Scratch scratch = SCRATCH.get();
    try {
      return decode(scratch.cursor.reset(frame), scratch.fields);
    } finally {
      scratch.cursor.clear();
      scratch.fields.clear();
    }
  }

  private static List<Command> decode(JsonCursor c, Fields fields) throws ProtocolException {
    Command first = null;
    List<Command> more = null;
    int ch;
    while ((ch = c.peek()) >= 0) {
      if (ch != '{') {
        throw new ProtocolException("expected a JSON object at character " + c.position());
      }
      Command command = readCommand(c, fields);
      if (first == null) {
        first = command;
      } else {
        if (more == null) {
          more = new ArrayList<>(4);
          more.add(first);
        }
        more.add(command);
      }
    }
    if (first == null) {
      throw new ProtocolException("empty frame");
    }
    return more == null ? List.of(first) : more;
  }

  /** Reads the command object at the cursor; {@code fields} are for its request. */
  private static Command readCommand(JsonCursor c, Fields fields) throws ProtocolException {
    long id = 0;
    boolean badId = false;
    Request request = null;
    c.enter();
    if (c.firstMember()) {
      do {
        int field = c.name(TOP);
        int kind = c.kind();
        if (field == ID) {
          if (kind == JsonCursor.NUMBER && c.number() && c.longValue() >= 0 && c.longValue() <= 0xFFFFFFFFL) {
            id = c.longValue();
          } else {
            badId = true;
            if (kind != JsonCursor.NUMBER) {
              c.skipValue();
            }
          }
        } else if (request == null && kind == JsonCursor.OBJECT && field > ID) {
          request = readRequest(TOP[field], c, fields);
        } else {
          c.skipValue();
        }
      } while (c.nextMember());
    }
    if (badId) {
      throw new ProtocolException("field 'id' must be an unsigned 32-bit integer");
    }
    if (request == null) {
      return id == 0 ? Command.PONG : new Command(id, new Request.Unknown());
    }
    return new Command(id, request);
  }

  /** Reads the request object at the cursor; a field of the wrong type makes it {@link Request.Invalid}. */
  private static Request readRequest(String method, JsonCursor c, Fields f) throws ProtocolException {
    f.clear();
    int depth = c.depth();
    try {
      c.enter();
      readFields(c, f, "connect".equals(method));
    } catch (FieldTypeException e) {
      c.closeObjectsDeeperThan(depth);
      return new Request.Invalid(method, e.getMessage());
    }
    return switch (method) {
      case "connect" -> new Request.Connect(str(f.token), f.data, str(f.name), str(f.version), f.subs);
      case "subscribe" -> subscribe(f);
      case "unsubscribe" -> new Request.Unsubscribe(str(f.channel));
      case "publish" -> f.data == null
          ? new Request.Invalid(method, "data required")
          : new Request.Publish(str(f.channel), f.data);
      case "presence" -> new Request.Presence(str(f.channel));
      case "presence_stats" -> new Request.PresenceStats(str(f.channel));
      case "history" -> new Request.History(str(f.channel), (int) f.limit, f.since, f.reverse);
      case "rpc" -> new Request.Rpc(str(f.method), f.data);
      case "send" -> new Request.Send(f.data);
      case "refresh" -> new Request.Refresh(str(f.token));
      case "sub_refresh" -> new Request.SubRefresh(str(f.channel), str(f.token));
      default -> throw new IllegalStateException(method);
    };
  }

  private static String str(String s) {
    return s == null ? "" : s;
  }

  /** A subscribe command: its position, options and tags filter (an invalid filter: error 107). */
  private static Request subscribe(Fields f) {
    TagFilter tf = null;
    String tfText = f.tf;
    if (tfText != null && !tfText.equals("null")) {
      try {
        tf = TagFilter.parse(new JsonObject(tfText));
      } catch (DecodeException | ClassCastException e) {
        return new Request.Invalid("subscribe", "tf must be an object");
      } catch (IllegalArgumentException e) { // InvalidFilterException, or a field of the wrong type
        return new Request.Invalid("subscribe", e.getMessage());
      }
    }
    return subscribe(f, str(f.channel), tf);
  }

  private static Request.Subscribe subscribe(Fields f, String channel, TagFilter tf) {
    long type = f.type;
    return new Request.Subscribe(channel, str(f.token), f.recover, f.offset, str(f.epoch), f.positioned,
        f.recoverable, f.joinLeave, f.data, f.flag,
        type < Integer.MIN_VALUE || type > Integer.MAX_VALUE ? -1 : (int) type, tf, str(f.delta));
  }

  /**
   * Reads the members of the object just entered, up to and including its closing brace. Another
   * member of the same name replaces the earlier one.
   */
  private static void readFields(JsonCursor c, Fields f, boolean connect)
      throws ProtocolException, FieldTypeException {
    if (!c.firstMember()) {
      return;
    }
    do {
      int field = c.name(FIELDS);
      int kind = c.kind();
      switch (field) {
        case DATA -> f.data = rawValue(c, kind);
        case TF -> f.tf = rawValue(c, kind);
        case TOKEN -> f.token = string(c, kind, field);
        case NAME -> f.name = string(c, kind, field);
        case VERSION -> f.version = string(c, kind, field);
        case CHANNEL -> f.channel = string(c, kind, field);
        case EPOCH -> f.epoch = string(c, kind, field);
        case METHOD -> f.method = string(c, kind, field);
        case DELTA -> f.delta = string(c, kind, field);
        case RECOVER -> f.recover = bool(c, kind, field);
        case POSITIONED -> f.positioned = bool(c, kind, field);
        case RECOVERABLE -> f.recoverable = bool(c, kind, field);
        case JOIN_LEAVE -> f.joinLeave = bool(c, kind, field);
        case REVERSE -> f.reverse = bool(c, kind, field);
        case OFFSET -> f.offset = number(c, kind, field);
        case LIMIT -> f.limit = number(c, kind, field);
        case FLAG -> f.flag = number(c, kind, field);
        case TYPE -> f.type = number(c, kind, field);
        case SINCE -> {
          if (connect) {
            c.skipValue();
            f.since = null;
          } else {
            f.since = since(c, kind);
          }
        }
        case SUBS -> {
          if (connect) {
            f.subs = subs(c, kind);
          } else {
            c.skipValue();
          }
        }
        default -> c.skipValue();
      }
    } while (c.nextMember());
  }

  private static StreamPosition since(JsonCursor c, int kind) throws ProtocolException, FieldTypeException {
    if (kind == JsonCursor.NULL) {
      c.literal(kind);
      return null;
    }
    if (kind != JsonCursor.OBJECT) {
      c.skipValue();
      throw new FieldTypeException("since must be an object");
    }
    Fields f = new Fields();
    c.enter();
    readFields(c, f, false);
    return new StreamPosition(f.offset, str(f.epoch));
  }

  private static Map<String, Request.Subscribe> subs(JsonCursor c, int kind)
      throws ProtocolException, FieldTypeException {
    if (kind == JsonCursor.NULL) {
      c.literal(kind);
      return Map.of();
    }
    if (kind != JsonCursor.OBJECT) {
      c.skipValue();
      throw new FieldTypeException("subs must be an object");
    }
    Map<String, Request.Subscribe> subs = new HashMap<>();
    c.enter();
    if (c.firstMember()) {
      do {
        String channel = c.nameString();
        if (c.kind() != JsonCursor.OBJECT) {
          c.skipValue();
          throw new FieldTypeException("subs." + channel + " must be an object");
        }
        Fields f = new Fields();
        c.enter();
        readFields(c, f, false);
        subs.put(channel, subscribe(f, channel, null)); // a recovery position: filters belong to subscribe
      } while (c.nextMember());
    }
    return subs;
  }

  private static String string(JsonCursor c, int kind, int field) throws ProtocolException, FieldTypeException {
    if (kind == JsonCursor.STRING) {
      return c.string();
    }
    if (kind == JsonCursor.NULL) {
      c.literal(kind);
      return "";
    }
    c.skipValue();
    throw new FieldTypeException(FIELDS[field] + " must be a string");
  }

  private static boolean bool(JsonCursor c, int kind, int field) throws ProtocolException, FieldTypeException {
    if (kind == JsonCursor.TRUE || kind == JsonCursor.FALSE || kind == JsonCursor.NULL) {
      c.literal(kind);
      return kind == JsonCursor.TRUE;
    }
    c.skipValue();
    throw new FieldTypeException(FIELDS[field] + " must be a boolean");
  }

  /**
   * A non-negative 64-bit integer ({@code limit}: a 32-bit one, or -1). Values out of range are a
   * field error of this command, not a malformed frame.
   */
  private static long number(JsonCursor c, int kind, int field) throws ProtocolException, FieldTypeException {
    String name = FIELDS[field];
    long v;
    if (kind == JsonCursor.NULL) {
      c.literal(kind);
      return 0;
    } else if (kind == JsonCursor.NUMBER) {
      if (!c.number()) {
        throw new FieldTypeException(name + " must be a non-negative integer");
      }
      v = c.longValue();
    } else if (kind == JsonCursor.STRING) {
      // protojson writes 64-bit integers as strings; accept them.
      try {
        v = Long.parseLong(c.string());
      } catch (NumberFormatException e) {
        throw new FieldTypeException(name + " must be a non-negative integer");
      }
    } else {
      c.skipValue();
      throw new FieldTypeException(name + " must be a non-negative integer");
    }
    boolean limit = field == LIMIT;
    if (v < (limit ? -1 : 0) || limit && v > Integer.MAX_VALUE) {
      throw new FieldTypeException(name + " out of range: " + v);
    }
    return v;
  }

  /**
   * The exact JSON text of the value at the cursor ({@code null} for JSON null). Strings keep their
   * escapes too: decoding and re-encoding would turn an escaped lone surrogate into a char the
   * UTF-8 encoder refuses to write raw.
   */
  private static String rawValue(JsonCursor c, int kind) throws ProtocolException {
    if (kind == JsonCursor.NULL) {
      c.literal(kind);
      return null;
    }
    if (kind == JsonCursor.STRING) {
      return c.rawString();
    }
    int start = c.position();
    c.skipValue();
    return c.slice(start, c.position());
  }

  /** Fields read from one request object; absent strings and data are {@code null}. */
  private static final class Fields {
    String data;
    String tf;
    String token;
    String name;
    String version;
    String channel;
    String epoch;
    String method;
    String delta;
    boolean recover;
    boolean positioned;
    boolean recoverable;
    boolean joinLeave;
    boolean reverse;
    long offset;
    long limit;
    long flag;
    long type;
    StreamPosition since;
    Map<String, Request.Subscribe> subs = Map.of();

    void clear() {
      data = null;
      tf = null;
      token = null;
      name = null;
      version = null;
      channel = null;
      epoch = null;
      method = null;
      delta = null;
      recover = false;
      positioned = false;
      recoverable = false;
      joinLeave = false;
      reverse = false;
      offset = 0;
      limit = 0;
      flag = 0;
      type = 0;
      since = null;
      subs = Map.of();
    }
  }

  /** A thread's reusable decoding state. */
  private static final class Scratch {
    final JsonCursor cursor = new JsonCursor();
    final Fields fields = new Fields();
  }

  private static final class FieldTypeException extends Exception {
    FieldTypeException(String message) {
      super(message, null, false, false);
    }
  }
}
