package io.fluxer.relay.cli;

import io.fluxer.relay.config.ConfigException;
import io.fluxer.relay.config.ConfigLoader;
import io.fluxer.relay.config.DevDefaults;
import io.fluxer.relay.config.RelayConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Reads the configuration the way the relay's start-up does (file, then {@code FLUXER_*}
 * variables over it, the {@code control} section accepted), for the commands that need keys.
 */
final class CliConfig {
  private CliConfig() {}

  /** A configuration that start-up would refuse: the message names the key. */
  static final class Problem extends Exception {
    Problem(String message) {
      super(message);
    }
  }

  /**
   * {@code --dev} (the embedded dev defaults), else {@code --config FILE}, else {@code FLUXER_CONFIG}
   * from {@code io}'s environment, else no file (the environment alone).
   */
  static RelayConfig fromOptions(Cli.Args args, Cli.Io io) throws Problem {
    boolean dev = args.flag("--dev");
    String file = args.option("--config");
    if (dev && file != null) {
      throw new Cli.UsageException("--dev and --config exclude each other");
    }
    if (dev) {
      try {
        return load(DevDefaults.read(), null);
      } catch (IOException e) {
        throw new Problem(e.getMessage());
      }
    }
    return load(new JsonObject(), file != null ? file : io.env().get("FLUXER_CONFIG"));
  }

  /** Loads and validates {@code base} overridden by {@code file} and the environment. */
  static RelayConfig load(JsonObject base, String file) throws Problem {
    if (file != null && !Files.isRegularFile(Path.of(file))) {
      throw new Problem(file + ": no such file");
    }
    Vertx reader = Vertx.vertx();
    try {
      return ConfigLoader.load(reader, base, file, Set.of("control")).toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS).relay();
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      throw new Problem(cause instanceof ConfigException ? cause.getMessage() : "cannot read configuration: " + cause);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new Problem("reading the configuration took over 30 s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Problem("interrupted");
    } finally {
      reader.close();
    }
  }
}
