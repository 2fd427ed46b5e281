package io.fluxer.relay.http;

import io.fluxer.relay.channel.Glob;
import io.fluxer.relay.channel.ChannelName;
import io.fluxer.relay.channel.NamespaceChanges;
import io.fluxer.relay.channel.Namespaces;
import io.fluxer.relay.client.EventLoops;
import io.fluxer.relay.client.HubSnapshot;
import io.fluxer.relay.client.RelayContext;
import io.fluxer.relay.config.ChannelOptions;
import io.fluxer.common.config.ConfigException;
import io.fluxer.relay.config.NamespaceOptions;
import io.fluxer.relay.config.Role;
import io.fluxer.relay.engine.FailureLog;
import io.fluxer.relay.engine.HistoryFilter;
import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.HistoryResult;
import io.fluxer.relay.protocol.PresenceStats;
import io.fluxer.relay.stats.ClusterStats;
import io.fluxer.relay.stats.NodeStats;
import io.fluxer.relay.stats.StatsHistory;
import io.fluxer.common.store.StoreException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Fluxer's own REST API under {@value #BASE}: node stats, active channels, namespaces (read by
 * {@code viewer}, changed by {@code admin}) and the node list. Handlers run on the event loop that
 * took the request and only compose futures; answers and errors are JSON, errors as
 * {@code {"error":{"code":status,"message":...}}}.
 */
final class OpsApiHandler {
  static final String BASE = "/api/v1";
  private static final long MAX_BODY = 64 * 1024;
  /** What failed unexpectedly: logged here, never told to the client. */
  private static final FailureLog FAILURES =
      new FailureLog(System.getLogger(OpsApiHandler.class.getName()), "/api/v1 request failed", 10_000);

  private final RelayContext relay;
  private final EventLoops loops;
  private final Supplier<Future<NodeStats>> currentStats;
  private final StatsHistory statsHistory;
  private final Supplier<List<NodeStats>> otherNodes;
  private final Supplier<NamespaceChanges> namespaceChanges;
  private final boolean namespacesLocalOnly;
  private final ApiAuth auth;
  private final AdminAudit audit;

  /**
   * Over the node's engines and namespaces ({@code relay}) and event {@code loops}: its stats now and
   * their history, the {@code otherNodes} as of their last heartbeats, how namespace changes are made,
   * and whether such a change would reach this node only ({@code namespacesLocalOnly}: clustered
   * without PostgreSQL), which is then refused.
   */
  OpsApiHandler(RelayContext relay, EventLoops loops, Supplier<Future<NodeStats>> currentStats,
      StatsHistory statsHistory, Supplier<List<NodeStats>> otherNodes, Supplier<NamespaceChanges> namespaceChanges,
      boolean namespacesLocalOnly, ApiAuth auth, AdminAudit audit) {
    this.relay = relay;
    this.loops = loops;
    this.currentStats = currentStats;
    this.statsHistory = statsHistory;
    this.otherNodes = otherNodes;
    this.namespaceChanges = namespaceChanges;
    this.namespacesLocalOnly = namespacesLocalOnly;
    this.auth = auth;
    this.audit = audit;
  }

  void mount(Router router) {
    Handler<RoutingContext> viewer = auth.require(Role.VIEWER);
    Handler<RoutingContext> admin = auth.require(Role.ADMIN);
    router.get(BASE + "/stats").handler(viewer).handler(this::stats);
    router.get(BASE + "/stats/history").handler(viewer).handler(this::statsHistory);
    router.get(BASE + "/nodes").handler(viewer).handler(this::nodes);
    router.get(BASE + "/channels").handler(viewer).handler(this::channels);
    router.get(BASE + "/channels/:channel").handler(viewer).handler(this::channel);
    router.get(BASE + "/namespaces").handler(viewer).handler(this::namespaces);
    router.get(BASE + "/namespaces/:name").handler(viewer).handler(this::namespace);
    // credentials before the body is read
    router.put(BASE + "/namespaces/:name").handler(admin).handler(audit.onAnswer("namespace.put", OpsApiHandler::name));
    router.put(BASE + "/namespaces/:name").handler(HttpApi.body(MAX_BODY)).handler(this::putNamespace)
        .failureHandler(HttpApi.failure(MAX_BODY));
    router.delete(BASE + "/namespaces/:name").handler(admin)
        .handler(audit.onAnswer("namespace.delete", OpsApiHandler::name)).handler(this::deleteNamespace);
    // last: routes other parts add under /api/v1 later still come first
    router.route(BASE + "/*").last().handler(rc -> error(rc, 404,
        "no such endpoint: " + rc.request().method() + " " + rc.request().path()));
  }

