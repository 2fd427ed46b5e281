package io.fluxer.relay.channel;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A parsed channel name: {@code namespace:name}, optionally user-limited with {@code #} and a
 * comma-separated list of user ids ({@code chat:dm#17,42}). Parsing never fails: a name that is
 * not well formed ({@link #wellFormed()}) is one no namespace accepts.
 *
 * @param name everything after the first {@code :} (the whole channel when there is none)
 * @param users the users a user-limited channel is for, or {@code null} when it is not user-limited;
 *     empty when the list after {@code #} is malformed (an empty or repeated user id)
 */
public record ChannelName(String channel, String namespace, String name, Set<String> users) {
  public static final char NAMESPACE_SEPARATOR = ':';
  public static final char USER_SEPARATOR = '#';
  public static final char USERS_SEPARATOR = ',';

  public static ChannelName parse(String channel) {
    String ch = channel == null ? "" : channel;
    int colon = ch.indexOf(NAMESPACE_SEPARATOR);
    String namespace = colon < 0 ? "" : ch.substring(0, colon);
    String name = colon < 0 ? ch : ch.substring(colon + 1);
    int hash = name.indexOf(USER_SEPARATOR);
    Set<String> users = hash < 0 ? null : users(name.substring(hash + 1));
    return new ChannelName(ch, namespace, name, users);
  }

  /** The distinct, non-empty user ids of {@code list}; empty when one is empty or repeated. */
  private static Set<String> users(String list) {
    Set<String> users = new LinkedHashSet<>();
    int start = 0;
    while (true) {
      int end = list.indexOf(USERS_SEPARATOR, start);
      String user = end < 0 ? list.substring(start) : list.substring(start, end);
      if (user.isEmpty() || !users.add(user)) {
        return Set.of();
      }
      if (end < 0) {
        return Collections.unmodifiableSet(users);
      }
      start = end + 1;
    }
  }

  public boolean userLimited() {
    return users != null;
  }

  /** Whether the name is well formed: not user-limited, or limited to distinct, non-empty user ids. */
  public boolean wellFormed() {
    return users == null || !users.isEmpty();
  }

  /** Whether this user may use the channel without other permission: only its listed users may. */
  public boolean limitedTo(String user) {
    return users != null && user != null && !user.isEmpty() && users.contains(user);
  }
}
