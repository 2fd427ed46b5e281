package io.fluxer.relay.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects the java.util.logging records above {@link Level#FINE} that Fluxer and Vert.x's context
 * code log while it is open (the blocked-thread checker, which a loaded machine sets off, is left
 * out). Use with try-with-resources.
 */
public final class LogCapture extends Handler implements AutoCloseable {
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Logger root = Logger.getLogger("");

  public LogCapture() {
    setLevel(Level.ALL);
    root.addHandler(this);
  }

  @Override
  public void publish(LogRecord r) {
    String logger = r.getLoggerName() == null ? "" : r.getLoggerName();
    if (r.getLevel().intValue() > Level.FINE.intValue() && !logger.endsWith("BlockedThreadChecker")
        && (logger.startsWith("io.fluxer") || logger.startsWith("io.vertx"))) {
      records.add(r);
    }
  }

  /** What was logged above FINE so far, one line each: level, logger, message and thrown. */
  public List<String> lines() {
    return records.stream()
        .map(r -> r.getLevel() + " " + r.getLoggerName() + ": " + r.getMessage()
            + (r.getThrown() == null ? "" : " (" + r.getThrown() + ")"))
        .toList();
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    root.removeHandler(this);
  }
}
