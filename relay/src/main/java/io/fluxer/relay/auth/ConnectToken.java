package io.fluxer.relay.auth;

import io.fluxer.relay.config.Role;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Verified claims of a connection JWT.
 *
 * @param user the {@code sub} claim; empty for an anonymous user
 * @param expiresAt the {@code exp} claim in epoch seconds, or {@code null} if the token never expires
 * @param info raw JSON text of the {@code info} claim, or {@code null}
 * @param channels the {@code channels} claim (server-side subscriptions); never {@code null}
 * @param meta raw JSON text of the {@code meta} claim (never sent to clients), or {@code null}
 * @param roles from the {@code roles} (array of strings) and {@code role} (string) claims; never {@code null}
 * @param opsRole the role the same token grants as an ops credential (it also passes every check of an
 *     ops token: the ops audience and issuer, {@code exp} within {@code token.ops.max_lifetime}, as the
 *     dashboard's session tokens do), or {@code null}: an ordinary client token
 */
public record ConnectToken(String user, Long expiresAt, String info, List<String> channels,
                           String meta, Set<String> roles, Role opsRole) {
  public ConnectToken {
    user = user == null ? "" : user;
    channels = channels == null ? List.of() : List.copyOf(channels);
    roles = roles == null ? Set.of() : Collections.unmodifiableSet(new LinkedHashSet<>(roles));
  }

  /** A client token that is no ops credential. */
  public ConnectToken(String user, Long expiresAt, String info, List<String> channels, String meta,
                      Set<String> roles) {
    this(user, expiresAt, info, channels, meta, roles, null);
  }
}
