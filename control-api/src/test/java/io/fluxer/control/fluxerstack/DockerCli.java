package io.fluxer.control.fluxerstack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The docker CLI, as an operator types it: {@code docker stack deploy}, {@code docker service update},
 * {@code docker kill}. Debian's {@code /usr/bin/docker} (the same release as the engine) is preferred
 * over another client on the PATH, as scripts/lib.sh does.
 */
final class DockerCli {
  private final String host;

  DockerCli(String host) {
    this.host = host;
  }

  /** What a command printed. */
  record Output(int exitCode, String stdout, String stderr) {}

  /** Runs {@code docker -H <host> args...} with {@code env} added; fails unless it exits with 0 in time. */
  String run(Duration timeout, Map<String, String> env, String... args) throws IOException, InterruptedException {
    Output out = attempt(timeout, env, args);
    if (out.exitCode() != 0) {
      throw new AssertionError("docker " + String.join(" ", args) + " exited with " + out.exitCode()
          + "\n--- stdout ---\n" + out.stdout() + "\n--- stderr ---\n" + out.stderr());
    }
    return out.stdout();
  }

  String run(String... args) throws IOException, InterruptedException {
    return run(Duration.ofSeconds(60), Map.of(), args);
  }

  /** Runs a command and answers how it ended, whatever that was. */
  Output attempt(Duration timeout, Map<String, String> env, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(binary(), "-H", host));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    Path out = Files.createTempFile("fluxer-docker-out", ".txt");
    Path err = Files.createTempFile("fluxer-docker-err", ".txt");
    try {
      Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      p.getOutputStream().close();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        throw new AssertionError("docker " + String.join(" ", args) + " did not finish within " + timeout.toSeconds()
            + " s\n" + Files.readString(err, StandardCharsets.UTF_8));
      }
      return new Output(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static String binary() {
    return Files.isExecutable(Path.of("/usr/bin/docker")) ? "/usr/bin/docker" : "docker";
  }
}
