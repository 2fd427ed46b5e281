package io.fluxer.relay.protocol;

import centrifugal.centrifuge.protocol.Client;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.fluxer.relay.channel.TagFilter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Protobuf encoding of Centrifugo's client protocol ({@code client.proto}): a binary message
 * holds one or more varint-length-delimited {@code Command}s; every reply and push is one
 * varint-length-delimited {@code Reply}, so messages are joined by plain concatenation. The ping is
 * an empty {@code Reply}, the client's pong an empty {@code Command}.
 *
 * <p>Publication data is JSON text inside the relay (the engines store it so). Outbound, {@code data},
 * {@code conn_info} and {@code chan_info} are that text's UTF-8 bytes. Inbound, the {@code data} of
 * {@code publish} and {@code rpc} must be one UTF-8 JSON value, or the command is answered with
 * error 107 and nothing is published; {@code data} of other commands, which the relay does not
 * use, is kept when it is JSON and dropped otherwise.
 *
 * <p>Bounded: each command's length is checked against the bytes left in the message and against
 * {@code maxMessageSize} before anything is read or allocated for it; protobuf-java bounds nested
 * lengths by the input and nesting by its recursion limit. Pure and thread-safe.
 */
public final class ProtobufCodec implements ClientCodec {
  private static final byte[] PING = {0};
  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
      .build();
  /** What a publish or rpc whose data is not JSON is told. */
  static final String DATA_NOT_JSON = "data must be one JSON value in UTF-8 (this relay keeps publication data as JSON)";

  private final int maxMessageSize;

  /** @param maxMessageSize the largest inbound message and command accepted, in bytes */
  public ProtobufCodec(int maxMessageSize) {
    if (maxMessageSize < 1) {
      throw new IllegalArgumentException("maxMessageSize must be positive");
    }
    this.maxMessageSize = maxMessageSize;
  }

  @Override
  public String name() {
    return "protobuf";
  }

  @Override
  public int index() {
    return 1;
  }

  @Override
  public boolean binary() {
    return true;
  }

  // ---- decoding

  @Override
  public List<Command> decode(String text) throws ProtocolException {
    throw new ProtocolException("text message on a Protobuf connection");
  }

  @Override
  public List<Command> decode(byte[] binary) throws ProtocolException {
    if (binary.length == 0) {
      throw new ProtocolException("empty frame");
    }
    if (binary.length > maxMessageSize) {
      throw new ProtocolException("message of " + binary.length + " bytes over the limit of " + maxMessageSize);
    }
    List<Command> commands = new ArrayList<>(2);
    int pos = 0;
    while (pos < binary.length) {
      long length = 0;
      int shift = 0;
      while (true) {
        if (pos >= binary.length) {
          throw new ProtocolException("malformed Protobuf: truncated length");
        }
        byte b = binary[pos++];
        length |= (long) (b & 0x7F) << shift;
        if (b >= 0) {
          break;
        }
        shift += 7;
        if (shift > 28) {
          throw new ProtocolException("malformed Protobuf: length varint too long");
        }
      }
      if (length > binary.length - pos || length > maxMessageSize) {
        throw new ProtocolException("malformed Protobuf: a command of " + length + " bytes, "
            + (binary.length - pos) + " left in the message");
      }
      Client.Command c;
      try {
        c = Client.Command.parser().parseFrom(binary, pos, (int) length);
      } catch (InvalidProtocolBufferException e) {
        throw new ProtocolException("malformed Protobuf: " + e.getMessage());
      }
      pos += (int) length;
      commands.add(command(c));
    }
    return commands;
  }

  private static Command command(Client.Command c) {
    long id = Integer.toUnsignedLong(c.getId());
    Request request = request(c);
    if (request == null) {
      return id == 0 ? Command.PONG : new Command(id, new Request.Unknown());
    }
    return new Command(id, request);
  }

