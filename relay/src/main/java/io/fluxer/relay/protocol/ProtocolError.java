package io.fluxer.relay.protocol;

/**
 * An error reply to a command: {@code {"id":n,"error":{"code":c,"message":m,"temporary":true}}}.
 * The well-known errors are constants; codes follow Centrifugo's client protocol.
 */
public record ProtocolError(int code, String message, boolean temporary) {
  public static final ProtocolError INTERNAL = new ProtocolError(100, "internal server error", true);
  public static final ProtocolError UNAUTHORIZED = new ProtocolError(101, "unauthorized", false);
  public static final ProtocolError UNKNOWN_CHANNEL = new ProtocolError(102, "unknown channel", false);
  public static final ProtocolError PERMISSION_DENIED = new ProtocolError(103, "permission denied", false);
  public static final ProtocolError METHOD_NOT_FOUND = new ProtocolError(104, "method not found", false);
  public static final ProtocolError ALREADY_SUBSCRIBED = new ProtocolError(105, "already subscribed", false);
  public static final ProtocolError LIMIT_EXCEEDED = new ProtocolError(106, "limit exceeded", false);
  public static final ProtocolError BAD_REQUEST = new ProtocolError(107, "bad request", false);
  public static final ProtocolError NOT_AVAILABLE = new ProtocolError(108, "not available", false);
  public static final ProtocolError TOKEN_EXPIRED = new ProtocolError(109, "token expired", false);
  public static final ProtocolError EXPIRED = new ProtocolError(110, "expired", false);
  public static final ProtocolError TOO_MANY_REQUESTS = new ProtocolError(111, "too many requests", true);
  public static final ProtocolError UNRECOVERABLE_POSITION =
      new ProtocolError(112, "unrecoverable position", false);

  /** The same code with a more specific message. */
  public ProtocolError withMessage(String detail) {
    return new ProtocolError(code, detail, temporary);
  }
}
