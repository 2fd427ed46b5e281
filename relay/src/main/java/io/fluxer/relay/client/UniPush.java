package io.fluxer.relay.client;

/**
 * Unidirectional transports send plain {@code Push} objects, as Centrifugo does: the pushes the
 * session encodes once for every client, {@code {"push":{...}}}, lose their wrapper there
 * ({@code {"channel":"c","pub":{...}}}); anything else (the {@code {"connect":{...}}} push, pings)
 * goes as it is.
 */
final class UniPush {
  private static final byte[] WRAPPER = {'{', '"', 'p', 'u', 's', 'h', '"', ':'};

  private UniPush() {}

  /** Where the unwrapped push starts in {@code message}: after the wrapper, or 0 for no wrapper. */
  static int start(byte[] message) {
    if (message.length < WRAPPER.length + 2 || message[message.length - 1] != '}') {
      return 0;
    }
    for (int i = 0; i < WRAPPER.length; i++) {
      if (message[i] != WRAPPER[i]) {
        return 0;
      }
    }
    return WRAPPER.length;
  }

  /** How many bytes the unwrapped push has, from {@link #start}. */
  static int length(byte[] message, int start) {
    return start == 0 ? message.length : message.length - start - 1;
  }

  /** The message without its wrapper (a copy), or the message itself. */
  static byte[] unwrap(byte[] message) {
    int start = start(message);
    if (start == 0) {
      return message;
    }
    byte[] out = new byte[length(message, start)];
    System.arraycopy(message, start, out, 0, out.length);
    return out;
  }
}
