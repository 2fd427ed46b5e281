package io.fluxer.control.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogFramesTest {
  private static final LogLine.Task TASK = new LogLine.Task("t1", 2, "n1", "host-1", false);

  @Test
  void demultiplexesStdoutAndStderrFrames() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    frame(body, 1, "2026-11-23T11:28:41.188899736Z line-1\n");
    frame(body, 2, "2026-11-23T11:28:41.188999736Z err-1\n");
    frame(body, 1, "2026-11-23T11:28:41.390029837Z two\nlines\n");
    assertThat(read(new ByteArrayInputStream(body.toByteArray()), false)).containsExactly(
        "stdout|2026-11-23T11:28:41.188899736Z line-1", "stderr|2026-11-23T11:28:41.188999736Z err-1",
        "stdout|2026-11-23T11:28:41.390029837Z two", "stdout|lines");
  }

  @Test
  void aLineSplitAcrossFramesAndReadsStaysWhole() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    frame(body, 1, "2026-11-23T11:28:41Z hel");
    frame(body, 2, "oops\r\n");
    frame(body, 1, "lo\nlast without newline");
    // one byte per read: headers and payloads arrive in pieces
    InputStream trickle = new FilterInputStream(new ByteArrayInputStream(body.toByteArray())) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return super.read(b, off, Math.min(len, 1));
      }
    };
    assertThat(read(trickle, false)).containsExactly("stderr|oops", "stdout|2026-11-23T11:28:41Z hello",
        "stdout|last without newline");
  }

  @Test
  void aTtyStreamIsRawStdout() throws IOException {
    byte[] raw = "2026-11-23T11:28:41Z a\r\n2026-11-23T11:28:42Z b\n".getBytes(StandardCharsets.UTF_8);
    assertThat(read(new ByteArrayInputStream(raw), true))
        .containsExactly("stdout|2026-11-23T11:28:41Z a", "stdout|2026-11-23T11:28:42Z b");
  }

  @Test
  void aLongLineIsCut() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    frame(body, 1, "x".repeat(LogFrames.MAX_LINE + 10) + "\n");
    List<String> lines = read(new ByteArrayInputStream(body.toByteArray()), false);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).hasSize("stdout|".length() + LogFrames.MAX_LINE);
    assertThat(lines.get(1)).isEqualTo("stdout|" + "x".repeat(10));
  }

  @Test
  void aStreamEndingInsideAFrameFails() {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    frame(body, 1, "2026-11-23T11:28:41Z complete\n");
    byte[] bytes = body.toByteArray();
    byte[] cut = new byte[bytes.length - 3];
    System.arraycopy(bytes, 0, cut, 0, cut.length);
    assertThatThrownBy(() -> read(new ByteArrayInputStream(cut), false)).isInstanceOf(EOFException.class);
  }

  @Test
  void linesAreParsedAndAttributed() {
    LogLine line = LogLine.parse(TASK, "stderr", "2026-11-23T11:28:41.188899736Z err-17", null);
    assertThat(line.at()).isEqualTo(Instant.parse("2026-11-23T11:28:41.188899736Z"));
    assertThat(line.toJson().encode()).isEqualTo("{\"task\":\"t1\",\"slot\":2,\"node_id\":\"n1\",\"node\":\"host-1\","
        + "\"stream\":\"stderr\",\"ts\":\"2026-11-23T11:28:41.188899736Z\",\"text\":\"err-17\"}");
    // a line without a timestamp takes the one before, or is skipped when there is none
    assertThat(LogLine.parse(TASK, "stdout", "no stamp", line.at()).text()).isEqualTo("no stamp");
    assertThat(LogLine.parse(TASK, "stdout", "no stamp", null)).isNull();
    assertThat(LogLine.parse(TASK, "stdout", "2026-11-23T11:28:41Z", null).text()).isEmpty();
  }

  @Test
  void aCursorSkipsWhatWasDeliveredPerStream() {
    Instant start = Instant.parse("2026-11-23T11:00:00Z");
    TaskLogStream.Cursor cursor = new TaskLogStream.Cursor(start);
    assertThat(cursor.since()).isEqualTo(start);
    assertThat(cursor.advance(line("stdout", "2026-11-23T10:59:59Z"))).as("before the start").isFalse();
    assertThat(cursor.advance(line("stdout", "2026-11-23T11:00:02Z"))).isTrue();
    assertThat(cursor.advance(line("stderr", "2026-11-23T11:00:01Z"))).as("stderr stamped apart").isTrue();
    assertThat(cursor.since()).isEqualTo(Instant.parse("2026-11-23T11:00:01Z"));
    // a re-opened stream repeats from since: those lines are skipped
    assertThat(cursor.advance(line("stderr", "2026-11-23T11:00:01Z"))).isFalse();
    assertThat(cursor.advance(line("stdout", "2026-11-23T11:00:02Z"))).isFalse();
    assertThat(cursor.advance(line("stdout", "2026-11-23T11:00:03Z"))).isTrue();
  }

  private static LogLine line(String stream, String ts) {
    return LogLine.parse(TASK, stream, ts + " x", null);
  }

  private static List<String> read(InputStream in, boolean tty) throws IOException {
    List<String> out = new ArrayList<>();
    LogFrames.read(in, tty, (stream, text) -> out.add(stream + "|" + text));
    return out;
  }

  private static void frame(ByteArrayOutputStream out, int stream, String payload) {
    byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
    out.write(stream);
    out.write(0);
    out.write(0);
    out.write(0);
    out.write(bytes.length >>> 24);
    out.write(bytes.length >>> 16);
    out.write(bytes.length >>> 8);
    out.write(bytes.length);
    out.writeBytes(bytes);
  }
}