  // ---- stats and nodes

  /** This node's stats, and the sum over every node of the cluster (this one alone when not clustered). */
  private void stats(RoutingContext rc) {
    respond(rc, currentStats.get().map(s -> new JsonObject()
        .put("node", s.toJson())
        .put("cluster", ClusterStats.of(everyNode(s)).toJson())));
  }

  /** The cluster's figures over the last 5 minutes ({@code ?window=5m}, the default) or hour ({@code 1h}). */
  private void statsHistory(RoutingContext rc) {
    String param = rc.queryParams().get("window");
    StatsHistory.Window window;
    try {
      window = param == null ? StatsHistory.Window.FIVE_MINUTES : StatsHistory.Window.of(param);
    } catch (IllegalArgumentException e) {
      error(rc, 400, e.getMessage());
      return;
    }
    respond(rc, Future.succeededFuture(statsHistory.toJson(window, System.currentTimeMillis())));
  }

  /** Every node of the cluster, this one first; the others as of their last heartbeat. */
  private void nodes(RoutingContext rc) {
    respond(rc, currentStats.get().map(s -> {
      JsonArray nodes = new JsonArray();
      everyNode(s).forEach(n -> nodes.add(n.summaryJson()));
      return new JsonObject().put("nodes", nodes);
    }));
  }

  private List<NodeStats> everyNode(NodeStats self) {
    List<NodeStats> all = new ArrayList<>();
    all.add(self);
    all.addAll(otherNodes.get());
    return all;
  }

  // ---- channels

  private void channels(RoutingContext rc) {
    Glob pattern;
    int limit;
    try {
      pattern = globParam(rc.queryParams().get("pattern"));
      limit = limitParam(rc.queryParams().get("limit"));
    } catch (ApiError e) {
      error(rc, e.status, e.getMessage());
      return;
    }
    respond(rc, loops.snapshots().map(snapshots -> {
      Map<String, Integer> counts = subscriberCounts(snapshots);
      Map<String, Long> publications = publicationCounts(snapshots);
      List<Map.Entry<String, Integer>> matching = counts.entrySet().stream()
          .filter(e -> pattern.matches(e.getKey()))
          .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
          .toList();
      JsonArray list = new JsonArray();
      matching.stream().limit(limit).forEach(e -> list.add(new JsonObject()
          .put("channel", e.getKey())
          .put("namespace", ChannelName.parse(e.getKey()).namespace())
          .put("subscribers", e.getValue())
          .put("publications", publications.getOrDefault(e.getKey(), 0L))));
      return new JsonObject().put("channels", list).put("total", matching.size());
    }));
  }

  private static Map<String, Integer> subscriberCounts(List<HubSnapshot> snapshots) {
    Map<String, Integer> counts = new HashMap<>();
    for (HubSnapshot s : snapshots) {
      s.channels().forEach((channel, n) -> counts.merge(channel, n, Integer::sum));
    }
    return counts;
  }

  /**
   * Each channel's publications on this node: the largest of its loops' counts, not their sum, since
   * every loop with a subscriber of the channel gets (and counts) each of its publications.
   */
  private static Map<String, Long> publicationCounts(List<HubSnapshot> snapshots) {
    Map<String, Long> counts = new HashMap<>();
    for (HubSnapshot s : snapshots) {
      s.publications().forEach((channel, n) -> counts.merge(channel, n, Math::max));
    }
    return counts;
  }

