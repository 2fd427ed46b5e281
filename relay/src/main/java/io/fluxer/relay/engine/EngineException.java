package io.fluxer.relay.engine;

/** An engine operation failed; {@link #temporary()} tells whether retrying may help. */
public class EngineException extends RuntimeException {
  private final boolean temporary;

  public EngineException(String message, boolean temporary, Throwable cause) {
    super(message, cause);
    this.temporary = temporary;
  }

  public EngineException(String message, boolean temporary) {
    this(message, temporary, null);
  }

  public boolean temporary() {
    return temporary;
  }
}
