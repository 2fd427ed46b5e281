package io.fluxer.relay.api;

import io.fluxer.relay.config.Role;
import java.util.Locale;

/** The server API's methods, each with the role a caller needs for it. */
public enum ApiMethod {
  PUBLISH(Role.OPS),
  BROADCAST(Role.OPS),
  SUBSCRIBE(Role.OPS),
  UNSUBSCRIBE(Role.OPS),
  DISCONNECT(Role.OPS),
  REFRESH(Role.OPS),
  PRESENCE(Role.VIEWER),
  PRESENCE_STATS(Role.VIEWER),
  HISTORY(Role.VIEWER),
  HISTORY_REMOVE(Role.OPS),
  CHANNELS(Role.VIEWER),
  INFO(Role.VIEWER),
  /** Needs only {@code viewer} to enter; each inner command is checked against its own method. */
  BATCH(Role.VIEWER);

  private final Role role;

  ApiMethod(Role role) {
    this.role = role;
  }

  /** The method's name on the wire, e.g. {@code presence_stats}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public Role role() {
    return role;
  }

  /** The method called {@code id}, or {@code null} when there is none. */
  public static ApiMethod of(String id) {
    for (ApiMethod m : values()) {
      if (m.id().equals(id)) {
        return m;
      }
    }
    return null;
  }
}
