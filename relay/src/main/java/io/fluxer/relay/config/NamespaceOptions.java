package io.fluxer.relay.config;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.fluxer.common.config.ConfigException;
import io.fluxer.common.config.ConfigValues;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;

/**
 * Options of the channels in one namespace ({@code name:…}); the namespace with the empty name holds
 * channels without a colon.
 *
 * @param historySize publications kept per channel (0: no history)
 * @param forceRecovery every subscription is recoverable (needs history)
 * @param allowRecovery a client may ask for a recoverable subscription (needs history)
 * @param joinLeave join and leave events are produced
 * @param forcePushJoinLeave join and leave are pushed to all subscribers, not only those asking
 * @param allowSubscribeForClient any authenticated user may subscribe without a subscription token
 * @param allowSubscribeForAnonymous anonymous users may subscribe without a token
 * @param allowPublishForClient any connected client may publish
 * @param allowPublishForSubscriber subscribers of the channel may publish
 * @param channelRegex the whole name after {@code namespace:} (user list included) must match this
 *     RE2 expression (linear time on the name), or {@code null}
 * @param allowSubscribeForRole users holding this role or a higher one ({@code viewer}, {@code ops},
 *     {@code admin}) may subscribe without a subscription token, or {@code null}
 * @param allowUserLimitedChannels user-limited channels ({@code name#user1,user2}) exist here; never
 *     in the reserved namespaces
 * @param allowTagsFilter subscribers may pass a tags filter ({@code tf}) and get only the
 *     publications whose tags match it
 * @param allowedDeltaTypes delta compressions subscribers may ask for: empty or {@code fossil}
 * @param deltaPublish every publication in the namespace is published for delta delivery, as the
 *     server API's {@code delta: true} asks for one
 */
