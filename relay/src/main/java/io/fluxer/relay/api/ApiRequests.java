package io.fluxer.relay.api;

import io.fluxer.relay.channel.Glob;
import io.fluxer.relay.protocol.Disconnect;
import io.fluxer.relay.protocol.StreamPosition;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The typed requests of the server API, each parsed from its JSON params by {@code parse}, which
 * fails with error 107 naming the field when a field is missing or of the wrong type.
 */
public final class ApiRequests {
  private ApiRequests() {}

  /** How to publish: the raw JSON data and the Centrifugo publish options ({@code delta}: for delta delivery). */
  public record PublishSpec(String data, boolean skipHistory, Map<String, String> tags, String idempotencyKey,
                            boolean delta) {
    static PublishSpec parse(Params p) {
      String key = p.string("idempotency_key");
      return new PublishSpec(p.requiredJson("data"), p.bool("skip_history"), p.stringMap("tags"),
          key.isEmpty() ? null : key, p.bool("delta"));
    }
  }

  /** {@code publish {channel, data, skip_history, tags, idempotency_key, delta}}. */
  public record Publish(String channel, PublishSpec spec) {
    public static Publish parse(JsonObject json) {
      Params p = new Params(json);
      return new Publish(p.requiredString("channel"), PublishSpec.parse(p));
    }
  }

  /** {@code broadcast {channels, data, skip_history, tags, idempotency_key, delta}}. */
  public record Broadcast(List<String> channels, PublishSpec spec) {
    public static Broadcast parse(JsonObject json) {
      Params p = new Params(json);
      List<String> channels = p.strings("channels");
      if (channels.isEmpty()) {
        throw ApiError.badRequest("channels required");
      }
      for (int i = 0; i < channels.size(); i++) {
        if (channels.get(i).isEmpty()) {
          throw ApiError.badRequest("channels[" + i + "] must not be empty");
        }
      }
      return new Broadcast(List.copyOf(channels), PublishSpec.parse(p));
    }
  }

  /**
   * {@code subscribe} and {@code unsubscribe {user, channel, client}}: a user's connections on this
   * node, or only the one with id {@code client} when it is not empty.
   */
  public record UserChannel(String user, String channel, String client) {
    public static UserChannel parse(JsonObject json) {
      Params p = new Params(json);
      return new UserChannel(p.requiredString("user"), p.requiredString("channel"), p.string("client"));
    }
  }

  /** {@code disconnect {user, client, whitelist, disconnect {code, reason}}}. */
  public record DisconnectUser(String user, String client, Set<String> whitelist, Disconnect disconnect) {
    public static DisconnectUser parse(JsonObject json) {
      Params p = new Params(json);
      String user = p.requiredString("user");
      String client = p.string("client");
      Set<String> whitelist = Set.copyOf(p.strings("whitelist"));
      Params d = p.object("disconnect");
      Disconnect disconnect = Disconnect.FORCE_DISCONNECT;
      if (d != null) {
        long code = d.longValue("code", 0);
        String reason = d.string("reason");
        if (code == 0) {
          disconnect = reason.isEmpty() ? Disconnect.FORCE_DISCONNECT : new Disconnect(3503, reason);
        } else if (code < 3000 || code > 4999) {
          throw ApiError.badRequest("disconnect.code must be in 3000..4999");
        } else {
          disconnect = new Disconnect((int) code, reason);
        }
      }
      return new DisconnectUser(user, client, whitelist, disconnect);
    }
  }

  /**
   * {@code refresh {user, client, expired, expire_at}}.
   *
   * @param expireAt epoch seconds, or {@code null}: the connections never expire
   */
  public record Refresh(String user, String client, boolean expired, Long expireAt) {
    public static Refresh parse(JsonObject json) {
      Params p = new Params(json);
      String user = p.requiredString("user");
      String client = p.string("client");
      boolean expired = p.bool("expired");
      long at = p.longValue("expire_at", 0);
      if (at < 0) {
        throw ApiError.badRequest("expire_at must not be negative");
      }
      return new Refresh(user, client, expired, at == 0 ? null : at);
    }
  }

  /** {@code presence}, {@code presence_stats}, {@code history_remove}: {@code {channel}}. */
  public record ChannelOnly(String channel) {
    public static ChannelOnly parse(JsonObject json) {
      return new ChannelOnly(new Params(json).requiredString("channel"));
    }
  }

  /**
   * {@code history {channel, limit, since {offset, epoch}, reverse}}.
   *
   * @param limit 0: position only, negative: everything kept
   * @param since {@code null} when absent
   */
  public record History(String channel, int limit, StreamPosition since, boolean reverse) {
    public static History parse(JsonObject json) {
      Params p = new Params(json);
      String channel = p.requiredString("channel");
      int limit = p.integer("limit", 0);
      Params s = p.object("since");
      StreamPosition since = null;
      if (s != null) {
        long offset = s.longValue("offset", 0);
        if (offset < 0) {
          throw ApiError.badRequest("since.offset must not be negative");
        }
        since = new StreamPosition(offset, s.string("epoch"));
      }
      return new History(channel, limit, since, p.bool("reverse"));
    }
  }

  /** {@code channels {pattern}}: a glob ({@link Glob}), empty for every channel. */
  public record Channels(String pattern) {
    public static Channels parse(JsonObject json) {
      String pattern = new Params(json).string("pattern");
      try {
        Glob.compile(pattern);
      } catch (IllegalArgumentException e) {
        throw ApiError.badRequest("pattern: " + e.getMessage());
      }
      return new Channels(pattern);
    }
  }

  /**
   * One command of a batch: {@code {"method":m,"params":{...}}}, or Centrifugo 5's
   * {@code {"<method>":{...}}} ({@code keyed}), whose reply then carries the result under the method's
   * name instead of {@code result}.
   */
  public record BatchCommand(String method, JsonObject params, boolean keyed) {
    static BatchCommand parse(JsonObject json, int index) {
      String at = "commands[" + index + "]";
      Object method = json.getValue("method");
      if (method != null) {
        if (!(method instanceof String m)) {
          throw ApiError.badRequest(at + ".method must be a string");
        }
        Object params = json.getValue("params");
        if (params != null && !(params instanceof JsonObject)) {
          throw ApiError.badRequest(at + ".params must be an object");
        }
        return new BatchCommand(m, params == null ? new JsonObject() : (JsonObject) params, false);
      }
      if (json.size() != 1) {
        throw ApiError.badRequest(at + " must have a method");
      }
      String m = json.fieldNames().iterator().next();
      Object params = json.getValue(m);
      if (params != null && !(params instanceof JsonObject)) {
        throw ApiError.badRequest(at + "." + m + " must be an object");
      }
      return new BatchCommand(m, params == null ? new JsonObject() : (JsonObject) params, true);
    }
  }

  /** {@code batch {commands, parallel}}. */
  public record Batch(List<BatchCommand> commands, boolean parallel) {
    public static Batch parse(JsonObject json) {
      Params p = new Params(json);
      List<JsonObject> raw = p.objects("commands");
      List<BatchCommand> commands = new ArrayList<>(raw.size());
      for (int i = 0; i < raw.size(); i++) {
        commands.add(BatchCommand.parse(raw.get(i), i));
      }
      return new Batch(List.copyOf(commands), p.bool("parallel"));
    }
  }
}
