package io.fluxer.relay.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.client.Transport;
import io.fluxer.relay.protocol.Disconnect;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntConsumer;

/**
 * A {@link Transport} with no socket: records every JSON message a session writes (pings, {@code {}},
 * left out) and how it was closed, for tests that drive a session directly. Written from the
 * session's event loop and read from the test thread, with deadlines.
 */
public final class FakeTransport implements Transport {
  private static final Duration DEADLINE = Duration.ofSeconds(5);

  private final BlockingQueue<JsonObject> written = new LinkedBlockingQueue<>();
  private final CompletableFuture<Disconnect> closed = new CompletableFuture<>();
  private final boolean unidirectional;
  private final String session;
  private volatile IntConsumer closeHandler;

  /** A bidirectional transport, as a WebSocket is. */
  public FakeTransport() {
    this(false, null);
  }

  /**
   * @param unidirectional whether it carries pushes only (uni_websocket, uni_sse, ...)
   * @param session the session id the connect reply carries, or {@code null}
   */
  public FakeTransport(boolean unidirectional, String session) {
    this.unidirectional = unidirectional;
    this.session = session;
  }

  @Override
  public void write(byte[] message) {
    for (String line : new String(message, StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank() && !line.equals("{}")) {
        written.add(new JsonObject(line));
      }
    }
  }

  @Override
  public void close(Disconnect disconnect) {
    closed.complete(disconnect);
  }

  @Override
  public void closeHandler(IntConsumer handler) {
    this.closeHandler = handler;
  }

  @Override
  public String remoteAddress() {
    return "fake";
  }

  @Override
  public boolean unidirectional() {
    return unidirectional;
  }

  @Override
  public String session() {
    return session;
  }

  /** The next message the session wrote, waiting up to five seconds for it. */
  public JsonObject next() {
    try {
      JsonObject m = written.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(m).as("a message within %s", DEADLINE).isNotNull();
      return m;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The messages written so far and not yet taken by {@link #next}. */
  public int pending() {
    return written.size();
  }

  /** How the session closed the transport, waiting up to five seconds for it. */
  public Disconnect closedWith() {
    try {
      return closed.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("the session did not close the transport within " + DEADLINE);
    } catch (InterruptedException | ExecutionException e) {
      throw new AssertionError(e);
    }
  }

  /** Whether the session closed the transport (so far). */
  public boolean isClosed() {
    return closed.isDone();
  }

  /** The peer goes away: the transport reports a close the session did not ask for (code 0). */
  public void peerClosed() {
    closeHandler.accept(0);
  }
}
