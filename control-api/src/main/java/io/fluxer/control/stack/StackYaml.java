package io.fluxer.control.stack;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A stack file as a tree of maps, lists and scalars, each knowing its key path and line, built from
 * SnakeYAML's node API. Resolves aliases and {@code <<} merge keys, refuses duplicate keys, and
 * interpolates every scalar value (never keys) as it goes.
 */
final class StackYaml {
  /** Stack files are small; this bounds what aliases can expand to. */
  static final int MAX_NODES = 100_000;
  static final int MAX_DEPTH = 64;
  static final int MAX_CODE_POINTS = 1 << 20;

  /** A node of the tree. {@code line} and {@code column} are 1-based; a map value carries its key's. */
  abstract static sealed class Node permits MapNode, ListNode, Scalar {
    final String path;
    final int line;
    final int column;

    Node(String path, int line, int column) {
      this.path = path;
      this.line = line;
      this.column = column;
    }

    abstract String kind();

    StackFileException error(String message) {
      return new StackFileException(path, line, column, message);
    }
  }

  static final class MapNode extends Node {
    final Map<String, Node> entries = new LinkedHashMap<>();

    MapNode(String path, int line, int column) {
      super(path, line, column);
    }

    Node get(String key) {
      return entries.get(key);
    }

    boolean has(String key) {
      Node n = entries.get(key);
      return n != null && !(n instanceof Scalar s && s.type == Scalar.Type.NULL);
    }

    @Override
    String kind() {
      return "a mapping";
    }
  }

  static final class ListNode extends Node {
    final List<Node> items = new ArrayList<>();

    ListNode(String path, int line, int column) {
      super(path, line, column);
    }

    @Override
    String kind() {
      return "a list";
    }
  }

  static final class Scalar extends Node {
    enum Type { STRING, INT, FLOAT, BOOL, NULL }

    final String text;
    final Type type;
    /** Whether the text came (partly) from interpolation: typed reads then accept a string. */
    final boolean interpolated;

    Scalar(String path, int line, int column, String text, Type type, boolean interpolated) {
      super(path, line, column);
      this.text = text;
      this.type = type;
      this.interpolated = interpolated;
    }

    @Override
    String kind() {
      switch (type) {
        case INT:
          return "an integer";
        case FLOAT:
          return "a number";
        case BOOL:
          return "a boolean";
        case NULL:
          return "null";
        default:
          return "a string";
      }
    }
  }

  private final Interpolator interpolator;
  private final List<StackWarning> warnings;
  private int nodes;

  private StackYaml(Interpolator interpolator, List<StackWarning> warnings) {
    this.interpolator = interpolator;
    this.warnings = warnings;
  }

  /**
   * Parses one YAML document into a tree whose root must be a mapping.
   *
   * @throws StackFileException for broken YAML (with the line and column SnakeYAML reports), a
   *     duplicate or non-scalar key, or a failed interpolation
   */
  static MapNode load(String text, Interpolator interpolator, List<StackWarning> warnings) {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(50);
    options.setCodePointLimit(MAX_CODE_POINTS);
    options.setAllowRecursiveKeys(false);
    org.yaml.snakeyaml.nodes.Node root;
    try {
      root = new Yaml(options).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
      String context = e.getContext() != null ? e.getContext() + ": " : "";
      throw new StackFileException("", mark == null ? 0 : mark.getLine() + 1,
          mark == null ? 0 : mark.getColumn() + 1, "invalid YAML: " + context + problem);
    } catch (YAMLException e) {
      throw new StackFileException("", 0, 0, "invalid YAML: " + e.getMessage());
    }
    if (root == null) {
      throw new StackFileException("", 1, 1, "the stack file is empty");
    }
    Node tree = new StackYaml(interpolator, warnings).convert(root, "", line(root), column(root), 0);
    if (!(tree instanceof MapNode map)) {
      throw new StackFileException("", tree.line, tree.column,
          "the stack file must be a mapping with a services key, not " + tree.kind());
    }
    return map;
  }

