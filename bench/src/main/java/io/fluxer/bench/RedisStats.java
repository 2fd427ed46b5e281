package io.fluxer.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * The commands a Redis server has processed so far, by command ({@code INFO commandstats}: the
 * {@code calls} of each {@code cmdstat_<name>}), read over a plain socket (inline command, one bulk
 * reply), so that a step can report Redis operations per publication and which they are. Only for
 * a Redis without a password.
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

  /** Calls so far by command name (this INFO command included); fails when Redis cannot be read. */
  Map<String, Long> commandCalls() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
      s.setSoTimeout(TIMEOUT_MILLIS);
      OutputStream out = s.getOutputStream();
      out.write("INFO commandstats\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return calls(readBulk(s.getInputStream()));
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

  /** {@code cmdstat_<name>:calls=N,...} lines of an INFO text: name → N. */
  static Map<String, Long> calls(String info) {
    Map<String, Long> out = new TreeMap<>();
    for (String line : info.split("\r?\n")) {
      int colon = line.indexOf(':');
      if (line.startsWith("cmdstat_") && colon > 0 && line.startsWith("calls=", colon + 1)) {
        int end = line.indexOf(',', colon);
        out.put(line.substring("cmdstat_".length(), colon),
            Long.parseLong(line.substring(colon + 1 + "calls=".length(), end < 0 ? line.length() : end)));
      }
    }
    return out;
  }

  /** {@code after - before} per command, leaving out commands that did not grow. */
  static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> out = new TreeMap<>();
    after.forEach((name, n) -> {
      long d = n - before.getOrDefault(name, 0L);
      if (d > 0) {
        out.put(name, d);
      }
    });
    return out;
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
