package io.fluxer.relay.protocol;

import java.util.List;
import java.util.Map;

/**
 * Encodes replies and pushes of the JSON protocol, one message per call, as UTF-8 bytes without a
 * trailing newline. Empty, zero and false fields are left out; raw JSON fields are embedded as-is.
 * Pure and thread-safe (each thread writes into its own reused buffer, see {@link JsonWriter}).
 */
public final class ProtocolEncoder {
  /** The server's ping, and the empty reply body. */
  public static final byte[] PING = {'{', '}'};

  private ProtocolEncoder() {}

  @FunctionalInterface
  private interface Body {
    void write(JsonWriter g);
  }

  private static byte[] encode(Body body) {
    JsonWriter w = JsonWriter.local();
    body.write(w);
    return w.toByteArray();
  }

  private static byte[] reply(long id, String method, Body result) {
    JsonWriter g = startReply(id, method);
    result.write(g);
    return end(g, 2);
  }

  private static byte[] push(String channel, String type, Body body) {
    JsonWriter g = startPush(channel, type);
    body.write(g);
    return end(g, 3);
  }

  /**
   * This thread's writer, with {@code {"id":id,"method":{} written: the result's fields follow.
   * With {@link #end}, what {@link #reply} does without a body object to allocate.
   */
  private static JsonWriter startReply(long id, String method) {
    JsonWriter g = JsonWriter.local();
    g.writeStartObject();
    if (id > 0) {
      g.writeNumberField("id", id);
    }
    g.writeFieldName(method);
    g.writeStartObject();
    return g;
  }

  /** This thread's writer, with {@code {"push":{"channel":channel,"type":{} written. */
  private static JsonWriter startPush(String channel, String type) {
    JsonWriter g = JsonWriter.local();
    g.writeStartObject();
    g.writeFieldName("push");
    g.writeStartObject();
    str(g, "channel", channel);
    g.writeFieldName(type);
    g.writeStartObject();
    return g;
  }

  /** Closes the {@code objects} objects left open and returns the frame. */
  private static byte[] end(JsonWriter g, int objects) {
    for (int i = 0; i < objects; i++) {
      g.writeEndObject();
    }
    return g.toByteArray();
  }

  // ---- replies

  public static byte[] error(long id, ProtocolError error) {
    return encode(g -> {
      g.writeStartObject();
      if (id > 0) {
        g.writeNumberField("id", id);
      }
      g.writeFieldName("error");
      g.writeStartObject();
      g.writeNumberField("code", error.code());
      str(g, "message", error.message());
      flag(g, "temporary", error.temporary());
      g.writeEndObject();
      g.writeEndObject();
    });
  }

  /** A reply with an empty result: unsubscribe, publish. */
  public static byte[] empty(long id, String method) {
    return end(startReply(id, method), 2);
  }

  public static byte[] connect(long id, ConnectResult r) {
    return reply(id, "connect", g -> {
      str(g, "client", r.client());
      str(g, "version", r.version());
      flag(g, "expires", r.expires());
      num(g, "ttl", r.ttl());
      raw(g, "data", r.data());
      if (!r.subs().isEmpty()) {
        g.writeFieldName("subs");
        g.writeStartObject();
        for (Map.Entry<String, SubscribeResult> e : r.subs().entrySet()) {
          g.writeFieldName(e.getKey());
          g.writeStartObject();
          subscribeFields(g, e.getValue());
          g.writeEndObject();
        }
        g.writeEndObject();
      }
      num(g, "ping", r.ping());
      flag(g, "pong", r.pong());
      str(g, "session", r.session());
      str(g, "node", r.node());
    });
  }

  public static byte[] subscribe(long id, SubscribeResult r) {
    return reply(id, "subscribe", g -> subscribeFields(g, r));
  }

  public static byte[] history(long id, HistoryResult r) {
    return reply(id, "history", g -> {
      publications(g, r.publications(), false);
      str(g, "epoch", r.position().epoch());
      num(g, "offset", r.position().offset());
    });
  }

  public static byte[] presence(long id, Map<String, ClientInfo> presence) {
    return reply(id, "presence", g -> {
      g.writeFieldName("presence");
      g.writeStartObject();
      for (Map.Entry<String, ClientInfo> e : presence.entrySet()) {
        g.writeFieldName(e.getKey());
        clientInfo(g, e.getValue());
      }
      g.writeEndObject();
    });
  }

  public static byte[] presenceStats(long id, PresenceStats stats) {
    return reply(id, "presence_stats", g -> {
      num(g, "num_clients", stats.numClients());
      num(g, "num_users", stats.numUsers());
    });
  }

  /** Reply to refresh: {@code client}, {@code version}, {@code expires}, {@code ttl}. */
  public static byte[] refresh(long id, String client, String version, boolean expires, long ttl) {
    return reply(id, "refresh", g -> {
      str(g, "client", client);
      str(g, "version", version);
      flag(g, "expires", expires);
      num(g, "ttl", ttl);
    });
  }

  public static byte[] subRefresh(long id, boolean expires, long ttl) {
    return reply(id, "sub_refresh", g -> {
      flag(g, "expires", expires);
      num(g, "ttl", ttl);
    });
  }

  // ---- pushes

