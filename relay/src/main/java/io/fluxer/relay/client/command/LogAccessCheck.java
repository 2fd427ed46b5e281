package io.fluxer.relay.client.command;

import io.fluxer.common.Addresses;
import io.fluxer.relay.channel.ChannelName;
import io.fluxer.relay.protocol.ProtocolError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger.Level;

/**
 * Before a client subscribes to {@code logs:<service>}: asks control-api on
 * {@link Addresses#CONTROL_LOGS_ACCESS} whether that service's logs may be read (a service of a stack
 * it manages, or one it allows). Refused: error 103. No control plane answering within
 * {@value #TIMEOUT_MILLIS} ms: error 100, temporary, so clients retry (a standby may be taking over).
 */
final class LogAccessCheck {
  private static final System.Logger LOG = System.getLogger(LogAccessCheck.class.getName());
  static final String NAMESPACE = "logs";
  static final long TIMEOUT_MILLIS = 5_000;

  private LogAccessCheck() {}

  /** Whether {@code channel} is a log channel that needs asking. */
  static boolean applies(ChannelName channel) {
    return NAMESPACE.equals(channel.namespace());
  }

  /** Completes with null when the client may subscribe, else with the error to answer; never fails. */
  static Future<ProtocolError> check(Vertx vertx, ChannelName channel) {
    return vertx.eventBus().<JsonObject>request(Addresses.CONTROL_LOGS_ACCESS,
            new JsonObject().put("service", channel.name()), new DeliveryOptions().setSendTimeout(TIMEOUT_MILLIS))
        .map(reply -> reply.body() != null && reply.body().getBoolean("allowed", false)
            ? (ProtocolError) null : ProtocolError.PERMISSION_DENIED)
        .otherwise(e -> {
          LOG.log(Level.DEBUG, "the control plane did not say whether " + channel.channel() + " may be read: "
              + e.getMessage());
          return ProtocolError.INTERNAL;
        });
  }
}
