package io.fluxer.control.api;

import io.fluxer.control.api.ControlApi.Reply;
import io.fluxer.control.deploy.Deployer;
import io.fluxer.control.stack.StackPlan;
import io.fluxer.control.stack.StackPolicy;
import io.fluxer.control.store.ControlStore;
import io.fluxer.control.store.ControlStore.Hook;
import io.fluxer.control.store.ControlStore.Revision;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Stack webhooks, three ways in, each redeploying the stack's newest revision:
 * <ul>
 *   <li>{@code POST /api/v1/hooks/stacks/{name}} ({@code stack.hook}): {@code X-Fluxer-Signature:
 *   t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">} ({@link HookSignature}) with {@code t}
 *   within {@link HookOptions#tolerance}, and {@code X-Fluxer-Delivery}; the body may ask for other
 *   image tags ({@code {"tags": {"web": "2.1"}}}, which make a new revision carrying them);</li>
 *   <li>{@code …/github} ({@code stack.hook.github}): GitHub's {@code X-Hub-Signature-256} over the
 *   body, {@code X-GitHub-Event} ({@code push} redeploys, {@code ping} answers 200) and
 *   {@code X-GitHub-Delivery};</li>
 *   <li>{@code …/gitlab} ({@code stack.hook.gitlab}): GitLab's {@code X-Gitlab-Token} (the secret
 *   itself), {@code X-Gitlab-Event} ({@code Push Hook} redeploys) and {@code X-Gitlab-Event-UUID} or
 *   {@code Idempotency-Key}.</li>
 * </ul>
 * A push whose {@code ref} is not the hook's ({@code POST /api/v1/stacks/{name}/hook} with
 * {@code {"ref": "refs/heads/main"}}) and other events answer 200 and deploy nothing.
 *
 * <p>A delivery id accepted once answers 409 when it comes again (kept for
 * {@link HookOptions#deliveryRetention}). A missing or wrong signature, a stale {@code t}, or a stack
 * without a secret answers 401 and changes nothing. After {@link HookOptions#maxRefusals} refused
 * calls of one stack's hook in {@link HookOptions#refusalWindow}, it answers 429 with
 * {@code retry_after} (the gateway's {@code Retry-After}) before reading the database or auditing.
 * {@code POST /api/v1/stacks/{name}/hook} (ops) makes or rotates the secret and shows it once;
 * {@code DELETE} removes it.
 */
public final class HookOps {
  /** The header the signature comes in. */
  public static final String SIGNATURE_HEADER = "X-Fluxer-Signature";
  /** The header naming a delivery: a new id per request, a repeat answers 409. */
  public static final String DELIVERY_HEADER = "X-Fluxer-Delivery";
  public static final String GITHUB_SIGNATURE_HEADER = "X-Hub-Signature-256";
  public static final String GITHUB_EVENT_HEADER = "X-GitHub-Event";
  public static final String GITHUB_DELIVERY_HEADER = "X-GitHub-Delivery";
  public static final String GITLAB_TOKEN_HEADER = "X-Gitlab-Token";
  public static final String GITLAB_EVENT_HEADER = "X-Gitlab-Event";
  public static final String GITLAB_DELIVERY_HEADER = "X-Gitlab-Event-UUID";
  public static final String IDEMPOTENCY_HEADER = "Idempotency-Key";
  /** Every header a hook reads: what the gateway forwards. */
  public static final Set<String> HEADERS = Set.of(SIGNATURE_HEADER, DELIVERY_HEADER, GITHUB_SIGNATURE_HEADER,
      GITHUB_EVENT_HEADER, GITHUB_DELIVERY_HEADER, GITLAB_TOKEN_HEADER, GITLAB_EVENT_HEADER, GITLAB_DELIVERY_HEADER,
      IDEMPOTENCY_HEADER);
  static final int MAX_DELIVERY_ID = 128;
  static final int MAX_REF = 255;
  private static final String GITHUB_SCHEME = "sha256=";
  private static final Set<String> HOOK_FIELDS = Set.of("tags");
  private static final Set<String> ROTATE_FIELDS = Set.of("ref");

  private final ControlStore store;
  private final Deployer deployer;
  private final StackPolicy policy;
  private final HookOptions options;
  private final HookLimiter limiter;

  public HookOps(ControlStore store, Deployer deployer, StackPolicy policy) {
    this(store, deployer, policy, HookOptions.defaults());
  }

  public HookOps(ControlStore store, Deployer deployer, StackPolicy policy, HookOptions options) {
    this.store = store;
    this.deployer = deployer;
    this.policy = policy;
    this.options = options;
    this.limiter = new HookLimiter(options.maxRefusals(), options.refusalWindow());
  }

  /** Adds the operations to {@code api} (before it registers). */
  public ControlApi registerOn(ControlApi api) {
    return api
        .handle("stack.hook", limited(Audited.by(store, r -> r.pathParam("name"), r -> hook(r, this::fluxerCall))))
        .handle("stack.hook.github", limited(Audited.by(store, r -> r.pathParam("name"), r -> hook(r, this::gitHubCall))))
        .handle("stack.hook.gitlab", limited(Audited.by(store, r -> r.pathParam("name"), r -> hook(r, this::gitLabCall))))
        .handle("stack.hook.rotate", Audited.by(store, r -> r.pathParam("name"), this::rotate))
        .handle("stack.hook.remove", Audited.by(store, r -> r.pathParam("name"), this::remove));
  }

  /** The {@value #SIGNATURE_HEADER} value a body sent now gets with {@code secret}. */
  public static String sign(String secret, String body) {
    return HookSignature.sign(secret, System.currentTimeMillis() / 1000, body);
  }

  /** The headers of a webhook call sent now: a signature of {@code body} and a new delivery id. */
  public static Map<String, String> signedHeaders(String secret, String body) {
    return Map.of(SIGNATURE_HEADER, sign(secret, body), DELIVERY_HEADER, UUID.randomUUID().toString());
  }

  /** The {@value #GITHUB_SIGNATURE_HEADER} value GitHub sends with {@code body}: {@code sha256=<hex>}. */
  public static String signGitHub(String secret, String body) {
    return GITHUB_SCHEME + HexFormat.of().formatHex(HookSignature.mac(secret, body));
  }

  /**
   * What one call claims, read from its headers before the database is: its delivery id, its event
   * (GitHub's or GitLab's; null for Fluxer's own hook) and the check of a secret against its signature.
   */
  private record Call(String delivery, String event, Predicate<String> signedWith) {}

  /** 429 before anything is read while the stack's hook is over its refusals; counts each refusal. */
  private Function<ControlRequest, Future<Reply>> limited(Function<ControlRequest, Future<Reply>> handler) {
    return r -> {
      String stack = r.pathParam("name");
      long wait = limiter.retryAfter(stack);
      if (wait > 0) {
        return Future.failedFuture(new ControlError(429, "too many refused calls of this webhook: try again in "
            + wait + " s", new JsonObject().put("retry_after", wait)));
      }
      return handler.apply(r).onFailure(e -> {
        if (e instanceof ControlError c && c.status() >= 400 && c.status() < 500) {
          limiter.refused(stack);
        }
      });
    };
  }

  private Future<Reply> hook(ControlRequest r, Function<ControlRequest, Call> read) {
    String stack = r.pathParam("name");
    String body = r.rawBody() == null ? "" : r.rawBody();
    Call call = read.apply(r);
    return store.hook(stack).compose(found -> {
      if (found.isEmpty() || !call.signedWith().test(found.get().secret())) {
        // the same answer whether the stack has no hook or the signature is wrong
        throw unauthorized("wrong signature (or the stack has no webhook secret)");
      }
      Hook hook = found.get();
      Map<String, String> tags = call.event() == null ? tags(body) : Map.of();
      return store.claimHookDelivery(stack, call.delivery(), options.deliveryRetention()).compose(fresh -> {
        if (!fresh) {
          throw new ControlError(409, "delivery " + call.delivery() + " was accepted before: each call needs a new "
              + "delivery id (a replayed request changes nothing)", null);
        }
        String skip = call.event() == null ? null : skipReason(call.event(), hook.ref(), body);
        if (skip != null) {
          return Future.succeededFuture(Reply.ok(new JsonObject().put("stack", stack).put("deployed", false)
              .put("reason", skip)));
        }
        return redeploy(r, stack, tags);
      });
    });
  }

  /** Why a verified call deploys nothing (an event other than a push, a push to another ref), or null. */
  private static String skipReason(String event, String hookRef, String body) {
    if (event.equals("ping")) {
      return "ping: the webhook works";
    }
    if (!event.equals("push") && !event.equals("Push Hook")) {
      return "event '" + clip(event) + "' deploys nothing: only pushes do";
    }
    JsonObject payload;
    try {
      payload = new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      throw ControlError.badRequest("the push payload must be JSON (content type application/json)");
    }
    Object ref = payload.getValue("ref");
    if (hookRef != null && !hookRef.equals(ref)) {
      return "a push to " + (ref instanceof String s ? clip(s) : "no ref") + ": this webhook deploys on pushes to "
          + hookRef;
    }
    return null;
  }

  private Future<Reply> redeploy(ControlRequest r, String stack, Map<String, String> tags) {
    return store.latestRevision(stack).compose(latest -> {
      Revision rev = latest.orElseThrow(() -> new ControlError(409, "stack " + stack
          + " has no stored revision to redeploy: deploy it with PUT /api/v1/stacks/" + stack + " first", null));
      Map<String, String> merged = new LinkedHashMap<>(rev.imageTags());
      merged.putAll(tags);
      // parsed on a worker, as deploy, adopt and rollback do: a large stack file takes seconds
      return StackOps.offLoop(() -> {
        StackPlan plan = StackOps.parse(stack, rev.stackFile(), rev.env(), rev.files(), merged, policy, true, 400,
            "the webhook cannot redeploy " + stack);
        StackOps.keepAdminImages(policy, plan, tags.keySet(), "the webhook cannot redeploy " + stack);
        return plan;
      }).compose(plan -> {
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

  // ---- the three ways in: what each call's headers claim

  private Call fluxerCall(ControlRequest r) {
    HookSignature signature;
    try {
      signature = HookSignature.parse(r.header(SIGNATURE_HEADER));
    } catch (IllegalArgumentException e) {
      throw unauthorized("missing or malformed " + SIGNATURE_HEADER + " (" + e.getMessage() + "): expected "
          + "t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\" with the stack's webhook secret>");
    }
    long now = System.currentTimeMillis() / 1000;
    if (Math.abs(now - signature.timestamp()) > options.tolerance().toSeconds()) {
      throw unauthorized(SIGNATURE_HEADER + " t=" + signature.timestamp() + " is more than "
          + options.tolerance().toSeconds() + " s from the control plane's clock (" + now + "): sign each call when "
          + "it is sent");
    }
    String delivery = deliveryId(r.header(DELIVERY_HEADER), DELIVERY_HEADER);
    String body = r.rawBody() == null ? "" : r.rawBody();
    return new Call(delivery, null, secret -> signature.signs(secret, body));
  }

  private Call gitHubCall(ControlRequest r) {
    String header = r.header(GITHUB_SIGNATURE_HEADER);
    byte[] given;
    try {
      if (header == null || !header.startsWith(GITHUB_SCHEME)) {
        throw new IllegalArgumentException();
      }
      given = HookSignature.hmac(header.substring(GITHUB_SCHEME.length()));
    } catch (IllegalArgumentException e) {
      throw unauthorized("missing or malformed " + GITHUB_SIGNATURE_HEADER + ": expected sha256=<hex HMAC-SHA256 "
          + "of the body> (set the webhook's secret in GitHub to the stack's webhook secret)");
    }
    String event = event(r.header(GITHUB_EVENT_HEADER), GITHUB_EVENT_HEADER);
    String delivery = deliveryId(r.header(GITHUB_DELIVERY_HEADER), GITHUB_DELIVERY_HEADER);
    String body = r.rawBody() == null ? "" : r.rawBody();
    return new Call(delivery, event, secret -> MessageDigest.isEqual(HookSignature.mac(secret, body), given));
  }

  private Call gitLabCall(ControlRequest r) {
    String token = r.header(GITLAB_TOKEN_HEADER);
    if (token == null || token.isEmpty() || token.length() > 1024) {
      throw unauthorized("missing " + GITLAB_TOKEN_HEADER + " (set the webhook's secret token in GitLab to the "
          + "stack's webhook secret)");
    }
    String event = event(r.header(GITLAB_EVENT_HEADER), GITLAB_EVENT_HEADER);
    String uuid = r.header(GITLAB_DELIVERY_HEADER);
    String delivery = uuid != null ? deliveryId(uuid, GITLAB_DELIVERY_HEADER)
        : deliveryId(r.header(IDEMPOTENCY_HEADER), GITLAB_DELIVERY_HEADER + " or " + IDEMPOTENCY_HEADER);
    byte[] given = sha256(token);
    // digests of equal length: the comparison takes the same time whatever the token's length
    return new Call(delivery, event, secret -> MessageDigest.isEqual(sha256(secret), given));
  }

  private static String deliveryId(String value, String header) {
    if (value == null || value.isEmpty()) {
      throw ControlError.badRequest("missing " + header + ": each webhook call needs a delivery id, new for each "
          + "call (e.g. a UUID)");
    }
    if (value.length() > MAX_DELIVERY_ID || !printable(value)) {
      throw ControlError.badRequest(header + " must be at most " + MAX_DELIVERY_ID + " printable ASCII characters");
    }
    return value;
  }

  private static String event(String value, String header) {
    if (value == null || value.isEmpty()) {
      throw ControlError.badRequest("missing " + header);
    }
    if (value.length() > 64 || !printable(value)) {
      throw ControlError.badRequest(header + " must be at most 64 printable ASCII characters");
    }
    return value;
  }

  private static boolean printable(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x21 && c != ' ' || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  private static String clip(String s) {
    return s.length() <= MAX_REF ? s : s.substring(0, MAX_REF) + "…";
  }

  private static ControlError unauthorized(String message) {
    return new ControlError(401, message, null);
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- the secret

  private Future<Reply> rotate(ControlRequest r) {
    String stack = r.pathParam("name");
    String ref = ref(r.body());
    String base = "/api/v1/hooks/stacks/" + stack;
    return store.rotateHookSecret(stack, ref, r.actorName()).map(secret -> Reply.ok(new JsonObject()
        .put("stack", stack)
        .put("secret", secret.orElseThrow(() -> ControlError.notFound("no stack " + stack)))
        .put("url", base)
        .put("header", SIGNATURE_HEADER)
        .put("github_url", base + "/github")
        .put("gitlab_url", base + "/gitlab")
        .put("ref", ref)));
  }

  /** The optional {@code {"ref": "refs/heads/main"}} of a rotation: null for any ref. */
  private static String ref(JsonObject body) {
    if (body == null) {
      return null;
    }
    for (String field : body.fieldNames()) {
      if (!ROTATE_FIELDS.contains(field)) {
        throw ControlError.badRequest("unknown field '" + field + "': expected ref");
      }
    }
    Object ref = body.getValue("ref");
    if (ref == null) {
      return null;
    }
    if (!(ref instanceof String s) || !s.startsWith("refs/") || s.length() > MAX_REF || !printable(s)
        || s.indexOf(' ') >= 0) {
      throw ControlError.badRequest("ref must be a git ref like refs/heads/main (at most " + MAX_REF
          + " characters, no spaces)");
    }
    return s;
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
}
