package io.fluxer.control.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A thin asynchronous wrapper around docker-java for the swarm calls the control plane needs.
 *
 * <p>Every engine call blocks, so it runs on the {@value #WORKER_NAME} worker pool; the returned
 * {@link Future} completes on the caller's context (the event loop of the verticle that called).
 * Requests and answers are the engine's raw JSON, sent through docker-java's own
 * {@link DockerHttpClient}: docker-java's models lack several spec fields (and rollback), and a
 * read-modify-write through them silently drops what they do not know. The API version is left unset
 * (unversioned paths): docker-java does not negotiate, and engines refuse versions they do not speak.
 *
 * <p>Errors fail the future with a {@link DockerEngineException} carrying the HTTP status and the
 * engine's message.
 */
public final class SwarmClient {

  /** The worker pool (and thread name prefix) the blocking calls run on. */
  public static final String WORKER_NAME = "fluxer-docker";
  /** The label {@code docker stack deploy} puts on every object of a stack. */
  public static final String STACK_NAMESPACE_LABEL = "com.docker.stack.namespace";

  private final SwarmClientOptions options;
  private final WorkerExecutor worker;
  private final DockerHttpClient http;
  private final DockerHttpClient streamingHttp;
  private final DockerClient docker;

  private SwarmClient(Vertx vertx, SwarmClientOptions options) {
    this.options = options;
    this.http = options.httpClient(options.workerPoolSize(), options.responseTimeout());
    // no response timeout: log and event streams stay open as long as they follow
    this.streamingHttp = options.httpClient(options.workerPoolSize(), null);
    this.docker = DockerClientImpl.getInstance(options.clientConfig(), streamingHttp);
    this.worker = vertx.createSharedWorkerExecutor(WORKER_NAME, options.workerPoolSize(), 10, TimeUnit.MINUTES);
  }

  public static SwarmClient create(Vertx vertx, SwarmClientOptions options) {
    return new SwarmClient(vertx, options);
  }

  public SwarmClientOptions options() {
    return options;
  }

  // ---- engine and swarm

  /** {@code GET /info}: the engine, with {@code Swarm.LocalNodeState}, {@code Swarm.NodeID}, {@code Swarm.ControlAvailable}. */
  public Future<JsonObject> info() {
    return object("GET", "/info", null);
  }

  /** {@code GET /swarm}: the swarm's ID, spec, join tokens (on a manager only). */
  public Future<JsonObject> swarm() {
    return object("GET", "/swarm", null);
  }

  /** {@code GET /nodes}: the swarm's nodes ({@code ID}, {@code Description.Hostname}, {@code Status}, ...); managers only. */
  public Future<JsonArray> listNodes() {
    return array("GET", "/nodes", null);
  }

  /** Node ID → hostname ({@code Description.Hostname}) of the swarm's nodes that have one; managers only. */
  public Future<Map<String, String>> nodeHostnames() {
    return listNodes().map(nodes -> {
      Map<String, String> names = new HashMap<>();
      for (Object n : nodes) {
        JsonObject node = (JsonObject) n;
        String hostname = node.getJsonObject("Description", new JsonObject()).getString("Hostname");
        if (hostname != null) {
          names.put(node.getString("ID"), hostname);
        }
      }
      return names;
    });
  }

  // ---- services

  /** {@code GET /services}, filtered by a label ({@code key} or {@code key=value}); all when null. */
  public Future<JsonArray> listServices(String label) {
    return array("GET", "/services" + labelFilter(label), null);
  }

  /** The services of a stack: those labelled {@value #STACK_NAMESPACE_LABEL}{@code =<stack>}. */
  public Future<JsonArray> listStackServices(String stack) {
    return listServices(STACK_NAMESPACE_LABEL + "=" + stack);
  }

  /** {@code GET /services/{id}} (id or name). */
  public Future<InspectedService> inspectService(String idOrName) {
    return object("GET", "/services/" + segment(idOrName) + "?insertDefaults=false", null)
        .map(InspectedService::fromJson);
  }

  /** {@code POST /services/create} with the raw spec; answers {@code {"ID": ..., "Warnings": ...}}. */
  public Future<JsonObject> createService(JsonObject spec) {
    return createService(spec, null);
  }

  /**
   * As {@link #createService(JsonObject)}, sending {@code auth} (when not null) as
   * {@value RegistryAuth#HEADER}: the swarm keeps it with the service for the nodes that pull its image.
   */
  public Future<JsonObject> createService(JsonObject spec, RegistryAuth auth) {
    return object("POST", "/services/create", spec, auth);
  }

  /**
   * {@code POST /services/{id}/update?version=N} with the raw spec, sent once. A stale {@code version}
   * fails with a {@link DockerEngineException} whose {@link DockerEngineException#isOutOfSequence()} is true.
   */
  public Future<ServiceUpdate> updateService(String id, long version, JsonObject spec) {
    return sendUpdate(id, version, spec, "", 1, null);
  }

  /**
   * Inspects the service, lets {@code patch} change a copy of its raw spec, and sends the result with
   * the inspected version. When the engine answers "update out of sequence" (someone updated it in
   * between), it inspects again and re-applies {@code patch} to the fresh spec, up to
   * {@link SwarmClientOptions#updateAttempts()} times. {@code patch} runs on the caller's context and
   * must not block.
   */
  public Future<ServiceUpdate> updateService(String idOrName, UnaryOperator<JsonObject> patch) {
    return updateService(idOrName, patch, null);
  }

  /**
   * As {@link #updateService(String, UnaryOperator)}, sending {@code auth} (when not null) as
   * {@value RegistryAuth#HEADER}; without it the engine keeps the credentials the service has.
   */
  public Future<ServiceUpdate> updateService(String idOrName, UnaryOperator<JsonObject> patch, RegistryAuth auth) {
    return inspectService(idOrName).compose(current -> updateService(current, patch, auth));
  }

  /** As {@link #updateService(String, UnaryOperator)}, starting from a service inspected earlier (maybe stale). */
  public Future<ServiceUpdate> updateService(InspectedService current, UnaryOperator<JsonObject> patch) {
    return updateService(current, patch, null);
  }

  /** As {@link #updateService(InspectedService, UnaryOperator)}, with {@code auth} as for a create. */
  public Future<ServiceUpdate> updateService(InspectedService current, UnaryOperator<JsonObject> patch,
                                             RegistryAuth auth) {
    return retrying(current, 1, (service, attempt) -> {
      JsonObject spec;
      try {
        spec = patch.apply(service.spec().copy());
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
      return sendUpdate(service.id(), service.version(), spec, "", attempt, auth);
    });
  }

  /** Sets {@code Spec.Mode.Replicated.Replicas} (replicated services only) through a patched update. */
  public Future<ServiceUpdate> scaleService(String idOrName, long replicas) {
    return scaleService(idOrName, replicas, null);
  }

  /** As {@link #scaleService(String, long)}, with {@code auth} as for an update. */
  public Future<ServiceUpdate> scaleService(String idOrName, long replicas, RegistryAuth auth) {
    if (replicas < 0) {
      return Future.failedFuture(new IllegalArgumentException("replicas must not be negative: " + replicas));
    }
    return updateService(idOrName, spec -> {
      JsonObject replicated = spec.getJsonObject("Mode", new JsonObject()).getJsonObject("Replicated");
      if (replicated == null) {
        throw new IllegalStateException("service " + idOrName + " is not replicated: " + spec.getValue("Mode"));
      }
      replicated.put("Replicas", replicas);
      return spec;
    }, auth);
  }

  /**
   * Rolls the service back to its {@code PreviousSpec} ({@code POST /services/{id}/update?version=N&rollback=previous},
   * which docker-java does not offer). The engine wants a body that validates, so the current spec is
   * sent; it ignores it. Retries on "update out of sequence" like an update.
   */
  public Future<ServiceUpdate> rollbackService(String idOrName) {
    return rollbackService(idOrName, null);
  }

  /**
   * As {@link #rollbackService(String)}, sending {@code auth} (when not null, for the previous spec's
   * image) as {@value RegistryAuth#HEADER}.
   */
  public Future<ServiceUpdate> rollbackService(String idOrName, RegistryAuth auth) {
    return inspectService(idOrName).compose(current -> retrying(current, 1,
        (service, attempt) -> sendUpdate(service.id(), service.version(), service.spec(), "&rollback=previous", attempt,
            auth)));
  }

  /**
   * Rolls back as {@link #rollbackService(String)}, but sent once, at the version of {@code current}: if
   * the service changed since it was inspected (the engine started a rollback of its own, say), the
   * engine answers "update out of sequence" and nothing happens, so the caller can look again before
   * deciding (a second rollback=previous would return to the spec the first one left).
   */
  public Future<ServiceUpdate> rollbackServiceAt(InspectedService current) {
    return rollbackServiceAt(current, null);
  }

  /** As {@link #rollbackServiceAt(InspectedService)}, with {@code auth} as for {@link #rollbackService(String, RegistryAuth)}. */
  public Future<ServiceUpdate> rollbackServiceAt(InspectedService current, RegistryAuth auth) {
    return sendUpdate(current.id(), current.version(), current.spec(), "&rollback=previous", 1, auth);
  }

  /** {@code DELETE /services/{id}}: the swarm then stops its tasks. */
  public Future<Void> removeService(String idOrName) {
    return nothing("DELETE", "/services/" + segment(idOrName));
  }

  /**
   * {@code GET /tasks?filters={"service":[id]}}: every task the swarm still keeps of the service (the
   * replaced ones too, up to the swarm's task history limit). Once the service is removed, the engine
   * answers 404 here even while its tasks are still stopping.
   */
  public Future<List<TaskInfo>> listTasks(String serviceIdOrName) {
    String filters = new JsonObject().put("service", new JsonArray().add(serviceIdOrName)).encode();
    return array("GET", "/tasks?filters=" + query(filters), null).map(tasks -> {
      List<TaskInfo> list = new ArrayList<>(tasks.size());
      for (int i = 0; i < tasks.size(); i++) {
        list.add(TaskInfo.fromJson(tasks.getJsonObject(i)));
      }
      return list;
    });
  }

  // ---- networks

  /** {@code POST /networks/create} with the raw spec; answers {@code {"Id": ..., "Warning": ...}} (note: "Id"). */
  public Future<JsonObject> createNetwork(JsonObject spec) {
    return object("POST", "/networks/create", spec);
  }

  /** {@code GET /networks}, filtered by a label ({@code key} or {@code key=value}); all when null. */
  public Future<JsonArray> listNetworks(String label) {
    return array("GET", "/networks" + labelFilter(label), null);
  }

  public Future<Void> removeNetwork(String idOrName) {
    return nothing("DELETE", "/networks/" + segment(idOrName));
  }

  // ---- secrets and configs (immutable: the engine refuses changes other than labels; rotate by a new name)

  /** {@code POST /secrets/create} with the raw spec ({@code Name}, {@code Data} in base64, {@code Labels}); answers {@code {"ID": ...}}. */
  public Future<JsonObject> createSecret(JsonObject spec) {
    return object("POST", "/secrets/create", spec);
  }

  public Future<JsonObject> createSecret(String name, Buffer data, Map<String, String> labels) {
    return createSecret(dataSpec(name, data, labels));
  }

  public Future<JsonArray> listSecrets(String label) {
    return array("GET", "/secrets" + labelFilter(label), null);
  }

  public Future<Void> removeSecret(String idOrName) {
    return nothing("DELETE", "/secrets/" + segment(idOrName));
  }

  /** {@code POST /configs/create} with the raw spec ({@code Name}, {@code Data} in base64, {@code Labels}); answers {@code {"ID": ...}}. */
  public Future<JsonObject> createConfig(JsonObject spec) {
    return object("POST", "/configs/create", spec);
  }

  public Future<JsonObject> createConfig(String name, Buffer data, Map<String, String> labels) {
    return createConfig(dataSpec(name, data, labels));
  }

  public Future<JsonArray> listConfigs(String label) {
    return array("GET", "/configs" + labelFilter(label), null);
  }

  public Future<Void> removeConfig(String idOrName) {
    return nothing("DELETE", "/configs/" + segment(idOrName));
  }

  // ---- anything else

  /**
   * Runs a typed docker-java command on the worker pool, e.g. {@code call(d -> d.listNodesCmd().exec())}.
   * Its client has no response timeout, so it may follow log and event streams: {@code exec(callback)}
   * returns at once and docker-java reads the stream on a thread of its own (never call
   * {@code awaitCompletion} here: it would hold a worker thread for as long as the stream lasts).
   */
  public <T> Future<T> call(Function<DockerClient, T> command) {
    return blocking(() -> command.apply(docker));
  }

  /** Closes the HTTP clients, then releases the worker pool. */
  public Future<Void> close() {
    return blocking(() -> {
      docker.close();
      http.close();
      streamingHttp.close();
      return null;
    }).eventually(worker::close).mapEmpty();
  }

  // ---- internals

  private interface Attempt {
    Future<ServiceUpdate> send(InspectedService service, int attempt);
  }

  private Future<ServiceUpdate> retrying(InspectedService service, int attempt, Attempt send) {
    return send.send(service, attempt).recover(err -> {
      if (err instanceof DockerEngineException e && e.isOutOfSequence() && attempt < options.updateAttempts()) {
        return inspectService(service.id()).compose(fresh -> retrying(fresh, attempt + 1, send));
      }
      return Future.failedFuture(err);
    });
  }

  private Future<ServiceUpdate> sendUpdate(String id, long version, JsonObject spec, String extraQuery, int attempt,
                                           RegistryAuth auth) {
    return object("POST", "/services/" + segment(id) + "/update?version=" + version + extraQuery, spec, auth)
        .map(answer -> {
          JsonArray warnings = answer.getJsonArray("Warnings");
          return new ServiceUpdate(id, attempt, warnings == null ? new JsonArray() : warnings);
        });
  }

  private static JsonObject dataSpec(String name, Buffer data, Map<String, String> labels) {
    return new JsonObject()
        .put("Name", name)
        .put("Data", Base64.getEncoder().encodeToString(data.getBytes()))
        .put("Labels", new JsonObject(new LinkedHashMap<>(labels)));
  }

  private Future<JsonObject> object(String method, String path, JsonObject body) {
    return object(method, path, body, null);
  }

  private Future<JsonObject> object(String method, String path, JsonObject body, RegistryAuth auth) {
    return exchange(method, path, body, auth).map(value -> {
      if (value instanceof JsonObject o) {
        return o;
      }
      throw new DockerEngineException(200, "expected a JSON object, got " + value, method, path);
    });
  }

  private Future<JsonArray> array(String method, String path, JsonObject body) {
    return exchange(method, path, body, null).map(value -> {
      if (value instanceof JsonArray a) {
        return a;
      }
      if (value == null) {
        return new JsonArray(); // some engines answer null for an empty list
      }
      throw new DockerEngineException(200, "expected a JSON array, got " + value, method, path);
    });
  }

  private Future<Void> nothing(String method, String path) {
    return exchange(method, path, null, null).mapEmpty();
  }

  /**
   * Sends one request on the worker pool; the answer's JSON (a JsonObject, a JsonArray, or null for an
   * empty body). {@code auth}, when not null, goes as {@value RegistryAuth#HEADER} and nowhere else
   * (an error names the method and path only).
   */
  private Future<Object> exchange(String method, String path, JsonObject body, RegistryAuth auth) {
    return blocking(() -> {
      DockerHttpClient.Request.Builder request = DockerHttpClient.Request.builder().method(method).path(path);
      if (auth != null) {
        request.putHeader(RegistryAuth.HEADER, auth.header());
      }
      if (body != null) {
        request.putHeader("Content-Type", "application/json").bodyBytes(body.toBuffer().getBytes());
      }
      int status;
      byte[] answer;
      try (DockerHttpClient.Response response = http.execute(request.build())) {
        status = response.getStatusCode();
        try (InputStream in = response.getBody()) {
          answer = in == null ? new byte[0] : in.readAllBytes();
        }
      } catch (RuntimeException | IOException e) {
        throw new DockerEngineException(method, path, e);
      }
      if (status >= 400) {
        throw new DockerEngineException(status, engineMessage(answer), method, path);
      }
      if (answer.length == 0) {
        return null;
      }
      try {
        return Json.decodeValue(Buffer.buffer(answer));
      } catch (DecodeException e) {
        throw new DockerEngineException(status, "not JSON: " + new String(answer, StandardCharsets.UTF_8), method, path);
      }
    });
  }

  private static String engineMessage(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8).trim();
    try {
      Object json = Json.decodeValue(text);
      if (json instanceof JsonObject o && o.getValue("message") instanceof String message) {
        return message;
      }
    } catch (DecodeException e) {
      // not JSON: the text itself
    }
    return text;
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return worker.executeBlocking(work, false);
  }

  private static String labelFilter(String label) {
    if (label == null) {
      return "";
    }
    return "?filters=" + query(new JsonObject().put("label", new JsonArray().add(label)).encode());
  }

  private static String query(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static String segment(String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("an id or name is required");
    }
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  // ---- long-lived streams (live logs, engine events): added for io.fluxer.control.logs and .events

  /**
   * A client of its own for long-lived streams ({@code /tasks/{id}/logs?follow=1}, {@code /events}) with
   * up to {@code maxConnections} open at once, on this client's engine. Its reads block: run them on
   * threads the caller owns, not on the worker pool. The caller closes it.
   */
  public EngineStreams openStreams(int maxConnections) {
    return EngineStreams.create(options, maxConnections);
  }

  /** {@code "seconds.nanoseconds"}: how the engine's {@code since} and {@code until} take an exact instant. */
  public static String engineTime(java.time.Instant at) {
    return at.getEpochSecond() + "." + String.format("%09d", at.getNano());
  }
}
