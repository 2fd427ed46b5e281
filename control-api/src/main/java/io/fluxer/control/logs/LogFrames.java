package io.fluxer.control.logs;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads an engine log stream into lines, each with the stream it came from.
 *
 * <p>Without a TTY the engine multiplexes stdout and stderr: each frame is an 8-byte header (the
 * stream: 0 stdin, 1 stdout, 2 stderr; three zero bytes; the payload's length, 4 bytes big-endian)
 * followed by the payload. With a TTY the body is the raw terminal output, all of it stdout. Either
 * way a line ends at {@code \n} (a trailing {@code \r} is dropped); a line longer than
 * {@value #MAX_LINE} bytes is cut there, and what is left at the end of the stream is a last line.
 */
public final class LogFrames {
  /** The longest line kept whole, in bytes. */
  public static final int MAX_LINE = 64 * 1024;

  /** Receives each line, in the order the stream carries them. */
  @FunctionalInterface
  public interface LineHandler {
    void line(String stream, String text);
  }

  private LogFrames() {}

  /** Reads {@code in} to its end (or until it fails), handing each line to {@code handler}. */
  public static void read(InputStream in, boolean tty, LineHandler handler) throws IOException {
    if (tty) {
      readRaw(in, handler);
    } else {
      readMultiplexed(in, handler);
    }
  }

  private static void readRaw(InputStream in, LineHandler handler) throws IOException {
    Lines out = new Lines("stdout", handler);
    byte[] buffer = new byte[8192];
    int n;
    while ((n = in.read(buffer)) >= 0) {
      out.add(buffer, 0, n);
    }
    out.finish();
  }

  private static void readMultiplexed(InputStream in, LineHandler handler) throws IOException {
    DataInputStream data = new DataInputStream(in);
    Lines stdout = new Lines("stdout", handler);
    Lines stderr = new Lines("stderr", handler);
    byte[] header = new byte[8];
    byte[] payload = new byte[8192];
    while (readHeader(data, header)) {
      int size = ((header[4] & 0xff) << 24) | ((header[5] & 0xff) << 16) | ((header[6] & 0xff) << 8) | (header[7] & 0xff);
      if (size < 0) {
        throw new IOException("bad log frame: length " + Integer.toUnsignedString(size));
      }
      Lines target = header[0] == 2 ? stderr : stdout;
      while (size > 0) {
        int n = data.read(payload, 0, Math.min(size, payload.length));
        if (n < 0) {
          throw new EOFException("log stream ended inside a frame");
        }
        target.add(payload, 0, n);
        size -= n;
      }
    }
    stdout.finish();
    stderr.finish();
  }

  /** Fills the header; false at a clean end of stream (before its first byte). */
  private static boolean readHeader(DataInputStream in, byte[] header) throws IOException {
    int first = in.read();
    if (first < 0) {
      return false;
    }
    header[0] = (byte) first;
    in.readFully(header, 1, 7);
    return true;
  }

  /** Splits the bytes of one stream into lines. */
  private static final class Lines {
    private final String stream;
    private final LineHandler handler;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

    Lines(String stream, LineHandler handler) {
      this.stream = stream;
      this.handler = handler;
    }

    void add(byte[] bytes, int offset, int length) {
      int start = offset;
      int end = offset + length;
      for (int i = offset; i < end; i++) {
        if (bytes[i] == '\n') {
          partial.write(bytes, start, i - start);
          emit();
          start = i + 1;
        } else if (partial.size() + (i - start) >= MAX_LINE) {
          partial.write(bytes, start, i - start);
          emit();
          start = i;
        }
      }
      partial.write(bytes, start, end - start);
    }

    void finish() {
      if (partial.size() > 0) {
        emit();
      }
    }

    private void emit() {
      String text = partial.toString(StandardCharsets.UTF_8);
      partial.reset();
      if (text.endsWith("\r")) {
        text = text.substring(0, text.length() - 1);
      }
      handler.line(stream, text);
    }
  }
}
