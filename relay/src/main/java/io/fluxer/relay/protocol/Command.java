package io.fluxer.relay.protocol;

/**
 * One decoded client message. {@code request == null} is the client's pong ({@code {}}), which has
 * no id and needs no reply. {@code id == 0} with a request is a command that expects no reply
 * ({@code send}).
 */
public record Command(long id, Request request) {
  public static final Command PONG = new Command(0, null);

  public boolean isPong() {
    return request == null;
  }
}
