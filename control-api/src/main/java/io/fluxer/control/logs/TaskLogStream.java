package io.fluxer.control.logs;

import io.fluxer.control.docker.EngineStreams;
import io.fluxer.control.docker.SwarmClient;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Follows one task's log ({@code GET /tasks/{id}/logs?follow=1&stdout=1&stderr=1&timestamps=1&since=…})
 * on the thread that runs it, handing each line to a sink, until the stream ends or {@link #close()}.
 *
 * <p>A {@link Cursor} outlives the stream: the next stream of the same task starts at the last
 * timestamp seen and skips the lines it had already delivered (per stream: stdout and stderr are
 * stamped separately by the engine), so re-opening never repeats a line.
 */
final class TaskLogStream implements Runnable {
  private static final System.Logger LOG = System.getLogger(TaskLogStream.class.getName());

  /** Where a task's lines got to, across streams. */
  static final class Cursor {
    private final Instant start;
    private final Map<String, Instant> last = new ConcurrentHashMap<>();

    Cursor(Instant start) {
      this.start = start;
    }

    /** Where the next stream starts: the earliest of the last lines seen per stream, or the start. */
    Instant since() {
      return last.values().stream().min(Instant::compareTo).orElse(start);
    }

    /** Whether the line is new (and, if so, remembers it). */
    boolean advance(LogLine line) {
      Instant previous = last.get(line.stream());
      if (previous != null && !line.at().isAfter(previous)) {
        return false;
      }
      if (previous == null && line.at().isBefore(start)) {
        return false;
      }
      last.put(line.stream(), line.at());
      return true;
    }

    Instant lastOf(String stream) {
      return last.get(stream);
    }
  }

  private final EngineStreams streams;
  private final LogLine.Task task;
  private final Cursor cursor;
  private final Consumer<LogLine> sink;
  private final Runnable onEnd;
  private volatile boolean closed;
  private volatile boolean ended;
  private EngineStreams.Stream open;

  TaskLogStream(EngineStreams streams, LogLine.Task task, Cursor cursor, Consumer<LogLine> sink, Runnable onEnd) {
    this.streams = streams;
    this.task = task;
    this.cursor = cursor;
    this.sink = sink;
    this.onEnd = onEnd;
  }

  LogLine.Task task() {
    return task;
  }

  /** The stream ended (by itself, by an error, or closed). */
  boolean ended() {
    return ended;
  }

  @Override
  public void run() {
    String path = "/tasks/" + task.id() + "/logs?follow=1&stdout=1&stderr=1&timestamps=1&since="
        + SwarmClient.engineTime(cursor.since());
    try {
      EngineStreams.Stream stream = streams.open(path);
      synchronized (this) {
        if (closed) {
          stream.close();
          return;
        }
        open = stream;
      }
      LogFrames.read(stream.body(), task.tty(), (name, raw) -> {
        LogLine line = LogLine.parse(task, name, raw, cursor.lastOf(name));
        if (line != null && cursor.advance(line)) {
          sink.accept(line);
        }
      });
      LOG.log(Level.DEBUG, "the log stream of task " + task.id() + " ended");
    } catch (IOException | RuntimeException e) {
      if (!closed) {
        LOG.log(Level.DEBUG, "the log stream of task " + task.id() + " failed: " + e.getMessage());
      }
    } finally {
      close();
      ended = true;
      onEnd.run();
    }
  }

  /** Ends the stream (any thread): a read blocked on it fails at once. */
  void close() {
    EngineStreams.Stream stream;
    synchronized (this) {
      closed = true;
      stream = open;
      open = null;
    }
    if (stream != null) {
      stream.close();
    }
  }
}
