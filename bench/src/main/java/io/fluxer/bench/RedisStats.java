package io.fluxer.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * The commands a Redis server has processed so far ({@code total_commands_processed} of
 * {@code INFO stats}), read over a plain socket (inline command, one bulk reply), so that a step
 * can report Redis operations per publication. Only for a Redis without a password.
 */
final class RedisStats {
  private static final int TIMEOUT_MILLIS = 5000;

  private final String host;
  private final int port;

  /** @param url {@code redis://host:port} */
  RedisStats(URI url) {
    this.host = url.getHost();
    this.port = url.getPort() > 0 ? url.getPort() : 6379;
  }

  /** {@code total_commands_processed} (this INFO command included); fails when Redis cannot be read. */
  long commandsProcessed() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
      s.setSoTimeout(TIMEOUT_MILLIS);
      OutputStream out = s.getOutputStream();
      out.write("INFO stats\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Long v = field(readBulk(s.getInputStream()), "total_commands_processed");
      if (v == null) {
        throw new IllegalStateException("no total_commands_processed in INFO stats of " + host + ":" + port);
      }
      return v;
    } catch (IOException e) {
      throw new IllegalStateException("cannot read INFO from Redis " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  /** The text of one RESP bulk-string reply ({@code $<length>\r\n<bytes>\r\n}). */
  static String readBulk(InputStream in) throws IOException {
    ByteArrayOutputStream header = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) {
        throw new IOException("connection closed before the reply");
      }
      header.write(c);
    }
    String h = header.toString(StandardCharsets.US_ASCII).trim();
    if (!h.startsWith("$")) {
      throw new IOException("not a bulk reply: " + h);
    }
    int length = Integer.parseInt(h.substring(1));
    byte[] body = in.readNBytes(length);
    if (body.length < length) {
      throw new IOException("reply cut short");
    }
    return new String(body, StandardCharsets.UTF_8);
  }

  /** The integer value of {@code name:value} in an INFO text, or {@code null}. */
  static Long field(String info, String name) {
    for (String line : info.split("\r?\n")) {
      if (line.startsWith(name + ":")) {
        return Long.parseLong(line.substring(name.length() + 1).trim());
      }
    }
    return null;
  }
}
