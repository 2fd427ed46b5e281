package io.fluxer.control.api;

import io.fluxer.control.api.ControlApi.Reply;
import io.fluxer.control.deploy.Deployer;
import io.fluxer.control.stack.StackPlan;
import io.fluxer.control.stack.StackPolicy;
import io.fluxer.control.store.ControlStore;
import io.fluxer.control.store.ControlStore.Revision;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stack webhooks: {@code POST /api/v1/hooks/stacks/{name}} redeploys the stack's newest revision
 * when the body is signed with the stack's secret ({@code X-Fluxer-Signature: sha256=<hex HMAC-SHA256
 * of the exact body>}), optionally with other image tags ({@code {"tags": {"web": "2.1"}}}, which
 * make a new revision carrying them). A missing or wrong signature, or a stack without a secret,
 * answers 401 and changes nothing. {@code POST /api/v1/stacks/{name}/hook} (ops) makes or rotates the
 * secret and shows it once; {@code DELETE} removes it.
 */
public final class HookOps {
  /** The header the signature comes in, as the gateway forwards it. */
  public static final String SIGNATURE_HEADER = "X-Fluxer-Signature";
  private static final String SCHEME = "sha256=";
  private static final Set<String> HOOK_FIELDS = Set.of("tags");

  private final ControlStore store;
  private final Deployer deployer;
  private final StackPolicy policy;

  public HookOps(ControlStore store, Deployer deployer, StackPolicy policy) {
    this.store = store;
    this.deployer = deployer;
    this.policy = policy;
  }

  /** Adds the operations to {@code api} (before it registers). */
  public ControlApi registerOn(ControlApi api) {
    return api
        .handle("stack.hook", Audited.by(store, r -> r.pathParam("name"), this::hook))
        .handle("stack.hook.rotate", Audited.by(store, r -> r.pathParam("name"), this::rotate))
        .handle("stack.hook.remove", Audited.by(store, r -> r.pathParam("name"), this::remove));
  }

  /** {@code sha256=<hex>}: the signature header a body gets with {@code secret}. */
  public static String sign(String secret, String body) {
    return SCHEME + HexFormat.of().formatHex(hmac(secret, body));
  }

  private Future<Reply> hook(ControlRequest r) {
    String stack = r.pathParam("name");
    String body = r.rawBody() == null ? "" : r.rawBody();
    return store.hookSecret(stack).compose(secret -> {
      if (secret.isEmpty() || !signedWith(secret.get(), body, r.signature())) {
        // the same answer whether the stack has no hook or the signature is wrong
        throw new ControlError(401, "missing or wrong " + SIGNATURE_HEADER + " (expected " + SCHEME
            + "<hex HMAC-SHA256 of the body with the stack's webhook secret>)", null);
      }
      Map<String, String> tags = tags(body);
      return store.latestRevision(stack).compose(latest -> {
        Revision rev = latest.orElseThrow(() -> new ControlError(409, "stack " + stack
            + " has no stored revision to redeploy: deploy it with PUT /api/v1/stacks/" + stack + " first", null));
        Map<String, String> merged = new LinkedHashMap<>(rev.imageTags());
        merged.putAll(tags);
        StackPlan plan = StackOps.parse(stack, rev.stackFile(), rev.env(), rev.files(), merged, policy, true, 400,
            "the webhook cannot redeploy " + stack);
        StackOps.keepAdminImages(policy, plan, tags.keySet(), "the webhook cannot redeploy " + stack);
        Future<Integer> revision = merged.equals(rev.imageTags())
            ? Future.succeededFuture(rev.revision())
            : store.addRevision(stack, rev.stackFile(), rev.env(), rev.files(), merged, r.actorName())
                .map(Revision::revision);
        return revision.compose(n -> store.createDeployment(stack, n, "deploy", "webhook", r.actorName()))
            .map(d -> {
              deployer.deployStack(d, plan, false);
              return new Reply(202, StackOps.accepted(d).put("revision", d.revision())
                  .put("warnings", StackOps.warnings(plan)));
            });
      });
    });
  }

  private Future<Reply> rotate(ControlRequest r) {
    String stack = r.pathParam("name");
    return store.rotateHookSecret(stack, r.actorName()).map(secret -> Reply.ok(new JsonObject()
        .put("stack", stack)
        .put("secret", secret.orElseThrow(() -> ControlError.notFound("no stack " + stack)))
        .put("url", "/api/v1/hooks/stacks/" + stack)
        .put("header", SIGNATURE_HEADER)));
  }

  private Future<Reply> remove(ControlRequest r) {
    String stack = r.pathParam("name");
    return store.removeHookSecret(stack).map(removed -> {
      if (!removed) {
        throw ControlError.notFound("stack " + stack + " has no webhook");
      }
      return Reply.ok(new JsonObject().put("stack", stack).put("removed", true));
    });
  }

  /** The tags asked for in a webhook body: empty body or {@code {}} for none. */
  private static Map<String, String> tags(String body) {
    if (body.isBlank()) {
      return Map.of();
    }
    JsonObject json;
    try {
      json = new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      throw ControlError.badRequest("the webhook body must be empty or a JSON object like {\"tags\": {\"web\": \"2.1\"}}");
    }
    for (String field : json.fieldNames()) {
      if (!HOOK_FIELDS.contains(field)) {
        throw ControlError.badRequest("unknown field '" + field + "': expected tags");
      }
    }
    return StackOps.strings(json, "tags");
  }

  private static boolean signedWith(String secret, String body, String header) {
    if (header == null || !header.startsWith(SCHEME)) {
      return false;
    }
    byte[] given;
    try {
      given = HexFormat.of().parseHex(header.substring(SCHEME.length()).strip().toLowerCase());
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(hmac(secret, body), given); // constant time
  }

  private static byte[] hmac(String secret, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(body.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