  /** The first request present, in field order; {@code null} when none is (ping's too: it is not a method). */
  private static Request request(Client.Command c) {
    if (c.hasConnect()) {
      return connect(c.getConnect());
    } else if (c.hasSubscribe()) {
      return subscribe(c.getSubscribe());
    } else if (c.hasUnsubscribe()) {
      return new Request.Unsubscribe(c.getUnsubscribe().getChannel());
    } else if (c.hasPublish()) {
      Client.PublishRequest p = c.getPublish();
      if (p.getData().isEmpty()) {
        return new Request.Invalid("publish", "data required");
      }
      String data = json(p.getData());
      return data == null ? new Request.Invalid("publish", DATA_NOT_JSON) : new Request.Publish(p.getChannel(), data);
    } else if (c.hasPresence()) {
      return new Request.Presence(c.getPresence().getChannel());
    } else if (c.hasPresenceStats()) {
      return new Request.PresenceStats(c.getPresenceStats().getChannel());
    } else if (c.hasHistory()) {
      return history(c.getHistory());
    } else if (c.hasSend()) {
      return new Request.Send(json(c.getSend().getData()));
    } else if (c.hasRpc()) {
      Client.RPCRequest r = c.getRpc();
      String data = json(r.getData());
      return data == null && !r.getData().isEmpty() ? new Request.Invalid("rpc", DATA_NOT_JSON)
          : new Request.Rpc(r.getMethod(), data);
    } else if (c.hasRefresh()) {
      return new Request.Refresh(c.getRefresh().getToken());
    } else if (c.hasSubRefresh()) {
      return new Request.SubRefresh(c.getSubRefresh().getChannel(), c.getSubRefresh().getToken());
    }
    return null;
  }

  private static Request connect(Client.ConnectRequest r) {
    Map<String, Request.Subscribe> subs = new HashMap<>();
    for (Map.Entry<String, Client.SubscribeRequest> e : r.getSubsMap().entrySet()) {
      Client.SubscribeRequest s = e.getValue();
      String problem = positionProblem(s);
      if (problem != null) {
        return new Request.Invalid("connect", "subs." + e.getKey() + ": " + problem);
      }
      subs.put(e.getKey(), subscribe(s, e.getKey(), null));
    }
    return new Request.Connect(r.getToken(), json(r.getData()), r.getName(), r.getVersion(), subs);
  }

  private static Request subscribe(Client.SubscribeRequest s) {
    String problem = positionProblem(s);
    if (problem != null) {
      return new Request.Invalid("subscribe", problem);
    }
    TagFilter tf = null;
    if (s.hasTf()) {
      try {
        tf = TagFilter.parse(s.getTf(), FILTER_NODE, TagFilter.Limits.DEFAULTS);
      } catch (IllegalArgumentException e) { // InvalidFilterException
        return new Request.Invalid("subscribe", e.getMessage());
      }
    }
    return subscribe(s, s.getChannel(), tf);
  }

  /** What JSON would refuse as a field of the wrong range: offsets and flags are non-negative. */
  private static String positionProblem(Client.SubscribeRequest s) {
    if (s.getOffset() < 0) {
      return "offset out of range: " + Long.toUnsignedString(s.getOffset());
    }
    if (s.getFlag() < 0) {
      return "flag out of range: " + s.getFlag();
    }
    return null;
  }

  private static Request.Subscribe subscribe(Client.SubscribeRequest s, String channel, TagFilter tf) {
    return new Request.Subscribe(channel, s.getToken(), s.getRecover(), s.getOffset(), s.getEpoch(),
        s.getPositioned(), s.getRecoverable(), s.getJoinLeave(), json(s.getData()), s.getFlag(), s.getType(), tf,
        s.getDelta());
  }

  private static Request history(Client.HistoryRequest h) {
    if (h.getLimit() < -1) {
      return new Request.Invalid("history", "limit out of range: " + h.getLimit());
    }
    StreamPosition since = null;
    if (h.hasSince()) {
      if (h.getSince().getOffset() < 0) {
        return new Request.Invalid("history", "since.offset out of range: "
            + Long.toUnsignedString(h.getSince().getOffset()));
      }
      since = new StreamPosition(h.getSince().getOffset(), h.getSince().getEpoch());
    }
    return new Request.History(h.getChannel(), h.getLimit(), since, h.getReverse());
  }

