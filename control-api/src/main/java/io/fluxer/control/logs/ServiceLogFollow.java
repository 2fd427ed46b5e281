package io.fluxer.control.logs;

import io.fluxer.control.docker.DockerEngineException;
import io.fluxer.control.docker.TaskInfo;
import io.fluxer.control.publish.RelayPublisher;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The live log of one service, while someone subscribes to {@code logs:<service>}: a
 * {@link TaskLogStream} per task that has a container, kept in step with the task list, which is
 * read again every poll interval (new tasks from a scale-up, restart or update are followed; the
 * streams of tasks that are gone are closed).
 *
 * <p>Tasks that had already stopped when following began are not read (the live channel starts
 * now). A task that stops is read on for one more poll interval (its last lines), then let go. A
 * stream that ended while its task still runs is opened again where it stopped. Runs on the
 * context of {@link LogFollowers}.
 */
final class ServiceLogFollow {
  private static final System.Logger LOG = System.getLogger(ServiceLogFollow.class.getName());
  /** Task states after which no more lines come. */
  static final Set<String> TERMINAL = Set.of("complete", "failed", "shutdown", "rejected", "orphaned", "remove");

  /** A followed task: its cursor outlives its streams. */
  private static final class Followed {
    final TaskLogStream.Cursor cursor;
    TaskLogStream stream;
    int terminalPolls;

    Followed(Instant start) {
      this.cursor = new TaskLogStream.Cursor(start);
    }
  }

  private final LogFollowers owner;
  private final String service;
  private final RelayPublisher<LogLine> publisher;
  private final Instant startedAt = Instant.now();
  private final Map<String, Followed> tasks = new HashMap<>();
  private final Set<String> finished = new HashSet<>();
  private boolean listedOnce;
  private boolean polling;
  private boolean closed;
  private boolean warnedLimit;
  private String problem;
  private long timer = -1;

  ServiceLogFollow(LogFollowers owner, String service, RelayPublisher<LogLine> publisher) {
    this.owner = owner;
    this.service = service;
    this.publisher = publisher;
  }

  String service() {
    return service;
  }

  RelayPublisher<LogLine> publisher() {
    return publisher;
  }

  void start() {
    LOG.log(Level.DEBUG, "following the logs of " + service);
    poll();
    timer = owner.vertx().setPeriodic(owner.options().pollInterval().toMillis(), id -> poll());
  }

  /** Streams open now (started and not ended). */
  synchronized int openStreams() {
    return (int) tasks.values().stream().filter(f -> f.stream != null && !f.stream.ended()).count();
  }

  void close() {
    closed = true;
    if (timer >= 0) {
      owner.vertx().cancelTimer(timer);
    }
    synchronized (this) {
      tasks.values().forEach(f -> stopStream(f));
      tasks.clear();
    }
    publisher.close();
    LOG.log(Level.DEBUG, "stopped following the logs of " + service);
  }

  private void poll() {
    if (polling || closed) {
      return;
    }
    polling = true;
    owner.client().listTasks(service)
        .compose(list -> owner.hostnames(list.stream().map(TaskInfo::nodeId).toList()).map(names -> list))
        .onComplete(ar -> {
          polling = false;
          if (closed) {
            return;
          }
          if (ar.succeeded()) {
            problem = null;
            reconcile(ar.result());
          } else {
            missing(ar.cause());
          }
        });
  }

  private synchronized void reconcile(List<TaskInfo> list) {
    Set<String> seen = new HashSet<>();
    for (TaskInfo t : list) {
      if (t.containerId() == null || t.containerId().isEmpty()) {
        continue; // no container yet (or never): no log
      }
      seen.add(t.id());
      boolean terminal = TERMINAL.contains(t.state());
      if (finished.contains(t.id())) {
        continue;
      }
      Followed f = tasks.get(t.id());
      if (f == null) {
        if (terminal && !listedOnce) {
          finished.add(t.id()); // stopped before we came: nothing live to read
          continue;
        }
        f = new Followed(startedAt);
        tasks.put(t.id(), f);
      }
      f.terminalPolls = terminal ? f.terminalPolls + 1 : 0;
      boolean ended = f.stream != null && f.stream.ended();
      if (f.terminalPolls >= 2 || (terminal && ended)) {
        stopStream(f); // stopped, and its stream had a poll interval to bring the last lines
        tasks.remove(t.id());
        finished.add(t.id());
      } else if (f.stream == null || ended) {
        open(t, f);
      }
    }
    tasks.entrySet().removeIf(e -> {
      if (!seen.contains(e.getKey())) {
        stopStream(e.getValue()); // the task is gone (or the service)
        return true;
      }
      return false;
    });
    finished.retainAll(seen);
    listedOnce = true;
  }

  private void open(TaskInfo t, Followed f) {
    LogLine.Task task = LogLine.Task.of(t, owner.knownHostnames());
    TaskLogStream stream = owner.startStream(task, f.cursor, publisher::offer);
    if (stream == null) {
      if (!warnedLimit) {
        LOG.log(Level.WARNING, "not following the log of task " + t.id() + " of " + service + ": "
            + owner.options().maxStreams() + " task log streams are open, the most allowed "
            + "(LogFollowerOptions.maxStreams); retried every " + owner.options().pollInterval().toMillis() + " ms");
        warnedLimit = true;
      }
      return;
    }
    warnedLimit = false;
    f.stream = stream;
  }

  private void stopStream(Followed f) {
    if (f.stream != null) {
      f.stream.close();
    }
  }

  private void missing(Throwable cause) {
    String message = cause instanceof DockerEngineException e && e.isNotFound()
        ? "no service " + service + ": nothing followed until it exists"
        : "cannot list the tasks of " + service + ": " + cause.getMessage();
    if (!message.equals(problem)) {
      LOG.log(cause instanceof DockerEngineException e && e.isNotFound() ? Level.DEBUG : Level.WARNING, message);
      problem = message;
    }
    if (cause instanceof DockerEngineException e && e.isNotFound()) {
      synchronized (this) {
        tasks.values().forEach(this::stopStream);
        tasks.clear();
        finished.clear();
      }
    }
  }
}
