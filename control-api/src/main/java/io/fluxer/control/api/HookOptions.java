package io.fluxer.control.api;

import io.fluxer.common.config.ConfigException;
import io.fluxer.common.config.ConfigValues;
import java.time.Duration;
import java.util.Set;

/**
 * The stack webhooks' limits, keys of the {@code control} section.
 *
 * @param tolerance          how far a signed {@code t} may be from now, either way ({@code hook_tolerance})
 * @param deliveryRetention  how long a delivery id is remembered, so a repeat is refused
 *                           ({@code hook_delivery_retention}); at least the tolerance
 * @param maxRefusals        refused calls of one stack's hook per window before it answers 429
 *                           ({@code hook_max_refusals})
 * @param refusalWindow      that window ({@code hook_refusal_window})
 */
public record HookOptions(Duration tolerance, Duration deliveryRetention, int maxRefusals, Duration refusalWindow) {
  public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);
  public static final Duration DEFAULT_DELIVERY_RETENTION = Duration.ofHours(24);
  public static final int DEFAULT_MAX_REFUSALS = 10;
  public static final Duration DEFAULT_REFUSAL_WINDOW = Duration.ofMinutes(1);
  /** The keys, for the parent section's list of known keys. */
  public static final Set<String> KEYS = Set.of("hook_tolerance", "hook_delivery_retention", "hook_max_refusals",
      "hook_refusal_window");

  public HookOptions {
    if (deliveryRetention.compareTo(tolerance) < 0) {
      throw new ConfigException("control.hook_delivery_retention", "must be at least control.hook_tolerance ("
          + tolerance + "): a delivery id forgotten while its signature is still fresh could be replayed");
    }
  }

  public static HookOptions defaults() {
    return new HookOptions(DEFAULT_TOLERANCE, DEFAULT_DELIVERY_RETENTION, DEFAULT_MAX_REFUSALS, DEFAULT_REFUSAL_WINDOW);
  }

  /** Reads the keys from the {@code control} section. */
  public static HookOptions from(ConfigValues v) {
    return new HookOptions(
        v.duration("hook_tolerance", DEFAULT_TOLERANCE, Duration.ofSeconds(1)),
        v.duration("hook_delivery_retention", DEFAULT_DELIVERY_RETENTION, Duration.ofSeconds(1)),
        v.integer("hook_max_refusals", DEFAULT_MAX_REFUSALS, 1, 1_000_000),
        v.duration("hook_refusal_window", DEFAULT_REFUSAL_WINDOW, Duration.ofSeconds(1)));
  }

  public HookOptions withMaxRefusals(int maxRefusals, Duration window) {
    return new HookOptions(tolerance, deliveryRetention, maxRefusals, window);
  }
}
