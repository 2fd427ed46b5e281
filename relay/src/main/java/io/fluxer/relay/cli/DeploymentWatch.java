package io.fluxer.relay.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Follows one deployment to its end over {@code deploy:<stack>}: prints its state changes and task
 * transitions as they come, with a progress line per task change while it converges, and answers
 * the exit code: 0 for {@code succeeded}, 1 for {@code failed} and {@code rolled_back} (or no end
 * within the timeout). A {@code failed} that announces a rollback is followed on to its end
 * ({@code rolled_back}, or the rollback failing), so the services are settled when the CLI exits.
 *
 * <p>Robust to what the live view misses: the subscription is made before the change is asked for
 * (so the first states are not missed); a connection that ends is opened again and recovers from the
 * last offset; and the deployment is read back ({@code GET /api/v1/deployments/{id}}) whenever the
 * channel has been quiet for {@link #CHECK_EVERY}, after a recovery that could not get everything,
 * and when no live view can be had at all, so its end is never missed.
 */
final class DeploymentWatch implements AutoCloseable {
  static final Duration CHECK_EVERY = Duration.ofSeconds(5);
  static final Duration RECONNECT_EVERY = Duration.ofSeconds(2);
  static final Set<String> TERMINAL = Set.of("succeeded", "failed", "rolled_back");
  /** A failed state's {@code rollback} field when the control plane rolls the services back next. */
  private static final String ROLLBACK_STARTED = "started";

  private final Remote remote;
  private final Cli.Io io;
  private final String command;
  private final String channel;
  private final boolean json;
  private Live live;
  private Live.Position position;
  private String liveProblem;
  /** Per service, per task: the last state seen, for the progress line. */
  private final Map<String, Map<String, String[]>> tasks = new LinkedHashMap<>();

  private DeploymentWatch(Remote remote, Cli.Io io, String command, String stack, boolean json) {
    this.remote = remote;
    this.io = io;
    this.command = command;
    this.channel = "deploy:" + stack;
    this.json = json;
  }

  /**
   * Subscribes to {@code deploy:<stack>} before a change is asked for. When no live view can be had
   * (no connection token, no WebSocket), says so on stderr and follows by reading the deployment.
   */
  static DeploymentWatch before(Remote remote, Cli.Io io, String command, String stack, boolean json) {
    DeploymentWatch watch = new DeploymentWatch(remote, io, command, stack, json);
    watch.connect();
    if (watch.live == null) {
      io.err().println("fluxer " + command + ": no live view (" + watch.liveProblem + "); following by reading the "
          + "deployment every " + CHECK_EVERY.toSeconds() + " s");
    }
    return watch;
  }

  /** Opens (or opens again) the live view; {@code false} when it cannot, or recovery lost publications. */
  private boolean connect() {
    closeLive();
    try {
      live = Live.open(remote);
      Live.Subscribed s = live.subscribe(channel, position);
      position = s.position();
      return s.recovered();
    } catch (Remote.Unreachable e) {
      closeLive();
      liveProblem = e.getMessage();
      return false;
    }
  }

  private void closeLive() {
    if (live != null) {
      live.close();
      live = null;
    }
  }

  /**
   * Prints the progress of deployment {@code deployment} (the id a change answered) until it ends or
   * {@code timeout} passes; answers the exit code.
   */
  int follow(String deployment, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long nextCheck = System.nanoTime() + CHECK_EVERY.toNanos();
    long nextReconnect = System.nanoTime();
    String state = null;
    while (true) {
      long now = System.nanoTime();
      if (now >= deadline) {
        return io.fail(command, 1, "deployment " + deployment + " did not end within " + timeout.toSeconds() + " s"
            + " (last state " + (state == null ? "unknown" : state) + "); it goes on: GET /api/v1/deployments/"
            + deployment);
      }
      if (live == null && now >= nextReconnect) {
        boolean complete = connect();
        nextReconnect = now + RECONNECT_EVERY.toNanos();
        if (live != null && !complete) {
          nextCheck = now; // some publications could not be recovered: read the deployment now
        }
      }
      if (now >= nextCheck) {
        JsonObject d = read(deployment);
        nextCheck = System.nanoTime() + CHECK_EVERY.toNanos();
        if (d != null && !d.getString("state", "").equals(state)) {
          state = d.getString("state");
          printState(d.getString("state"), lastMessage(d), null, d);
        }
        if (state != null && TERMINAL.contains(state) && !rollingBack(d)) {
          return end(deployment, state, lastMessage(d));
        }
      }
      long wait = Math.min(nextCheck, deadline) - System.nanoTime();
      if (live == null) {
        Thread.sleep(Math.max(1, Math.min(wait, RECONNECT_EVERY.toNanos()) / 1_000_000));
        continue;
      }
      Live.Event event = live.next(Duration.ofNanos(Math.max(0, wait)));
      if (event == null) {
        continue;
      }
      if (event instanceof Live.Closed c) {
        io.err().println("fluxer " + command + ": live view closed (" + c.code() + (c.reason() == null
            || c.reason().isEmpty() ? "" : " " + c.reason()) + "); reconnecting");
        closeLive();
        nextReconnect = System.nanoTime();
        continue;
      }
      Live.Publication p = (Live.Publication) event;
      if (p.offset() > 0 && position != null) {
        position = new Live.Position(p.offset(), position.epoch());
      }
      JsonObject data = p.data();
      if (!deployment.equals(data.getString("deployment"))) {
        continue; // another deployment of the same stack
      }
      nextCheck = System.nanoTime() + CHECK_EVERY.toNanos();
      String type = data.getString("type");
      if ("task".equals(type)) {
        printTask(data);
      } else if ("state".equals(type)) {
        state = data.getString("state");
        printState(state, data.getString("message"), data.getString("at"), data);
        if (TERMINAL.contains(state) && !ROLLBACK_STARTED.equals(data.getString("rollback"))) {
          return end(deployment, state, data.getString("message"));
        }
      } else if ("rollback".equals(type)) {
        printState("rollback " + data.getString("result"), data.getString("message"), null, data);
        return end(deployment, "failed", data.getString("message"));
      }
    }
  }

  private int end(String deployment, String state, String message) {
    if ("succeeded".equals(state)) {
      return 0;
    }
    return io.fail(command, 1, "deployment " + deployment + " " + state + (message == null ? "" : ": " + message));
  }

  /** The deployment as the API has it, or {@code null} (said on stderr) when it cannot be read now. */
  private JsonObject read(String deployment) {
    try {
      Remote.Response r = remote.get("/api/v1/deployments/" + Remote.segment(deployment));
      if (r.ok() && r.json() != null) {
        return r.json();
      }
      io.err().println("fluxer " + command + ": cannot read deployment " + deployment + ": " + r.error());
    } catch (Remote.Unreachable e) {
      io.err().println("fluxer " + command + ": cannot read deployment " + deployment + ": " + e.getMessage());
    }
    return null;
  }

  /**
   * Whether the deployment read back failed with a rollback announced ({@code "rollback": "started"}
   * in the failure's detail) that has not ended yet: it ends {@code rolled_back}, or with a note whose
   * detail says {@code "rollback": "failed"}.
   */
  static boolean rollingBack(JsonObject d) {
    if (d == null || !"failed".equals(d.getString("state"))) {
      return false;
    }
    boolean started = false;
    for (Object o : d.getJsonArray("timeline", new JsonArray())) {
      JsonObject detail = o instanceof JsonObject e ? e.getJsonObject("detail") : null;
      String rollback = detail == null ? null : detail.getString("rollback");
      if (ROLLBACK_STARTED.equals(rollback)) {
        started = true;
      } else if ("failed".equals(rollback)) {
        started = false;
      }
    }
    return started;
  }

  private static String lastMessage(JsonObject d) {
    if (d == null) {
      return null;
    }
    JsonArray timeline = d.getJsonArray("timeline", new JsonArray());
    for (int i = timeline.size() - 1; i >= 0; i--) {
      JsonObject e = timeline.getJsonObject(i);
      if (e.getString("state", "").equals(d.getString("state")) && e.getString("message") != null) {
        return e.getString("message");
      }
    }
    return null;
  }

  private void printState(String state, String message, String at, JsonObject data) {
    if (json) {
      io.out().println(data.encode());
      return;
    }
    io.out().println(time(at) + state + (message == null ? "" : ": " + message));
  }

  private void printTask(JsonObject t) {
    String service = t.getString("service", "?");
    String task = t.getString("task", "?");
    tasks.computeIfAbsent(service, s -> new LinkedHashMap<>())
        .put(task, new String[] {t.getString("state", ""), t.getString("desired_state", "")});
    if (json) {
      io.out().println(t.encode());
      return;
    }
    Object slot = t.getValue("slot");
    String error = t.getString("error");
    io.out().println(time(t.getString("at")) + "  " + service + (slot == null ? "" : "." + slot) + " on "
        + t.getString("node", "?") + ": " + t.getString("state", "?")
        + (error == null ? "" : " (" + error + ")"));
    io.out().println("  progress: " + progress());
  }

  /** {@code web 2/3 running, worker 1/1 running}: tasks running of those meant to run, per service. */
  private String progress() {
    StringJoiner out = new StringJoiner(", ");
    tasks.forEach((service, byTask) -> {
      long wanted = byTask.values().stream().filter(s -> "running".equals(s[1])).count();
      long running = byTask.values().stream().filter(s -> "running".equals(s[0]) && "running".equals(s[1])).count();
      out.add(service + " " + running + "/" + wanted + " running");
    });
    return out.toString();
  }

  private static String time(String at) {
    // "2026-11-23T10:42:24.229Z" → "10:42:24 "
    if (at != null && at.length() >= 19 && at.charAt(10) == 'T') {
      return at.substring(11, 19) + " ";
    }
    return java.time.LocalTime.now(java.time.ZoneOffset.UTC).withNano(0) + " ";
  }

  @Override
  public void close() {
    closeLive();
  }
}
