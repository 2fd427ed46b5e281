package io.fluxer.relay.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code fluxer publish CHANNEL DATA} (the server API's {@code publish}) and
 * {@code fluxer logs [-f] SERVICE} (the recent lines, then, with {@code -f}, the live ones over
 * {@code logs:<service>}, each attributed to its task).
 */
final class ClientCommands {
  static final int MAX_DATA = 1024 * 1024;
  static final int DEFAULT_TAIL = 100;
  /** What {@code logs -f} answers when it is interrupted (as a shell reports SIGINT). */
  static final int INTERRUPTED = 130;

  private ClientCommands() {}

  // ---- publish

  static int publish(List<String> list, Cli.Io io) {
    Cli.Args args = new Cli.Args("publish", list);
    boolean json = StackCommands.jsonOutput(args);
    List<String> p = args.positional(2, 2, "needs a CHANNEL and DATA (JSON, or - to read it from stdin)");
    String channel = p.get(0);
    if (channel.isBlank()) {
      throw new Cli.UsageException("the channel name is empty");
    }
    String text = p.get(1);
    if (text.equals("-")) {
      try {
        byte[] in = io.in().readNBytes(MAX_DATA + 1);
        if (in.length > MAX_DATA) {
          throw new Cli.UsageException("DATA on stdin is larger than " + MAX_DATA / 1024 + " KiB");
        }
        text = new String(in, StandardCharsets.UTF_8);
      } catch (IOException e) {
        return io.fail("publish", 1, "cannot read stdin (" + e.getClass().getSimpleName() + ")");
      }
    }
    Object data;
    try {
      data = Json.decodeValue(text);
    } catch (DecodeException e) {
      throw new Cli.UsageException("DATA must be JSON, e.g. '{\"text\":\"hello\"}' (a string needs its quotes: "
          + "'\"hello\"')");
    }
    if (data == null) {
      throw new Cli.UsageException("DATA must be JSON other than null");
    }
    try {
      Remote.Response r = Remote.fromEnv(io).send("POST", "/api/publish",
          new JsonObject().put("channel", channel).put("data", data));
      if (!r.ok() || r.json() == null || r.json().containsKey("error")) {
        return io.fail("publish", 1, r.error());
      }
      JsonObject result = r.json().getJsonObject("result", new JsonObject());
      if (json) {
        io.out().println(result.encode());
      } else {
        io.out().println("published to " + channel + (result.getValue("offset") == null ? ""
            : " (offset " + result.getValue("offset") + ", epoch " + result.getValue("epoch") + ")"));
      }
      return 0;
    } catch (Remote.Unreachable e) {
      return io.fail("publish", 1, e.getMessage());
    }
  }

  // ---- logs

  static int logs(List<String> list, Cli.Io io) {
    Cli.Args args = new Cli.Args("logs", list);
    boolean follow = args.flag("-f") | args.flag("--follow");
    String tailText = args.option("--tail");
    boolean json = StackCommands.jsonOutput(args);
    String service = args.positional(1, 1, "needs one SERVICE (its name, e.g. shop_web, or its ID)").get(0);
    if (service.isBlank() || service.contains("/")) {
      throw new Cli.UsageException("not a service name: '" + service + "'");
    }
    int tail = tailText == null ? DEFAULT_TAIL : StackCommands.positiveInt(tailText, "--tail");
    Remote remote = Remote.fromEnv(io);
    Live live = null;
    try {
      if (follow) {
        // subscribed first, so no line falls between the recent ones and the live ones
        live = Live.open(remote);
        live.subscribe("logs:" + service, null);
      }
      Remote.Response r = remote.get("/api/v1/services/" + Remote.segment(service) + "/logs?tail=" + tail);
      if (!r.ok() || r.json() == null) {
        return io.fail("logs", 1, r.error());
      }
      Map<String, Instant> seen = new HashMap<>();
      print(io, service, r.json().getJsonArray("lines", new JsonArray()), seen, json);
      if (!follow) {
        return 0;
      }
      while (true) {
        Live.Event event = live.next(Duration.ofSeconds(30));
        if (event instanceof Live.Publication p && "lines".equals(p.data().getString("type"))) {
          print(io, service, p.data().getJsonArray("lines", new JsonArray()), seen, json);
        } else if (event instanceof Live.Closed c) {
          io.err().println("fluxer logs: live view closed (" + c.code() + "); reconnecting (lines written meanwhile "
              + "are not shown)");
          live.close();
          live = reopen(remote, service, io);
        }
      }
    } catch (Remote.Unreachable e) {
      return io.fail("logs", 1, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return INTERRUPTED;
    } finally {
      if (live != null) {
        live.close();
      }
    }
  }

  private static Live reopen(Remote remote, String service, Cli.Io io) throws InterruptedException {
    while (true) {
      try {
        Live live = Live.open(remote);
        live.subscribe("logs:" + service, null);
        return live;
      } catch (Remote.Unreachable e) {
        io.err().println("fluxer logs: " + e.getMessage() + "; trying again in 2 s");
        Thread.sleep(2000);
      }
    }
  }

  /**
   * Prints lines as {@code SERVICE.SLOT@NODE | text} (or JSON), skipping those of a task not newer than
   * the last printed of that task (the recent lines and the first live ones can overlap).
   */
  private static void print(Cli.Io io, String service, JsonArray lines, Map<String, Instant> seen, boolean json) {
    for (int i = 0; i < lines.size(); i++) {
      if (!(lines.getValue(i) instanceof JsonObject line)) {
        continue;
      }
      String task = line.getString("task", "");
      Instant at = instant(line.getString("ts"));
      Instant last = seen.get(task);
      if (at != null && last != null && !at.isAfter(last)) {
        continue;
      }
      if (at != null) {
        seen.put(task, at);
      }
      if (json) {
        io.out().println(line.encode());
      } else {
        Object slot = line.getValue("slot");
        Object node = line.getValue("node") != null ? line.getValue("node")
            : line.getValue("node_id") != null ? line.getValue("node_id") : "?";
        io.out().println(service + (slot == null ? "." + shortTask(task) : "." + slot) + "@" + node + " | "
            + line.getString("text", ""));
      }
    }
  }

  private static String shortTask(String task) {
    return task.length() > 12 ? task.substring(0, 12) : task;
  }

  private static Instant instant(String ts) {
    if (ts == null) {
      return null;
    }
    try {
      return Instant.parse(ts);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
