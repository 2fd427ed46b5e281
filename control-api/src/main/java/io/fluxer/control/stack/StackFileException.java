package io.fluxer.control.stack;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A stack file that cannot be deployed: broken YAML or an invalid spec. Carries every problem found
 * (at most one per service and one per top-level section), each naming the key path and the line, so
 * the HTTP layer can answer 400 with all of them. Nothing has been changed on the swarm when this is
 * thrown: parsing is pure.
 */
public final class StackFileException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /**
   * One problem.
   *
   * @param key the key path, e.g. {@code services.web.deploy.replicas}; empty for the file as a whole
   * @param line 1-based line, 0 when the problem has no place in the file (e.g. the stack name)
   * @param column 1-based column, 0 when unknown
   * @param message what is wrong, for a person
   */
  public record Problem(String key, int line, int column, String message) {
    public Problem {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(message, "message");
    }

    public JsonObject toJson() {
      JsonObject json = new JsonObject().put("key", key).put("message", message);
      if (line > 0) {
        json.put("line", line);
      }
      if (column > 0) {
        json.put("column", column);
      }
      return json;
    }

    @Override
    public String toString() {
      String where = line <= 0 ? "" : column <= 0 ? " (line " + line + ")"
          : " (line " + line + ", column " + column + ")";
      return (key.isEmpty() ? "" : key + ": ") + message + where;
    }
  }

  private final List<Problem> problems;
  private final List<StackWarning> warnings;

  public StackFileException(List<Problem> problems) {
    this(problems, List.of());
  }

  /**
   * @param problems what is wrong, never empty
   * @param warnings what the parse had warned about before it stopped (for a dry run that shows both)
   */
  public StackFileException(List<Problem> problems, List<StackWarning> warnings) {
    super(problems.stream().map(Problem::toString).collect(Collectors.joining("; ")));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("no problems");
    }
    this.problems = List.copyOf(problems);
    this.warnings = List.copyOf(warnings);
  }

  StackFileException(String key, int line, int column, String message) {
    this(List.of(new Problem(key, line, column, message)));
  }

  /** Every problem found, in file order of discovery; never empty. */
  public List<Problem> problems() {
    return problems;
  }

  /**
   * The warnings found before the problems stopped the parse, in file order; empty when the file
   * could not be read as YAML. Not part of {@link #toJson()}: a refused deploy names its problems only.
   */
  public List<StackWarning> warnings() {
    return warnings;
  }

  /** The first problem. */
  public Problem first() {
    return problems.get(0);
  }

  /** {@code {"error": "...", "problems": [{key, line, column, message}, ...]}} for a 400 reply. */
  public JsonObject toJson() {
    return new JsonObject().put("error", getMessage())
        .put("problems", new JsonArray(problems.stream().map(Problem::toJson).collect(Collectors.toList())));
  }
}
