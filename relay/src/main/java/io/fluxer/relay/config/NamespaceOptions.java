package io.fluxer.relay.config;

import io.vertx.core.json.JsonObject;
import io.fluxer.relay.auth.Role;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

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
 * @param channelRegex the name part must match, or {@code null}
 * @param allowSubscribeForRole users holding this role or a higher one ({@code viewer}, {@code ops},
 *     {@code admin}) may subscribe without a subscription token, or {@code null}
 */
public record NamespaceOptions(String name, int historySize, Duration historyTtl, boolean forceRecovery,
                               boolean allowRecovery, boolean presence, boolean joinLeave,
                               boolean forcePushJoinLeave, boolean allowSubscribeForClient,
                               boolean allowSubscribeForAnonymous, boolean allowPublishForClient,
                               boolean allowPublishForSubscriber, boolean allowHistoryForClient,
                               boolean allowHistoryForSubscriber, boolean allowPresenceForClient,
                               boolean allowPresenceForSubscriber, Pattern channelRegex,
                               Role allowSubscribeForRole) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_\\-.]*");
  private static final Set<String> KEYS = Set.of("name", "history_size", "history_ttl", "force_recovery",
      "allow_recovery", "presence", "join_leave", "force_push_join_leave", "allow_subscribe_for_client",
      "allow_subscribe_for_anonymous", "allow_publish_for_client", "allow_publish_for_subscriber",
      "allow_history_for_client", "allow_history_for_subscriber", "allow_presence_for_client",
      "allow_presence_for_subscriber", "channel_regex", "allow_subscribe_for_role");

  public NamespaceOptions {
    String path = name.isEmpty() ? "channel.without_namespace" : "channel.namespaces." + name;
    if (!NAME.matcher(name).matches()) {
      throw new ConfigException(path + ".name", "may hold only letters, digits, '_', '-' and '.'");
    }
    if ((historySize > 0) != (historyTtl.compareTo(Duration.ZERO) > 0)) {
      throw new ConfigException(path + ".history_ttl", "history_size and history_ttl must be set together");
    }
    if ((forceRecovery || allowRecovery) && historySize == 0) {
      throw new ConfigException(path + (forceRecovery ? ".force_recovery" : ".allow_recovery"),
          "recovery needs history (history_size > 0)");
    }
  }

  /** A namespace that allows nothing, keeps nothing. */
  public static NamespaceOptions closed(String name) {
    return new NamespaceOptions(name, 0, Duration.ZERO, false, false, false, false, false, false, false,
        false, false, false, false, false, false, null, null);
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
        allowPresenceForSubscriber, channelRegex, allowSubscribeForRole);
  }

  /** Parses one namespace object (the {@code name} key is allowed and ignored here). */
  public static NamespaceOptions parse(JsonObject json, String name) {
    return fromJson(json, "namespace " + name, name);
  }

  static NamespaceOptions fromJson(JsonObject json, String path, String name) {
    ConfigValues v = new ConfigValues(json, path, KEYS);
    String regex = v.string("channel_regex", null);
    Pattern pattern = null;
    if (regex != null && !regex.isEmpty()) {
      try {
        pattern = Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        throw new ConfigException(v.key("channel_regex"), "not a valid regular expression: " + e.getDescription());
      }
    }
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
        role(v, "allow_subscribe_for_role"));
  }
}