  /**
   * The bytes as JSON text when they are exactly one JSON value in valid UTF-8; {@code null} when
   * empty or not.
   */
  static String json(ByteString bytes) {
    if (bytes.isEmpty()) {
      return null;
    }
    if (!bytes.isValidUtf8()) {
      return null;
    }
    String text = bytes.toStringUtf8();
    try (JsonParser p = JSON.createParser(text)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        return null;
      }
      p.skipChildren();
      return p.nextToken() == null ? text : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** The generated {@code FilterNode}, read by the one tags filter parser. */
  private static final TagFilter.Shape<Client.FilterNode> FILTER_NODE = new TagFilter.Shape<>() {
    @Override
    public String op(Client.FilterNode node) {
      return node.getOp();
    }

    @Override
    public String key(Client.FilterNode node) {
      return node.getKey();
    }

    @Override
    public String cmp(Client.FilterNode node) {
      return node.getCmp();
    }

    @Override
    public String val(Client.FilterNode node) {
      return node.getVal();
    }

    @Override
    public List<String> vals(Client.FilterNode node) {
      return node.getValsList();
    }

    @Override
    public List<Client.FilterNode> nodes(Client.FilterNode node) {
      return node.getNodesList();
    }
  };

  // ---- encoding

  @Override
  public byte[] ping() {
    return PING;
  }

  private static byte[] delimited(MessageLite message) {
    int size = message.getSerializedSize();
    byte[] out = new byte[CodedOutputStream.computeUInt32SizeNoTag(size) + size];
    CodedOutputStream cos = CodedOutputStream.newInstance(out);
    try {
      cos.writeUInt32NoTag(size);
      message.writeTo(cos);
      cos.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("encoding into an array of the exact size failed", e);
    }
    return out;
  }

  /**
   * The push that precedes the end of an HTTP stream ({@code Reply{push{disconnect{code, reason}}}},
   * varint-length-delimited): the Protobuf form of {@link ProtocolEncoder#disconnectPush}.
   */
  public static byte[] disconnectPush(Disconnect d) {
    return push(Client.Push.newBuilder().setDisconnect(Client.Disconnect.newBuilder()
        .setCode(d.code()).setReason(nonNull(d.reason()))));
  }

  private static Client.Reply.Builder reply(long id) {
    return Client.Reply.newBuilder().setId((int) id);
  }

  private static byte[] push(Client.Push.Builder push) {
    return delimited(Client.Reply.newBuilder().setPush(push).build());
  }

  @Override
  public byte[] error(long id, ProtocolError error) {
    return delimited(reply(id).setError(Client.Error.newBuilder().setCode(error.code())
        .setMessage(nonNull(error.message())).setTemporary(error.temporary())).build());
  }

  @Override
  public byte[] empty(long id, String method) {
    Client.Reply.Builder r = reply(id);
    switch (method) {
      case "unsubscribe" -> r.setUnsubscribe(Client.UnsubscribeResult.getDefaultInstance());
      case "publish" -> r.setPublish(Client.PublishResult.getDefaultInstance());
      case "rpc" -> r.setRpc(Client.RPCResult.getDefaultInstance());
      default -> throw new IllegalArgumentException("no empty reply for " + method);
    }
    return delimited(r.build());
  }

  @Override
  public byte[] connect(long id, ConnectResult c) {
    Client.ConnectResult.Builder b = Client.ConnectResult.newBuilder()
        .setClient(nonNull(c.client()))
        .setVersion(nonNull(c.version()))
        .setExpires(c.expires())
        .setTtl(uint32(c.ttl()))
        .setData(bytes(c.data()))
        .setPing(uint32(c.ping()))
        .setPong(c.pong())
        .setSession(nonNull(c.session()))
        .setNode(nonNull(c.node()));
    for (Map.Entry<String, SubscribeResult> e : c.subs().entrySet()) {
      b.putSubs(e.getKey(), subscribeResult(e.getValue()));
    }
    return delimited(reply(id).setConnect(b).build());
  }

  @Override
  public byte[] subscribe(long id, SubscribeResult r) {
    return delimited(reply(id).setSubscribe(subscribeResult(r)).build());
  }

  @Override
  public byte[] history(long id, HistoryResult r) {
    Client.HistoryResult.Builder b = Client.HistoryResult.newBuilder()
        .setEpoch(nonNull(r.position().epoch()))
        .setOffset(r.position().offset());
    for (Publication p : r.publications()) {
      b.addPublications(publication(p));
    }
    return delimited(reply(id).setHistory(b).build());
  }

  @Override
  public byte[] presence(long id, Map<String, ClientInfo> presence) {
    Client.PresenceResult.Builder b = Client.PresenceResult.newBuilder();
    for (Map.Entry<String, ClientInfo> e : presence.entrySet()) {
      b.putPresence(e.getKey(), clientInfo(e.getValue()));
    }
    return delimited(reply(id).setPresence(b).build());
  }

  @Override
  public byte[] presenceStats(long id, PresenceStats stats) {
    return delimited(reply(id).setPresenceStats(Client.PresenceStatsResult.newBuilder()
        .setNumClients(uint32(stats.numClients())).setNumUsers(uint32(stats.numUsers()))).build());
  }

  @Override
  public byte[] refresh(long id, String client, String version, boolean expires, long ttl) {
    return delimited(reply(id).setRefresh(Client.RefreshResult.newBuilder().setClient(nonNull(client))
        .setVersion(nonNull(version)).setExpires(expires).setTtl(uint32(ttl))).build());
  }

  @Override
  public byte[] subRefresh(long id, boolean expires, long ttl) {
    return delimited(reply(id).setSubRefresh(Client.SubRefreshResult.newBuilder().setExpires(expires)
        .setTtl(uint32(ttl))).build());
  }

  @Override
  public byte[] publication(String channel, Publication pub) {
    return push(Client.Push.newBuilder().setChannel(channel).setPub(publication(pub)));
  }

  @Override
  public byte[] join(String channel, ClientInfo info) {
    return push(Client.Push.newBuilder().setChannel(channel).setJoin(Client.Join.newBuilder().setInfo(clientInfo(info))));
  }

  @Override
  public byte[] leave(String channel, ClientInfo info) {
    return push(Client.Push.newBuilder().setChannel(channel)
        .setLeave(Client.Leave.newBuilder().setInfo(clientInfo(info))));
  }

  @Override
  public byte[] unsubscribe(String channel, Unsubscribe u) {
    return push(Client.Push.newBuilder().setChannel(channel)
        .setUnsubscribe(Client.Unsubscribe.newBuilder().setCode(u.code()).setReason(nonNull(u.reason()))));
  }

  @Override
  public byte[] deltaPublication(String channel, Publication pub, byte[] payload, boolean isDelta) {
    Client.Publication.Builder b = publication(pub).toBuilder().setData(ByteString.copyFrom(payload)).setDelta(isDelta);
    return push(Client.Push.newBuilder().setChannel(channel).setPub(b));
  }

  @Override
  public byte[] subscribePush(String channel, SubscribeResult r) {
    return push(Client.Push.newBuilder().setChannel(channel).setSubscribe(Client.Subscribe.newBuilder()
        .setRecoverable(r.recoverable()).setEpoch(r.epoch()).setOffset(r.offset())
        .setPositioned(r.positioned()).setData(bytes(r.data()))));
  }

  @Override
  public byte[] refreshPush(boolean expires, long ttl) {
    return push(Client.Push.newBuilder().setRefresh(Client.Refresh.newBuilder().setExpires(expires)
        .setTtl(uint32(ttl))));
  }

  @Override
  public byte[] message(String data) {
    return push(Client.Push.newBuilder().setMessage(Client.Message.newBuilder().setData(bytes(data))));
  }

  // ---- fields

  private static Client.SubscribeResult subscribeResult(SubscribeResult r) {
    Client.SubscribeResult.Builder b = Client.SubscribeResult.newBuilder()
        .setExpires(r.expires())
        .setTtl(uint32(r.ttl()))
        .setRecoverable(r.recoverable())
        .setEpoch(r.epoch())
        .setRecovered(r.recovered())
        .setOffset(r.offset())
        .setPositioned(r.positioned())
        .setData(bytes(r.data()))
        .setWasRecovering(r.wasRecovering())
        .setDelta(r.delta());
    for (Publication p : r.publications()) {
      b.addPublications(publication(p));
    }
    return b.build();
  }

  private static Client.Publication publication(Publication p) {
    Client.Publication.Builder b = Client.Publication.newBuilder()
        .setData(bytes(p.data()))
        .setOffset(p.offset())
        .putAllTags(p.tags());
    if (p.info() != null) {
      b.setInfo(clientInfo(p.info()));
    }
    return b.build();
  }

  private static Client.ClientInfo clientInfo(ClientInfo info) {
    return Client.ClientInfo.newBuilder()
        .setUser(info.user())
        .setClient(info.client())
        .setConnInfo(bytes(info.connInfo()))
        .setChanInfo(bytes(info.chanInfo()))
        .build();
  }

  /** JSON text as the UTF-8 bytes a Protobuf client gets; none for {@code null}. */
  private static ByteString bytes(String json) {
    return json == null ? ByteString.EMPTY : ByteString.copyFromUtf8(json);
  }

  private static String nonNull(String s) {
    return s == null ? "" : s;
  }

  /** A count or number of seconds as a {@code uint32}: clamped to 0..2^32-1. */
  private static int uint32(long v) {
    return (int) Math.max(0, Math.min(v, 0xFFFFFFFFL));
  }
}
