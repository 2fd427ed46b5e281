package io.fluxer.relay.auth;

import io.fluxer.relay.config.ApiKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A node's API keys: the configured ones ({@code api.keys}, fixed) and the ones created at run time
 * through {@code /api/v1/keys} ("managed"), which live in this node's memory or, with PostgreSQL,
 * are the node's copy of the stored ones. Only SHA-256 hashes are held.
 *
 * <p>Thread-safe: the managed keys are an immutable list swapped as a whole, so a lookup on any
 * event loop sees one consistent set.
 */
public final class ApiKeys {
  /** What a key's name may be: it appears in logs, audit records and URLs. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** A key created at run time: who created it and when. */
  public record Managed(ApiKey key, String createdBy, Instant createdAt) {
    public Managed {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(createdBy, "createdBy");
      Objects.requireNonNull(createdAt, "createdAt");
    }

    public String name() {
      return key.name();
    }
  }

  private final List<ApiKey> configured;
  private volatile List<Managed> managed = List.of();

  public ApiKeys(List<ApiKey> configured) {
    this.configured = List.copyOf(configured);
  }

  public List<ApiKey> configured() {
    return configured;
  }

  /** The managed keys, by name. */
  public List<Managed> managed() {
    return managed;
  }

  /** Whether a configured or managed key has this name. */
  public boolean has(String name) {
    return isConfigured(name) || managed.stream().anyMatch(m -> m.name().equals(name));
  }

  public boolean isConfigured(String name) {
    return configured.stream().anyMatch(k -> k.name().equals(name));
  }

  /**
   * The key a presented key's SHA-256 belongs to, or {@code null}. Every key is compared, in
   * constant time, so the time taken says nothing about which one matched.
   */
  public ApiKey find(String presentedSha256) {
    ApiKey found = null;
    for (ApiKey key : configured) {
      if (key.matchesHash(presentedSha256) && found == null) {
        found = key;
      }
    }
    for (Managed m : managed) {
      if (m.key().matchesHash(presentedSha256) && found == null) {
        found = m.key();
      }
    }
    return found;
  }

  /** Adds or replaces a managed key. */
  public synchronized void put(Managed key) {
    List<Managed> next = new ArrayList<>(managed);
    next.removeIf(m -> m.name().equals(key.name()));
    next.add(key);
    next.sort(Comparator.comparing(Managed::name));
    managed = List.copyOf(next);
  }

  /** Removes a managed key; whether it was there. */
  public synchronized boolean remove(String name) {
    List<Managed> next = new ArrayList<>(managed);
    boolean removed = next.removeIf(m -> m.name().equals(name));
    managed = List.copyOf(next);
    return removed;
  }

  /** Replaces every managed key (a reload from the store). */
  public synchronized void replaceAll(Collection<Managed> keys) {
    List<Managed> next = new ArrayList<>(keys);
    next.sort(Comparator.comparing(Managed::name));
    managed = List.copyOf(next);
  }
}
