package io.fluxer.relay.client;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * How messages are laid out in an HTTP response stream: SSE events, lines of JSON, or
 * varint-length-delimited Protobuf replies. Each message leaves as one unit the client can cut out
 * of the stream, however the stream is split into chunks.
 */
enum StreamFraming {
  /** {@code text/event-stream}: {@code \r\n} first, then {@code data: <json>\n\n} per message. */
  SSE("text/event-stream; charset=utf-8", "\r\n") {
    private final byte[] prefix = "data: ".getBytes(StandardCharsets.US_ASCII);

    @Override
    int framedLength(int length) {
      return length + 8;
    }

    @Override
    void append(Buffer out, byte[] message, int offset, int length) {
      out.appendBytes(prefix).appendBytes(message, offset, length).appendByte((byte) '\n').appendByte((byte) '\n');
    }
  },

  /** HTTP streaming with JSON: {@code <json>\n} per message. */
  JSON_LINES("text/plain; charset=utf-8", "") {
    @Override
    int framedLength(int length) {
      return length + 1;
    }

    @Override
    void append(Buffer out, byte[] message, int offset, int length) {
      out.appendBytes(message, offset, length).appendByte((byte) '\n');
    }
  },

  /**
   * HTTP streaming with Protobuf: the replies as they are, one after the other (each is
   * varint-length-delimited already, as {@code ProtobufCodec} encodes it).
   */
  PROTOBUF("application/octet-stream", "") {
    @Override
    int framedLength(int length) {
      return length;
    }

    @Override
    void append(Buffer out, byte[] message, int offset, int length) {
      out.appendBytes(message, offset, length);
    }
  };

  private final String contentType;
  private final byte[] prelude;

  StreamFraming(String contentType, String prelude) {
    this.contentType = contentType;
    this.prelude = prelude.getBytes(StandardCharsets.US_ASCII);
  }

  String contentType() {
    return contentType;
  }

  /** What the stream starts with, before any message. */
  byte[] prelude() {
    return prelude;
  }

  /** A message's length once framed. */
  abstract int framedLength(int length);

  /** Appends one message ({@code length} bytes from {@code offset}), framed. */
  abstract void append(Buffer out, byte[] message, int offset, int length);
}
