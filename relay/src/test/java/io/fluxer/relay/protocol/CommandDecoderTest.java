package io.fluxer.relay.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Decoding of client frames by {@link CommandDecoder}, without sockets: every command with its
 * fields, framing of several commands, raw {@code data} kept as the client's exact text, per-command
 * field errors and frame-level protocol errors.
 *
 * <p>Frames are written with {@code '} for {@code "} (see {@link #q}) where the JSON holds no
 * apostrophe, so that they stay readable.
 */
class CommandDecoderTest {

  /** JSON text with {@code '} standing for {@code "}. */
  private static String q(String singleQuoted) {
    return singleQuoted.replace('\'', '"');
  }

  private static Command one(String frame) throws ProtocolException {
    List<Command> commands = CommandDecoder.decode(frame);
    assertThat(commands).hasSize(1);
    return commands.get(0);
  }

  private static <T extends Request> T request(String frame, Class<T> type) throws ProtocolException {
    Command c = one(frame);
    assertThat(c.request()).isInstanceOf(type);
    return type.cast(c.request());
  }

  private static String publishFrame(String rawData) {
    return "{\"id\":1,\"publish\":{\"channel\":\"c\",\"data\":" + rawData + "}}";
  }

  private static String publishedData(String frame) throws ProtocolException {
    return request(frame, Request.Publish.class).data();
  }

  // ---- each command

  @Test
  void connectWithAllFieldsAndSubscriptionPositions() throws Exception {
    Command c = one(q("{'id':1,'connect':{'token':'tok.en','data':{'app':[1,2]},'name':'js',"
        + "'version':'5.0.1','subs':{'news':{'recover':true,'offset':12,'epoch':'ep1'},'chat:room':{}}}}"));
    assertThat(c.id()).isEqualTo(1);
    assertThat(c.isPong()).isFalse();
    Request.Connect connect = (Request.Connect) c.request();
    assertThat(connect.token()).isEqualTo("tok.en");
    assertThat(connect.data()).isEqualTo(q("{'app':[1,2]}"));
    assertThat(connect.name()).isEqualTo("js");
    assertThat(connect.version()).isEqualTo("5.0.1");
    assertThat(connect.subs()).containsOnlyKeys("news", "chat:room");
    assertThat(connect.subs().get("news"))
        .isEqualTo(new Request.Subscribe("news", "", true, 12, "ep1", false, false, false, null));
    assertThat(connect.subs().get("chat:room"))
        .isEqualTo(new Request.Subscribe("chat:room", "", false, 0, "", false, false, false, null));
  }

  @Test
  void emptyConnectHasEmptyStringsNullDataAndNoSubs() throws Exception {
    assertThat(request(q("{'id':1,'connect':{}}"), Request.Connect.class))
        .isEqualTo(new Request.Connect("", null, "", "", Map.of()));
    assertThat(request(q("{'id':1,'connect':{'token':null,'subs':null}}"), Request.Connect.class))
        .isEqualTo(new Request.Connect("", null, "", "", Map.of()));
  }

  @Test
  void subscribeWithAllFlags() throws Exception {
    Command c = one(q("{'id':2,'subscribe':{'channel':'chat:1','token':'st','recover':true,'offset':42,"
        + "'epoch':'xyz','positioned':true,'recoverable':true,'join_leave':true,'data':{'hello':'world'}}}"));
    assertThat(c.id()).isEqualTo(2);
    assertThat(c.request()).isEqualTo(new Request.Subscribe("chat:1", "st", true, 42, "xyz", true, true, true,
        q("{'hello':'world'}")));
  }

  @Test
  void subscribeWithoutOptionalFieldsHasDefaults() throws Exception {
    assertThat(request(q("{'id':2,'subscribe':{'channel':'c'}}"), Request.Subscribe.class))
        .isEqualTo(new Request.Subscribe("c", "", false, 0, "", false, false, false, null));
  }

  @Test
  void subscribeWithTagsFilterAndDelta() throws Exception {
    Request.Subscribe r = request(q("{'id':2,'subscribe':{'channel':'c','delta':'fossil','tf':{'op':'and','nodes':["
        + "{'key':'ticker','cmp':'eq','val':'AAPL'},{'key':'price','cmp':'gt','val':'10'}]}}}"), Request.Subscribe.class);
    assertThat(r.delta()).isEqualTo("fossil");
    assertThat(r.tf()).isNotNull();
    assertThat(r.tf().matches(Map.of("ticker", "AAPL", "price", "11"))).isTrue();
    assertThat(r.tf().matches(Map.of("ticker", "AAPL", "price", "9"))).isFalse();
    assertThat(request(q("{'id':2,'subscribe':{'channel':'c','tf':null}}"), Request.Subscribe.class).tf()).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{'id':2,'subscribe':{'channel':'c','tf':'ticker=AAPL'}}",
      "{'id':2,'subscribe':{'channel':'c','tf':[1]}}",
      "{'id':2,'subscribe':{'channel':'c','tf':{'key':'ticker','val':'AAPL'}}}",
      "{'id':2,'subscribe':{'channel':'c','tf':{'key':'ticker','cmp':'eq','val':7}}}",
      "{'id':2,'subscribe':{'channel':'c','tf':{'op':'not','nodes':[]}}}",
      "{'id':2,'subscribe':{'channel':'c','tf':{'key':'k','cmp':'in','vals':[]}}}"})
  void invalidTagsFilterIsABadSubscribe(String frame) throws Exception {
    Request.Invalid invalid = request(q(frame), Request.Invalid.class);
    assertThat(invalid.method()).isEqualTo("subscribe");
    assertThat(invalid.problem()).isNotBlank();
  }

  @Test
  void offsetWrittenAsStringByProtojsonIsAccepted() throws Exception {
    assertThat(request(q("{'id':2,'subscribe':{'channel':'c','recover':true,'offset':'9007199254740993'}}"),
        Request.Subscribe.class).offset()).isEqualTo(9007199254740993L);
  }

  @Test
  void unsubscribe() throws Exception {
    assertThat(one(q("{'id':3,'unsubscribe':{'channel':'news'}}")))
        .isEqualTo(new Command(3, new Request.Unsubscribe("news")));
  }

  @Test
  void publishKeepsRawData() throws Exception {
    assertThat(one(q("{'id':4,'publish':{'channel':'chat:1','data':{'text':'hi','n':[1,{'x':null}]}}}")))
        .isEqualTo(new Command(4, new Request.Publish("chat:1", q("{'text':'hi','n':[1,{'x':null}]}"))));
  }

  @Test
  void publishWithoutDataIsInvalid() throws Exception {
    Request r = one(q("{'id':4,'publish':{'channel':'c'}}")).request();
    assertThat(r).isInstanceOf(Request.Invalid.class);
    assertThat(((Request.Invalid) r).method()).isEqualTo("publish");
    assertThat(request(q("{'id':4,'publish':{'channel':'c','data':null}}"), Request.Invalid.class).method())
        .isEqualTo("publish");
  }

  @Test
  void presenceAndPresenceStats() throws Exception {
    assertThat(one(q("{'id':5,'presence':{'channel':'room'}}")))
        .isEqualTo(new Command(5, new Request.Presence("room")));
    assertThat(one(q("{'id':6,'presence_stats':{'channel':'room'}}")))
        .isEqualTo(new Command(6, new Request.PresenceStats("room")));
  }

  @Test
  void historyWithLimitSinceAndReverse() throws Exception {
    assertThat(one(q("{'id':7,'history':{'channel':'c','limit':10,'since':{'offset':5,'epoch':'e'},'reverse':true}}")))
        .isEqualTo(new Command(7, new Request.History("c", 10, new StreamPosition(5, "e"), true)));
  }

  @Test
  void historyWithoutSinceOrLimit() throws Exception {
    assertThat(request(q("{'id':7,'history':{'channel':'c'}}"), Request.History.class))
        .isEqualTo(new Request.History("c", 0, null, false));
    assertThat(request(q("{'id':7,'history':{'channel':'c','since':null,'limit':-1}}"), Request.History.class))
        .isEqualTo(new Request.History("c", -1, null, false));
    assertThat(request(q("{'id':7,'history':{'channel':'c','since':{}}}"), Request.History.class).since())
        .isEqualTo(new StreamPosition(0, ""));
  }

  @Test
  void historyLimitBeyondInt32IsInvalidNotTruncated() throws Exception {
    // 4294967295 cast to int would be -1 ("everything"); 2147483648 would turn negative.
    assertThat(one(q("{'id':7,'history':{'channel':'c','limit':4294967295}}")).request())
        .isInstanceOf(Request.Invalid.class);
    assertThat(one(q("{'id':7,'history':{'channel':'c','limit':2147483648}}")).request())
        .isInstanceOf(Request.Invalid.class);
    assertThat(request(q("{'id':7,'history':{'channel':'c','limit':2147483647}}"), Request.History.class).limit())
        .isEqualTo(Integer.MAX_VALUE);
    assertThat(one(q("{'id':7,'history':{'channel':'c','limit':-2}}")).request())
        .isInstanceOf(Request.Invalid.class);
  }

  @Test
  void rpcAndSendCarryRawData() throws Exception {
    assertThat(one(q("{'id':8,'rpc':{'method':'getUser','data':[1,'two']}}")))
        .isEqualTo(new Command(8, new Request.Rpc("getUser", q("[1,'two']"))));
    Command send = one(q("{'send':{'data':{'typing':true}}}"));
    assertThat(send.id()).isZero();
    assertThat(send.isPong()).isFalse();
    assertThat(send.request()).isEqualTo(new Request.Send(q("{'typing':true}")));
    assertThat(request(q("{'send':{}}"), Request.Send.class).data()).isNull();
  }

  @Test
  void refreshAndSubRefresh() throws Exception {
    assertThat(one(q("{'id':9,'refresh':{'token':'new.jwt'}}")))
        .isEqualTo(new Command(9, new Request.Refresh("new.jwt")));
    assertThat(one(q("{'id':10,'sub_refresh':{'channel':'priv','token':'sub.jwt'}}")))
        .isEqualTo(new Command(10, new Request.SubRefresh("priv", "sub.jwt")));
  }

  @Test
  void largestUnsignedThirtyTwoBitIdIsAccepted() throws Exception {
    assertThat(one(q("{'id':4294967295,'presence':{'channel':'c'}}")).id()).isEqualTo(4294967295L);
  }

  @Test
  void idMayFollowTheMethod() throws Exception {
    assertThat(one(q("{'presence':{'channel':'c'},'id':11}"))).isEqualTo(new Command(11, new Request.Presence("c")));
  }

  // ---- framing

  @Test
  void severalCommandsSeparatedByNewline() throws Exception {
    List<Command> commands = CommandDecoder.decode(q(
        "{'id':1,'connect':{'token':'t'}}\n{'id':2,'subscribe':{'channel':'a'}}\n{'id':3,'subscribe':{'channel':'b'}}"));
    assertThat(commands).extracting(Command::id).containsExactly(1L, 2L, 3L);
    assertThat(commands.get(0).request()).isInstanceOf(Request.Connect.class);
    assertThat(((Request.Subscribe) commands.get(1).request()).channel()).isEqualTo("a");
    assertThat(((Request.Subscribe) commands.get(2).request()).channel()).isEqualTo("b");
  }

  @Test
  void severalCommandsSeparatedByCrLfWithTrailingNewline() throws Exception {
    List<Command> commands = CommandDecoder.decode(q(
        "{'id':1,'presence':{'channel':'a'}}\r\n{'id':2,'presence':{'channel':'b'}}\r\n{}\n"));
    assertThat(commands).containsExactly(
        new Command(1, new Request.Presence("a")),
        new Command(2, new Request.Presence("b")),
        Command.PONG);
  }

  @Test
  void trailingNewlineAndSurroundingWhitespaceAreAccepted() throws Exception {
    assertThat(CommandDecoder.decode(q("  {'id':1,'presence':{'channel':'a'}}\n")))
        .containsExactly(new Command(1, new Request.Presence("a")));
  }

  @Test
  void emptyObjectIsPong() throws Exception {
    Command c = one("{}");
    assertThat(c.isPong()).isTrue();
    assertThat(c).isEqualTo(Command.PONG);
    assertThat(CommandDecoder.decode("{}\n{}")).containsExactly(Command.PONG, Command.PONG);
  }

  @Test
  void idWithoutMethodIsUnknown() throws Exception {
    assertThat(one(q("{'id':12}"))).isEqualTo(new Command(12, new Request.Unknown()));
    assertThat(one(q("{'id':12,'teleport':{'to':'mars'}}"))).isEqualTo(new Command(12, new Request.Unknown()));
  }

  @Test
  void firstMethodFieldWins() throws Exception {
    assertThat(one(q("{'id':1,'presence':{'channel':'first'},'history':{'channel':'second'}}")).request())
        .isEqualTo(new Request.Presence("first"));
    assertThat(one(q("{'id':1,'history':{'channel':'first'},'presence':{'channel':'second'}}")).request())
        .isEqualTo(new Request.History("first", 0, null, false));
  }

  @Test
  void unknownFieldsAreIgnoredAtEveryLevel() throws Exception {
    Command c = one(q("{'extra':[1,{'a':{'b':[]}}],'id':1,'connect':{'future':{'x':[1,2,{}]},'token':'t',"
        + "'subs':{'c':{'novel':true,'offset':3}},'since':{'offset':1}},'trailer':'z'}"));
    assertThat(c.id()).isEqualTo(1);
    Request.Connect connect = (Request.Connect) c.request();
    assertThat(connect.token()).isEqualTo("t");
    assertThat(connect.subs().get("c").offset()).isEqualTo(3);
  }

  // ---- raw data

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"a\":1}",
      "[1,\"two\",{\"three\":[3]}]",
      "{ \"spaced\" : [ 1 , 2 ] ,\n\t\"x\" : { } }",
      "{\"q\":\"say \\\"hi\\\" } ] {\",\"esc\":\"a\\nb\\tc\\\\d\\u00e9\\/\"}",
      "{\"u\":\"h\u00e9llo \uD83D\uDE00 \u65E5\u672C\",\"\u00fc\":[]}",
      "{\"deep\":[[[{\"s\":\"[{\"}]]],\"e\":{}}",
      "[]",
      "{}",
  })
  void rawObjectAndArrayDataIsTheExactClientText(String data) throws Exception {
    assertThat(publishedData(publishFrame(data))).isEqualTo(data);
  }

  @Test
  void rawDataFollowedByOtherFieldsAndCommandsIsCutExactly() throws Exception {
    String data = "{\"x\":[1,2,{\"y\":\"}\"}]}";
    List<Command> commands = CommandDecoder.decode(
        "{\"id\":1,\"publish\":{\"data\":" + data + ",\"channel\":\"c\"},\"z\":{}}\n"
            + "{\"id\":2,\"rpc\":{\"data\":[true] ,\"method\":\"m\"}}");
    assertThat(commands).containsExactly(
        new Command(1, new Request.Publish("c", data)),
        new Command(2, new Request.Rpc("m", "[true]")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"hello\"", "\"a \\\"quoted\\\" \\n line\"", "\"\\u00e9\\ud83d\\ude00\"", "\"\"",
      "42", "-1.50", "1e10", "0", "true", "false"})
  void scalarDataIsKeptAsJsonText(String data) throws Exception {
    assertThat(publishedData(publishFrame(data))).isEqualTo(data);
  }

  @Test
  void stringDataWithAnEscapedLoneSurrogateKeepsTheEscape() throws Exception {
    assertThat(publishedData(publishFrame("\"x\\ud800y\""))).isEqualTo("\"x\\ud800y\"");
  }

  @Test
  void megabyteDataPayloadDecodes() throws Exception {
    String big = "x".repeat(1 << 20);
    String data = "{\"blob\":\"" + big + "\",\"tail\":[1,2,3]}";
    List<Command> commands = CommandDecoder.decode(publishFrame(data) + "\n" + q("{'id':2,'presence':{'channel':'p'}}"));
    assertThat(commands).hasSize(2);
    assertThat(((Request.Publish) commands.get(0).request()).data()).isEqualTo(data);
    assertThat(commands.get(1)).isEqualTo(new Command(2, new Request.Presence("p")));
  }

  @Test
  void megabyteStringDataDecodesExactly() throws Exception {
    String data = "\"" + "ab\\\"\u00e9".repeat(1 << 18) + "\"";
    assertThat(publishedData(publishFrame(data))).isEqualTo(data);
  }

  @Test
  void moderatelyNestedDataDecodes() throws Exception {
    String data = "[".repeat(40) + "{\"k\":1}" + "]".repeat(40);
    assertThat(publishedData(publishFrame(data))).isEqualTo(data);
  }

  @Test
  void deeplyNestedDataIsAProtocolErrorNotAStackOverflow() {
    String arrays = "[".repeat(1000) + "]".repeat(1000);
    assertThatThrownBy(() -> CommandDecoder.decode(publishFrame(arrays))).isInstanceOf(ProtocolException.class);
    StringBuilder objects = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      objects.append("{\"a\":");
    }
    objects.append("1").append("}".repeat(1000));
    assertThatThrownBy(() -> CommandDecoder.decode(publishFrame(objects.toString())))
        .isInstanceOf(ProtocolException.class);
    // nesting in an ignored field is limited just the same
    assertThatThrownBy(() -> CommandDecoder.decode("{\"id\":1,\"ignored\":" + arrays + "}"))
        .isInstanceOf(ProtocolException.class);
  }

  // ---- per-command field errors

  @ParameterizedTest
  @ValueSource(strings = {
      "{'id':1,'subscribe':{'channel':5}}",
      "{'id':1,'subscribe':{'channel':'c','recover':'yes'}}",
      "{'id':1,'subscribe':{'channel':'c','offset':-1}}",
      "{'id':1,'subscribe':{'channel':'c','offset':1.5}}",
      "{'id':1,'subscribe':{'channel':'c','offset':'x'}}",
      "{'id':1,'subscribe':{'channel':'c','offset':99999999999999999999}}",
      "{'id':1,'subscribe':{'channel':{'deep':[1,{'x':2}]},'token':'t'},'after':{'a':[{}]}}",
      "{'id':1,'history':{'channel':'c','since':'x'}}",
      "{'id':1,'history':{'channel':'c','since':{'offset':true,'epoch':'e'},'limit':3}}",
      "{'id':1,'history':{'channel':'c','reverse':[true]}}",
      "{'id':1,'connect':{'subs':[]}}",
      "{'id':1,'connect':{'subs':{'c':5}}}",
      "{'id':1,'connect':{'token':'t','subs':{'c':{'offset':'nope'}},'name':'n'}}",
      "{'id':1,'sub_refresh':{'channel':'c','token':['t']}}",
  })
  void wrongFieldTypeIsInvalidAndTheNextCommandStillDecodes(String bad) throws Exception {
    List<Command> commands = CommandDecoder.decode(q(bad + "\n{'id':2,'presence':{'channel':'next'}}"));
    assertThat(commands).hasSize(2);
    assertThat(commands.get(0).id()).isEqualTo(1);
    assertThat(commands.get(0).request()).isInstanceOf(Request.Invalid.class);
    Request.Invalid invalid = (Request.Invalid) commands.get(0).request();
    assertThat(invalid.method()).isEqualTo(new JsonObject(q(bad)).fieldNames().stream()
        .filter(f -> !f.equals("id") && !f.equals("after")).findFirst().orElseThrow());
    assertThat(invalid.problem()).isNotBlank();
    assertThat(commands.get(1)).isEqualTo(new Command(2, new Request.Presence("next")));
  }

  @Test
  void invalidProblemNamesTheField() throws Exception {
    assertThat(request(q("{'id':1,'subscribe':{'channel':5}}"), Request.Invalid.class).problem()).contains("channel");
    assertThat(request(q("{'id':1,'subscribe':{'recover':'yes'}}"), Request.Invalid.class).problem())
        .contains("recover");
    assertThat(request(q("{'id':1,'history':{'since':'x'}}"), Request.Invalid.class).problem()).contains("since");
    assertThat(request(q("{'id':1,'connect':{'subs':[]}}"), Request.Invalid.class).problem()).contains("subs");
  }

  @Test
  void idAfterAnInvalidMethodIsStillRead() throws Exception {
    assertThat(one(q("{'subscribe':{'channel':5,'token':'t'},'id':9}")))
        .isEqualTo(new Command(9, new Request.Invalid("subscribe", "channel must be a string")));
  }

  // ---- frame errors

  @ParameterizedTest
  @ValueSource(strings = {
      "not json",
      "{'id':1,",
      "{'id':1,'connect':{'token':'t'}",
      "{'id':1,'publish':{'channel':'c','data':{'a':[1,2}}}",
      "[{'id':1}]",
      "42",
      "'just a string'",
      "null",
      "",
      "  \n \r\n ",
      "{'id':-1,'presence':{}}",
      "{'id':1.5,'presence':{}}",
      "{'id':'1','presence':{}}",
      "{'id':4294967296,'presence':{}}",
      "{'id':99999999999999999999,'presence':{}}",
      "{'id':true,'presence':{}}",
      "{'id':1,'presence':{}}\n[1]",
      "{'id':1,'presence':{}}\n7",
      "{'id':1,'presence':{}} garbage",
      "{'id':1,'presence':{'channel':'c'}}}",
  })
  void malformedFrameIsAProtocolException(String frame) {
    assertThatThrownBy(() -> CommandDecoder.decode(q(frame))).isInstanceOf(ProtocolException.class);
  }

  @Test
  void protocolExceptionSaysWhatIsWrong() {
    assertThatThrownBy(() -> CommandDecoder.decode("")).hasMessageContaining("empty");
    assertThatThrownBy(() -> CommandDecoder.decode(q("{'id':'1'}"))).hasMessageContaining("id");
    assertThatThrownBy(() -> CommandDecoder.decode("[1]")).hasMessageContaining("object");
  }
}