public record NamespaceOptions(String name, int historySize, Duration historyTtl, boolean forceRecovery,
                               boolean allowRecovery, boolean presence, boolean joinLeave,
                               boolean forcePushJoinLeave, boolean allowSubscribeForClient,
                               boolean allowSubscribeForAnonymous, boolean allowPublishForClient,
                               boolean allowPublishForSubscriber, boolean allowHistoryForClient,
                               boolean allowHistoryForSubscriber, boolean allowPresenceForClient,
                               boolean allowPresenceForSubscriber, Pattern channelRegex,
                               Role allowSubscribeForRole, boolean allowUserLimitedChannels,
                               boolean allowTagsFilter, Set<String> allowedDeltaTypes, boolean deltaPublish) {
  /** The one delta compression there is: Fossil's, as Centrifugo names it. */
  public static final String DELTA_FOSSIL = "fossil";
  /** The longest {@code channel_regex}, in characters, and the largest program it may compile to. */
  public static final int MAX_REGEX_LENGTH = 1024;
  private static final int MAX_REGEX_PROGRAM = 10_000;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_\\-.]*");
  private static final Set<String> KEYS = Set.of("name", "history_size", "history_ttl", "force_recovery",
      "allow_recovery", "presence", "join_leave", "force_push_join_leave", "allow_subscribe_for_client",
      "allow_subscribe_for_anonymous", "allow_publish_for_client", "allow_publish_for_subscriber",
      "allow_history_for_client", "allow_history_for_subscriber", "allow_presence_for_client",
      "allow_presence_for_subscriber", "channel_regex", "allow_subscribe_for_role",
      "allow_user_limited_channels", "allow_tags_filter", "allowed_delta_types", "delta_publish");

  public NamespaceOptions {
    String path = name.isEmpty() ? "channel.without_namespace" : "channel.namespaces." + name;
    if (!NAME.matches(name)) {
      throw new ConfigException(path + ".name", "may hold only letters, digits, '_', '-' and '.'");
    }
    if ((historySize > 0) != (historyTtl.compareTo(Duration.ZERO) > 0)) {
      throw new ConfigException(path + ".history_ttl", "history_size and history_ttl must be set together");
    }
    if ((forceRecovery || allowRecovery) && historySize == 0) {
      throw new ConfigException(path + (forceRecovery ? ".force_recovery" : ".allow_recovery"),
          "recovery needs history (history_size > 0)");
    }
    allowedDeltaTypes = allowedDeltaTypes == null ? Set.of() : Set.copyOf(allowedDeltaTypes);
    for (String type : allowedDeltaTypes) {
      if (!DELTA_FOSSIL.equals(type)) {
        throw new ConfigException(path + ".allowed_delta_types", "the only delta type is 'fossil'; got '" + type + "'");
      }
    }
    if (allowUserLimitedChannels && ChannelOptions.isReserved(name)) {
      throw new ConfigException(path + ".allow_user_limited_channels",
          "user-limited channels are never allowed in the reserved namespace '" + name + "'");
    }
  }

  /** A namespace that allows nothing, keeps nothing. */
  public static NamespaceOptions closed(String name) {
    return new NamespaceOptions(name, 0, Duration.ZERO, false, false, false, false, false, false, false,
        false, false, false, false, false, false, null, null, false, false, Set.of(), false);
  }

  public boolean recoverable(boolean clientAsks) {
    return forceRecovery || allowRecovery && clientAsks;
  }

  private static Role role(ConfigValues v, String key) {
    String id = v.string(key, null);
    if (id == null || id.isEmpty()) {
      return null;
    }
    Role role = Role.of(id);
    if (role == null) {
      throw new ConfigException(v.key(key), "must be one of viewer, ops, admin; got '" + id + "'");
    }
    return role;
  }

  /** The options as config JSON, with the same keys {@link #parse} reads (defaults left out). */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("name", name);
    if (historySize > 0) {
      json.put("history_size", historySize).put("history_ttl", historyTtl.toMillis() + "ms");
    }
    flag(json, "force_recovery", forceRecovery);
    flag(json, "allow_recovery", allowRecovery);
    flag(json, "presence", presence);
    flag(json, "join_leave", joinLeave);
    flag(json, "force_push_join_leave", forcePushJoinLeave);
    flag(json, "allow_subscribe_for_client", allowSubscribeForClient);
    flag(json, "allow_subscribe_for_anonymous", allowSubscribeForAnonymous);
    flag(json, "allow_publish_for_client", allowPublishForClient);
    flag(json, "allow_publish_for_subscriber", allowPublishForSubscriber);
    flag(json, "allow_history_for_client", allowHistoryForClient);
    flag(json, "allow_history_for_subscriber", allowHistoryForSubscriber);
    flag(json, "allow_presence_for_client", allowPresenceForClient);
    flag(json, "allow_presence_for_subscriber", allowPresenceForSubscriber);
    if (channelRegex != null) {
      json.put("channel_regex", channelRegex.pattern());
    }
    if (allowSubscribeForRole != null) {
      json.put("allow_subscribe_for_role", allowSubscribeForRole.id());
    }
    flag(json, "allow_user_limited_channels", allowUserLimitedChannels);
    flag(json, "allow_tags_filter", allowTagsFilter);
    if (!allowedDeltaTypes.isEmpty()) {
      json.put("allowed_delta_types", new JsonArray(allowedDeltaTypes.stream().sorted().toList()));
    }
    flag(json, "delta_publish", deltaPublish);
    return json;
  }

  private static void flag(JsonObject json, String key, boolean value) {
    if (value) {
      json.put(key, true);
    }
  }

  /** The same options under another name. */
  public NamespaceOptions named(String newName) {
    return new NamespaceOptions(newName, historySize, historyTtl, forceRecovery, allowRecovery, presence, joinLeave,
        forcePushJoinLeave, allowSubscribeForClient, allowSubscribeForAnonymous, allowPublishForClient,
        allowPublishForSubscriber, allowHistoryForClient, allowHistoryForSubscriber, allowPresenceForClient,
        allowPresenceForSubscriber, channelRegex, allowSubscribeForRole, allowUserLimitedChannels, allowTagsFilter,
        allowedDeltaTypes, deltaPublish);
  }

  /** Parses one namespace object (the {@code name} key is allowed and ignored here). */
  public static NamespaceOptions parse(JsonObject json, String name) {
    return fromJson(json, "namespace " + name, name);
  }

  static NamespaceOptions fromJson(JsonObject json, String path, String name) {
    ConfigValues v = new ConfigValues(json, path, KEYS);
    String regex = v.string("channel_regex", null);
    Pattern pattern = regex == null || regex.isEmpty() ? null : channelRegex(v, regex);
    return new NamespaceOptions(name,
        v.integer("history_size", 0, 0, 1_000_000),
        v.duration("history_ttl", Duration.ZERO, Duration.ZERO),
        v.bool("force_recovery", false),
        v.bool("allow_recovery", false),
        v.bool("presence", false),
        v.bool("join_leave", false),
        v.bool("force_push_join_leave", false),
        v.bool("allow_subscribe_for_client", false),
        v.bool("allow_subscribe_for_anonymous", false),
        v.bool("allow_publish_for_client", false),
        v.bool("allow_publish_for_subscriber", false),
        v.bool("allow_history_for_client", false),
        v.bool("allow_history_for_subscriber", false),
        v.bool("allow_presence_for_client", false),
        v.bool("allow_presence_for_subscriber", false),
        pattern,
        role(v, "allow_subscribe_for_role"),
        v.bool("allow_user_limited_channels", false),
        v.bool("allow_tags_filter", false),
        Set.copyOf(v.strings("allowed_delta_types", List.of())),
        v.bool("delta_publish", false));
  }

  /** {@code channel_regex} compiled with RE2/J: matching takes time linear in the name, whatever the expression. */
  private static Pattern channelRegex(ConfigValues v, String regex) {
    if (regex.length() > MAX_REGEX_LENGTH) {
      throw new ConfigException(v.key("channel_regex"), "longer than " + MAX_REGEX_LENGTH + " characters");
    }
    if (nestedCount(regex)) {
      throw new ConfigException(v.key("channel_regex"), "too complex: a counted repetition ({n}, {n,m}) of a group "
          + "that holds one");
    }
    Pattern pattern;
    try {
      pattern = Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw new ConfigException(v.key("channel_regex"), "not a valid regular expression (RE2 syntax): "
          + e.getDescription());
    }
    if (pattern.programSize() > MAX_REGEX_PROGRAM) {
      throw new ConfigException(v.key("channel_regex"), "too complex (repetitions expand to more than "
          + MAX_REGEX_PROGRAM + " instructions)");
    }
    return pattern;
  }

  /**
   * Whether a counted repetition applies to a group holding another one ({@code ((a{1000}){1000}){1000}}):
   * RE2/J would expand it to the product of the counts before any size check, and run out of memory.
   */
  static boolean nestedCount(String regex) {
    Deque<Boolean> open = new ArrayDeque<>(); // per enclosing group: whether it holds a count so far
    boolean holds = false; // whether the current group holds a count so far
    boolean afterCountedGroup = false; // the previous item is a group that holds a count
    for (int i = 0; i < regex.length(); i++) {
      char c = regex.charAt(i);
      boolean countedGroup = false;
      if (c == '\\') {
        i++;
      } else if (c == '[') {
        i = classEnd(regex, i);
      } else if (c == '(') {
        open.push(holds);
        holds = false;
      } else if (c == ')') {
        countedGroup = holds;
        holds = (open.isEmpty() ? false : open.pop()) || holds;
      } else if (c == '{' && i + 1 < regex.length() && Character.isDigit(regex.charAt(i + 1))) {
        if (afterCountedGroup) {
          return true;
        }
        holds = true;
      }
      afterCountedGroup = countedGroup;
    }
    return false;
  }

  /** The index of the {@code ]} that closes the character class opening at {@code start}. */
  private static int classEnd(String regex, int start) {
    int i = start + 1;
    if (i < regex.length() && regex.charAt(i) == '^') {
      i++;
    }
    if (i < regex.length() && regex.charAt(i) == ']') {
      i++;
    }
    for (; i < regex.length(); i++) {
      char c = regex.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '[' && i + 1 < regex.length() && regex.charAt(i + 1) == ':') {
        int end = regex.indexOf(":]", i + 2);
        i = end < 0 ? i : end + 1;
      } else if (c == ']') {
        return i;
      }
    }
    return regex.length();
  }
}
