package io.fluxer.relay.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import centrifugal.centrifuge.protocol.Client;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ProtobufCodec} without sockets: every command kind decoded from what a Protobuf client
 * sends (varint-delimited {@code Command}s built with the generated classes), several per message,
 * data that must be JSON, malformed and oversized input, and every reply and push read back with
 * the generated {@code Reply} parser.
 */
class ProtobufCodecTest {
  private static final int MAX = 64 * 1024;
  private final ProtobufCodec codec = new ProtobufCodec(MAX);

  private static ByteString utf8(String s) {
    return ByteString.copyFromUtf8(s);
  }

  /** Commands as a client's binary frame: each one varint-length-delimited, concatenated. */
  private static byte[] frame(Client.Command... commands) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      for (Client.Command c : commands) {
        c.writeDelimitedTo(out);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  private static Client.Command.Builder cmd(int id) {
    return Client.Command.newBuilder().setId(id);
  }

  private Command one(Client.Command c) throws ProtocolException {
    List<Command> commands = codec.decode(frame(c));
    assertThat(commands).hasSize(1);
    return commands.get(0);
  }

  private <T extends Request> T request(Client.Command c, Class<T> type) throws ProtocolException {
    Command decoded = one(c);
    assertThat(decoded.id()).isEqualTo(Integer.toUnsignedLong(c.getId()));
    assertThat(decoded.request()).isInstanceOf(type);
    return type.cast(decoded.request());
  }

  /** Replies and pushes as a client reads them: varint-delimited, back to back. */
  private static List<Client.Reply> replies(byte[]... messages) throws IOException {
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    for (byte[] m : messages) {
      joined.write(m);
    }
    CodedInputStream in = CodedInputStream.newInstance(joined.toByteArray());
    List<Client.Reply> out = new ArrayList<>();
    while (!in.isAtEnd()) {
      int length = in.readRawVarint32();
      int limit = in.pushLimit(length);
      out.add(Client.Reply.parseFrom(in));
      in.popLimit(limit);
    }
    return out;
  }

  private static Client.Reply reply(byte[] message) throws IOException {
    List<Client.Reply> all = replies(message);
    assertThat(all).hasSize(1);
    return all.get(0);
  }

  // ---- each command

  @Test
  void connectWithSubscriptionPositions() throws Exception {
    Request.Connect c = request(cmd(1).setConnect(Client.ConnectRequest.newBuilder()
        .setToken("tok.en").setData(utf8("{\"app\":[1,2]}")).setName("java").setVersion("0.9")
        .putSubs("news", Client.SubscribeRequest.newBuilder().setRecover(true).setOffset(12).setEpoch("ep1").build())
        .putSubs("chat:room", Client.SubscribeRequest.getDefaultInstance())).build(), Request.Connect.class);
    assertThat(c.token()).isEqualTo("tok.en");
    assertThat(c.data()).isEqualTo("{\"app\":[1,2]}");
    assertThat(c.name()).isEqualTo("java");
    assertThat(c.version()).isEqualTo("0.9");
    assertThat(c.subs()).containsOnlyKeys("news", "chat:room");
    Request.Subscribe news = c.subs().get("news");
    assertThat(news.channel()).isEqualTo("news");
    assertThat(news.recover()).isTrue();
    assertThat(news.offset()).isEqualTo(12);
    assertThat(news.epoch()).isEqualTo("ep1");
  }

  @Test
  void connectDataThatIsNotJsonIsDropped() throws Exception {
    Request.Connect c = request(cmd(1).setConnect(Client.ConnectRequest.newBuilder()
        .setData(ByteString.copyFrom(new byte[] {1, 2, 3}))).build(), Request.Connect.class);
    assertThat(c.data()).isNull();
    assertThat(c.token()).isEmpty();
  }

  @Test
  void subscribeWithEveryField() throws Exception {
    Request.Subscribe s = request(cmd(7).setSubscribe(Client.SubscribeRequest.newBuilder()
        .setChannel("chat:room").setToken("sub.tok").setRecover(true).setOffset(41).setEpoch("e")
        .setPositioned(true).setRecoverable(true).setJoinLeave(true).setData(utf8("\"hi\""))
        .setFlag(Request.Subscribe.REJECT_UNRECOVERED | 1).setType(0).setDelta("fossil")
        .setTf(Client.FilterNode.newBuilder().setKey("ticker").setCmp("eq").setVal("AAPL"))).build(),
        Request.Subscribe.class);
    assertThat(s.channel()).isEqualTo("chat:room");
    assertThat(s.token()).isEqualTo("sub.tok");
    assertThat(s.recover()).isTrue();
    assertThat(s.offset()).isEqualTo(41);
    assertThat(s.epoch()).isEqualTo("e");
    assertThat(s.positioned()).isTrue();
    assertThat(s.recoverable()).isTrue();
    assertThat(s.joinLeave()).isTrue();
    assertThat(s.data()).isEqualTo("\"hi\"");
    assertThat(s.rejectUnrecovered()).isTrue();
    assertThat(s.delta()).isEqualTo("fossil");
    assertThat(s.tf()).isNotNull();
    assertThat(s.tf().matches(Map.of("ticker", "AAPL"))).isTrue();
    assertThat(s.tf().matches(Map.of("ticker", "MSFT"))).isFalse();
  }

  @Test
  void subscribeWithAnInvalidFilterOrOutOfRangeOffsetIsABadRequest() throws Exception {
    Request.Invalid badFilter = request(cmd(2).setSubscribe(Client.SubscribeRequest.newBuilder()
        .setChannel("c").setTf(Client.FilterNode.newBuilder().setKey("k").setCmp("nope"))).build(),
        Request.Invalid.class);
    assertThat(badFilter.method()).isEqualTo("subscribe");
    assertThat(badFilter.problem()).isNotBlank();
    Request.Invalid badOffset = request(cmd(3).setSubscribe(Client.SubscribeRequest.newBuilder()
        .setChannel("c").setOffset(-1)).build(), Request.Invalid.class);
    assertThat(badOffset.problem()).contains("offset out of range: 18446744073709551615");
  }

  @Test
  void subscribeTypeIsPassedOnForTheSessionToRefuse() throws Exception {
    Request.Subscribe s = request(cmd(1).setSubscribe(Client.SubscribeRequest.newBuilder().setChannel("c")
        .setType(1)).build(), Request.Subscribe.class);
    assertThat(s.type()).isEqualTo(1);
  }

  @Test
  void simpleCommands() throws Exception {
    assertThat(request(cmd(1).setUnsubscribe(Client.UnsubscribeRequest.newBuilder().setChannel("a")).build(),
        Request.Unsubscribe.class).channel()).isEqualTo("a");
    assertThat(request(cmd(2).setPresence(Client.PresenceRequest.newBuilder().setChannel("b")).build(),
        Request.Presence.class).channel()).isEqualTo("b");
    assertThat(request(cmd(3).setPresenceStats(Client.PresenceStatsRequest.newBuilder().setChannel("c")).build(),
        Request.PresenceStats.class).channel()).isEqualTo("c");
    assertThat(request(cmd(4).setRefresh(Client.RefreshRequest.newBuilder().setToken("t")).build(),
        Request.Refresh.class).token()).isEqualTo("t");
    Request.SubRefresh sr = request(cmd(5).setSubRefresh(Client.SubRefreshRequest.newBuilder().setChannel("d")
        .setToken("st")).build(), Request.SubRefresh.class);
    assertThat(sr).isEqualTo(new Request.SubRefresh("d", "st"));
  }

  @Test
  void publishKeepsJsonDataAsText() throws Exception {
    Request.Publish p = request(cmd(9).setPublish(Client.PublishRequest.newBuilder().setChannel("chat:x")
        .setData(utf8("{\"text\":\"grüß \\u00e9\"}"))).build(), Request.Publish.class);
    assertThat(p.channel()).isEqualTo("chat:x");
    assertThat(p.data()).isEqualTo("{\"text\":\"grüß \\u00e9\"}");
  }

  @ParameterizedTest
  @ValueSource(strings = {"hello", "{\"a\":1}}", "1 2", "{\"a\":", "[1,]", "NaN", "\"unterminated", "{} {}",
      "\"tab\there\""})
  void publishDataThatIsNotOneJsonValueIsABadRequest(String data) throws Exception {
    Request.Invalid invalid = request(cmd(3).setPublish(Client.PublishRequest.newBuilder().setChannel("c")
        .setData(utf8(data))).build(), Request.Invalid.class);
    assertThat(invalid.method()).isEqualTo("publish");
    assertThat(invalid.problem()).contains("JSON");
  }

  @Test
  void publishDataThatIsNotUtf8IsABadRequest() throws Exception {
    for (byte[] bad : List.of(new byte[] {'"', (byte) 0xC3, '"'}, new byte[] {'"', (byte) 0xED, (byte) 0xA0,
        (byte) 0x80, '"'}, new byte[] {(byte) 0xFF})) {
      Request.Invalid invalid = request(cmd(3).setPublish(Client.PublishRequest.newBuilder().setChannel("c")
          .setData(ByteString.copyFrom(bad))).build(), Request.Invalid.class);
      assertThat(invalid.problem()).isEqualTo(ProtobufCodec.DATA_NOT_JSON);
    }
  }

  @Test
  void publishWithoutDataIsABadRequest() throws Exception {
    Request.Invalid invalid = request(cmd(3).setPublish(Client.PublishRequest.newBuilder().setChannel("c")).build(),
        Request.Invalid.class);
    assertThat(invalid.problem()).isEqualTo("data required");
  }

  @Test
  void historyWithSince() throws Exception {
    Request.History h = request(cmd(4).setHistory(Client.HistoryRequest.newBuilder().setChannel("h").setLimit(-1)
        .setSince(Client.StreamPosition.newBuilder().setOffset(5).setEpoch("ep")).setReverse(true)).build(),
        Request.History.class);
    assertThat(h).isEqualTo(new Request.History("h", -1, new StreamPosition(5, "ep"), true));
    Request.History none = request(cmd(5).setHistory(Client.HistoryRequest.newBuilder().setChannel("h")).build(),
        Request.History.class);
    assertThat(none.since()).isNull();
    assertThat(none.limit()).isZero();
    assertThat(request(cmd(6).setHistory(Client.HistoryRequest.newBuilder().setChannel("h").setLimit(-2)).build(),
        Request.Invalid.class).problem()).contains("limit out of range");
  }

  @Test
  void rpcAndSend() throws Exception {
    Request.Rpc rpc = request(cmd(6).setRpc(Client.RPCRequest.newBuilder().setMethod("m").setData(utf8("[1]")))
        .build(), Request.Rpc.class);
    assertThat(rpc).isEqualTo(new Request.Rpc("m", "[1]"));
    assertThat(request(cmd(7).setRpc(Client.RPCRequest.newBuilder().setMethod("m").setData(utf8("x"))).build(),
        Request.Invalid.class).method()).isEqualTo("rpc");
    Command send = one(Client.Command.newBuilder().setSend(Client.SendRequest.newBuilder().setData(utf8("{}")))
        .build());
    assertThat(send.id()).isZero();
    assertThat(send.request()).isEqualTo(new Request.Send("{}"));
  }

  @Test
  void emptyCommandIsThePongAndACommandWithIdButNoMethodIsUnknown() throws Exception {
    assertThat(codec.decode(new byte[] {0})).containsExactly(Command.PONG);
    assertThat(one(cmd(0).build()).isPong()).isTrue();
    assertThat(one(cmd(5).build()).request()).isInstanceOf(Request.Unknown.class);
    // ping is not a method of protocol v2: as in JSON, answered with 104
    assertThat(one(cmd(6).setPing(Client.PingRequest.getDefaultInstance()).build()).request())
        .isInstanceOf(Request.Unknown.class);
  }

  @Test
  void theFirstRequestInFieldOrderWins() throws Exception {
    Command c = one(cmd(1).setPublish(Client.PublishRequest.newBuilder().setChannel("p").setData(utf8("1")))
        .setSubscribe(Client.SubscribeRequest.newBuilder().setChannel("s")).build());
    assertThat(c.request()).isInstanceOf(Request.Subscribe.class);
  }

  @Test
  void severalCommandsInOneMessageKeepTheirOrder() throws Exception {
    List<Command> commands = codec.decode(frame(
        cmd(1).setSubscribe(Client.SubscribeRequest.newBuilder().setChannel("a")).build(),
        Client.Command.getDefaultInstance(),
        cmd(-1).setUnsubscribe(Client.UnsubscribeRequest.newBuilder().setChannel("b")).build()));
    assertThat(commands).hasSize(3);
    assertThat(commands.get(0).request()).isInstanceOf(Request.Subscribe.class);
    assertThat(commands.get(1).isPong()).isTrue();
    assertThat(commands.get(2).id()).isEqualTo(0xFFFFFFFFL);
  }

  // ---- malformed and oversized

  @Test
  void malformedInputFailsTheWholeMessage() {
    byte[] good = frame(cmd(1).setPresence(Client.PresenceRequest.newBuilder().setChannel("c")).build());
    byte[] truncated = java.util.Arrays.copyOf(good, good.length - 1);
    byte[] lengthPastEnd = {0x05, 0x08, 0x01};
    byte[] endlessVarint = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01};
    byte[] unfinishedVarint = {(byte) 0x80};
    byte[] badWireType = {0x02, 0x0F, 0x00}; // field 1 with wire type 7
    byte[] garbageInside = {0x03, 0x22, 0x05, 0x0A}; // connect of 5 bytes, 1 there
    for (byte[] bad : List.of(new byte[0], truncated, lengthPastEnd, endlessVarint, unfinishedVarint, badWireType,
        garbageInside)) {
      assertThatThrownBy(() -> codec.decode(bad)).as(java.util.Arrays.toString(bad))
          .isInstanceOf(ProtocolException.class);
    }
  }

