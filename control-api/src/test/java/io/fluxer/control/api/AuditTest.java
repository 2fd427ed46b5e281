package io.fluxer.control.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.control.store.ControlStore;
import io.fluxer.common.Addresses;
import io.fluxer.common.cluster.ControlSeal;
import io.fluxer.common.config.ClusterOptions;
import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.HttpTestClient.Response;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The audit log end to end: the relay's own admin actions (API keys, namespaces, users disconnected
 * or unsubscribed) reach control-api's table through the relay's sealed {@code audit.record}, next
 * to the control plane's; {@code GET /api/v1/audit} filters by actor, action and stack and pages
 * with {@code before}.
 */
class AuditTest extends ControlApiTestBase {
  private static final String RECORD = Addresses.control("audit.record");

  @Override
  ControlApi register(ControlStore store) {
    return new ControlApi(store).requireSeal(ControlSeal.of(vertx, ClusterOptions.disabled()));
  }

  private JsonArray audit(String query) {
    Response r = http.get("/api/v1/audit" + query, OPS);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().getJsonArray("audit");
  }

  /** Each record as {@code actor action target result}, newest first, once there are {@code n}. */
  private List<String> rows(int n) {
    JsonArray rows = HttpTestClient.eventually(() -> audit("?limit=100"), a -> a.size() >= n, Duration.ofSeconds(10));
    return rows.stream().map(o -> (JsonObject) o)
        .map(r -> r.getString("actor") + " " + r.getString("action") + " " + r.getString("target") + " "
            + r.getString("result"))
        .collect(Collectors.toList());
  }

  @Test
  @DisplayName("API keys created and revoked, namespaces changed and users disconnected on the relay are audited")
  void relayAdminActions() {
    Response created = http.send(HttpMethod.POST, "/api/v1/keys", ADMIN, "{\"name\":\"ci\",\"role\":\"viewer\"}");
    assertThat(created.status()).isEqualTo(201);
    String keyText = created.json().getString("key");
    assertThat(rows(1)).containsExactly("admin key.create ci ok");
    assertThat(http.send(HttpMethod.POST, "/api/v1/keys", ADMIN, "{\"name\":\"ci\",\"role\":\"viewer\"}").status())
        .isEqualTo(409);
    assertThat(rows(2).get(0)).isEqualTo("admin key.create ci refused");
    assertThat(http.delete("/api/v1/keys/ci", ADMIN).status()).isEqualTo(204);
    assertThat(rows(3).get(0)).isEqualTo("admin key.revoke ci ok");

    assertThat(http.put("/api/v1/namespaces/rooms", ADMIN, "{\"history_size\": 10, \"history_ttl\": \"60s\"}")
        .status()).isEqualTo(201);
    assertThat(rows(4).get(0)).isEqualTo("admin namespace.put rooms ok");
    assertThat(http.put("/api/v1/namespaces/rooms", ADMIN, "{\"history_size\": -1}").status()).isEqualTo(400);
    assertThat(rows(5).get(0)).isEqualTo("admin namespace.put rooms refused");
    assertThat(http.delete("/api/v1/namespaces/rooms", ADMIN).status()).isEqualTo(204);
    assertThat(rows(6).get(0)).isEqualTo("admin namespace.delete rooms ok");

    assertThat(http.send(HttpMethod.POST, "/api/disconnect", OPS, "{\"user\":\"u1\",\"client\":\"c-1\"}").status())
        .isEqualTo(200);
    assertThat(rows(7).get(0)).isEqualTo("ops user.disconnect u1 ok");
    String batch = "{\"commands\":[{\"publish\":{\"channel\":\"news\",\"data\":{}}},"
        + "{\"unsubscribe\":{\"user\":\"u2\",\"channel\":\"news\"}},{\"disconnect\":{\"user\":\"\"}}]}";
    assertThat(http.send(HttpMethod.POST, "/api/batch", OPS, batch).status()).isEqualTo(200);
    assertThat(rows(9).subList(0, 2)).containsExactlyInAnyOrder("ops user.unsubscribe u2 ok",
        "ops user.disconnect  refused");
    // a viewer is refused before anything acts: not audited (as the gateway's refusals are not)
    assertThat(http.send(HttpMethod.POST, "/api/disconnect", VIEWER, "{\"user\":\"u3\"}").status()).isEqualTo(403);

    JsonArray all = audit("?limit=100");
    assertThat(all).hasSize(9);
    assertThat(all.encode()).as("no key text in any record").doesNotContain(keyText);
    JsonObject unsubscribe = all.stream().map(o -> (JsonObject) o)
        .filter(r -> r.getString("action").equals("user.unsubscribe")).findFirst().orElseThrow();
    assertThat(unsubscribe.getJsonObject("detail").getString("channel")).isEqualTo("news");
    assertThat(unsubscribe.getJsonObject("detail").getString("via")).isEqualTo("relay");
    assertThat(unsubscribe.getJsonObject("detail").getString("node")).isNotEmpty();
    assertThat(all.getJsonObject(all.size() - 1).getJsonObject("detail").getInteger("status")).isEqualTo(201);
  }