  public static byte[] publication(String channel, Publication pub) {
    JsonWriter g = startPush(channel, "pub"); // no body lambda: this is the frame of every delivery
    publicationFields(g, pub, false);
    return end(g, 3);
  }

  /**
   * A publication to a subscription with delta compression: {@code data} is a JSON string, holding
   * either the publication's JSON text or ({@code isDelta}) a Fossil delta against the previous
   * publication's, in UTF-8 text; centrifuge-js decodes both.
   */
  public static byte[] deltaPublication(String channel, Publication pub, String payload, boolean isDelta) {
    return push(channel, "pub", g -> {
      g.writeStringField("data", payload);
      otherPublicationFields(g, pub);
      flag(g, "delta", isDelta);
    });
  }

  public static byte[] join(String channel, ClientInfo info) {
    return push(channel, "join", g -> {
      g.writeFieldName("info");
      clientInfo(g, info);
    });
  }

  public static byte[] leave(String channel, ClientInfo info) {
    return push(channel, "leave", g -> {
      g.writeFieldName("info");
      clientInfo(g, info);
    });
  }

  public static byte[] unsubscribe(String channel, Unsubscribe u) {
    return push(channel, "unsubscribe", g -> {
      num(g, "code", u.code());
      str(g, "reason", u.reason());
    });
  }

  /** A server-side subscription made after connect. */
  public static byte[] subscribePush(String channel, SubscribeResult r) {
    return push(channel, "subscribe", g -> {
      flag(g, "recoverable", r.recoverable());
      str(g, "epoch", r.epoch());
      num(g, "offset", r.offset());
      flag(g, "positioned", r.positioned());
      raw(g, "data", r.data());
    });
  }

  /** The server changed the connection's expiry (server-side refresh). */
  public static byte[] refreshPush(boolean expires, long ttl) {
    return push("", "refresh", g -> {
      flag(g, "expires", expires);
      num(g, "ttl", ttl);
    });
  }

  /**
   * {@code {"push":{"disconnect":{code,reason}}}}: how a disconnect reaches a client over an HTTP
   * stream (WebSocket closes with a close frame instead).
   */
  public static byte[] disconnectPush(Disconnect d) {
    return encode(g -> {
      g.writeStartObject();
      g.writeFieldName("push");
      g.writeStartObject();
      g.writeFieldName("disconnect");
      g.writeStartObject();
      num(g, "code", d.code());
      str(g, "reason", d.reason());
      g.writeEndObject();
      g.writeEndObject();
      g.writeEndObject();
    });
  }

  public static byte[] message(String data) {
    return push("", "message", g -> raw(g, "data", data));
  }

  // ---- fields

  private static void subscribeFields(JsonWriter g, SubscribeResult r) {
    flag(g, "expires", r.expires());
    num(g, "ttl", r.ttl());
    flag(g, "recoverable", r.recoverable());
    str(g, "epoch", r.epoch());
    publications(g, r.publications(), r.delta());
    flag(g, "recovered", r.recovered());
    num(g, "offset", r.offset());
    flag(g, "positioned", r.positioned());
    raw(g, "data", r.data());
    flag(g, "was_recovering", r.wasRecovering());
    flag(g, "delta", r.delta());
  }

  private static void publications(JsonWriter g, List<Publication> pubs, boolean dataAsString) {
    if (pubs.isEmpty()) {
      return;
    }
    g.writeFieldName("publications");
    g.writeStartArray();
    for (Publication p : pubs) {
      g.writeStartObject();
      publicationFields(g, p, dataAsString);
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  /** With {@code dataAsString} (delta negotiated) the data goes as a JSON string of its text. */
  private static void publicationFields(JsonWriter g, Publication p, boolean dataAsString) {
    if (dataAsString) {
      g.writeStringField("data", p.data());
    } else {
      raw(g, "data", p.data());
    }
    otherPublicationFields(g, p);
  }

  private static void otherPublicationFields(JsonWriter g, Publication p) {
    if (p.info() != null) {
      g.writeFieldName("info");
      clientInfo(g, p.info());
    }
    num(g, "offset", p.offset());
    if (!p.tags().isEmpty()) {
      g.writeFieldName("tags");
      g.writeStartObject();
      for (Map.Entry<String, String> e : p.tags().entrySet()) {
        g.writeStringField(e.getKey(), e.getValue());
      }
      g.writeEndObject();
    }
  }

  private static void clientInfo(JsonWriter g, ClientInfo info) {
    g.writeStartObject();
    str(g, "user", info.user());
    str(g, "client", info.client());
    raw(g, "conn_info", info.connInfo());
    raw(g, "chan_info", info.chanInfo());
    g.writeEndObject();
  }

  private static void str(JsonWriter g, String name, String value) {
    if (value != null && !value.isEmpty()) {
      g.writeStringField(name, value);
    }
  }

  private static void num(JsonWriter g, String name, long value) {
    if (value != 0) {
      g.writeNumberField(name, value);
    }
  }

  private static void flag(JsonWriter g, String name, boolean value) {
    if (value) {
      g.writeBooleanField(name, true);
    }
  }

  private static void raw(JsonWriter g, String name, String rawJson) {
    if (rawJson != null) {
      g.writeFieldName(name);
      g.writeRawValue(rawJson);
    }
  }
}
