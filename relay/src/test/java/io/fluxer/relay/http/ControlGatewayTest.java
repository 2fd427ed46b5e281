package io.fluxer.relay.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.common.Addresses;
import io.fluxer.common.cluster.ControlSeal;
import io.fluxer.common.config.ClusterOptions;
import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.HttpTestClient.Response;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The relay's gateway to the control plane: it authenticates the control routes and forwards them
 * over the event bus to {@code fluxer.control.<op>}. Here a consumer on the test's bus stands in
 * for control-api and records what arrives.
 */
class ControlGatewayTest extends RelayTestBase {
  private final List<JsonObject> received = new CopyOnWriteArrayList<>();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();

  @AfterEach
  void unregister() {
    consumers.forEach(MessageConsumer::unregister);
  }

  /** control-api stand-in for {@code op}: records the message, replies {@code status} with {@code body}. */
  private void answer(String op, int status, JsonObject body) {
    consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.control(op), m -> {
      received.add(m.body());
      m.reply(new JsonObject().put("status", status).put("body", body));
    }));
    TestRelay.await(consumers.get(consumers.size() - 1).completion());
  }

  @Test
  @DisplayName("PUT /api/v1/stacks/{name} reaches stack.deploy with the caller, path, query and body; the reply is the answer")
  void forwardsWithTheCaller() {
    answer("stack.deploy", 202, new JsonObject().put("deployment", "d-1").put("channel", "deploy:shop"));

    Response r = http().put("/api/v1/stacks/shop?dry_run=1", HttpTestClient.apiKey(TestRelay.OPS_KEY),
        new JsonObject().put("stackFile", "services: {}").put("env", new JsonObject().put("TAG", "1")).encode());

    assertThat(r.status()).isEqualTo(202);
    assertThat(r.json().getString("channel")).isEqualTo("deploy:shop");
    JsonObject m = received.get(0);
    assertThat(m.getString("op")).isEqualTo("stack.deploy");
    assertThat(m.getJsonObject("path").getString("name")).isEqualTo("shop");
    assertThat(m.getJsonObject("query").getString("dry_run")).isEqualTo("1");
    assertThat(m.getJsonObject("body").getString("stackFile")).isEqualTo("services: {}");
    assertThat(ControlSeal.of(vertx, ClusterOptions.disabled()).check(Addresses.control("stack.deploy"), m.copy()))
        .as("sealed for control-api").isNull();
    assertThat(m.getJsonObject("actor")).isEqualTo(new JsonObject().put("name", "ops").put("role", "ops")
        .put("api_key", true));
  }

  @Test
  @DisplayName("Reads need viewer, changes need ops: 401 without credentials, 403 with too little, nothing forwarded")
  void rolesAreCheckedBeforeForwarding() {
    answer("stack.list", 200, new JsonObject().put("stacks", new JsonArray()));
    answer("stack.remove", 202, new JsonObject());

    assertThat(http().get("/api/v1/stacks", HttpTestClient.NONE).status()).isEqualTo(401);
    assertThat(http().get("/api/v1/stacks", HttpTestClient.apiKey(TestRelay.VIEWER_KEY)).status()).isEqualTo(200);
    assertThat(http().delete("/api/v1/stacks/shop", HttpTestClient.apiKey(TestRelay.VIEWER_KEY)).status())
        .isEqualTo(403);
    assertThat(http().get("/api/v1/stacks", HttpTestClient.bearer(relay().opsToken("eve"))).status())
        .as("a user without a role").isEqualTo(403);
    assertThat(http().get("/api/v1/stacks", HttpTestClient.bearer(relay().token(new JsonObject().put("sub", "eve")
        .put("exp", nowSeconds() + 60).put("role", "admin")))).status())
        .as("a client connection token, even with a role, is no ops credential").isEqualTo(401);

    assertThat(received).extracting(m -> m.getString("op")).containsExactly("stack.list");
  }

  @Test
  @DisplayName("The body is read only after the credentials: without them even an oversized body answers 401; with them 413")
  void bodiesAreReadAfterAuthentication() {
    answer("stack.adopt", 200, new JsonObject().put("stack", "shop"));
    Buffer tooBig = Buffer.buffer(new JsonObject().put("stackFile", "x".repeat(1024 * 1024)).encode());

    Response anonymous = http().sendRaw(HttpMethod.POST, "/api/v1/stacks/shop/adopt", HttpTestClient.NONE, tooBig);
    assertThat(anonymous.status()).isEqualTo(401);
    Response viewer = http().sendRaw(HttpMethod.POST, "/api/v1/stacks/shop/adopt",
        HttpTestClient.apiKey(TestRelay.VIEWER_KEY), tooBig);
    assertThat(viewer.status()).isEqualTo(403);
    Response ops = http().sendRaw(HttpMethod.POST, "/api/v1/stacks/shop/adopt",
        HttpTestClient.apiKey(TestRelay.OPS_KEY), tooBig);
    assertThat(ops.status()).isEqualTo(413);
    assertThat(received).isEmpty();

    Response adopted = http().send(HttpMethod.POST, "/api/v1/stacks/shop/adopt", HttpTestClient.apiKey(TestRelay.OPS_KEY),
        new JsonObject().put("stackFile", "services: {}").encode());
    assertThat(adopted.status()).isEqualTo(200);
    assertThat(received).singleElement().satisfies(m -> {
      assertThat(m.getString("op")).isEqualTo("stack.adopt");
      assertThat(m.getJsonObject("body").getString("stackFile")).isEqualTo("services: {}");
    });
  }

  @Test
  @DisplayName("A webhook is forwarded unauthenticated with its exact body text and only the hook headers, for control-api to check")
  void webhookCarriesTheRawBodyAndSignature() {
    answer("stack.hook", 401, new JsonObject().put("error", new JsonObject().put("code", 401)
        .put("message", "bad signature")));
    String body = "{\"image\": \"web:2\",  \"note\":\"spaces kept\"}";

    Response r = http().sendRaw(HttpMethod.POST, "/api/v1/hooks/stacks/shop",
        Map.of("X-Fluxer-Signature", "t=1,v1=abc", "X-Fluxer-Delivery", "d-1", "Cookie", "session=x"),
        Buffer.buffer(body));

    assertThat(r.status()).isEqualTo(401);
    assertThat(received.get(0).getString("raw_body")).isEqualTo(body);
    assertThat(received.get(0).getJsonObject("headers")).isEqualTo(new JsonObject()
        .put("x-fluxer-signature", "t=1,v1=abc").put("x-fluxer-delivery", "d-1"));
    assertThat(received.get(0).containsKey("actor")).isFalse();
  }

  @Test
  @DisplayName("GitHub's and GitLab's hooks reach their own operations with their headers; a 429 gets Retry-After")
  void gitHubAndGitLabHooks() {
    answer("stack.hook.github", 200, new JsonObject().put("deployed", false));
    answer("stack.hook.gitlab", 429, new JsonObject().put("error", new JsonObject().put("code", 429)
        .put("message", "too many refused calls").put("retry_after", 42)));

    Response github = http().sendRaw(HttpMethod.POST, "/api/v1/hooks/stacks/shop/github",
        Map.of("X-Hub-Signature-256", "sha256=abc", "X-GitHub-Event", "ping", "X-GitHub-Delivery", "g-1"),
        Buffer.buffer("{}"));
    assertThat(github.status()).isEqualTo(200);
    assertThat(received.get(0).getString("op")).isEqualTo("stack.hook.github");
    assertThat(received.get(0).getJsonObject("headers")).isEqualTo(new JsonObject()
        .put("x-hub-signature-256", "sha256=abc").put("x-github-event", "ping").put("x-github-delivery", "g-1"));

    Response gitlab = http().sendRaw(HttpMethod.POST, "/api/v1/hooks/stacks/shop/gitlab",
        Map.of("X-Gitlab-Token", "t", "X-Gitlab-Event", "Push Hook", "Idempotency-Key", "k-1"), Buffer.buffer("{}"));
    assertThat(gitlab.status()).isEqualTo(429);
    assertThat(gitlab.headers().get("Retry-After")).isEqualTo("42");
    assertThat(received.get(1).getString("op")).isEqualTo("stack.hook.gitlab");
    assertThat(received.get(1).getJsonObject("headers").getString("idempotency-key")).isEqualTo("k-1");

    assertThat(http().sendRaw(HttpMethod.POST, "/api/v1/hooks/stacks/shop/bitbucket", Map.of(), Buffer.buffer("{}"))
        .status()).isEqualTo(404);
    assertThat(received).hasSize(2);
  }

  @Test
  @DisplayName("Without control-api on the bus the control routes answer 503; a body that is not JSON answers 400")
  void noControlPlane() {
    Response r = http().get("/api/v1/deployments", HttpTestClient.apiKey(TestRelay.VIEWER_KEY));
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.errorMessage()).contains("control plane is not running");

    answer("service.scale", 202, new JsonObject());
    Response bad = http().sendRaw(HttpMethod.POST, "/api/v1/services/abc/scale",
        Map.of("X-API-Key", TestRelay.OPS_KEY), Buffer.buffer("replicas=3"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(received).isEmpty();
  }

  @Test
  @DisplayName("GET /api/v1/control says whether control-api answers, with 200 either way; viewers may ask")
  void controlStatus() {
    Map<String, String> viewer = HttpTestClient.apiKey(TestRelay.VIEWER_KEY);
    assertThat(http().get("/api/v1/control", HttpTestClient.NONE).status()).isEqualTo(401);
    Response none = http().get("/api/v1/control", viewer);
    assertThat(none.status()).isEqualTo(200);
    assertThat(none.json().getBoolean("available")).isFalse();

    answer(ControlGateway.STATUS_OP, 200, new JsonObject().put("available", true));
    Response up = http().get("/api/v1/control", viewer);
    assertThat(up.json().getBoolean("available")).isTrue();
  }
}