  @Test
  @DisplayName("the list filters by actor, action (or its prefix) and stack, and pages with before")
  void filtersAndPaging() {
    await(store.audit("alice", "stack.deploy", "shop", "accepted", new JsonObject()));
    await(store.audit("bob", "service.scale", "svc-id-1", "accepted", new JsonObject().put("stack", "shop")));
    await(store.audit("bob", "stack.deploy", "other", "accepted", new JsonObject()));
    await(store.audit("bob", "stack.hook.rotate", "shop", "ok", new JsonObject()));
    await(store.audit("carol", "stacks", "shop", "ok", new JsonObject())); // not a stack.* action

    assertThat(targets(audit("?stack=shop"))).containsExactly("stack.hook.rotate shop", "service.scale svc-id-1",
        "stack.deploy shop");
    assertThat(targets(audit("?actor=bob&action=stack"))).containsExactly("stack.hook.rotate shop",
        "stack.deploy other");
    assertThat(targets(audit("?action=stack.deploy"))).containsExactly("stack.deploy other", "stack.deploy shop");
    assertThat(targets(audit("?actor=nobody"))).isEmpty();

    JsonArray first = audit("?limit=2");
    assertThat(first).hasSize(2);
    long last = first.getJsonObject(1).getLong("id");
    assertThat(targets(audit("?before=" + last))).containsExactly("stack.deploy other", "service.scale svc-id-1",
        "stack.deploy shop");

    Response bad = http.get("/api/v1/audit?before=x", OPS);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.errorMessage()).contains("before must be a positive record id");
    assertThat(http.get("/api/v1/audit?actor=" + "a".repeat(300), OPS).status()).isEqualTo(400);
  }

  private static List<String> targets(JsonArray rows) {
    return rows.stream().map(o -> (JsonObject) o).map(r -> r.getString("action") + " " + r.getString("target"))
        .collect(Collectors.toList());
  }

  @Test
  @DisplayName("audit.record takes only the relay's actions, sealed: others are refused and write nothing")
  void recordTakesOnlyRelayActionsSealed() {
    ControlSeal seal = ControlSeal.of(vertx, ClusterOptions.disabled());
    JsonObject forged = record("stack.deploy");
    JsonObject refused = await(vertx.eventBus().<JsonObject>request(RECORD, seal.seal(RECORD, forged))).body();
    assertThat(refused.getInteger("status")).isEqualTo(400);
    JsonObject unsealed = await(vertx.eventBus().<JsonObject>request(RECORD, record("key.create"))).body();
    assertThat(unsealed.getInteger("status")).isEqualTo(403);
    JsonObject tooLong = record("key.create");
    tooLong.getJsonObject("body").put("target", "t".repeat(AuditOps.MAX_TARGET + 1));
    assertThat(await(vertx.eventBus().<JsonObject>request(RECORD, seal.seal(RECORD, tooLong))).body()
        .getInteger("status")).isEqualTo(400);
    assertThat(await(store.audit(50))).isEmpty();

    JsonObject ok = await(vertx.eventBus().<JsonObject>request(RECORD, seal.seal(RECORD, record("key.create"))))
        .body();
    assertThat(ok.getInteger("status")).isEqualTo(201);
    assertThat(await(store.audit(50))).hasSize(1);
  }

  private static JsonObject record(String action) {
    return new JsonObject().put("op", "audit.record")
        .put("actor", new JsonObject().put("name", "mallory").put("role", "admin").put("api_key", true))
        .put("path", new JsonObject()).put("query", new JsonObject())
        .put("body", new JsonObject().put("action", action).put("target", "x").put("result", "ok")
            .put("detail", new JsonObject()));
  }
}
