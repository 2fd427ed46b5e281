package io.fluxer.relay.protocol;

/** A frame is not valid protocol JSON; the connection is closed with {@link Disconnect#BAD_REQUEST}. */
public class ProtocolException extends Exception {
  public ProtocolException(String message, Throwable cause) {
    super(message, cause);
  }

  public ProtocolException(String message) {
    super(message);
  }
}
