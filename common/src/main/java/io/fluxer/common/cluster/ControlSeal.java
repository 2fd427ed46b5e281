package io.fluxer.common.cluster;

import io.fluxer.common.config.ClusterOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The seal a relay puts on every control request it forwards to control-api
 * ({@code fluxer.control.<op>}), and control-api's check of it before acting: the actor (name, role,
 * API key), the path, query and body are the relay's word only if the seal verifies.
 *
 * <p>The seal is the message's {@value #FIELD} field, {@code {"t": <unix ms>, "id": <uuid>, "mac":
 * <base64url>}}: {@code mac = HMAC-SHA256(k, "fluxer-control-v1\n" + address + "\n" + t + "\n" + id
 * + "\n" + hex(SHA-256(the message without its seal, as JSON text)))}, where {@code k} derives from
 * {@code cluster.signing_key} ({@link ClusterSecret}). A request whose seal is missing, does not
 * verify, is older or newer than {@link #MAX_AGE}, or whose id was seen before, is refused.
 *
 * <p>Without a configured key (a node that is not clustered), the relay and control-api of one
 * process share a random key kept in the Vert.x instance: its event bus is reachable from this
 * process only.
 */
public final class ControlSeal {
  /** The message field that carries the seal. */
  public static final String FIELD = "seal";
  /** How far a seal's time may be from the checker's clock. */
  public static final Duration MAX_AGE = Duration.ofSeconds(60);
  /** The most seal ids remembered against replay; beyond it requests are refused until old ones expire. */
  static final int MAX_REMEMBERED = 100_000;
  private static final Logger LOG = System.getLogger(ControlSeal.class.getName());
  private static final long LOG_INTERVAL_MILLIS = 60_000;
  private static final String LOCAL_KEY_MAP = "fluxer.control-seal";
  private static final String VERSION = "fluxer-control-v1";

  private final byte[] key;
  private final LongSupplier clock;
  /** Seal ids seen, with the time (ms) until which they would still be accepted; in arrival order. */
  private final LinkedHashMap<String, Long> seen = new LinkedHashMap<>();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong nextLogAt = new AtomicLong();

  ControlSeal(byte[] key, LongSupplier clock) {
    this.key = key.clone();
    this.clock = clock;
  }

  /** The seal of {@code cluster.signing_key}; {@code null} or blank: this process's own random key. */
  public static ControlSeal of(Vertx vertx, ClusterOptions cluster) {
    String signingKey = cluster.signingKey();
    if (signingKey == null) {
      if (vertx.isClustered()) {
        throw new IllegalStateException("a clustered node needs cluster.signing_key to seal control requests");
      }
      String local = vertx.sharedData().<String, String>getLocalMap(LOCAL_KEY_MAP).computeIfAbsent("key", k -> {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        return Base64.getEncoder().encodeToString(random);
      });
      signingKey = local;
    }
    return withKey(signingKey);
  }

  /** The seal of {@code signingKey} (as {@code cluster.signing_key} holds it). */
  public static ControlSeal withKey(String signingKey) {
    return new ControlSeal(ClusterSecret.derive(signingKey.getBytes(StandardCharsets.UTF_8),
        ClusterSecret.CONTROL_SEAL), System::currentTimeMillis);
  }

  /** {@code message} with a new seal for {@code address} (a copy; any seal it had is replaced). */
  public JsonObject seal(String address, JsonObject message) {
    JsonObject sealed = message.copy();
    sealed.remove(FIELD);
    long t = clock.getAsLong();
    String id = UUID.randomUUID().toString();
    return sealed.put(FIELD, new JsonObject().put("t", t).put("id", id).put("mac", mac(address, t, id, sealed)));
  }

  /**
   * Checks the seal of a request received on {@code address} and takes it off {@code message}.
   *
   * @return {@code null} when the seal verifies, else why not (for the log, never for the caller)
   */
  public String check(String address, JsonObject message) {
    Object field = message.remove(FIELD);
    if (!(field instanceof JsonObject seal)) {
      return "no seal";
    }
    if (!(seal.getValue("t") instanceof Number tn) || !(seal.getValue("id") instanceof String id)
        || !(seal.getValue("mac") instanceof String mac) || id.isEmpty() || id.length() > 64 || mac.length() > 64) {
      return "a malformed seal";
    }
    long t = tn.longValue();
    long now = clock.getAsLong();
    if (Math.abs(now - t) > MAX_AGE.toMillis()) {
      return "a seal made " + (now - t) / 1000 + " s from this node's clock (at most " + MAX_AGE.toSeconds()
          + " s allowed)";
    }
    if (!MessageDigest.isEqual(mac.getBytes(StandardCharsets.US_ASCII),
        mac(address, t, id, message).getBytes(StandardCharsets.US_ASCII))) {
      return "a seal that does not verify (another cluster.signing_key, or the request was changed)";
    }
    synchronized (seen) {
      for (Iterator<Map.Entry<String, Long>> it = seen.entrySet().iterator(); it.hasNext(); ) {
        if (it.next().getValue() >= now) {
          break;
        }
        it.remove();
      }
      if (seen.containsKey(id)) {
        return "a seal used before (a replayed request)";
      }
      if (seen.size() >= MAX_REMEMBERED) {
        return "too many requests within " + MAX_AGE.toSeconds() + " s to remember them all";
      }
      seen.put(id, t + MAX_AGE.toMillis());
    }
    return null;
  }

  /**
   * Logs a refused request: the first at once, then at most one line a minute saying how many more
   * were refused; never the request itself.
   */
  public void logRefused(String address, String problem) {
    long count = refused.incrementAndGet();
    long now = System.currentTimeMillis();
    long due = nextLogAt.get();
    if (now >= due && nextLogAt.compareAndSet(due, now + LOG_INTERVAL_MILLIS)) {
      refused.set(0);
      LOG.log(Level.WARNING, "refused a control request on " + address + " with " + problem
          + (count > 1 ? " (" + (count - 1) + " more refused since the last such line)" : "")
          + ": only relays holding this cluster's cluster.signing_key may send control requests");
    }
  }

  private String mac(String address, long t, String id, JsonObject unsealed) {
    String text = VERSION + "\n" + address + "\n" + t + "\n" + id + "\n" + sha256Hex(unsealed.encode());
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString(ClusterSecret.hmac(key, text.getBytes(StandardCharsets.UTF_8)));
  }

  private static String sha256Hex(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