  private Node convert(org.yaml.snakeyaml.nodes.Node node, String path, int line, int column, int depth) {
    if (++nodes > MAX_NODES || depth > MAX_DEPTH) {
      throw new StackFileException(path, line, column, "the stack file nests or expands too deeply");
    }
    if (node instanceof ScalarNode scalar) {
      return scalar(scalar, path, line, column);
    }
    if (node instanceof SequenceNode seq) {
      ListNode list = new ListNode(path, line, column);
      int i = 0;
      for (org.yaml.snakeyaml.nodes.Node item : seq.getValue()) {
        list.items.add(convert(item, path + "[" + i + "]", line(item), column(item), depth + 1));
        i++;
      }
      return list;
    }
    MappingNode mapping = (MappingNode) node;
    MapNode map = new MapNode(path, line, column);
    List<org.yaml.snakeyaml.nodes.Node> merges = new ArrayList<>();
    for (NodeTuple tuple : mapping.getValue()) {
      org.yaml.snakeyaml.nodes.Node keyNode = tuple.getKeyNode();
      if (keyNode.getTag().equals(Tag.MERGE)) {
        merges.add(tuple.getValueNode());
        continue;
      }
      if (!(keyNode instanceof ScalarNode keyScalar)) {
        throw new StackFileException(path, line(keyNode), column(keyNode), "keys must be plain strings");
      }
      String key = keyScalar.getValue();
      String childPath = path.isEmpty() ? key : path + "." + key;
      if (map.entries.containsKey(key)) {
        throw new StackFileException(childPath, line(keyNode), column(keyNode),
            "duplicate key (first at line " + map.entries.get(key).line + ")");
      }
      map.entries.put(key, convert(tuple.getValueNode(), childPath, line(keyNode), column(keyNode), depth + 1));
    }
    for (org.yaml.snakeyaml.nodes.Node merge : merges) {
      List<org.yaml.snakeyaml.nodes.Node> sources = new ArrayList<>();
      if (merge instanceof SequenceNode seq) {
        sources.addAll(seq.getValue());
      } else {
        sources.add(merge);
      }
      for (org.yaml.snakeyaml.nodes.Node source : sources) {
        if (!(source instanceof MappingNode)) {
          throw new StackFileException(path, line(source), column(source),
              "<< must merge a mapping or a list of mappings");
        }
        MapNode merged = (MapNode) convert(source, path, line, column, depth + 1);
        merged.entries.forEach(map.entries::putIfAbsent);
      }
    }
    return map;
  }

  private Scalar scalar(ScalarNode node, String path, int line, int column) {
    Tag tag = node.getTag();
    Scalar.Type type;
    if (tag.equals(Tag.INT)) {
      type = Scalar.Type.INT;
    } else if (tag.equals(Tag.FLOAT)) {
      type = Scalar.Type.FLOAT;
    } else if (tag.equals(Tag.BOOL)) {
      type = Scalar.Type.BOOL;
    } else if (tag.equals(Tag.NULL)) {
      type = Scalar.Type.NULL;
    } else {
      type = Scalar.Type.STRING;
    }
    String text = node.getValue();
    boolean interpolated = false;
    if (type == Scalar.Type.STRING && text.indexOf('$') >= 0) {
      try {
        String result = interpolator.interpolate(text, name -> warnings.add(StackWarning.at(path, line,
            "variable " + name + " is not set; it became an empty string")));
        interpolated = !result.equals(text);
        text = result;
      } catch (Interpolator.Failure e) {
        throw new StackFileException(path, line(node), column(node), e.getMessage());
      }
    }
    return new Scalar(path, line, column, text, type, interpolated);
  }

  private static int line(org.yaml.snakeyaml.nodes.Node node) {
    return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
  }

  private static int column(org.yaml.snakeyaml.nodes.Node node) {
    return node.getStartMark() == null ? 0 : node.getStartMark().getColumn() + 1;
  }
}
