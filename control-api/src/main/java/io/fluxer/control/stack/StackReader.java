package io.fluxer.control.stack;

import io.fluxer.control.stack.StackFileException.Problem;
import io.fluxer.control.stack.StackYaml.ListNode;
import io.fluxer.control.stack.StackYaml.MapNode;
import io.fluxer.control.stack.StackYaml.Node;
import io.fluxer.control.stack.StackYaml.Scalar;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One parse's reading of a stack file: loads the text, reads typed values out of its nodes (strings,
 * integers, durations, sizes, labels, ... each refused with the compose schema's words and the node's
 * key path and line), resolves what the file refers to in the request (the stack's scoped names,
 * {@code env} variables, {@code files}), and collects the warnings and problems found on the way.
 * {@link StackDeclarations} and {@link ServiceConverter} share one instance; {@link StackFile} reads
 * the collected problems and warnings at the end.
 */
final class StackReader {
  private final String stack;
  private final Map<String, String> env;
  private final Map<String, byte[]> files = new HashMap<>();
  private final List<StackWarning> warnings = new ArrayList<>();
  private final List<Problem> problems = new ArrayList<>();

  /**
   * @param stack the stack name (already checked)
   * @param env the request's variables, for {@code ${VAR}} and bare {@code environment} entries
   * @param files the request's files by path as written (a leading {@code ./} is ignored)
   */
  StackReader(String stack, Map<String, String> env, Map<String, byte[]> files) {
    this.stack = stack;
    this.env = Map.copyOf(env);
    files.forEach((path, content) -> this.files.put(normalizePath(path), content));
  }

  /** Parses and interpolates the file; the YAML layer's warnings are collected here too. */
  MapNode load(String yaml) {
    return StackYaml.load(yaml, new Interpolator(env), warnings);
  }

  // ---- the request ----

  String stack() {
    return stack;
  }

  /** {@code <stack>_<key>}: the swarm name of a stack's own service, network, volume, secret or config. */
  String scoped(String key) {
    return stack + "_" + key;
  }

  /** A variable of the request's env, or null. */
  String variable(String name) {
    return env.get(name);
  }

  /** The content of the request file this node names: nothing is read from disk. */
  byte[] file(Node node, String what) {
    String path = string(node);
    byte[] content = files.get(normalizePath(path));
    if (content == null) {
      throw node.error("file \"" + path + "\" cannot be read here: stack files are deployed without their"
          + " directory; send its " + what + " with the request's files, or use environment"
          + " or external: true");
    }
    return content;
  }

  private static String normalizePath(String path) {
    String p = path;
    while (p.startsWith("./")) {
      p = p.substring(2);
    }
    return p;
  }

  // ---- warnings and problems ----

  void warn(Node where, String message) {
    warn(where.path, where.line, message);
  }

  void warn(String path, int line, String message) {
    warnings.add(StackWarning.at(path, line, message));
  }

  void problem(Node where, String message) {
    problem(new Problem(where.path, where.line, where.column, message));
  }

  void problem(Problem problem) {
    problems.add(problem);
  }

  /** Runs one step; a {@link StackFileException} it throws is recorded. Returns whether the step succeeded. */
  boolean attempt(Runnable step) {
    try {
      step.run();
      return true;
    } catch (StackFileException e) {
      problems.addAll(e.problems());
      return false;
    }
  }

  boolean hasProblems() {
    return !problems.isEmpty();
  }

  /** Throws every problem recorded so far, if there is any. */
  void failOnProblems() {
    if (!problems.isEmpty()) {
      throw new StackFileException(problems, warningsInFileOrder());
    }
  }

  /** The warnings, sorted into file order (stable for one line). */
  List<StackWarning> warningsInFileOrder() {
    warnings.sort(Comparator.comparingInt(StackWarning::line));
    return warnings;
  }

  // ---- typed reads ----

  void checkKeys(MapNode map, Set<String> allowed) {
    for (Map.Entry<String, Node> e : map.entries.entrySet()) {
      if (!allowed.contains(e.getKey()) && !e.getKey().startsWith("x-")) {
        throw e.getValue().error("unknown key" + suggestion(e.getKey(), allowed));
      }
    }
  }

  static String suggestion(String key, Set<String> allowed) {
    return "; expected one of " + String.join(", ", new TreeSet<>(allowed));
  }

  MapNode requireMap(Node node) {
    if (node instanceof MapNode map) {
      return map;
    }
    throw node.error("must be a mapping, not " + node.kind());
  }

  /** A mapping, or null for an empty value ({@code backend:}). */
  MapNode optionalMap(Node node) {
    if (node instanceof Scalar s && s.type == Scalar.Type.NULL) {
      return null;
    }
    return requireMap(node);
  }

  ListNode requireList(Node node) {
    if (node instanceof ListNode list) {
      return list;
    }
    throw node.error("must be a list, not " + node.kind());
  }

  /** A string; numbers and booleans are refused (quote them), as the compose schema does. */
  String string(Node node) {
    if (node instanceof Scalar s && s.type == Scalar.Type.STRING) {
      return s.text;
    }
    throw node.error("must be a string, not " + node.kind() + (node instanceof Scalar ? " (quote it)" : ""));
  }

  /** Any non-null scalar's text: for values where numbers and booleans read as strings (env, labels, uid). */
  String text(Node node) {
    if (node instanceof Scalar s && s.type != Scalar.Type.NULL) {
      return s.text;
    }
    throw node.error("must be a string or a number, not " + node.kind());
  }

