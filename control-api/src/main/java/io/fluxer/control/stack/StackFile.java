package io.fluxer.control.stack;

import io.fluxer.control.stack.StackYaml.MapNode;
import io.fluxer.control.stack.StackYaml.Node;
import io.fluxer.control.stack.StackYaml.Scalar;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a compose file as {@code docker stack deploy} does and turns it into the desired swarm state
 * of a stack ({@link StackPlan}): parse, interpolate {@code ${VAR}} from the caller's env, validate,
 * convert to Engine API JSON. Pure: no file, network or Docker access; the same inputs always give
 * the same plan.
 *
 * <p>This class owns the entry points and the file as a whole (the stack name, the root's keys and
 * {@code version}) and runs the steps in order; {@link StackReader} holds one parse's typed reads,
 * warnings and problems, {@link StackDeclarations} the top-level networks, volumes, secrets and
 * configs, and {@link ServiceConverter} the services.
 *
 * <p>What is honoured, warned about and refused is listed in {@code docs/control-api.md}, section
 * "Stack files". Errors name the key path and line; warnings name the service and key.
 */
public final class StackFile {

  private static final Set<String> TOP_LEVEL = Set.of("version", "name", "services", "networks", "volumes", "secrets", "configs");

  private StackFile() {
  }

  /** {@link #parse(String, String, Map, Map)} without files. */
  public static StackPlan parse(String stack, String yaml, Map<String, String> env) {
    return parse(stack, yaml, env, Map.of());
  }

  /**
   * {@link #parse(String, String, Map, Map, StackPolicy, boolean)} with {@link StackPolicy#UNRESTRICTED}:
   * for tests and tools that only convert files. The control plane always passes its policy.
   */
  public static StackPlan parse(String stack, String yaml, Map<String, String> env, Map<String, byte[]> files) {
    return parse(stack, yaml, env, files, StackPolicy.UNRESTRICTED, false);
  }

  /**
   * Parses, interpolates, validates and converts a stack file.
   *
   * @param stack the stack name; service names become {@code <stack>_<service>}
   * @param yaml the stack file's text
   * @param env the variables for {@code ${VAR}} interpolation (the request's {@code env}; never the
   *     process environment)
   * @param files content for {@code file:} secrets and configs and for {@code env_file}, by the path
   *     exactly as written in the stack file (a leading {@code ./} is ignored on both sides): nothing
   *     is read from disk
   * @param policy what the file may reach outside its stack: host paths, existing networks, secrets,
   *     configs and volumes; a file that reaches further is refused like any other problem
   * @param admin whether the policy's admin-only bind sources may be used (an admin asks, or a stored
   *     revision is redeployed as it was accepted)
   * @return the desired state, with warnings
   * @throws StackFileException listing every problem found, each with its key path and line
   */
  public static StackPlan parse(String stack, String yaml, Map<String, String> env, Map<String, byte[]> files,
                                StackPolicy policy, boolean admin) {
    if (stack != null && stack.length() > 50) {
      throw new StackFileException("", 0, 0, "invalid stack name: at most 50 characters, so that"
          + " <stack>_<service> fits swarm's 63");
    }
    if (stack == null || !Names.isName(stack) || !Names.isDnsComponent(stack)) {
      throw new StackFileException("", 0, 0, "invalid stack name \"" + stack + "\": use letters, digits, '-' and '_',"
          + " starting and ending with a letter or digit (swarm names are DNS name components)");
    }
    return convert(stack, yaml, new StackReader(stack, env, files), policy, admin);
  }

  private static StackPlan convert(String stack, String yaml, StackReader read, StackPolicy policy, boolean admin) {
    MapNode root = read.load(yaml);
    for (Map.Entry<String, Node> e : root.entries.entrySet()) {
      String key = e.getKey();
      if (!TOP_LEVEL.contains(key) && !key.startsWith("x-")) {
        read.problem(e.getValue(), "unknown top-level key; expected services, networks, volumes, secrets,"
            + " configs, version or x- extensions");
      }
    }
    read.attempt(() -> version(root.get("version")));
    if (root.has("name")) {
      read.warn(root.get("name"), "ignored: the stack name comes from the request (" + stack + ")");
    }
    StackDeclarations declared = new StackDeclarations(read, policy, admin);
    declared.declare(root);
    ServiceConverter converter = new ServiceConverter(read, declared, policy, admin);
    List<ServicePlan> services = converter.services(root.get("services"));
    List<NetworkPlan> networks = read.hasProblems() ? List.of() : declared.networkPlans(converter.usedNetworks());
    read.failOnProblems();
    return new StackPlan(stack, services, networks, declared.secretPlans(), declared.configPlans(),
        read.warningsInFileOrder());
  }

  private static void version(Node node) {
    if (node == null || node instanceof Scalar s && s.type == Scalar.Type.NULL) {
      return;
    }
    if (!(node instanceof Scalar s) || s.type == Scalar.Type.BOOL) {
      throw node.error("must be a version string such as \"3.8\"");
    }
    if (!s.text.matches("3(\\.\\d+)?")) {
      throw node.error("version \"" + s.text + "\" is not supported: docker stack deploy reads version 3 files"
          + " (or files without a version)");
    }
  }
}
