package io.fluxer.relay.channel;

import java.util.Arrays;
import java.util.Set;

/**
 * A parsed channel name: {@code namespace:name}, optionally user-limited with {@code #} and a
 * comma-separated list of user ids ({@code chat:dm#17,42}).
 *
 * @param users the users a user-limited channel is for, or {@code null} when it is not user-limited
 */
public record ChannelName(String channel, String namespace, String name, Set<String> users) {
  public static final char NAMESPACE_SEPARATOR = ':';
  public static final char USER_SEPARATOR = '#';

  public static ChannelName parse(String channel) {
    int colon = channel.indexOf(NAMESPACE_SEPARATOR);
    String namespace = colon < 0 ? "" : channel.substring(0, colon);
    String name = colon < 0 ? channel : channel.substring(colon + 1);
    int hash = name.indexOf(USER_SEPARATOR);
    Set<String> users = null;
    if (hash >= 0) {
      // Set.copyOf, not Set.of: a user listed twice ("#1,1") is one user, not an exception
      users = Set.copyOf(Arrays.asList(name.substring(hash + 1).split(",", -1)));
    }
    return new ChannelName(channel, namespace, name, users);
  }

  public boolean userLimited() {
    return users != null;
  }

  /** Whether this user may use the channel without other permission: only its listed users may. */
  public boolean limitedTo(String user) {
    return users != null && !user.isEmpty() && users.contains(user);
  }
}
