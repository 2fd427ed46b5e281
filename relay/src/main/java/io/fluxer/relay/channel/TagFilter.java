package io.fluxer.relay.channel;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * A subscriber's tags filter ({@code tf} on subscribe): a tree of {@code and}/{@code or}/{@code not}
 * over comparisons of publication tags, in the language of Centrifugo's {@code FilterNode}
 * ({@code client.proto}). Semantics follow centrifuge's {@code internal/filter/filter.go}:
 * {@code Validate} for what {@link #parse} accepts, {@code Match} for {@link #matches}.
 *
 * <p>Immutable and thread-safe. Two filters are equal when their {@link #canonical()} forms are,
 * so subscribers can be grouped by distinct filter and each publication tested once per group.
 */
public final class TagFilter {
  public static final int DEFAULT_MAX_DEPTH = 16;
  public static final int DEFAULT_MAX_NODES = 256;
  /** Values across all {@code in}/{@code nin} lists of one filter. */
  public static final int DEFAULT_MAX_VALS = 1024;
  /** Characters in one key or value. */
  public static final int DEFAULT_MAX_STRING_LENGTH = 1024;

  // What centrifuge's number parser (quagmt/udecimal Parse) accepts; anything else is no number.
  static final int MAX_NUMBER_LENGTH = 200;
  static final int MAX_FRACTION_DIGITS = 19;

  /** Bounds on what {@link #parse} accepts; each must be positive. */
  public record Limits(int maxDepth, int maxNodes, int maxVals, int maxStringLength) {
    public static final Limits DEFAULTS = new Limits(
        DEFAULT_MAX_DEPTH, DEFAULT_MAX_NODES, DEFAULT_MAX_VALS, DEFAULT_MAX_STRING_LENGTH);

    public Limits {
      if (maxDepth < 1 || maxNodes < 1 || maxVals < 1 || maxStringLength < 1) {
        throw new IllegalArgumentException("tags filter limits must be positive");
      }
    }
  }

  /** A filter a client sent that is malformed or too large; the message says where and why. */
  public static final class InvalidFilterException extends IllegalArgumentException {
    InvalidFilterException(String message) {
      super(message);
    }
  }

  /**
   * Read access to a {@code FilterNode}-shaped tree, so JSON and generated Protobuf messages share
   * one parser. An absent field reads as {@code ""} or an empty list (never null), as proto3
   * defaults do; a field of the wrong type throws {@link IllegalArgumentException} naming it.
   */
  public interface Shape<N> {
    String op(N node);

    String key(N node);

    String cmp(N node);

    String val(N node);

    List<String> vals(N node);

    List<N> nodes(N node);
  }

  /** JSON as centrifuge-js sends it and Centrifugo decodes it: {@code null} counts as absent. */
  public static final Shape<JsonObject> JSON = new Shape<>() {
    @Override
    public String op(JsonObject node) {
      return string(node, "op");
    }

    @Override
    public String key(JsonObject node) {
      return string(node, "key");
    }

    @Override
    public String cmp(JsonObject node) {
      return string(node, "cmp");
    }

    @Override
    public String val(JsonObject node) {
      return string(node, "val");
    }

    @Override
    public List<String> vals(JsonObject node) {
      return list(node, "vals", String.class, "a string");
    }

    @Override
    public List<JsonObject> nodes(JsonObject node) {
      return list(node, "nodes", JsonObject.class, "an object");
    }

    private static String string(JsonObject node, String field) {
      Object value = node.getValue(field);
      if (value == null) {
        return "";
      }
      if (value instanceof String s) {
        return s;
      }
      throw new IllegalArgumentException(field + " must be a string");
    }

    private static <T> List<T> list(JsonObject node, String field, Class<T> type, String what) {
      Object value = node.getValue(field);
      if (value == null) {
        return List.of();
      }
      if (!(value instanceof JsonArray array)) {
        throw new IllegalArgumentException(field + " must be an array");
      }
      List<T> items = new ArrayList<>(array.size());
      for (int i = 0; i < array.size(); i++) {
        Object item = array.getValue(i);
        if (!type.isInstance(item)) {
          throw new IllegalArgumentException(field + "[" + i + "] must be " + what);
        }
        items.add(type.cast(item));
      }
      return items;
    }
  };

  private final Node root;
  private final String canonical;

  private TagFilter(Node root) {
    this.root = root;
    this.canonical = root.toJson().encode();
  }

  public static TagFilter parse(JsonObject tf) {
    return parse(tf, JSON, Limits.DEFAULTS);
  }

  public static TagFilter parse(JsonObject tf, Limits limits) {
    return parse(tf, JSON, limits);
  }

  /** @throws InvalidFilterException when Centrifugo would refuse the filter or it is over a limit */
  public static <N> TagFilter parse(N tf, Shape<N> shape, Limits limits) {
    if (tf == null) {
      throw new InvalidFilterException("tf: missing");
    }
    return new TagFilter(new Parser<>(shape, limits).node(tf, "tf", 1));
  }

  /** Whether a publication with these tags passes; {@code null} tags are no tags. */
  public boolean matches(Map<String, String> tags) {
    return root.test(tags == null ? Map.of() : tags);
  }

  /**
   * The filter as compact JSON in a fixed form: only the fields its op or cmp uses, in a fixed
   * order, {@code in}/{@code nin} values sorted without duplicates. It parses back to an equal filter.
   */
  public String canonical() {
    return canonical;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TagFilter other && canonical.equals(other.canonical);
  }

  @Override
  public int hashCode() {
    return canonical.hashCode();
  }

  @Override
  public String toString() {
    return canonical;
  }

  /** A decimal as centrifuge parses one ({@code [+-]d+[.d{1,19}]}, at most 200 chars), or null. */
  static BigDecimal number(String s) {
    int n = s.length();
    if (n == 0 || n > MAX_NUMBER_LENGTH) {
      return null;
    }
    int i = s.charAt(0) == '+' || s.charAt(0) == '-' ? 1 : 0;
    int intStart = i;
    while (i < n && isDigit(s.charAt(i))) {
      i++;
    }
    if (i == intStart) {
      return null;
    }
    if (i < n) {
      if (s.charAt(i) != '.') {
        return null;
      }
      int fracStart = ++i;
      while (i < n && isDigit(s.charAt(i))) {
        i++;
      }
      int fraction = i - fracStart;
      if (i < n || fraction == 0 || fraction > MAX_FRACTION_DIGITS) {
        return null;
      }
    }
    return new BigDecimal(s);
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private enum Arity { VALUE, VALUES, NONE }

  private enum Cmp {
    EQ("eq", Arity.VALUE),
    NEQ("neq", Arity.VALUE),
    IN("in", Arity.VALUES),
    NIN("nin", Arity.VALUES),
    EX("ex", Arity.NONE),
    NEX("nex", Arity.NONE),
    SW("sw", Arity.VALUE),
    EW("ew", Arity.VALUE),
    CT("ct", Arity.VALUE),
    LT("lt", Arity.VALUE),
    LTE("lte", Arity.VALUE),
    GT("gt", Arity.VALUE),
    GTE("gte", Arity.VALUE);

    final String wire;
    final Arity arity;

    Cmp(String wire, Arity arity) {
      this.wire = wire;
      this.arity = arity;
    }

    boolean numeric() {
      return this == LT || this == LTE || this == GT || this == GTE;
    }

    static Cmp of(String wire) {
      for (Cmp cmp : values()) {
        if (cmp.wire.equals(wire)) {
          return cmp;
        }
      }
      return null;
    }
  }

  private sealed interface Node permits All, Any, Not, Leaf {
    boolean test(Map<String, String> tags);

    JsonObject toJson();
  }

  private record All(List<Node> nodes) implements Node {
    @Override
    public boolean test(Map<String, String> tags) {
      for (Node node : nodes) {
        if (!node.test(tags)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public JsonObject toJson() {
      return logical("and", nodes);
    }
  }

  private record Any(List<Node> nodes) implements Node {
    @Override
    public boolean test(Map<String, String> tags) {
      for (Node node : nodes) {
        if (node.test(tags)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public JsonObject toJson() {
      return logical("or", nodes);
    }
  }

  private record Not(Node node) implements Node {
    @Override
    public boolean test(Map<String, String> tags) {
      return !node.test(tags);
    }

    @Override
    public JsonObject toJson() {
      return logical("not", List.of(node));
    }
  }

  private static JsonObject logical(String op, List<Node> nodes) {
    JsonArray children = new JsonArray();
    nodes.forEach(node -> children.add(node.toJson()));
    return new JsonObject().put("op", op).put("nodes", children);
  }

  /**
   * One comparison. {@code sortedVals} keeps the canonical order, {@code valSet} the lookup;
   * {@code bound} is {@code val} as a number, null when it is none (then lt/lte/gt/gte never match).
   */
  private record Leaf(String key, Cmp cmp, String val, List<String> sortedVals, Set<String> valSet,
      BigDecimal bound) implements Node {
    @Override
    public boolean test(Map<String, String> tags) {
      String v = tags.get(key);
      return switch (cmp) {
        case EQ -> val.equals(v);
        case NEQ -> !val.equals(v);
        // Centrifugo compares a missing tag as "": in ["", …] matches it
        case IN -> valSet.contains(v == null ? "" : v);
        case NIN -> !valSet.contains(v == null ? "" : v);
        case EX -> v != null;
        case NEX -> v == null;
        case SW -> v != null && v.startsWith(val);
        case EW -> v != null && v.endsWith(val);
        case CT -> v != null && v.contains(val);
        case LT, LTE, GT, GTE -> compare(v);
      };
    }

    private boolean compare(String v) {
      BigDecimal tag = bound == null || v == null ? null : number(v);
      if (tag == null) {
        return false;
      }
      int c = tag.compareTo(bound);
      return switch (cmp) {
        case LT -> c < 0;
        case LTE -> c <= 0;
        case GT -> c > 0;
        default -> c >= 0;
      };
    }

    @Override
    public JsonObject toJson() {
      JsonObject json = new JsonObject().put("key", key).put("cmp", cmp.wire);
      switch (cmp.arity) {
        case VALUE -> json.put("val", val);
        case VALUES -> json.put("vals", new JsonArray(new ArrayList<>(sortedVals)));
        case NONE -> { }
      }
      return json;
    }
  }

  private static final class Parser<N> {
    private static final int QUOTE_MAX = 32;

    private final Shape<N> shape;
    private final Limits limits;
    private int nodes;
    private int vals;

    Parser(Shape<N> shape, Limits limits) {
      this.shape = shape;
      this.limits = limits;
    }

    Node node(N n, String path, int depth) {
      if (depth > limits.maxDepth()) {
        throw fail(path, "nested deeper than " + limits.maxDepth() + " levels");
      }
      if (++nodes > limits.maxNodes()) {
        throw fail(path, "more than " + limits.maxNodes() + " nodes");
      }
      String op = read(path, () -> shape.op(n));
      // Centrifugo ignores the fields an op does not use; so do we (they stay out of canonical())
      return switch (op) {
        case "" -> leaf(n, path);
        case "and", "or" -> {
          List<Node> children = children(n, path, depth);
          if (children.isEmpty()) {
            throw fail(path, op + " needs at least one node");
          }
          yield op.equals("and") ? new All(children) : new Any(children);
        }
        case "not" -> {
          List<Node> children = children(n, path, depth);
          if (children.size() != 1) {
            throw fail(path, "not needs exactly one node, got " + children.size());
          }
          yield new Not(children.get(0));
        }
        default -> throw fail(path, "unknown op " + quote(op));
      };
    }

    private List<Node> children(N n, String path, int depth) {
      List<N> raw = read(path, () -> shape.nodes(n));
      List<Node> children = new ArrayList<>(raw.size());
      for (int i = 0; i < raw.size(); i++) {
        String childPath = path + ".nodes[" + i + "]";
        if (raw.get(i) == null) {
          throw fail(childPath, "null");
        }
        children.add(node(raw.get(i), childPath, depth + 1));
      }
      return List.copyOf(children);
    }

    private Leaf leaf(N n, String path) {
      String wire = read(path, () -> shape.cmp(n));
      if (wire.isEmpty()) {
        throw fail(path, "a comparison needs cmp (or op for and/or/not)");
      }
      Cmp cmp = Cmp.of(wire);
      if (cmp == null) {
        throw fail(path, "unknown cmp " + quote(wire));
      }
      String key = bounded(path, "key", read(path, () -> shape.key(n)));
      String val = bounded(path, "val", read(path, () -> shape.val(n)));
      List<String> given = read(path, () -> shape.vals(n));
      switch (cmp.arity) {
        case VALUE -> {
          if (val.isEmpty()) {
            throw fail(path, wire + " needs a non-empty val");
          }
          if (!given.isEmpty()) {
            throw fail(path, wire + " takes val, not vals");
          }
        }
        case VALUES -> {
          if (given.isEmpty()) {
            throw fail(path, wire + " needs a non-empty vals");
          }
          if (!val.isEmpty()) {
            throw fail(path, wire + " takes vals, not val");
          }
          vals += given.size();
          if (vals > limits.maxVals()) {
            throw fail(path, "more than " + limits.maxVals() + " vals in the filter");
          }
          given.forEach(v -> bounded(path, "vals", v));
        }
        case NONE -> {
          if (!val.isEmpty() || !given.isEmpty()) {
            throw fail(path, wire + " takes neither val nor vals");
          }
        }
      }
      if (key.isEmpty() && cmp.arity != Arity.NONE) {
        throw fail(path, wire + " needs a key");
      }
      List<String> sorted = List.copyOf(new TreeSet<>(given));
      BigDecimal number = cmp.numeric() ? number(val) : null;
      return new Leaf(key, cmp, val, sorted, Set.copyOf(sorted), number);
    }

    private String bounded(String path, String field, String value) {
      if (value.length() > limits.maxStringLength()) {
        throw fail(path, field + " longer than " + limits.maxStringLength() + " characters");
      }
      return value;
    }

    private static <T> T read(String path, Supplier<T> field) {
      try {
        return field.get();
      } catch (IllegalArgumentException e) {
        throw fail(path, e.getMessage());
      }
    }

    private static InvalidFilterException fail(String path, String why) {
      return new InvalidFilterException(path + ": " + why);
    }

    private static String quote(String s) {
      return '"' + (s.length() > QUOTE_MAX ? s.substring(0, QUOTE_MAX) + "…" : s) + '"';
    }
  }
}
