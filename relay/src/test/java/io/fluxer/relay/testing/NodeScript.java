package io.fluxer.relay.testing;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs a script of {@code src/test/js} (the official {@code centrifuge} SDK's test fixture) under
 * Node, found through {@code FLUXER_TEST_NODE_DIR} (set by surefire). Its dependencies are installed
 * with {@code npm ci} when missing. Node must be on the {@code PATH} ({@code scripts/test.sh}
 * provides it): without it the test fails rather than skips.
 *
 * <p>Protocol with the script: every stdout line that is a JSON object with a {@code request} field
 * goes to the test's handler, and the handler's answer is written back as one JSON line on the
 * script's stdin (so a script can ask the test to kill a node at the right moment). The last stdout
 * line is the script's summary; exit code 0 means the script's own checks passed.
 */
public final class NodeScript {
  private static final Duration NPM_TIMEOUT = Duration.ofMinutes(5);
  private static final Object NPM_LOCK = new Object();

  /** What the script printed and how it ended. */
  public record Result(int exitCode, String stdout, String stderr) {
    /** The JSON object on the last line of stdout. */
    public JsonObject summary() {
      String[] lines = stdout.strip().split("\n");
      String last = lines[lines.length - 1].strip();
      try {
        return new JsonObject(last);
      } catch (DecodeException e) {
        throw new AssertionError("no JSON summary on the last line of stdout:\n" + stdout
            + "\n--- stderr ---\n" + stderr, e);
      }
    }
  }

  private NodeScript() {}

  /**
   * Runs {@code script} with {@code env} added to the environment, answering its requests with
   * {@code onRequest} (on a reader thread); kills it after {@code timeout}. Fails unless it exits
   * with 0.
   */
  public static Result run(String script, Map<String, String> env, Duration timeout,
                           Function<JsonObject, JsonObject> onRequest) throws Exception {
    Path dir = dir(script);
    String node = executable("node").orElseThrow(() -> new AssertionError(
        "node is not on PATH: the SDK tests need Node.js 20+ (scripts/test.sh provides it)"));
    ensureDependencies(dir);
    ProcessBuilder pb = new ProcessBuilder(node, script).directory(dir.toFile());
    pb.environment().putAll(env);
    Path err = Files.createTempFile("fluxer-node-stderr", ".txt");
    try {
      pb.redirectError(err.toFile());
      Process process = pb.start();
      StringBuilder stdout = new StringBuilder();
      Thread reader = new Thread(() -> pump(process, stdout, onRequest), "node-" + script);
      reader.setDaemon(true);
      reader.start();
      boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!finished) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
      reader.join(5_000);
      String out;
      synchronized (stdout) {
        out = stdout.toString();
      }
      String errText = Files.readString(err, StandardCharsets.UTF_8);
      if (!finished) {
        throw new AssertionError("node " + script + " did not finish within " + timeout.toSeconds() + " s"
            + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + errText);
      }
      Result result = new Result(process.exitValue(), out, errText);
      if (result.exitCode() != 0) {
        throw new AssertionError("node " + script + " exited with " + result.exitCode()
            + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + errText);
      }
      return result;
    } finally {
      Files.deleteIfExists(err);
    }
  }

  /** Runs a script that asks nothing. */
  public static Result run(String script, Map<String, String> env, Duration timeout) throws Exception {
    return run(script, env, timeout, request -> {
      throw new AssertionError("unexpected request from " + script + ": " + request);
    });
  }

  /** Reads stdout line by line; answers request lines on stdin. */
  private static void pump(Process process, StringBuilder stdout, Function<JsonObject, JsonObject> onRequest) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8)); OutputStream toScript = process.getOutputStream()) {
      String line;
      while ((line = in.readLine()) != null) {
        synchronized (stdout) {
          stdout.append(line).append('\n');
        }
        JsonObject request = requestOf(line);
        if (request == null) {
          continue;
        }
        JsonObject answer;
        try {
          answer = onRequest.apply(request);
        } catch (RuntimeException | AssertionError e) {
          answer = new JsonObject().put("error", String.valueOf(e));
        }
        toScript.write((answer.encode() + "\n").getBytes(StandardCharsets.UTF_8));
        toScript.flush();
      }
    } catch (IOException e) {
      // the script ended (or was killed): what it printed so far is kept
    }
  }

  private static JsonObject requestOf(String line) {
    if (!line.startsWith("{") || !line.contains("\"request\"")) {
      return null;
    }
    try {
      JsonObject json = new JsonObject(line);
      return json.containsKey("request") ? json : null;
    } catch (DecodeException e) {
      return null;
    }
  }

  /** The directory holding {@code script} and its {@code package.json}. */
  public static Path dir(String script) {
    String configured = System.getenv("FLUXER_TEST_NODE_DIR");
    List<Path> candidates = configured != null && !configured.isBlank()
        ? List.of(Path.of(configured))
        : List.of(Path.of("src/test/js"), Path.of("relay/src/test/js"));
    for (Path candidate : candidates) {
      if (Files.isRegularFile(candidate.resolve(script))) {
        return candidate.toAbsolutePath();
      }
    }
    throw new AssertionError("cannot find " + script + " in " + candidates
        + " (set FLUXER_TEST_NODE_DIR to relay/src/test/js)");
  }

  /**
   * The node executable for {@code script}, once the dependencies of its directory are installed
   * (for fixtures that run a long-lived script themselves, as {@link OidcTestProvider} does).
   */
  public static String prepare(String script) throws Exception {
    String node = executable("node").orElseThrow(() -> new AssertionError(
        "node is not on PATH: " + script + " needs Node.js 20+ (scripts/test.sh provides it)"));
    ensureDependencies(dir(script));
    return node;
  }

  /** Installs the locked dependencies unless every one of package.json is installed already. */
  private static void ensureDependencies(Path dir) throws Exception {
    synchronized (NPM_LOCK) {
      JsonObject dependencies = new JsonObject(Files.readString(dir.resolve("package.json")))
          .getJsonObject("dependencies", new JsonObject());
      if (dependencies.fieldNames().stream()
          .allMatch(name -> Files.isRegularFile(dir.resolve("node_modules/" + name + "/package.json")))) {
        return;
      }
      String npm = executable("npm").orElseThrow(() -> new AssertionError(
          "npm is not on PATH: needed to install " + dir.resolve("package.json")));
      Path out = Files.createTempFile("fluxer-npm", ".txt");
      try {
        Process p = new ProcessBuilder(npm, "ci", "--no-audit", "--no-fund").directory(dir.toFile())
            .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        p.getOutputStream().close();
        if (!p.waitFor(NPM_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly();
          throw new AssertionError("npm ci in " + dir + " did not finish within " + NPM_TIMEOUT.toMinutes()
              + " min\n" + Files.readString(out));
        }
        if (p.exitValue() != 0) {
          throw new AssertionError("npm ci in " + dir + " exited with " + p.exitValue() + "\n" + Files.readString(out));
        }
      } finally {
        Files.deleteIfExists(out);
      }
    }
  }

  /** The first executable called {@code name} on the PATH. */
  private static Optional<String> executable(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String entry : path.split(File.pathSeparator)) {
      if (entry.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(entry, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate.toString());
      }
    }
    return Optional.empty();
  }
}
