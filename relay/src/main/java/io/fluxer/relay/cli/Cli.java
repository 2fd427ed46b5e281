package io.fluxer.relay.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code fluxer} command line's tools besides {@code serve}: each command takes its arguments
 * and the process's streams and environment, and answers an exit code (0 done, 1 the check failed,
 * 2 bad usage), so tests run them in-process exactly as the launcher does.
 */
public final class Cli {
  /** Bad usage: an unknown option, a missing argument. */
  public static final int USAGE = 2;

  /** Every command, as {@code fluxer help} and {@code fluxer --help} print it. */
  public static final String HELP = """
      usage: fluxer [serve] [--dev] [--cluster] [--config FILE]   run a relay (the default)
             fluxer version
             fluxer genconfig [--output FILE]                     a commented config with new secrets
             fluxer checkconfig FILE                               validate as start-up does
             fluxer gentoken --user U [--role R] [--ttl 1h] [--channels a,b] [--ops] [--dev | --config FILE]
             fluxer checktoken [--ops] [--dev | --config FILE] TOKEN
             fluxer hash-password                                  bcrypt of the password on stdin
             fluxer health [URL]                                   0 when URL (default /ready) answers 200
      control client (FLUXER_URL, default http://127.0.0.1:8000; FLUXER_API_KEY or FLUXER_TOKEN):
             fluxer stack deploy -c FILE [--env-file FILE] [--prune] [--timeout 15m] [--detach] NAME
             fluxer stack ls | ps NAME | rm NAME | rollback [--revision N] NAME | diff NAME N M
             fluxer logs [-f] [--tail N] SERVICE
             fluxer publish CHANNEL DATA                          DATA is JSON, or - for stdin
             fluxer completion bash
      read commands take --output json
      """;

  /** What a command may use of its process. */
  public record Io(PrintStream out, PrintStream err, InputStream in, Map<String, String> env) {
    public static Io system() {
      return new Io(System.out, System.err, System.in, System.getenv());
    }

    /** Prints {@code fluxer <command>: message} to stderr; answers {@code code}. */
    int fail(String command, int code, String message) {
      err.println("fluxer " + command + ": " + message);
      return code;
    }
  }

  private Cli() {}

  /** Whether {@code name} is a command of this class (else the launcher serves). */
  public static boolean isCommand(String name) {
    return switch (name) {
      case "version", "genconfig", "checkconfig", "gentoken", "checktoken", "hash-password", "health", "help",
          "stack", "logs", "publish", "completion" -> true;
      default -> false;
    };
  }

  /** Runs {@code args[0]} with the rest of the arguments. */
  public static int run(String[] args, Io io) {
    List<String> rest = new ArrayList<>(List.of(args).subList(1, args.length));
    try {
      return switch (args[0]) {
        case "version" -> Version.run(rest, io);
        case "genconfig" -> GenConfig.run(rest, io);
        case "checkconfig" -> CheckConfig.run(rest, io);
        case "gentoken" -> TokenCommands.gentoken(rest, io);
        case "checktoken" -> TokenCommands.checktoken(rest, io);
        case "hash-password" -> HashPassword.run(rest, io);
        case "health" -> Health.run(rest, io);
        case "stack" -> StackCommands.run(rest, io);
        case "logs" -> ClientCommands.logs(rest, io);
        case "publish" -> ClientCommands.publish(rest, io);
        case "completion" -> Completion.run(rest, io);
        case "help" -> {
          io.out().print(HELP);
          yield 0;
        }
        default -> io.fail(args[0], USAGE, "unknown command\n" + HELP);
      };
    } catch (UsageException e) {
      return io.fail(args[0], USAGE, e.getMessage());
    }
  }

  /** A command line a command cannot run with; the message says what is wrong. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }

  /** The options of one command: {@code --name value} pairs, flags and positional arguments. */
  static final class Args {
    private final List<String> args;
    private final String command;

    Args(String command, List<String> args) {
      this.command = command;
      this.args = new ArrayList<>(args);
    }

    /** Removes {@code --name} and answers whether it was there. */
    boolean flag(String name) {
      return args.remove(name);
    }

    /** Removes {@code --name VALUE} and answers VALUE, or {@code null} when absent. */
    String option(String name) {
      int i = args.indexOf(name);
      if (i < 0) {
        return null;
      }
      if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
        throw new UsageException(name + " needs a value");
      }
      String value = args.get(i + 1);
      args.subList(i, i + 2).clear();
      if (args.contains(name)) {
        throw new UsageException(name + " given twice");
      }
      return value;
    }

    /** What is left, which must be exactly {@code count} positional arguments. */
    List<String> positional(int min, int max, String what) {
      for (String a : args) {
        if (a.startsWith("--")) {
          throw new UsageException("unknown option " + a + " for " + command);
        }
      }
      if (args.size() < min || args.size() > max) {
        throw new UsageException(what);
      }
      return List.copyOf(args);
    }
  }
}
