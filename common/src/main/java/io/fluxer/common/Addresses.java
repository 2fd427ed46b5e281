package io.fluxer.common;

/** Event bus addresses of the relay, all under {@code fluxer.relay.}. */
public final class Addresses {
  public static final String PREFIX = "fluxer.relay.";
  /**
   * Request/reply: the server API from inside the cluster. Body {@code {"method": m, "params": {…}}},
   * reply the API's answer ({@code {"result": …}} or {@code {"error": …}}); callers on the bus are
   * trusted (no role check).
   */
  public static final String API = PREFIX + "api";
  /**
   * Node heartbeats: every node publishes its stats here each {@code server.stats_interval}
   * ({@code NodeStats} JSON), and {@code {"id": …, "gone": true}} when it stops.
   */
  public static final String NODES = PREFIX + "nodes";
  /**
   * Request/reply to one node: {@code {"method": m, "params": {…}}} runs the node-local part of a
   * server API method there ({@code subscribe}, {@code unsubscribe}, {@code disconnect},
   * {@code refresh}, {@code channels}, {@code info}); the reply is {@code {"result": …}} or
   * {@code {"error": …}}.
   */
  public static final String CMD_PREFIX = PREFIX + "cmd.";
  /**
   * Namespace options changed in PostgreSQL (published by the node that wrote them). Body
   * {@code {"namespace": name, "node": nodeId}}, for logs only: every node reloads all namespaces
   * from PostgreSQL rather than trusting the message, so a missed notice is healed by the next one
   * or by the periodic reload ({@code postgres.reload_interval}).
   */
  public static final String NAMESPACES = PREFIX + "namespaces";

  /**
   * API keys changed in PostgreSQL (published by the node that wrote them). Body
   * {@code {"key": name, "node": nodeId}}, for logs only: every node reloads all keys from
   * PostgreSQL, and the periodic reload heals a missed notice.
   */
  public static final String API_KEYS = PREFIX + "api-keys";

  /**
   * control-api's request/reply operations, {@code fluxer.control.<op>} (e.g.
   * {@code fluxer.control.stack.deploy}): the relay's HTTP gateway forwards the control plane's
   * routes there.
   */
  public static final String CONTROL_PREFIX = "fluxer.control.";

  /**
   * The relay tells control-api which {@code logs:*} channels have subscribers: every node publishes
   * {@code {"node": id, "channels": [...], "repeat_ms": n}} when its set changes and every
   * {@code repeat_ms} anyway, and an empty set when it stops, so log following starts with the first
   * subscriber anywhere in the cluster and stops after the last.
   */
  public static final String CONTROL_INTEREST = CONTROL_PREFIX + "interest";

  /**
   * Request/reply: may the logs of a service be read? The relay asks before a client subscribes to
   * {@code logs:<service>}: {@code {"service": nameOrId}} → {@code {"allowed": true|false}}.
   */
  public static final String CONTROL_LOGS_ACCESS = CONTROL_PREFIX + "logs.access";

  /**
   * Request/reply to one node: a {@code POST /emulation} that reached another node, for the node
   * that owns the session. Body {@code {"session": s, "data": commands}}, the commands as bytes in
   * either encoding (JSON text in UTF-8 or varint-delimited Protobuf; base64 on the wire), reply
   * {@code {"status": 204|404|400}} (the HTTP status to answer). Not sealed: relies on the bus's TLS.
   */
  public static final String EMULATION_PREFIX = PREFIX + "emulation.";

  /** The emulation address of node {@code nodeId}. */
  public static String emulation(String nodeId) {
    return EMULATION_PREFIX + nodeId;
  }

  /** The address of control operation {@code op}. */
  public static String control(String op) {
    return CONTROL_PREFIX + op;
  }

  /** The command address of node {@code nodeId}. */
  public static String command(String nodeId) {
    return CMD_PREFIX + nodeId;
  }

  private Addresses() {}
}