  private void channel(RoutingContext rc) {
    String channel = rc.pathParam("channel");
    NamespaceOptions ns;
    try {
      ns = namespaceOf(channel);
    } catch (ApiError e) {
      error(rc, e.status, e.getMessage());
      return;
    }
    Future<Integer> subscribers = loops.inspect(hub -> hub.subscriberCount(channel))
        .map(counts -> counts.stream().mapToInt(Integer::intValue).sum());
    Future<JsonObject> presence = ns.presence() ? presence(channel) : Future.succeededFuture();
    Future<JsonObject> history = ns.historySize() > 0 ? history(channel, ns) : Future.succeededFuture();
    respond(rc, Future.all(subscribers, presence, history).map(v -> {
      JsonObject json = new JsonObject()
          .put("channel", channel)
          .put("namespace", ns.name())
          .put("subscribers", subscribers.result());
      if (presence.result() != null) {
        json.put("presence", presence.result());
      }
      if (history.result() != null) {
        json.put("history", history.result());
      }
      return json;
    }));
  }

  /** The options governing {@code channel}; 404 for an unknown namespace, 400 for an invalid name. */
  private NamespaceOptions namespaceOf(String channel) {
    ChannelName ch;
    try {
      ch = ChannelName.parse(channel);
    } catch (RuntimeException e) {
      throw new ApiError(400, "invalid channel name '" + channel + "'");
    }
    Namespaces namespaces = relay.namespaces();
    if (!ch.namespace().isEmpty() && !namespaces.options().namespaces().containsKey(ch.namespace())) {
      throw new ApiError(404, "unknown namespace '" + ch.namespace() + "' of channel '" + channel + "'");
    }
    NamespaceOptions ns = namespaces.resolve(ch);
    if (ns == null) {
      throw new ApiError(400, "invalid channel name '" + channel + "' for namespace '" + ch.namespace() + "'");
    }
    return ns;
  }

  private Future<JsonObject> presence(String channel) {
    Future<Map<String, ClientInfo>> clients = relay.presence().presence(channel);
    Future<PresenceStats> stats = relay.presence().presenceStats(channel);
    return Future.all(clients, stats).map(v -> {
      JsonArray list = new JsonArray();
      clients.result().values().stream()
          .sorted(Comparator.comparing(ClientInfo::user).thenComparing(ClientInfo::client))
          .forEach(info -> list.add(clientJson(info)));
      return new JsonObject()
          .put("num_clients", stats.result().numClients())
          .put("num_users", stats.result().numUsers())
          .put("clients", list);
    });
  }

  private static JsonObject clientJson(ClientInfo info) {
    JsonObject json = new JsonObject().put("user", info.user()).put("client", info.client());
    putRaw(json, "conn_info", info.connInfo());
    putRaw(json, "chan_info", info.chanInfo());
    return json;
  }

  private static void putRaw(JsonObject json, String key, String rawJson) {
    if (rawJson == null) {
      return;
    }
    try {
      json.put(key, Json.decodeValue(rawJson));
    } catch (DecodeException e) {
      json.put(key, rawJson);
    }
  }

  private Future<JsonObject> history(String channel, NamespaceOptions ns) {
    HistoryFilter all = new HistoryFilter(null, HistoryFilter.NO_LIMIT, false);
    return relay.broker().history(channel, all).map((HistoryResult h) -> new JsonObject()
        .put("size", ns.historySize())
        .put("ttl_seconds", ns.historyTtl().toSeconds())
        .put("count", h.publications().size())
        .put("offset", h.position().offset())
        .put("epoch", h.position().epoch()));
  }

  // ---- namespaces

  private void namespaces(RoutingContext rc) {
    ChannelOptions options = relay.namespaces().options();
    JsonArray list = new JsonArray();
    options.namespaces().values().stream()
        .sorted(Comparator.comparing(NamespaceOptions::name))
        .forEach(ns -> list.add(ns.toJson()));
    JsonObject withoutNamespace = options.withoutNamespace().toJson();
    withoutNamespace.remove("name");
    HttpApi.json(rc, 200, new JsonObject().put("namespaces", list).put("without_namespace", withoutNamespace));
  }

  private void namespace(RoutingContext rc) {
    String name = rc.pathParam("name");
    NamespaceOptions ns = relay.namespaces().options().namespaces().get(name);
    if (ns == null) {
      error(rc, 404, "no namespace '" + name + "'");
      return;
    }
    HttpApi.json(rc, 200, ns.toJson());
  }

  private static String name(RoutingContext rc) {
    return rc.pathParam("name");
  }

