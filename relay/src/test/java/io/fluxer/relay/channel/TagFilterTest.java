package io.fluxer.relay.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class TagFilterTest {

  private static TagFilter parse(String json) {
    return TagFilter.parse(new JsonObject(json));
  }

  private static Map<String, String> tags(String json) {
    Map<String, String> tags = new HashMap<>();
    new JsonObject(json).forEach(e -> tags.put(e.getKey(), (String) e.getValue()));
    return tags;
  }

  static Stream<Arguments> comparisons() {
    return Stream.of(
        Arguments.of("{'key':'env','cmp':'eq','val':'prod'}", "{'env':'prod'}", true),
        Arguments.of("{'key':'env','cmp':'eq','val':'prod'}", "{'env':'dev'}", false),
        Arguments.of("{'key':'env','cmp':'eq','val':'prod'}", "{}", false),
        Arguments.of("{'key':'env','cmp':'neq','val':'prod'}", "{'env':'dev'}", true),
        Arguments.of("{'key':'env','cmp':'neq','val':'prod'}", "{'env':'prod'}", false),
        Arguments.of("{'key':'env','cmp':'neq','val':'prod'}", "{}", true),
        Arguments.of("{'key':'r','cmp':'in','vals':['us','eu']}", "{'r':'eu'}", true),
        Arguments.of("{'key':'r','cmp':'in','vals':['us','eu']}", "{'r':'asia'}", false),
        Arguments.of("{'key':'r','cmp':'in','vals':['us','eu']}", "{}", false),
        Arguments.of("{'key':'r','cmp':'nin','vals':['us','eu']}", "{'r':'asia'}", true),
        Arguments.of("{'key':'r','cmp':'nin','vals':['us','eu']}", "{'r':'us'}", false),
        Arguments.of("{'key':'r','cmp':'nin','vals':['us','eu']}", "{}", true),
        Arguments.of("{'key':'debug','cmp':'ex'}", "{'debug':''}", true),
        Arguments.of("{'key':'debug','cmp':'ex'}", "{'other':'1'}", false),
        Arguments.of("{'key':'debug','cmp':'nex'}", "{}", true),
        Arguments.of("{'key':'debug','cmp':'nex'}", "{'debug':'1'}", false),
        Arguments.of("{'key':'t','cmp':'sw','val':'BT'}", "{'t':'BTC'}", true),
        Arguments.of("{'key':'t','cmp':'sw','val':'BT'}", "{'t':'ABT'}", false),
        Arguments.of("{'key':'t','cmp':'sw','val':'BT'}", "{}", false),
        Arguments.of("{'key':'t','cmp':'ew','val':'TC'}", "{'t':'BTC'}", true),
        Arguments.of("{'key':'t','cmp':'ew','val':'TC'}", "{'t':'TCB'}", false),
        Arguments.of("{'key':'t','cmp':'ew','val':'TC'}", "{}", false),
        Arguments.of("{'key':'t','cmp':'ct','val':'.*'}", "{'t':'a.*b'}", true),
        Arguments.of("{'key':'t','cmp':'ct','val':'.*'}", "{'t':'ab'}", false),
        Arguments.of("{'key':'t','cmp':'ct','val':'x'}", "{}", false),
        Arguments.of("{'key':'p','cmp':'lt','val':'42'}", "{'p':'41.9'}", true),
        Arguments.of("{'key':'p','cmp':'lt','val':'42'}", "{'p':'42'}", false),
        Arguments.of("{'key':'p','cmp':'lte','val':'42'}", "{'p':'42'}", true),
        Arguments.of("{'key':'p','cmp':'lte','val':'42'}", "{'p':'42.0000001'}", false),
        Arguments.of("{'key':'p','cmp':'gt','val':'42'}", "{'p':'100'}", true),
        Arguments.of("{'key':'p','cmp':'gt','val':'42'}", "{'p':'42'}", false),
        Arguments.of("{'key':'p','cmp':'gte','val':'42'}", "{'p':'42.00'}", true),
        Arguments.of("{'key':'p','cmp':'gte','val':'42'}", "{'p':'41.99999999'}", false),
        Arguments.of("{'key':'p','cmp':'gte','val':'42'}", "{}", false));
  }

  @ParameterizedTest(name = "{0} on {1} -> {2}")
  @MethodSource("comparisons")
  void comparesOneTag(String filter, String tags, boolean expected) {
    assertThat(parse(filter.replace('\'', '"')).matches(tags(tags.replace('\'', '"'))))
        .isEqualTo(expected);
  }

  static Stream<Arguments> numbers() {
    return Stream.of(
        Arguments.of("-5", "lt", "-4.5", true),
        Arguments.of("-4.5", "gt", "-5", true),
        Arguments.of("-0", "gte", "0", true),
        Arguments.of("-0", "lt", "0", false),
        Arguments.of("+7", "gte", "7", true),
        Arguments.of("007", "lte", "7.000", true),
        Arguments.of("0.1", "gt", "0.0999999999999999999", true),
        Arguments.of("123456789012345678901234567890", "gt", "123456789012345678901234567889", true),
        Arguments.of("1.0000000000000000001", "gt", "1", true),
        // what centrifuge's parser refuses is no number: neither side of any comparison
        Arguments.of("1e3", "gt", "1", false),
        Arguments.of("1e3", "lte", "1", false),
        Arguments.of(".5", "lt", "1", false),
        Arguments.of("5.", "gt", "1", false),
        Arguments.of("-.5", "lt", "1", false),
        Arguments.of("1.2.3", "gt", "1", false),
        Arguments.of(" 5", "gt", "1", false),
        Arguments.of("5 ", "gt", "1", false),
        Arguments.of("1,5", "gt", "1", false),
        Arguments.of("0x10", "gt", "1", false),
        Arguments.of("NaN", "gt", "1", false),
        Arguments.of("Infinity", "gt", "1", false),
        Arguments.of("-", "lt", "1", false),
        Arguments.of("+-1", "lt", "1", false),
        Arguments.of("", "lt", "1", false),
        Arguments.of("abc", "lt", "1", false),
        Arguments.of("1.00000000000000000001", "gt", "1", false),
        Arguments.of("5", "gt", "abc", false),
        Arguments.of("5", "lt", "abc", false),
        Arguments.of("5", "gt", "1e0", false));
  }

  @ParameterizedTest(name = "{0} {1} {2} -> {3}")
  @MethodSource("numbers")
  void comparesNumbersAsCentrifugeDoes(String tag, String cmp, String val, boolean expected) {
    TagFilter filter = TagFilter.parse(new JsonObject().put("key", "n").put("cmp", cmp).put("val", val));

    assertThat(filter.matches(Map.of("n", tag))).isEqualTo(expected);
  }

  @Test
  void numbersAreLimitedTo200CharactersAnd19FractionDigits() {
    assertThat(TagFilter.number("9".repeat(200))).isEqualTo(new BigDecimal("9".repeat(200)));
    assertThat(TagFilter.number("9".repeat(201))).isNull();
    assertThat(TagFilter.number("-1." + "1".repeat(19))).isNotNull();
    assertThat(TagFilter.number("1." + "1".repeat(20))).isNull();
  }

  @Test
  void nestsAndNegates() {
    TagFilter filter = parse("""
        {"op":"and","nodes":[
          {"op":"or","nodes":[
            {"key":"env","cmp":"eq","val":"prod"},
            {"key":"region","cmp":"in","vals":["us","eu"]}]},
          {"op":"not","nodes":[{"key":"tier","cmp":"eq","val":"bronze"}]},
          {"op":"not","nodes":[{"op":"not","nodes":[{"key":"price","cmp":"gt","val":"10"}]}]}]}""");

    assertThat(filter.matches(Map.of("env", "prod", "price", "11"))).isTrue();
    assertThat(filter.matches(Map.of("region", "eu", "tier", "gold", "price", "11"))).isTrue();
    assertThat(filter.matches(Map.of("env", "dev", "region", "asia", "price", "11"))).isFalse();
    assertThat(filter.matches(Map.of("env", "prod", "tier", "bronze", "price", "11"))).isFalse();
    assertThat(filter.matches(Map.of("env", "prod", "price", "10"))).isFalse();
  }

  @Test
  void noTagsAreAnEmptyMap() {
    assertThat(parse("{\"key\":\"k\",\"cmp\":\"nex\"}").matches(null)).isTrue();
    assertThat(parse("{\"key\":\"k\",\"cmp\":\"eq\",\"val\":\"v\"}").matches(null)).isFalse();
  }

  @Test
  void aMissingTagIsTheEmptyStringForInAndNinAsInCentrifugo() {
    assertThat(parse("{\"key\":\"k\",\"cmp\":\"in\",\"vals\":[\"\",\"a\"]}").matches(Map.of())).isTrue();
    assertThat(parse("{\"key\":\"k\",\"cmp\":\"nin\",\"vals\":[\"\"]}").matches(Map.of())).isFalse();
  }

  @Test
  void existenceMayTestTheEmptyKey() {
    TagFilter filter = parse("{\"cmp\":\"ex\"}");

    assertThat(filter.matches(Map.of("", "x"))).isTrue();
    assertThat(filter.matches(Map.of("k", "x"))).isFalse();
  }

  @Test
  void nullFieldsAreAbsentAndUnknownFieldsIgnored() {
    TagFilter filter = parse("""
        {"op":null,"key":"k","cmp":"eq","val":"v","vals":null,"nodes":null,"future":{"x":1}}""");

    assertThat(filter).isEqualTo(parse("{\"key\":\"k\",\"cmp\":\"eq\",\"val\":\"v\"}"));
  }

  @Test
  void fieldsAnOpDoesNotUseAreIgnoredAsInCentrifugo() {
    TagFilter filter = parse("""
        {"op":"not","key":"k","cmp":"bogus","val":"v","vals":[1],
         "nodes":[{"key":"k","cmp":"ex","nodes":"bogus"}]}""");

    assertThat(filter.canonical())
        .isEqualTo("{\"op\":\"not\",\"nodes\":[{\"key\":\"k\",\"cmp\":\"ex\"}]}");
  }

  @Test
  void readsJsonBuiltFromMapsAndLists() {
    JsonObject tf = new JsonObject(Map.of("op", "or", "nodes", List.of(
        Map.of("key", "a", "cmp", "in", "vals", List.of("1", "2")),
        Map.of("key", "b", "cmp", "ex"))));

    assertThat(TagFilter.parse(tf).matches(Map.of("a", "2"))).isTrue();
    assertThat(TagFilter.parse(tf).matches(Map.of("a", "3"))).isFalse();
  }

  static Stream<Arguments> malformed() {
    return Stream.of(
        Arguments.of("{}", "tf: a comparison needs cmp (or op for and/or/not)"),
        Arguments.of("{'key':'k','cmp':'like','val':'x'}", "tf: unknown cmp \"like\""),
        Arguments.of("{'op':'xor','nodes':[]}", "tf: unknown op \"xor\""),
        Arguments.of("{'op':'AND','nodes':[{'key':'k','cmp':'ex'}]}", "tf: unknown op \"AND\""),
        Arguments.of("{'op':1}", "tf: op must be a string"),
        Arguments.of("{'key':'k','cmp':true}", "tf: cmp must be a string"),
        Arguments.of("{'key':5,'cmp':'eq','val':'x'}", "tf: key must be a string"),
        Arguments.of("{'key':'k','cmp':'eq','val':5}", "tf: val must be a string"),
        Arguments.of("{'key':'k','cmp':'in','vals':'a'}", "tf: vals must be an array"),
        Arguments.of("{'key':'k','cmp':'in','vals':['a',1]}", "tf: vals[1] must be a string"),
        Arguments.of("{'key':'k','cmp':'in','vals':[null]}", "tf: vals[0] must be a string"),
        Arguments.of("{'op':'and','nodes':{}}", "tf: nodes must be an array"),
        Arguments.of("{'op':'and','nodes':['x']}", "tf: nodes[0] must be an object"),
        Arguments.of("{'op':'or','nodes':[{'key':'k','cmp':'ex'},null]}", "tf: nodes[1] must be an object"),
        Arguments.of("{'op':'and','nodes':[]}", "tf: and needs at least one node"),
        Arguments.of("{'op':'or'}", "tf: or needs at least one node"),
        Arguments.of("{'op':'not','nodes':[]}", "tf: not needs exactly one node, got 0"),
        Arguments.of("{'op':'not','nodes':[{'key':'k','cmp':'ex'},{'key':'k','cmp':'ex'}]}",
            "tf: not needs exactly one node, got 2"),
        Arguments.of("{'key':'k','cmp':'eq'}", "tf: eq needs a non-empty val"),
        Arguments.of("{'key':'k','cmp':'gt','val':''}", "tf: gt needs a non-empty val"),
        Arguments.of("{'key':'k','cmp':'sw','val':'a','vals':['b']}", "tf: sw takes val, not vals"),
        Arguments.of("{'key':'k','cmp':'in','vals':[]}", "tf: in needs a non-empty vals"),
        Arguments.of("{'key':'k','cmp':'nin','val':'a','vals':['a']}", "tf: nin takes vals, not val"),
        Arguments.of("{'key':'k','cmp':'ex','val':'a'}", "tf: ex takes neither val nor vals"),
        Arguments.of("{'key':'k','cmp':'nex','vals':['a']}", "tf: nex takes neither val nor vals"),
        Arguments.of("{'cmp':'eq','val':'a'}", "tf: eq needs a key"),
        Arguments.of("{'key':'','cmp':'in','vals':['a']}", "tf: in needs a key"),
        Arguments.of("{'op':'and','nodes':[{'key':'k','cmp':'ex'},{'op':'or','nodes':[{'cmp':'lt'}]}]}",
            "tf.nodes[1].nodes[0]: lt needs a non-empty val"),
        Arguments.of("{'op':'" + "x".repeat(40) + "'}", "tf: unknown op \"" + "x".repeat(32) + "…\""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void refusesMalformedFiltersSayingWhereAndWhy(String json, String message) {
    assertThatThrownBy(() -> parse(json.replace('\'', '"')))
        .isInstanceOf(TagFilter.InvalidFilterException.class)
        .hasMessage(message);
  }

  @Test
  void refusesNoFilter() {
    assertThatThrownBy(() -> TagFilter.parse(null))
        .isInstanceOf(TagFilter.InvalidFilterException.class)
        .hasMessage("tf: missing");
  }

  private static JsonObject exists(String key) {
    return new JsonObject().put("key", key).put("cmp", "ex");
  }

  /** {@code not} nested so the whole filter has {@code depth} levels. */
  private static JsonObject nested(int depth) {
    JsonObject node = exists("k");
    for (int i = 1; i < depth; i++) {
      node = new JsonObject().put("op", "not").put("nodes", new JsonArray().add(node));
    }
    return node;
  }

  private static JsonObject wide(int nodes) {
    JsonArray children = new JsonArray();
    for (int i = 1; i < nodes; i++) {
      children.add(exists("k" + i));
    }
    return new JsonObject().put("op", "or").put("nodes", children);
  }

  private static JsonObject in(int vals) {
    JsonArray values = new JsonArray();
    for (int i = 0; i < vals; i++) {
      values.add("v" + i);
    }
    return new JsonObject().put("key", "k").put("cmp", "in").put("vals", values);
  }

  @Test
  void limitsDepth() {
    assertThat(TagFilter.parse(nested(TagFilter.DEFAULT_MAX_DEPTH)).matches(Map.of())).isTrue();
    assertThatThrownBy(() -> TagFilter.parse(nested(TagFilter.DEFAULT_MAX_DEPTH + 1)))
        .isInstanceOf(TagFilter.InvalidFilterException.class)
        .hasMessageEndingWith(": nested deeper than 16 levels");
  }

  @Test
  void aDeeplyNestedFilterFailsWithoutRecursingThroughIt() {
    assertThatThrownBy(() -> TagFilter.parse(nested(100_000)))
        .isInstanceOf(TagFilter.InvalidFilterException.class)
        .hasMessageEndingWith(": nested deeper than 16 levels");
  }

  @Test
  void limitsNodes() {
    assertThat(TagFilter.parse(wide(TagFilter.DEFAULT_MAX_NODES)).matches(Map.of("k255", "1")))
        .isTrue();
    assertThatThrownBy(() -> TagFilter.parse(wide(TagFilter.DEFAULT_MAX_NODES + 1)))
        .isInstanceOf(TagFilter.InvalidFilterException.class)
        .hasMessage("tf.nodes[255]: more than 256 nodes");
  }

  @Test
  void limitsValsAcrossTheFilter() {
    TagFilter.parse(in(TagFilter.DEFAULT_MAX_VALS));
    JsonObject twoLists = new JsonObject().put("op", "and")
        .put("nodes", new JsonArray().add(in(TagFilter.DEFAULT_MAX_VALS / 2)).add(in(TagFilter.DEFAULT_MAX_VALS / 2 + 1)));

    assertThatThrownBy(() -> TagFilter.parse(twoLists))
        .isInstanceOf(TagFilter.InvalidFilterException.class)
        .hasMessage("tf.nodes[1]: more than 1024 vals in the filter");
  }

  @Test
  void limitsStringLength() {
    String longest = "x".repeat(TagFilter.DEFAULT_MAX_STRING_LENGTH);
    TagFilter.parse(new JsonObject().put("key", longest).put("cmp", "ct").put("val", longest));

    assertThatThrownBy(() -> TagFilter.parse(exists(longest + "x")))
        .hasMessage("tf: key longer than 1024 characters");
    assertThatThrownBy(() -> TagFilter.parse(new JsonObject().put("key", "k").put("cmp", "eq").put("val", longest + "x")))
        .hasMessage("tf: val longer than 1024 characters");
    assertThatThrownBy(() -> TagFilter.parse(new JsonObject().put("key", "k").put("cmp", "in")
        .put("vals", new JsonArray().add("a").add(longest + "x"))))
        .hasMessage("tf: vals longer than 1024 characters");
  }

  @Test
  void limitsCanBeSet() {
    TagFilter.Limits small = new TagFilter.Limits(2, 3, 2, 4);

    TagFilter.parse(new JsonObject("{\"op\":\"and\",\"nodes\":[{\"key\":\"k\",\"cmp\":\"in\",\"vals\":[\"abcd\",\"b\"]},"
        + "{\"key\":\"k\",\"cmp\":\"ex\"}]}"), small);
    assertThatThrownBy(() -> TagFilter.parse(nested(3), small)).hasMessageEndingWith("deeper than 2 levels");
    assertThatThrownBy(() -> TagFilter.parse(wide(4), small)).hasMessageEndingWith("more than 3 nodes");
    assertThatThrownBy(() -> TagFilter.parse(in(3), small)).hasMessageEndingWith("more than 2 vals in the filter");
    assertThatThrownBy(() -> TagFilter.parse(exists("abcde"), small)).hasMessageEndingWith("longer than 4 characters");
    assertThatThrownBy(() -> new TagFilter.Limits(0, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theSameFilterWrittenDifferentlyIsEqual() {
    TagFilter a = parse("""
        {"op":"and","nodes":[{"key":"t","cmp":"in","vals":["b","a","b"]},{"val":"5","cmp":"gt","key":"p"}]}""");
    TagFilter b = parse("""
        {"nodes":[{"vals":["a","b"],"cmp":"in","key":"t"},{"key":"p","val":"5","cmp":"gt","op":""}],"op":"and"}""");

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a.canonical()).isEqualTo(b.canonical()).isEqualTo(
        "{\"op\":\"and\",\"nodes\":[{\"key\":\"t\",\"cmp\":\"in\",\"vals\":[\"a\",\"b\"]},"
            + "{\"key\":\"p\",\"cmp\":\"gt\",\"val\":\"5\"}]}");
    assertThat(a.toString()).isEqualTo(a.canonical());
    assertThat(TagFilter.parse(new JsonObject(a.canonical()))).isEqualTo(a);
  }

  @Test
  void differentFiltersAreNotEqual() {
    TagFilter eq = parse("{\"key\":\"k\",\"cmp\":\"eq\",\"val\":\"1\"}");

    assertThat(eq).isNotEqualTo(parse("{\"key\":\"k\",\"cmp\":\"neq\",\"val\":\"1\"}"))
        .isNotEqualTo(parse("{\"key\":\"k\",\"cmp\":\"eq\",\"val\":\"1.0\"}"))
        .isNotEqualTo(parse("{\"key\":\"K\",\"cmp\":\"eq\",\"val\":\"1\"}"))
        .isNotEqualTo(parse("{\"op\":\"or\",\"nodes\":[{\"key\":\"k\",\"cmp\":\"eq\",\"val\":\"1\"}]}"));
    assertThat(parse("{\"key\":\"k\",\"cmp\":\"in\",\"vals\":[\"a\",\"b\"]}"))
        .isNotEqualTo(parse("{\"key\":\"k\",\"cmp\":\"in\",\"vals\":[\"a\"]}"));
    assertThat(parse("{\"key\":\"k\",\"cmp\":\"eq\",\"val\":\"a\\\"b\"}"))
        .isNotEqualTo(parse("{\"key\":\"k\",\"cmp\":\"eq\",\"val\":\"a\\\\\\\"b\"}"));
  }

  /** A protobuf-like tree read through {@link TagFilter.Shape}, as generated messages will be. */
  private record Proto(String op, String key, String cmp, String val, List<String> vals, List<Proto> nodes) {}

  private static final TagFilter.Shape<Proto> PROTO = new TagFilter.Shape<>() {
    @Override
    public String op(Proto n) {
      return n.op();
    }

    @Override
    public String key(Proto n) {
      return n.key();
    }

    @Override
    public String cmp(Proto n) {
      return n.cmp();
    }

    @Override
    public String val(Proto n) {
      return n.val();
    }

    @Override
    public List<String> vals(Proto n) {
      return n.vals();
    }

    @Override
    public List<Proto> nodes(Proto n) {
      return n.nodes();
    }
  };

  @Test
  void parsesAnyFilterNodeShapedTree() {
    Proto proto = new Proto("not", "", "", "", List.of(), List.of(
        new Proto("", "k", "nin", "", List.of("b", "a"), List.of())));

    TagFilter filter = TagFilter.parse(proto, PROTO, TagFilter.Limits.DEFAULTS);

    assertThat(filter).isEqualTo(parse("{\"op\":\"not\",\"nodes\":[{\"key\":\"k\",\"cmp\":\"nin\",\"vals\":[\"a\",\"b\"]}]}"));
    assertThatThrownBy(() -> TagFilter.parse(new Proto("not", "", "", "", List.of(), List.of()), PROTO,
        TagFilter.Limits.DEFAULTS)).hasMessage("tf: not needs exactly one node, got 0");
  }

  // Randomized check against a plain reading of centrifuge's filter.Match.

  private static final List<String> KEYS = List.of("a", "b", "c", "");
  private static final List<String> VALUES = List.of(
      "x", "xy", "yx", "y", "0", "-1", "1.5", "+2", "10", "007", "-0", "1e3", ".5", "5.", "abc", "X");
  private static final List<String> CMPS = List.of(
      "eq", "neq", "in", "nin", "ex", "nex", "sw", "ew", "ct", "lt", "lte", "gt", "gte");
  private static final Pattern NUMBER = Pattern.compile("[+-]?[0-9]+(\\.[0-9]{1,19})?");

  private static JsonObject randomFilter(Random random, int depth) {
    if (depth >= 4 || random.nextInt(3) == 0) {
      String cmp = CMPS.get(random.nextInt(CMPS.size()));
      String key = KEYS.get(random.nextInt(KEYS.size()));
      JsonObject leaf = new JsonObject().put("key", key.isEmpty() && !cmp.endsWith("ex") ? "a" : key).put("cmp", cmp);
      if (cmp.equals("in") || cmp.equals("nin")) {
        JsonArray vals = new JsonArray();
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
          vals.add(random.nextInt(8) == 0 ? "" : VALUES.get(random.nextInt(VALUES.size())));
        }
        leaf.put("vals", vals);
      } else if (!cmp.endsWith("ex")) {
        leaf.put("val", VALUES.get(random.nextInt(VALUES.size())));
      }
      return leaf;
    }
    String op = List.of("and", "or", "not").get(random.nextInt(3));
    int n = op.equals("not") ? 1 : 1 + random.nextInt(3);
    JsonArray nodes = new JsonArray();
    for (int i = 0; i < n; i++) {
      nodes.add(randomFilter(random, depth + 1));
    }
    return new JsonObject().put("op", op).put("nodes", nodes);
  }

  private static Map<String, String> randomTags(Random random) {
    Map<String, String> tags = new HashMap<>();
    for (String key : KEYS) {
      if (random.nextBoolean()) {
        tags.put(key, VALUES.get(random.nextInt(VALUES.size())));
      }
    }
    return tags;
  }

  private static boolean reference(JsonObject f, Map<String, String> tags) {
    String op = f.getString("op", "");
    if (!op.isEmpty()) {
      List<Boolean> results = new ArrayList<>();
      f.getJsonArray("nodes").forEach(n -> results.add(reference((JsonObject) n, tags)));
      return switch (op) {
        case "and" -> !results.contains(false);
        case "or" -> results.contains(true);
        default -> !results.get(0);
      };
    }
    boolean ok = tags.containsKey(f.getString("key"));
    String v = ok ? tags.get(f.getString("key")) : "";
    String val = f.getString("val", "");
    return switch (f.getString("cmp")) {
      case "eq" -> ok && v.equals(val);
      case "neq" -> !ok || !v.equals(val);
      case "in" -> f.getJsonArray("vals").contains(v);
      case "nin" -> !f.getJsonArray("vals").contains(v);
      case "ex" -> ok;
      case "nex" -> !ok;
      case "sw" -> ok && v.startsWith(val);
      case "ew" -> ok && v.endsWith(val);
      case "ct" -> ok && v.contains(val);
      default -> {
        if (!ok || !NUMBER.matcher(v).matches() || !NUMBER.matcher(val).matches()) {
          yield false;
        }
        int c = Double.compare(Double.parseDouble(v) + 0.0, Double.parseDouble(val) + 0.0);
        yield switch (f.getString("cmp")) {
          case "lt" -> c < 0;
          case "lte" -> c <= 0;
          case "gt" -> c > 0;
          default -> c >= 0;
        };
      }
    };
  }

  /** The same JSON with each object's fields in reverse order. */
  private static JsonObject reversed(JsonObject json) {
    List<String> names = new ArrayList<>(json.fieldNames());
    Collections.reverse(names);
    JsonObject copy = new JsonObject();
    for (String name : names) {
      Object value = json.getValue(name);
      if (value instanceof JsonArray array && name.equals("nodes")) {
        JsonArray nodes = new JsonArray();
        array.forEach(n -> nodes.add(reversed((JsonObject) n)));
        value = nodes;
      }
      copy.put(name, value);
    }
    return copy;
  }

  @Test
  void agreesWithAReferenceEvaluatorOnRandomFilters() {
    Random random = new Random(17);
    List<Map<String, String>> tagSets = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      tagSets.add(randomTags(random));
    }
    int matched = 0;
    for (int i = 0; i < 10_000; i++) {
      JsonObject json = randomFilter(random, 1);
      TagFilter filter = TagFilter.parse(json);
      for (Map<String, String> tags : tagSets) {
        boolean expected = reference(json, tags);
        if (filter.matches(tags) != expected) {
          throw new AssertionError(json.encode() + " on " + tags + ": expected " + expected);
        }
        matched += expected ? 1 : 0;
      }
      assertThat(TagFilter.parse(reversed(json))).isEqualTo(filter);
      assertThat(TagFilter.parse(new JsonObject(filter.canonical()))).isEqualTo(filter);
    }
    // both outcomes are well represented, so the agreement means something
    assertThat(matched).isBetween(100_000, 400_000);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ex", "nex"})
  void existenceChecksCanonicalizeWithoutValues(String cmp) {
    assertThat(TagFilter.parse(exists("k").put("cmp", cmp)).canonical())
        .isEqualTo("{\"key\":\"k\",\"cmp\":\"" + cmp + "\"}");
  }
}
