package io.fluxer.control.docker;

/**
 * A Docker engine call that failed: the engine answered with an HTTP error ({@link #status()} and the
 * engine's own {@link #engineMessage()}), or did not answer at all ({@link #status()} is 0 and the
 * cause is the transport's exception).
 */
public final class DockerEngineException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String engineMessage;
  private final String method;
  private final String path;

  public DockerEngineException(int status, String engineMessage, String method, String path) {
    super(method + " " + path + " -> " + status + ": " + engineMessage);
    this.status = status;
    this.engineMessage = engineMessage;
    this.method = method;
    this.path = path;
  }

  /** The engine could not be reached (no socket, connection refused, timeout). */
  public DockerEngineException(String method, String path, Throwable cause) {
    super(method + " " + path + " -> no answer from the Docker engine: " + cause.getMessage(), cause);
    this.status = 0;
    this.engineMessage = String.valueOf(cause.getMessage());
    this.method = method;
    this.path = path;
  }

  /** The HTTP status the engine answered with; 0 when it did not answer. */
  public int status() {
    return status;
  }

  /** The engine's {@code message} (or its raw body when it was not JSON). */
  public String engineMessage() {
    return engineMessage;
  }

  public String method() {
    return method;
  }

  public String path() {
    return path;
  }

  /**
   * The object does not exist. Besides 404, a swarm network that was just removed still shows in the
   * node's network list for a moment, and removing it again answers 500 "network ... not found".
   */
  public boolean isNotFound() {
    return status == 404 || (status == 500 && engineMessage.endsWith(" not found"));
  }

  /**
   * The swarm refused an update sent with a stale {@code version}: the engine answers HTTP 500 with
   * "update out of sequence"; re-inspect and retry.
   */
  public boolean isOutOfSequence() {
    return status == 500 && engineMessage.contains("update out of sequence");
  }
}
