package io.fluxer.relay.protocol;

import java.util.Objects;

/**
 * Who published, joined or left: user id, client (connection) id and the raw JSON info attached to the
 * connection ({@code conn_info}) and to the channel subscription ({@code chan_info}).
 *
 * @param connInfo raw JSON text or {@code null}
 * @param chanInfo raw JSON text or {@code null}
 */
public record ClientInfo(String user, String client, String connInfo, String chanInfo) {
  public ClientInfo {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(client, "client");
  }
}
