package io.fluxer.relay.cli;

import io.fluxer.common.config.ConfigValues;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code fluxer stack deploy|ls|ps|rm|rollback|diff}: the control plane's stacks through a relay's
 * HTTP API ({@link Remote}), changes followed live to their end ({@link DeploymentWatch}).
 */
final class StackCommands {
  static final String USAGE = """
      usage: fluxer stack deploy -c FILE [--env-file FILE] [--prune] [--timeout 15m] [--detach] [--output json] NAME
             fluxer stack ls [--output json]
             fluxer stack ps [--output json] NAME
             fluxer stack rm [--timeout 15m] [--detach] NAME
             fluxer stack rollback [--revision N] [--timeout 15m] [--detach] NAME
             fluxer stack diff [--output json] NAME N M
      """;
  static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(15);
  /** The control routes take bodies up to 1 MiB; the file and its environment go in one. */
  static final long MAX_FILE = 1024 * 1024 - 64 * 1024;
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  private StackCommands() {}

  static int run(List<String> args, Cli.Io io) {
    if (args.isEmpty()) {
      throw new Cli.UsageException("needs a subcommand\n" + USAGE);
    }
    List<String> rest = args.subList(1, args.size());
    String sub = args.get(0);
    try {
      return switch (sub) {
        case "deploy" -> deploy(new Cli.Args("stack deploy", rest), io);
        case "ls" -> ls(new Cli.Args("stack ls", rest), io);
        case "ps" -> ps(new Cli.Args("stack ps", rest), io);
        case "rm" -> rm(new Cli.Args("stack rm", rest), io);
        case "rollback" -> rollback(new Cli.Args("stack rollback", rest), io);
        case "diff" -> diff(new Cli.Args("stack diff", rest), io);
        default -> throw new Cli.UsageException("unknown subcommand '" + sub + "'\n" + USAGE);
      };
    } catch (Remote.Unreachable e) {
      return io.fail("stack " + sub, 1, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return io.fail("stack " + sub, 1, "interrupted");
    }
  }

  /** {@code --output json} (true) or {@code text}/absent (false). */
  static boolean jsonOutput(Cli.Args args) {
    String output = args.option("--output");
    if (output == null || output.equals("text")) {
      return false;
    }
    if (output.equals("json")) {
      return true;
    }
    throw new Cli.UsageException("--output must be json or text, not '" + output + "'");
  }

  static Duration timeout(Cli.Args args) {
    String text = args.option("--timeout");
    if (text == null) {
      return DEFAULT_TIMEOUT;
    }
    Duration d = ConfigValues.parseDuration(text);
    if (d == null || d.isZero() || d.isNegative()) {
      throw new Cli.UsageException("--timeout must be a duration such as 90s, 10m or 1h; got '" + text + "'");
    }
    return d;
  }

  private static String name(List<String> positional) {
    String name = positional.get(0);
    if (name.isBlank() || name.contains("/")) {
      throw new Cli.UsageException("not a stack name: '" + name + "'");
    }
    return name;
  }

  // ---- deploy

  private static int deploy(Cli.Args args, Cli.Io io) throws Remote.Unreachable, InterruptedException {
    String file = args.option("-c");
    String envFile = args.option("--env-file");
    boolean prune = args.flag("--prune");
    boolean detach = args.flag("--detach");
    Duration timeout = timeout(args);
    boolean json = jsonOutput(args);
    String name = name(args.positional(1, 1, "needs one stack NAME (and -c FILE)\n" + USAGE));
    if (file == null) {
      throw new Cli.UsageException("needs -c FILE, the stack file to deploy");
    }
    String text = readText(file, "-c");
    JsonObject body = new JsonObject().put("stackFile", text).put("prune", prune);
    JsonObject files = StackFiles.read(text, file);
    if (!files.isEmpty()) {
      body.put("files", files);
    }
    if (envFile != null) {
      body.put("env", readEnv(envFile));
    }
    Remote remote = Remote.fromEnv(io);
    return change(io, "stack deploy", remote, name, detach, timeout, json,
        () -> remote.send("PUT", "/api/v1/stacks/" + Remote.segment(name), body));
  }

  static String readText(String file, String option) {
    Path path = Path.of(file);
    try {
      if (!Files.isRegularFile(path)) {
        throw new Cli.UsageException(option + " " + file + ": no such file");
      }
      if (Files.size(path) > MAX_FILE) {
        throw new Cli.UsageException(option + " " + file + ": larger than the " + MAX_FILE / 1024
            + " KiB the API takes");
      }
      return Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new Cli.UsageException(option + " " + file + ": cannot read it (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** {@code KEY=VALUE} lines; blank lines and {@code #} comments skipped. Values are never printed. */
  static JsonObject readEnv(String file) {
    JsonObject env = new JsonObject();
    String[] lines = readText(file, "--env-file").split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      String key = eq < 0 ? line : line.substring(0, eq).strip();
      if (eq < 0 || !ENV_NAME.matcher(key).matches()) {
        throw new Cli.UsageException("--env-file " + file + ", line " + (i + 1) + ": not KEY=VALUE");
      }
      env.put(key, line.substring(eq + 1));
    }
    return env;
  }

  /** A change the API answers 202 {@code {deployment, channel, warnings?}}. */
  private interface Change {
    Remote.Response send() throws Remote.Unreachable;
  }

  /**
   * Subscribes to the stack's channel, asks for the change, prints its warnings, then follows the
   * deployment to its end (unless {@code detach}).
   */
  private static int change(Cli.Io io, String command, Remote remote, String stack, boolean detach, Duration timeout,
                            boolean json, Change change) throws Remote.Unreachable, InterruptedException {
    try (DeploymentWatch watch = detach ? null : DeploymentWatch.before(remote, io, command, stack, json)) {
      Remote.Response r = change.send();
      if (!r.ok() || r.json() == null || r.json().getString("deployment") == null) {
        printProblems(io, r);
        return io.fail(command, 1, r.error());
      }
      JsonObject accepted = r.json();
      String deployment = accepted.getString("deployment");
      JsonArray warnings = accepted.getJsonArray("warnings", new JsonArray());
      for (int i = 0; i < warnings.size(); i++) {
        JsonObject w = warnings.getJsonObject(i);
        io.err().println("warning: " + w.getString("key", w.getString("service", "")) + (w.getValue("line") == null
            ? "" : " (line " + w.getValue("line") + ")") + ": " + w.getString("message", ""));
      }
      if (json) {
        io.out().println(accepted.encode());
      } else {
        io.out().println("deployment " + deployment + " of " + stack
            + (accepted.getValue("revision") == null ? "" : ", revision " + accepted.getValue("revision"))
            + " (" + accepted.getString("channel", "deploy:" + stack) + ")");
      }
      if (detach) {
        return 0;
      }
      return watch.follow(deployment, timeout);
    }
  }

  private static void printProblems(Cli.Io io, Remote.Response r) {
    if (r.json() != null && r.json().getValue("error") instanceof JsonObject e
        && e.getValue("problems") instanceof JsonArray problems) {
      for (int i = 0; i < problems.size(); i++) {
        if (problems.getValue(i) instanceof JsonObject p) {
          io.err().println("  " + p.getString("key", "?") + (p.getValue("line") == null ? ""
              : " (line " + p.getValue("line") + (p.getValue("column") == null ? "" : ", column " + p.getValue("column"))
              + ")") + ": " + p.getString("message", ""));
        }
      }
    }
  }

  // ---- reads

  private static int ls(Cli.Args args, Cli.Io io) throws Remote.Unreachable {
    boolean json = jsonOutput(args);
    args.positional(0, 0, "takes no arguments");
    Remote.Response r = Remote.fromEnv(io).get("/api/v1/stacks");
    if (!r.ok() || r.json() == null) {
      return io.fail("stack ls", 1, r.error());
    }
    if (json) {
      io.out().println(r.json().encodePrettily());
      return 0;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"NAME", "SERVICES", "MANAGED", "REVISION", "LAST DEPLOYMENT"});
    JsonArray stacks = r.json().getJsonArray("stacks", new JsonArray());
    for (int i = 0; i < stacks.size(); i++) {
      JsonObject s = stacks.getJsonObject(i);
      rows.add(new String[] {text(s.getValue("name")), text(s.getValue("services")), text(s.getValue("managed")),
          text(s.getValue("revision")), text(s.getValue("last_deployment_state"))});
    }
    printTable(io, rows);
    return 0;
  }

  private static int ps(Cli.Args args, Cli.Io io) throws Remote.Unreachable {
    boolean json = jsonOutput(args);
    String name = name(args.positional(1, 1, "needs one stack NAME"));
    Remote.Response r = Remote.fromEnv(io).get("/api/v1/stacks/" + Remote.segment(name));
    if (!r.ok() || r.json() == null) {
      return io.fail("stack ps", 1, r.error());
    }
    if (json) {
      io.out().println(r.json().encodePrettily());
      return 0;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"SERVICE", "TASK", "NODE", "DESIRED", "STATE", "UPDATED", "ERROR"});
    JsonArray services = r.json().getJsonArray("services", new JsonArray());
    for (int i = 0; i < services.size(); i++) {
      JsonObject s = services.getJsonObject(i);
      JsonArray tasks = s.getJsonArray("tasks", new JsonArray());
      for (int j = 0; j < tasks.size(); j++) {
        JsonObject t = tasks.getJsonObject(j);
        String id = t.getString("id", "");
        rows.add(new String[] {text(s.getValue("name")) + (t.getValue("slot") == null ? "" : "." + t.getValue("slot")),
            id.length() > 12 ? id.substring(0, 12) : id, shortId(t.getString("node_id")), text(t.getValue("desired_state")),
            text(t.getValue("state")), text(t.getValue("updated_at")), t.getValue("error") == null ? "" : text(t.getValue("error"))});
      }
    }
    printTable(io, rows);
    return 0;
  }

  // ---- changes

  private static int rm(Cli.Args args, Cli.Io io) throws Remote.Unreachable, InterruptedException {
    boolean detach = args.flag("--detach");
    Duration timeout = timeout(args);
    String name = name(args.positional(1, 1, "needs one stack NAME"));
    Remote remote = Remote.fromEnv(io);
    return change(io, "stack rm", remote, name, detach, timeout, false,
        () -> remote.send("DELETE", "/api/v1/stacks/" + Remote.segment(name), null));
  }

  private static int rollback(Cli.Args args, Cli.Io io) throws Remote.Unreachable, InterruptedException {
    String revisionText = args.option("--revision");
    boolean detach = args.flag("--detach");
    Duration timeout = timeout(args);
    String name = name(args.positional(1, 1, "needs one stack NAME"));
    Integer revision = revisionText == null ? null : positiveInt(revisionText, "--revision");
    Remote remote = Remote.fromEnv(io);
    if (revision == null) {
      Remote.Response r = remote.get("/api/v1/stacks/" + Remote.segment(name));
      if (!r.ok() || r.json() == null) {
        return io.fail("stack rollback", 1, r.error());
      }
      revision = previousRevision(r.json());
      if (revision == null) {
        return io.fail("stack rollback", 1, "stack " + name + " has no revision before the one it runs; "
            + "name one with --revision N");
      }
    }
    int target = revision;
    return change(io, "stack rollback", remote, name, detach, timeout, false,
        () -> remote.send("POST", "/api/v1/stacks/" + Remote.segment(name) + "/rollback?revision=" + target, null));
  }

  /**
   * The newest revision older than the one the stack's last successful deployment applied, or
   * {@code null}.
   */
  static Integer previousRevision(JsonObject stack) {
    Integer current = null;
    JsonArray deployments = stack.getJsonArray("deployments", new JsonArray());
    for (int i = 0; i < deployments.size() && current == null; i++) {
      JsonObject d = deployments.getJsonObject(i);
      if ("succeeded".equals(d.getString("state")) && d.getValue("revision") instanceof Number n) {
        current = n.intValue();
      }
    }
    if (current == null) {
      return null;
    }
    Integer best = null;
    JsonArray revisions = stack.getJsonArray("revisions", new JsonArray());
    for (int i = 0; i < revisions.size(); i++) {
      if (revisions.getJsonObject(i).getValue("revision") instanceof Number n && n.intValue() < current
          && (best == null || n.intValue() > best)) {
        best = n.intValue();
      }
    }
    return best;
  }

  // ---- diff

  private static int diff(Cli.Args args, Cli.Io io) throws Remote.Unreachable {
    boolean json = jsonOutput(args);
    List<String> p = args.positional(3, 3, "needs a stack NAME and two revisions: NAME N M");
    String name = name(p);
    int from = positiveInt(p.get(1), "revision");
    int to = positiveInt(p.get(2), "revision");
    Remote remote = Remote.fromEnv(io);
    String[] files = new String[2];
    int[] revisions = {from, to};
    for (int i = 0; i < 2; i++) {
      Remote.Response r = remote.get("/api/v1/stacks/" + Remote.segment(name) + "/revisions/" + revisions[i]);
      if (!r.ok() || r.json() == null) {
        return io.fail("stack diff", 1, r.error());
      }
      files[i] = r.json().getString("stack_file", "");
    }
    List<String> lines = LineDiff.unified(files[0], files[1], name + " revision " + from, name + " revision " + to);
    if (json) {
      io.out().println(new JsonObject().put("stack", name).put("from", from).put("to", to)
          .put("changed", !lines.isEmpty()).put("diff", new JsonArray(new ArrayList<Object>(lines))).encodePrettily());
    } else {
      lines.forEach(io.out()::println);
    }
    return 0;
  }

  // ---- helpers

  static int positiveInt(String text, String what) {
    try {
      int n = Integer.parseInt(text);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new Cli.UsageException(what + " must be a whole number from 1, not '" + text + "'");
  }

  private static String text(Object value) {
    return value == null ? "-" : value.toString();
  }

  private static String shortId(String id) {
    return id == null ? "-" : id.length() > 12 ? id.substring(0, 12) : id;
  }

  /** Columns padded to their widest cell, two spaces apart. */
  static void printTable(Cli.Io io, List<String[]> rows) {
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(row[i]);
        if (i < row.length - 1) {
          line.append(" ".repeat(widths[i] - row[i].length() + 2));
        }
      }
      io.out().println(line.toString().stripTrailing());
    }
  }
}