  @Test
  void textIsNotProtobuf() {
    assertThatThrownBy(() -> codec.decode("{\"id\":1}")).isInstanceOf(ProtocolException.class)
        .hasMessageContaining("text");
  }

  @Test
  void aCommandLongerThanTheLimitIsRefusedBeforeItIsRead() {
    ProtobufCodec small = new ProtobufCodec(16);
    byte[] big = frame(cmd(1).setPublish(Client.PublishRequest.newBuilder().setChannel("c")
        .setData(utf8("\"" + "x".repeat(20) + "\""))).build());
    assertThatThrownBy(() -> small.decode(big)).isInstanceOf(ProtocolException.class).hasMessageContaining("limit");
    // a length prefix claiming far more than there is: refused on the length alone
    byte[] claim = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0x7F, 0x08};
    assertThatThrownBy(() -> codec.decode(claim)).isInstanceOf(ProtocolException.class)
        .hasMessageContaining("268435455 bytes");
  }

  @Test
  void deeplyNestedFiltersAreRefused() {
    Client.FilterNode node = Client.FilterNode.newBuilder().setKey("k").setCmp("ex").build();
    for (int i = 0; i < 200; i++) {
      node = Client.FilterNode.newBuilder().setOp("not").addNodes(node).build();
    }
    Client.Command deep = cmd(1).setSubscribe(Client.SubscribeRequest.newBuilder().setChannel("c").setTf(node))
        .build();
    assertThatThrownBy(() -> codec.decode(frame(deep))).isInstanceOf(ProtocolException.class);
  }

  // ---- replies and pushes

  @Test
  void pingIsAnEmptyReply() throws Exception {
    assertThat(codec.ping()).containsExactly(0);
    assertThat(reply(codec.ping())).isEqualTo(Client.Reply.getDefaultInstance());
  }

  @Test
  void errorReply() throws Exception {
    Client.Reply r = reply(codec.error(0xFFFFFFFFL, ProtocolError.TOO_MANY_REQUESTS));
    assertThat(Integer.toUnsignedLong(r.getId())).isEqualTo(0xFFFFFFFFL);
    assertThat(r.getError().getCode()).isEqualTo(111);
    assertThat(r.getError().getMessage()).isEqualTo("too many requests");
    assertThat(r.getError().getTemporary()).isTrue();
  }

  @Test
  void emptyReplies() throws Exception {
    assertThat(reply(codec.empty(3, "publish")).hasPublish()).isTrue();
    assertThat(reply(codec.empty(4, "unsubscribe")).hasUnsubscribe()).isTrue();
  }

  @Test
  void connectReply() throws Exception {
    SubscribeResult server = new SubscribeResult(false, 0, true, "ep", 3, false, List.of(), false, false, null);
    Client.Reply r = reply(codec.connect(1, new ConnectResult("cid", "1.0", true, 60, "{\"x\":1}",
        Map.of("news", server), 25, true, "sess", "node-1")));
    assertThat(r.getId()).isEqualTo(1);
    Client.ConnectResult c = r.getConnect();
    assertThat(c.getClient()).isEqualTo("cid");
    assertThat(c.getVersion()).isEqualTo("1.0");
    assertThat(c.getExpires()).isTrue();
    assertThat(c.getTtl()).isEqualTo(60);
    assertThat(c.getData().toStringUtf8()).isEqualTo("{\"x\":1}");
    assertThat(c.getPing()).isEqualTo(25);
    assertThat(c.getPong()).isTrue();
    assertThat(c.getSession()).isEqualTo("sess");
    assertThat(c.getNode()).isEqualTo("node-1");
    assertThat(c.getSubsMap().get("news").getEpoch()).isEqualTo("ep");
    assertThat(c.getSubsMap().get("news").getOffset()).isEqualTo(3);
    assertThat(c.getSubsMap().get("news").getRecoverable()).isTrue();
  }

  @Test
  void subscribeReplyWithRecoveredPublications() throws Exception {
    Publication p = new Publication(8, "{\"n\":8}", new ClientInfo("u", "c", "{\"ci\":1}", null), Map.of("k", "v"));
    Client.Reply r = reply(codec.subscribe(2, new SubscribeResult(true, 30, true, "ep", 8, false, List.of(p), true,
        true, null)));
    Client.SubscribeResult s = r.getSubscribe();
    assertThat(s.getExpires()).isTrue();
    assertThat(s.getTtl()).isEqualTo(30);
    assertThat(s.getRecoverable()).isTrue();
    assertThat(s.getEpoch()).isEqualTo("ep");
    assertThat(s.getOffset()).isEqualTo(8);
    assertThat(s.getRecovered()).isTrue();
    assertThat(s.getWasRecovering()).isTrue();
    Client.Publication pub = s.getPublications(0);
    assertThat(pub.getData().toStringUtf8()).isEqualTo("{\"n\":8}");
    assertThat(pub.getOffset()).isEqualTo(8);
    assertThat(pub.getTagsMap()).isEqualTo(Map.of("k", "v"));
    assertThat(pub.getInfo().getUser()).isEqualTo("u");
    assertThat(pub.getInfo().getConnInfo().toStringUtf8()).isEqualTo("{\"ci\":1}");
    assertThat(pub.getInfo().getChanInfo().isEmpty()).isTrue();
  }

  @Test
  void historyPresenceAndStatsReplies() throws Exception {
    Client.HistoryResult h = reply(codec.history(3, new HistoryResult(new StreamPosition(2, "ep"),
        List.of(new Publication(1, "1", null, null), new Publication(2, "2", null, null))))).getHistory();
    assertThat(h.getPublicationsCount()).isEqualTo(2);
    assertThat(h.getPublications(1).getData().toStringUtf8()).isEqualTo("2");
    assertThat(h.getEpoch()).isEqualTo("ep");
    assertThat(h.getOffset()).isEqualTo(2);

    Client.PresenceResult p = reply(codec.presence(4, Map.of("c1", new ClientInfo("u1", "c1", null, "\"ch\""))))
        .getPresence();
    assertThat(p.getPresenceMap().get("c1").getUser()).isEqualTo("u1");
    assertThat(p.getPresenceMap().get("c1").getChanInfo().toStringUtf8()).isEqualTo("\"ch\"");

    Client.PresenceStatsResult st = reply(codec.presenceStats(5, new PresenceStats(7, 3))).getPresenceStats();
    assertThat(st.getNumClients()).isEqualTo(7);
    assertThat(st.getNumUsers()).isEqualTo(3);
  }

  @Test
  void refreshReplies() throws Exception {
    Client.RefreshResult r = reply(codec.refresh(6, "cid", "v", true, 90)).getRefresh();
    assertThat(r.getClient()).isEqualTo("cid");
    assertThat(r.getExpires()).isTrue();
    assertThat(r.getTtl()).isEqualTo(90);
    Client.SubRefreshResult sr = reply(codec.subRefresh(7, true, 15)).getSubRefresh();
    assertThat(sr.getExpires()).isTrue();
    assertThat(sr.getTtl()).isEqualTo(15);
  }

  @Test
  void pushes() throws Exception {
    ClientInfo info = new ClientInfo("u", "c", null, null);
    List<Client.Reply> all = replies(
        codec.publication("ch", new Publication(4, "[4]", info, Map.of())),
        codec.join("ch", info),
        codec.leave("ch", info),
        codec.unsubscribe("ch", Unsubscribe.EXPIRED),
        codec.subscribePush("srv", new SubscribeResult(false, 0, true, "e", 9, false, List.of(), false, false, null)),
        codec.refreshPush(true, 33),
        codec.message("{\"m\":1}"));
    assertThat(all).hasSize(7).allSatisfy(r -> assertThat(r.getId()).isZero());
    assertThat(all.get(0).getPush().getChannel()).isEqualTo("ch");
    assertThat(all.get(0).getPush().getPub().getData().toStringUtf8()).isEqualTo("[4]");
    assertThat(all.get(0).getPush().getPub().getOffset()).isEqualTo(4);
    assertThat(all.get(1).getPush().getJoin().getInfo().getUser()).isEqualTo("u");
    assertThat(all.get(2).getPush().getLeave().getInfo().getClient()).isEqualTo("c");
    assertThat(all.get(3).getPush().getUnsubscribe().getCode()).isEqualTo(2501);
    assertThat(all.get(3).getPush().getUnsubscribe().getReason()).isEqualTo("subscription expired");
    assertThat(all.get(4).getPush().getSubscribe().getOffset()).isEqualTo(9);
    assertThat(all.get(4).getPush().getSubscribe().getRecoverable()).isTrue();
    assertThat(all.get(5).getPush().getRefresh().getTtl()).isEqualTo(33);
    assertThat(all.get(6).getPush().getMessage().getData().toString(StandardCharsets.UTF_8)).isEqualTo("{\"m\":1}");
  }

  @Test
  void publicationDataIsTheJsonTextsUtf8Bytes() throws Exception {
    String data = "{\"t\":\"ä€😀\"}";
    Client.Publication pub = reply(codec.publication("c", new Publication(0, data, null, null))).getPush().getPub();
    assertThat(pub.getData().toByteArray()).isEqualTo(data.getBytes(StandardCharsets.UTF_8));
    assertThat(pub.hasInfo()).isFalse();
  }
}
