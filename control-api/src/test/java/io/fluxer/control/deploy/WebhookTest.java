package io.fluxer.control.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.control.api.HookOps;
import io.fluxer.control.api.HookOptions;
import io.fluxer.control.api.HookSignature;
import io.fluxer.relay.testing.HttpTestClient.Response;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The stack webhooks against the real control plane, PostgreSQL and swarm: a signed call works once
 * (its delivery id and time are part of it), refused calls are rate-limited per stack before they
 * cost a read or an audit row, and GitHub's and GitLab's push hooks redeploy without glue code.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class WebhookTest extends DeployTestBase {
  private static final String SERVICE = "services:\n"
      + "  web:\n"
      + "    image: fluxer-test/busybox:1\n"
      + "    command: [\"sh\", \"-c\", \"while true; do echo tick; sleep 1; done\"]\n"
      + "    stop_grace_period: 1s\n"
      + "    stop_signal: SIGKILL\n"
      + "    deploy:\n"
      + "      restart_policy: {condition: any, delay: 500ms}\n"
      + "      update_config: {monitor: 1s}\n";

  @Test
  @DisplayName("A signed call redeploys once: its replay answers 409, a stale or wrong signature 401, nothing deployed")
  void aCapturedCallCannotBeReplayed() {
    String secret = deployWithHook(null);
    String hook = "/api/v1/hooks/stacks/" + stack;
    String body = "";
    long now = System.currentTimeMillis() / 1000;
    long tolerance = HookOptions.DEFAULT_TOLERANCE.toSeconds();

    Response stale = hook(hook, body, headers(HookSignature.sign(secret, now - tolerance - 60, body)));
    assertThat(stale.status()).as("%s", stale).isEqualTo(401);
    assertThat(stale.errorMessage()).contains("from the control plane's clock");
    assertThat(hook(hook, body, headers(HookSignature.sign(secret, now + tolerance + 60, body))).status())
        .as("from the future").isEqualTo(401);
    assertThat(hook(hook, body, headers(HookSignature.sign("guess", now, body))).status()).isEqualTo(401);
    assertThat(hook(hook, body, headers("sha256=" + "0".repeat(64))).status()).as("the old scheme").isEqualTo(401);
    Response noDelivery = hook(hook, body, Map.of(HookOps.SIGNATURE_HEADER, HookOps.sign(secret, body)));
    assertThat(noDelivery.status()).isEqualTo(400);
    assertThat(noDelivery.errorMessage()).contains(HookOps.DELIVERY_HEADER);
    assertThat(deployments()).hasSize(1);

    Map<String, String> captured = HookOps.signedHeaders(secret, body);
    Response accepted = hook(hook, body, captured);
    assertThat(accepted.status()).as("%s", accepted).isEqualTo(202);
    assertThat(watch.awaitFinished(accepted.json().getString("deployment"))).isEqualTo("succeeded");

    Response replayed = hook(hook, body, captured);
    assertThat(replayed.status()).as("%s", replayed).isEqualTo(409);
    assertThat(replayed.errorMessage()).contains("accepted before");
    assertThat(deployments()).as("no second deployment from the replay").hasSize(2);
    assertThat(audit(stack, "stack.hook").toString()).doesNotContain(secret);
  }

  @Test
  @DisplayName("After control.hook_max_refusals refused calls a stack's hook answers 429 with Retry-After and audits nothing")
  void refusedCallsAreRateLimited() {
    String hook = "/api/v1/hooks/stacks/" + stack;
    for (int i = 0; i < HookOptions.DEFAULT_MAX_REFUSALS; i++) {
      Response r = hook(hook, "", HookOps.signedHeaders("guess", ""));
      assertThat(r.status()).as("call %d: %s", i, r).isEqualTo(401);
    }
    int audited = audit(stack, "stack.hook").size();
    assertThat(audited).isEqualTo(HookOptions.DEFAULT_MAX_REFUSALS);

    for (int i = 0; i < 5; i++) {
      Response limited = hook(hook, "", HookOps.signedHeaders("guess", ""));
      assertThat(limited.status()).as("%s", limited).isEqualTo(429);
      assertThat(Long.parseLong(limited.headers().get("Retry-After"))).isBetween(1L, 60L);
      assertThat(limited.json().getJsonObject("error").getLong("retry_after")).isBetween(1L, 60L);
    }
    assertThat(audit(stack, "stack.hook")).as("no audit row for a limited call").hasSize(audited);
    // another stack's hook is not limited
    assertThat(hook("/api/v1/hooks/stacks/" + stack + "-other", "", HookOps.signedHeaders("guess", "")).status())
        .isEqualTo(401);
  }

  @Test
  @DisplayName("GitHub: a signed push to the hook's branch redeploys; ping, other branches and replays do not; a bad signature is 401")
  void gitHubPushRedeploys() {
    String secret = deployWithHook("refs/heads/main");
    String hook = "/api/v1/hooks/stacks/" + stack + "/github";
    String ping = new JsonObject().put("zen", "Keep it logically awesome.").put("hook_id", 1).encode();

    Response pong = hook(hook, ping, gitHub(secret, "ping", ping));
    assertThat(pong.status()).as("%s", pong).isEqualTo(200);
    assertThat(pong.json().getBoolean("deployed")).isFalse();

    String toDev = push("refs/heads/dev");
    assertThat(hook(hook, toDev, gitHub(secret, "push", toDev)).json().getBoolean("deployed")).isFalse();
    String toMain = push("refs/heads/main");
    Map<String, String> forged = new HashMap<>(gitHub(secret, "push", toMain));
    forged.put(HookOps.GITHUB_SIGNATURE_HEADER, HookOps.signGitHub("guess", toMain));
    assertThat(hook(hook, toMain, forged).status()).isEqualTo(401);
    assertThat(hook(hook, toMain, Map.of(HookOps.GITHUB_EVENT_HEADER, "push",
        HookOps.GITHUB_DELIVERY_HEADER, UUID.randomUUID().toString())).status()).as("unsigned").isEqualTo(401);
    assertThat(deployments()).hasSize(1);

    Map<String, String> delivery = gitHub(secret, "push", toMain);
    Response pushed = hook(hook, toMain, delivery);
    assertThat(pushed.status()).as("%s", pushed).isEqualTo(202);
    String d = pushed.json().getString("deployment");
    assertThat(watch.awaitFinished(d)).isEqualTo("succeeded");
    assertThat(watch.stateEvent(d, "succeeded").getString("trigger")).isEqualTo("webhook");
    assertThat(hook(hook, toMain, delivery).status()).as("GitHub's redelivery of the same id").isEqualTo(409);
    assertThat(deployments()).hasSize(2);
  }

  @Test
  @DisplayName("GitLab: a push with the secret token redeploys; other events and replays do not; a wrong token is 401")
  void gitLabPushRedeploys() {
    String secret = deployWithHook(null);
    String hook = "/api/v1/hooks/stacks/" + stack + "/gitlab";
    String body = push("refs/heads/feature");

    assertThat(hook(hook, body, gitLab("guess", "Push Hook")).status()).isEqualTo(401);
    Response tag = hook(hook, body, gitLab(secret, "Tag Push Hook"));
    assertThat(tag.status()).as("%s", tag).isEqualTo(200);
    assertThat(tag.json().getBoolean("deployed")).isFalse();
    assertThat(hook(hook, body, Map.of(HookOps.GITLAB_TOKEN_HEADER, secret, HookOps.GITLAB_EVENT_HEADER, "Push Hook"))
        .status()).as("no delivery id").isEqualTo(400);
    assertThat(deployments()).hasSize(1);

    // GitLab 17.4+ also sends Idempotency-Key; either names the delivery
    Map<String, String> delivery = Map.of(HookOps.GITLAB_TOKEN_HEADER, secret, HookOps.GITLAB_EVENT_HEADER, "Push Hook",
        HookOps.IDEMPOTENCY_HEADER, UUID.randomUUID().toString());
    Response pushed = hook(hook, body, delivery);
    assertThat(pushed.status()).as("%s", pushed).isEqualTo(202);
    assertThat(watch.awaitFinished(pushed.json().getString("deployment"))).isEqualTo("succeeded");
    assertThat(hook(hook, body, delivery).status()).isEqualTo(409);
    assertThat(deployments()).hasSize(2);
  }

  // ---- helpers

  /** Deploys one service, waits for it, and makes the stack's webhook secret (pushes only to {@code ref}). */
  private String deployWithHook(String ref) {
    Response deployed = http.put("/api/v1/stacks/" + stack, OPS, new JsonObject().put("stackFile", SERVICE).encode());
    assertThat(deployed.status()).as("%s", deployed).isEqualTo(202);
    assertThat(watch.awaitFinished(deployed.json().getString("deployment"))).isEqualTo("succeeded");
    JsonObject body = ref == null ? null : new JsonObject().put("ref", ref);
    Response made = http.send(HttpMethod.POST, "/api/v1/stacks/" + stack + "/hook", OPS,
        body == null ? null : body.encode());
    assertThat(made.status()).as("%s", made).isEqualTo(200);
    assertThat(made.json().getString("ref")).isEqualTo(ref);
    return made.json().getString("secret");
  }

  private static Map<String, String> headers(String signature) {
    return Map.of(HookOps.SIGNATURE_HEADER, signature, HookOps.DELIVERY_HEADER, UUID.randomUUID().toString());
  }

  private static Map<String, String> gitHub(String secret, String event, String body) {
    return Map.of(HookOps.GITHUB_SIGNATURE_HEADER, HookOps.signGitHub(secret, body), HookOps.GITHUB_EVENT_HEADER, event,
        HookOps.GITHUB_DELIVERY_HEADER, UUID.randomUUID().toString(), "Content-Type", "application/json");
  }

  private static Map<String, String> gitLab(String token, String event) {
    return Map.of(HookOps.GITLAB_TOKEN_HEADER, token, HookOps.GITLAB_EVENT_HEADER, event,
        HookOps.GITLAB_DELIVERY_HEADER, UUID.randomUUID().toString(), "Content-Type", "application/json");
  }

  /** A push payload as GitHub and GitLab send it, reduced to what the hook reads and a little more. */
  private static String push(String ref) {
    return new JsonObject().put("ref", ref).put("before", "0".repeat(40)).put("after", "1".repeat(40))
        .put("commits", new JsonArray()).encode();
  }

  private Response hook(String path, String body, Map<String, String> headers) {
    return http.send(HttpMethod.POST, path, headers, body);
  }

  private JsonArray deployments() {
    return http.get("/api/v1/deployments?stack=" + stack, VIEWER).json().getJsonArray("deployments");
  }

  private static List<JsonObject> audit(String target, String action) {
    return http.get("/api/v1/audit?limit=500", OPS).json().getJsonArray("audit").stream().map(JsonObject.class::cast)
        .filter(e -> e.getString("target").equals(target) && e.getString("action").equals(action)).toList();
  }
}
