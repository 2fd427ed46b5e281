package io.fluxer.control.logs;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.fluxer.control.api.ControlApi;
import io.fluxer.control.api.ControlApi.Reply;
import io.fluxer.control.api.ControlError;
import io.fluxer.control.api.ControlRequest;
import io.fluxer.control.docker.DockerEngineException;
import io.fluxer.control.docker.EngineStreams;
import io.fluxer.control.docker.InspectedService;
import io.fluxer.control.docker.SwarmClient;
import io.fluxer.control.docker.TaskInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code service.logs} ({@code GET /api/v1/services/{id}/logs?tail=&since=&grep=}): the recent lines
 * of every task of a service (replaced and stopped ones too, as long as the swarm keeps them), merged
 * by timestamp and attributed like the live lines: {@code {"service", "lines": [{"task", "slot",
 * "node_id", "node", "stream", "ts", "text"}, …]}}.
 *
 * <ul>
 *   <li>{@code tail}: the last N lines of the whole answer, 1 to {@value #MAX_TAIL} (default
 *       {@value #DEFAULT_TAIL}).</li>
 *   <li>{@code since}: only lines from then on: RFC 3339 ({@code 2026-11-23T10:42:00Z}, an offset, a
 *       fraction) or Unix seconds ({@code 1795433317}, {@code 1795433317.5}).</li>
 *   <li>{@code grep}: a regular expression (RE2 syntax, matched in linear time: no backreferences or
 *       lookaround) the text must contain a match of, at most {@value #MAX_GREP} characters. With grep
 *       the last {@value #GREP_SCAN} lines of each task are searched.</li>
 * </ul>
 * Only services {@link LogAccess} allows are served: any other answers 404 like a missing one.
 * Each task's log is read on a small pool of its own ({@code fluxer-logs-query}), at most
 * {@value #READ_SECONDS} s each (a task whose node does not answer gives what came until then).
 */
public final class ServiceLogs {
  private static final System.Logger LOG = System.getLogger(ServiceLogs.class.getName());
  static final int DEFAULT_TAIL = 100;
  static final int MAX_TAIL = 1000;
  static final int GREP_SCAN = 10_000;
  static final int MAX_GREP = 256;
  static final int READ_SECONDS = 15;
  static final int THREADS = 4;

  private final Vertx vertx;
  private final SwarmClient client;
  private final EngineStreams streams;
  private final WorkerExecutor readers;
  private final LogAccess access;

  private ServiceLogs(Vertx vertx, SwarmClient client, LogAccess access) {
    this.vertx = vertx;
    this.client = client;
    this.access = access;
    this.streams = client.openStreams(THREADS);
    this.readers = vertx.createSharedWorkerExecutor("fluxer-logs-query", THREADS, READ_SECONDS + 5L, TimeUnit.SECONDS);
  }

  /** Serves the logs of the services {@code access} allows; the others answer 404, as if they did not exist. */
  public static ServiceLogs create(Vertx vertx, SwarmClient client, LogAccess access) {
    return new ServiceLogs(vertx, client, access);
  }

  /** Adds {@code service.logs} to {@code api} (before it registers). */
  public ControlApi registerOn(ControlApi api) {
    return api.handle("service.logs", this::logs);
  }

  /** Closes its HTTP client and reading threads. */
  public Future<Void> close() {
    return vertx.executeBlocking(() -> {
      streams.close();
      return null;
    }, false).eventually(readers::close).mapEmpty();
  }

  private Future<Reply> logs(ControlRequest r) {
    String id = r.pathParam("id");
    int tail = r.queryInt("tail", DEFAULT_TAIL, 1, MAX_TAIL);
    Instant since = since(r.query().getString("since"));
    Pattern grep = grep(r.query().getString("grep"));
    return access.readable(id)
        .compose(found -> found.isPresent() ? Future.succeededFuture(found.get())
            : Future.<InspectedService>failedFuture(ControlError.notFound("no service " + id)))
        .compose(service -> client.listTasks(service.id()).compose(tasks -> hostnames(tasks)
            .compose(names -> read(service, tasks, names, tail, since, grep))));
  }

  private Future<Reply> read(InspectedService service, List<TaskInfo> tasks, Map<String, String> names, int tail,
                             Instant since, Pattern grep) {
    List<Future<List<LogLine>>> reads = new ArrayList<>();
    for (TaskInfo t : tasks) {
      if (t.containerId() != null && !t.containerId().isEmpty()) {
        LogLine.Task task = LogLine.Task.of(t, names);
        int perTask = grep == null ? tail : GREP_SCAN;
        reads.add(readers.executeBlocking(() -> readTask(task, perTask, since, grep), false));
      }
    }
    return Future.all(reads).map(all -> {
      List<LogLine> merged = new ArrayList<>();
      reads.forEach(f -> merged.addAll(f.result()));
      merged.sort(LogLine.BY_TIME);
      JsonArray lines = new JsonArray();
      merged.subList(Math.max(0, merged.size() - tail), merged.size()).forEach(l -> lines.add(l.toJson()));
      return Reply.ok(new JsonObject().put("service", service.name()).put("lines", lines));
    });
  }

  /** One task's last lines (blocking, on a reader thread); what came before a failure or the deadline. */
  private List<LogLine> readTask(LogLine.Task task, int tail, Instant since, Pattern grep) {
    String path = "/tasks/" + task.id() + "/logs?stdout=1&stderr=1&timestamps=1&tail=" + tail
        + (since == null ? "" : "&since=" + SwarmClient.engineTime(since));
    List<LogLine> lines = new ArrayList<>();
    EngineStreams.Stream stream;
    try {
      stream = streams.open(path);
    } catch (DockerEngineException e) {
      LOG.log(Level.DEBUG, "cannot read the log of task " + task.id() + ": " + e.getMessage());
      return lines;
    }
    long deadline = vertx.setTimer(Duration.ofSeconds(READ_SECONDS).toMillis(), id -> stream.close());
    Instant[] previous = new Instant[1];
    try (stream) {
      LogFrames.read(stream.body(), task.tty(), (name, raw) -> {
        LogLine line = LogLine.parse(task, name, raw, previous[0]);
        if (line == null || (since != null && line.at().isBefore(since))) {
          return;
        }
        previous[0] = line.at();
        if (grep == null || grep.matcher(line.text()).find()) {
          lines.add(line);
        }
      });
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.DEBUG, "the log of task " + task.id() + " ended early: " + e.getMessage());
    } finally {
      vertx.cancelTimer(deadline);
    }
    return lines;
  }

  private Future<Map<String, String>> hostnames(List<TaskInfo> tasks) {
    return client.nodeHostnames().recover(e -> Future.succeededFuture(Map.of()));
  }

  /** RFC 3339 or Unix seconds (with a fraction); null when absent; 400 otherwise. */
  static Instant since(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.trim();
    if (v.matches("\\d{1,12}(\\.\\d{1,9})?")) {
      BigDecimal seconds = new BigDecimal(v);
      long whole = seconds.longValue();
      int nanos = seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).intValue();
      return Instant.ofEpochSecond(whole, nanos);
    }
    try {
      return OffsetDateTime.parse(v).toInstant();
    } catch (DateTimeParseException e) {
      throw ControlError.badRequest("since must be an RFC 3339 timestamp (2026-11-23T10:42:00Z) or Unix seconds, got '"
          + value + "'");
    }
  }

  /**
   * The compiled {@code grep} (RE2/J: time linear in the line's length, whatever the pattern); null
   * when absent; 400 naming the problem when longer than {@value #MAX_GREP} characters or when it
   * does not compile.
   */
  static Pattern grep(String value) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    if (value.length() > MAX_GREP) {
      throw ControlError.badRequest("grep is longer than " + MAX_GREP + " characters (" + value.length() + ")");
    }
    try {
      return Pattern.compile(value);
    } catch (PatternSyntaxException e) {
      throw ControlError.badRequest("grep is not a valid regular expression: " + e.getDescription()
          + " in '" + value + "'");
    }
  }
}
