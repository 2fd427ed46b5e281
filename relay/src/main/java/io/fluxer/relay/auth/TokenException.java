package io.fluxer.relay.auth;

/**
 * A JWT was rejected. {@link Reason#EXPIRED} is reported only for a token whose signature and
 * other claims are valid but whose {@code exp} has passed (beyond the configured leeway), so a
 * client may refresh it; everything else is {@link Reason#INVALID}.
 */
public final class TokenException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why a token was rejected. */
  public enum Reason {
    /** Valid signature and claims, but {@code exp} has passed. */
    EXPIRED,
    /** Malformed, badly signed, wrong algorithm, or failing a claim check. */
    INVALID
  }

  private final Reason reason;

  public TokenException(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  static TokenException invalid(String message) {
    return new TokenException(Reason.INVALID, message);
  }

  static TokenException expired() {
    return new TokenException(Reason.EXPIRED, "token expired");
  }

  public Reason reason() {
    return reason;
  }
}
