package io.fluxer.relay.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * A cluster of relay nodes, each in its own JVM ({@link RelayProcess}) on 127.0.0.1, named
 * {@code A}, {@code B}, {@code C}, ...: free HTTP and Hazelcast ports, TCP-IP join over the list of
 * every member, Redis engines on the given Redis with a key prefix of the cluster's own, a
 * {@code cluster.node_timeout} of {@value #NODE_TIMEOUT_SECONDS} s, and two namespaces:
 * {@code chat} (as in the dev defaults) and {@code feed} (history of {@value #FEED_HISTORY}
 * publications with recovery, for the failover tests).
 *
 * <p>{@link #start} returns once every node listens and every node's {@code /api/v1/nodes} lists
 * all of them. {@link #close()} kills the nodes still running.
 */
public final class RelayCluster implements AutoCloseable {
  public static final int NODE_TIMEOUT_SECONDS = 3;
  public static final int FEED_HISTORY = 2000;
  /** Deadline for a node's JVM to listen (Hazelcast join included), on a busy 2-core machine. */
  private static final Duration LISTEN_DEADLINE = Duration.ofSeconds(60);
  /** Deadline for every node to hear of every other (heartbeats every second). */
  private static final Duration FORM_DEADLINE = Duration.ofSeconds(20);

  private final Vertx vertx;
  private final Map<String, RelayProcess> nodes = new LinkedHashMap<>();
  private final Map<String, HttpTestClient> http = new HashMap<>();

  private RelayCluster(Vertx vertx) {
    this.vertx = vertx;
  }

  /** The namespaces of every cluster node ({@code channel.namespaces}). */
  public static JsonArray namespaces() {
    JsonObject chat = new JsonObject()
        .put("name", "chat")
        .put("history_size", 100)
        .put("history_ttl", "5m")
        .put("force_recovery", true)
        .put("presence", true)
        .put("join_leave", true)
        .put("force_push_join_leave", true)
        .put("allow_subscribe_for_client", true)
        .put("allow_publish_for_client", true)
        .put("allow_history_for_client", true)
        .put("allow_presence_for_client", true);
    JsonObject feed = new JsonObject()
        .put("name", "feed")
        .put("history_size", FEED_HISTORY)
        .put("history_ttl", "5m")
        .put("force_recovery", true)
        .put("presence", true)
        .put("allow_subscribe_for_client", true)
        .put("allow_history_for_client", true)
        .put("allow_presence_for_client", true);
    return new JsonArray().add(chat).add(feed);
  }

  /**
   * Starts {@code size} nodes: the first alone (it founds the cluster), then the others together
   * (they join it), and waits until the cluster has formed.
   *
   * @param label names the log directory, {@code target/cluster-logs/<label>}
   * @param redisUrl the Redis the nodes share
   * @param env further settings for every node
   */
  public static RelayCluster start(Vertx vertx, String label, int size, String redisUrl, Map<String, String> env) {
    RelayCluster cluster = new RelayCluster(vertx);
    try {
      cluster.launch(label, size, redisUrl, env);
      return cluster;
    } catch (RuntimeException | AssertionError e) {
      String tails = cluster.tails();
      cluster.close();
      throw new AssertionError(e.getMessage() + "\n" + tails, e);
    }
  }

  private void launch(String label, int size, String redisUrl, Map<String, String> extraEnv) {
    Path logDir = RelayProcess.logDir(label);
    List<Integer> ports = freePorts(2 * size);
    List<Integer> httpPorts = ports.subList(0, size);
    List<Integer> clusterPorts = ports.subList(size, 2 * size);
    List<String> members = clusterPorts.stream().map(p -> "127.0.0.1:" + p).toList();
    Map<String, String> env = new HashMap<>();
    env.put("FLUXER_ENGINE_REDIS_URL", redisUrl);
    env.put("FLUXER_ENGINE_REDIS_PREFIX", "cluster-" + UUID.randomUUID().toString().substring(0, 8));
    env.put("FLUXER_CLUSTER_NODE_TIMEOUT", NODE_TIMEOUT_SECONDS + "s");
    env.put("FLUXER_CHANNEL_NAMESPACES", namespaces().encode());
    env.putAll(extraEnv);
    List<RelayProcess> started = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      String name = String.valueOf((char) ('A' + i));
      RelayProcess p = RelayProcess.launch(
          new RelayProcess.Spec(name, httpPorts.get(i), clusterPorts.get(i), members, env), logDir);
      nodes.put(name, p);
      started.add(p);
      if (i == 0) {
        // The first node founds the cluster before the others look for it: started together,
        // two of them could each found one and take a merge round (10 s) to become one.
        p.awaitListening(LISTEN_DEADLINE);
      }
    }
    List<CompletableFuture<RelayProcess>> listening = started.stream()
        .map(p -> CompletableFuture.supplyAsync(() -> p.awaitListening(LISTEN_DEADLINE)))
        .toList();
    for (CompletableFuture<RelayProcess> f : listening) {
      try {
        f.join();
      } catch (RuntimeException e) {
        if (e.getCause() instanceof AssertionError a) {
          throw a;
        }
        throw e;
      }
    }
    awaitMembers(nodes.keySet());
  }

  /** Waits until every running node's {@code /api/v1/nodes} lists exactly {@code names}. */
  public void awaitMembers(Set<String> names) {
    for (String name : names) {
      HttpTestClient.eventually(() -> nodeNames(name), names::equals, FORM_DEADLINE);
    }
  }

  /** The names of the nodes that node {@code name}'s {@code /api/v1/nodes} lists. */
  public Set<String> nodeNames(String name) {
    HttpTestClient.Response r = http(name).get("/api/v1/nodes", HttpTestClient.apiKey(RelayProcess.API_KEY));
    if (r.status() != 200) {
      throw new AssertionError("GET /api/v1/nodes on " + name + ": " + r);
    }
    return r.json().getJsonArray("nodes").stream().map(n -> ((JsonObject) n).getString("name"))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  public RelayProcess node(String name) {
    RelayProcess p = nodes.get(name);
    if (p == null) {
      throw new IllegalArgumentException("no node " + name + " in " + nodes.keySet());
    }
    return p;
  }

  public List<RelayProcess> nodes() {
    return List.copyOf(nodes.values());
  }

  /** An HTTP client of node {@code name}, closed with the cluster. */
  public HttpTestClient http(String name) {
    return http.computeIfAbsent(name, n -> new HttpTestClient(vertx, node(n).httpUrl()));
  }

  /** Calls server API {@code method} on node {@code name} with the admin key; returns the whole answer. */
  public JsonObject api(String name, String method, JsonObject params) {
    HttpTestClient.Response r = http(name).send(HttpMethod.POST, "/api/" + method,
        HttpTestClient.apiKey(RelayProcess.API_KEY), params.encode());
    if (r.status() != 200) {
      throw new AssertionError("POST /api/" + method + " on " + name + ": " + r);
    }
    return r.json();
  }

  /** Calls server API {@code method} on node {@code name} and returns its {@code result}; fails on an error. */
  public JsonObject apiResult(String name, String method, JsonObject params) {
    JsonObject answer = api(name, method, params);
    if (answer.containsKey("error")) {
      throw new AssertionError("/api/" + method + " on " + name + " failed: " + answer.encode());
    }
    return answer.getJsonObject("result", new JsonObject());
  }

  /** The last lines of every node's output, for failure messages. */
  public String tails() {
    return nodes.values().stream().map(p -> p.tail(30)).collect(Collectors.joining("\n"));
  }

  /** Prints every node's tail when a test fails; register with {@code @RegisterExtension}. */
  public static TestWatcher printTailsOnFailure(Supplier<RelayCluster> cluster) {
    return new TestWatcher() {
      @Override
      public void testFailed(ExtensionContext context, Throwable cause) {
        RelayCluster c = cluster.get();
        if (c != null) {
          System.err.println("=== relay nodes after the failure of " + context.getDisplayName() + " ===\n" + c.tails());
        }
      }
    };
  }

  /** Kills every node still running and closes the HTTP clients. */
  @Override
  public void close() {
    http.values().forEach(HttpTestClient::close);
    http.clear();
    RuntimeException first = null;
    for (RelayProcess p : nodes.values()) {
      try {
        p.close();
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** {@code n} distinct free loopback ports (all held open until each is chosen, so none repeats). */
  /** {@code n} loopback ports free at the time of the call. */
  public static List<Integer> freePorts(int n) {
    List<ServerSocket> held = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        held.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
      }
      return held.stream().map(ServerSocket::getLocalPort).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket socket : held) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // the port is free again either way
        }
      }
    }
  }
}