  long integer(Node node, long min, long max) {
    long value;
    if (node instanceof Scalar s && s.type == Scalar.Type.INT) {
      try {
        value = Units.yamlInt(s.text);
      } catch (IllegalArgumentException e) {
        throw node.error("must be an integer");
      }
    } else if (node instanceof Scalar s && s.type == Scalar.Type.STRING && s.interpolated && s.text.trim().matches("[-+]?\\d+")) {
      value = Long.parseLong(s.text.trim());
    } else {
      throw node.error(rangeWords(min, max) + ", not " + node.kind());
    }
    if (value < min || value > max) {
      throw node.error(rangeWords(min, max) + ", not " + value);
    }
    return value;
  }

  private static String rangeWords(long min, long max) {
    if (min == 0 && (max == Long.MAX_VALUE || max == Integer.MAX_VALUE)) {
      return "must be a non-negative integer";
    }
    return "must be an integer from " + min + " to " + max;
  }

  double number(Node node) {
    if (node instanceof Scalar s && (s.type == Scalar.Type.INT || s.type == Scalar.Type.FLOAT
        || s.type == Scalar.Type.STRING && s.interpolated)) {
      try {
        return Double.parseDouble(s.text.trim());
      } catch (NumberFormatException e) {
        // fall through
      }
    }
    throw node.error("must be a number, not " + node.kind());
  }

  boolean bool(Node node) {
    if (node instanceof Scalar s && (s.type == Scalar.Type.BOOL || s.type == Scalar.Type.STRING && s.interpolated)) {
      String t = s.text.trim().toLowerCase(java.util.Locale.ROOT);
      if (Set.of("true", "yes", "on", "y").contains(t)) {
        return true;
      }
      if (Set.of("false", "no", "off", "n").contains(t)) {
        return false;
      }
    }
    throw node.error("must be true or false, not " + node.kind());
  }

  long duration(Node node) {
    if (node instanceof Scalar s && s.type == Scalar.Type.INT && s.text.equals("0")) {
      return 0;
    }
    if (!(node instanceof Scalar s) || s.type != Scalar.Type.STRING) {
      throw node.error("must be a duration string such as 10s, 1m30s or 500ms, not " + node.kind());
    }
    try {
      return Units.durationNanos(s.text);
    } catch (IllegalArgumentException e) {
      throw node.error(e.getMessage());
    }
  }

  long bytes(Node node) {
    if (node instanceof Scalar s && s.type == Scalar.Type.INT) {
      return integer(node, 0, Long.MAX_VALUE);
    }
    if (!(node instanceof Scalar s) || s.type != Scalar.Type.STRING) {
      throw node.error("must be a size such as 512M or 1g, not " + node.kind());
    }
    try {
      return Units.bytes(s.text);
    } catch (IllegalArgumentException e) {
      throw node.error(e.getMessage());
    }
  }

  long nanoCpus(Node node) {
    if (!(node instanceof Scalar s) || s.type == Scalar.Type.NULL || s.type == Scalar.Type.BOOL) {
      throw node.error("must be a number of CPUs such as \"0.5\", not " + node.kind());
    }
    try {
      return Units.nanoCpus(s.text);
    } catch (IllegalArgumentException e) {
      throw node.error(e.getMessage());
    }
  }

  /** A list of strings (numbers are taken as written); with {@code single}, a lone string is a one-item list. */
  List<String> stringList(Node node, boolean single) {
    if (single && node instanceof Scalar s && s.type == Scalar.Type.STRING) {
      return List.of(s.text);
    }
    List<String> out = new ArrayList<>();
    for (Node item : requireList(node).items) {
      if (item instanceof Scalar s && (s.type == Scalar.Type.STRING || s.type == Scalar.Type.INT
          || s.type == Scalar.Type.FLOAT)) {
        out.add(s.text);
      } else {
        throw item.error("must be a string, not " + item.kind());
      }
    }
    return out;
  }

  interface Pair {
    void accept(String key, String value, Node where);
  }

  /**
   * A mapping ({@code KEY: value}) or a list ({@code - KEY=value}); a null map value or a list item
   * without the separator gives a null value.
   */
  void mapOrList(Node node, String separator, Pair into) {
    if (node instanceof MapNode map) {
      for (Map.Entry<String, Node> e : map.entries.entrySet()) {
        Node v = e.getValue();
        if (v instanceof Scalar s) {
          into.accept(e.getKey(), s.type == Scalar.Type.NULL ? null : s.text, v);
        } else {
          throw v.error("must be a string, a number or a boolean, not " + v.kind());
        }
      }
    } else if (node instanceof ListNode list) {
      for (Node item : list.items) {
        String entry = string(item);
        int at = entry.indexOf(separator);
        if (at == 0) {
          throw item.error("\"" + entry + "\" has no name before " + separator);
        }
        into.accept(at < 0 ? entry : entry.substring(0, at), at < 0 ? null : entry.substring(at + 1), item);
      }
    } else if (!(node instanceof Scalar s && s.type == Scalar.Type.NULL)) {
      throw node.error("must be a mapping or a list of \"KEY" + separator + "value\", not " + node.kind());
    }
  }

  /** Labels (or driver options): mapping or list; a name without value gets the empty string. */
  JsonObject labels(Node node) {
    JsonObject out = new JsonObject();
    if (node == null) {
      return out;
    }
    Map<String, String> sorted = new TreeMap<>();
    mapOrList(node, "=", (k, v, where) -> sorted.put(k, v == null ? "" : v));
    sorted.forEach(out::put);
    return out;
  }

  void putString(JsonObject into, String field, Node node) {
    if (node != null && !(node instanceof Scalar s && s.type == Scalar.Type.NULL)) {
      into.put(field, string(node));
    }
  }

  void putBool(JsonObject into, String field, Node node) {
    if (node != null && !(node instanceof Scalar s && s.type == Scalar.Type.NULL)) {
      into.put(field, bool(node));
    }
  }
}
