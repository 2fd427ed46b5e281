package io.fluxer.relay.engine;

/** A history read asked for a position from another epoch of the stream (protocol error 112). */
public class UnrecoverablePositionException extends EngineException {
  public UnrecoverablePositionException(String message) {
    super(message, false);
  }
}
