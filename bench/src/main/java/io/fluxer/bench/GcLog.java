package io.fluxer.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's GC pauses in a time window, read from its unified GC log written with
 * {@code -Xlog:gc:file=FILE:utctime}: lines such as
 * {@code [2026-11-23T06:56:45.123+0000] GC(12) Pause Young (Allocation Failure) 150M->20M(300M) 3.456ms},
 * logged when the pause ends.
 */
final class GcLog {
  private static final Pattern PAUSE = Pattern.compile("^\\[([^\\]]+)\\].*\\bPause\\b.*?([0-9]+(?:\\.[0-9]+)?)ms\\s*$");
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

  /** Pauses that ended in the window: how many, their sum and the longest, in milliseconds. */
  record Pauses(int count, double totalMillis, double maxMillis) {}

  private GcLog() {}

  /** The pauses logged in {@code file} between {@code from} and {@code to}; null if the file cannot be read. */
  static Pauses between(Path file, Instant from, Instant to) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      return null;
    }
    int count = 0;
    double total = 0;
    double max = 0;
    for (String line : lines) {
      Matcher m = PAUSE.matcher(line);
      if (!m.find()) {
        continue;
      }
      Instant at;
      try {
        at = OffsetDateTime.parse(m.group(1), TIME).toInstant();
      } catch (DateTimeParseException e) {
        continue;
      }
      if (at.isBefore(from) || at.isAfter(to)) {
        continue;
      }
      double ms = Double.parseDouble(m.group(2));
      count++;
      total += ms;
      max = Math.max(max, ms);
    }
    return new Pauses(count, total, max);
  }
}
