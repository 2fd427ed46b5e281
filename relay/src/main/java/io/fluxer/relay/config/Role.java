package io.fluxer.relay.config;

import java.util.Collection;
import java.util.Locale;

/** Ops roles, each including the ones below it: {@code admin} ⊃ {@code ops} ⊃ {@code viewer}. */
public enum Role {
  VIEWER, OPS, ADMIN;

  /** The role's name as written in tokens and config. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The role named {@code id}, or {@code null} for an unknown name. */
  public static Role of(String id) {
    for (Role r : values()) {
      if (r.id().equals(id)) {
        return r;
      }
    }
    return null;
  }

  /** The highest role among the names, or {@code null} when none is a known role. */
  public static Role highest(Collection<String> ids) {
    Role best = null;
    for (String id : ids) {
      Role r = of(id);
      if (r != null && (best == null || r.compareTo(best) > 0)) {
        best = r;
      }
    }
    return best;
  }

  /** Whether holding this role grants {@code required}. */
  public boolean includes(Role required) {
    return compareTo(required) >= 0;
  }
}