  private void putNamespace(RoutingContext rc) {
    String name = rc.pathParam("name");
    NamespaceOptions ns;
    try {
      ns = NamespaceOptions.parse(bodyObject(rc, name), name);
    } catch (ApiError e) {
      error(rc, e.status, e.getMessage());
      return;
    } catch (ConfigException e) {
      JsonObject body = HttpApi.errorJson(400, e.getMessage());
      body.getJsonObject("error").put("key", e.key());
      HttpApi.json(rc, 400, body);
      return;
    }
    if (refusedInCluster(rc)) {
      return;
    }
    reply(rc, namespaceChanges.get().put(ns), created -> HttpApi.json(rc, created ? 201 : 200, ns.toJson()));
  }

  /**
   * In a cluster without PostgreSQL a namespace change would apply to this node only, and nodes
   * would enforce different rules: answers 409 and returns true then.
   */
  private boolean refusedInCluster(RoutingContext rc) {
    if (namespacesLocalOnly) {
      error(rc, 409, "in a cluster, namespace changes need PostgreSQL (set postgres.url): without it the change "
          + "would apply to this node only; nothing was changed");
      return true;
    }
    return false;
  }

  /** The request body as a namespace object; a {@code name} in it must match the path. */
  private static JsonObject bodyObject(RoutingContext rc, String name) {
    JsonObject body;
    try {
      body = rc.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      throw new ApiError(400, "the body must be a JSON object of namespace options");
    }
    if (body == null) {
      throw new ApiError(400, "the body must be a JSON object of namespace options");
    }
    Object given = body.getValue("name");
    if (given != null && !name.equals(given)) {
      throw new ApiError(400, "the body's name '" + given + "' differs from the path's '" + name + "'");
    }
    return body;
  }

  private void deleteNamespace(RoutingContext rc) {
    String name = rc.pathParam("name");
    if (ChannelOptions.isReserved(name)) {
      error(rc, 409, "namespace '" + name + "' is reserved: it can be changed with PUT but not removed");
      return;
    }
    if (refusedInCluster(rc)) {
      return;
    }
    reply(rc, namespaceChanges.get().remove(name), existed -> {
      if (existed) {
        rc.response().setStatusCode(204).end();
      } else {
        error(rc, 404, "no namespace '" + name + "'");
      }
    });
  }

  // ---- helpers

  /** Answers 200 with the result, or the failure as a JSON error, on the request's own context. */
  private static void respond(RoutingContext rc, Future<JsonObject> result) {
    reply(rc, result, json -> HttpApi.json(rc, 200, json));
  }

  /**
   * Answers with {@code answer} once {@code result} succeeds, or with the failure as a JSON error
   * (503 when the namespace store is unavailable), on the request's own context.
   */
  private static <T> void reply(RoutingContext rc, Future<T> result, Consumer<T> answer) {
    Context context = rc.vertx().getOrCreateContext();
    result.onComplete(ar -> context.runOnContext(v -> {
      if (rc.response().ended()) {
        return;
      }
      if (ar.succeeded()) {
        answer.accept(ar.result());
      } else if (ar.cause() instanceof ApiError e) {
        error(rc, e.status, e.getMessage());
      } else if (ar.cause() instanceof StoreException e) {
        FAILURES.logThrottled(e);
        error(rc, 503, "namespace store (PostgreSQL) unavailable, nothing was changed");
      } else {
        FAILURES.logThrottled(ar.cause());
        error(rc, 500, "internal server error");
      }
    }));
  }

  private static void error(RoutingContext rc, int status, String message) {
    HttpApi.error(rc, status, message);
  }

  /** The {@code pattern} parameter (absent: every channel); 400 when it is too long. */
  private static Glob globParam(String value) {
    try {
      return Glob.compile(value == null ? "" : value);
    } catch (IllegalArgumentException e) {
      throw new ApiError(400, "pattern: " + e.getMessage());
    }
  }

  private static int limitParam(String value) {
    if (value == null || value.isEmpty()) {
      return Integer.MAX_VALUE;
    }
    try {
      int n = Integer.parseInt(value);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new ApiError(400, "limit must be a non-negative integer, got '" + value + "'");
  }

  /** A request that cannot be answered as asked: the status and why. */
  private static final class ApiError extends RuntimeException {
    private final int status;

    ApiError(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }
}
