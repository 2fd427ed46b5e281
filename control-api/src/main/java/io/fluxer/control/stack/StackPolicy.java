package io.fluxer.control.stack;

import io.fluxer.common.config.ConfigException;
import io.fluxer.common.config.ConfigValues;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a stack file may reach outside its own stack, so that the {@code ops} role is not root on the
 * hosts: host paths it may bind-mount ({@code control.bind_sources}, prefixes), the Docker socket and
 * {@code /} only when {@code control.admin_bind_sources} names them and an admin asks, and the
 * existing networks, secrets, configs and volumes it may use with {@code external: true} (or by a
 * {@code name} outside the stack). Everything is refused by default. {@link StackFile} applies it
 * while it reads a file, so each refusal names the key path and line.
 *
 * <p>Paths are compared by components after normalising {@code .}, {@code ..}, repeated and
 * trailing slashes. Symbolic links on the host are not resolved (the control plane does not see the
 * hosts): an allowlisted directory must not hold links a container could have created.
 */
public final class StackPolicy {
  /** The keys of the {@code control} section this reads. */
  public static final Set<String> KEYS = Set.of("bind_sources", "admin_bind_sources", "external_networks",
      "external_secrets", "external_configs", "external_volumes");
  /** The paths of the Docker engine's socket: never bind-mounted, nor any directory above them, without an admin. */
  static final List<String> DOCKER_SOCKETS = List.of("/var/run/docker.sock", "/run/docker.sock");

  /** Nothing from outside the stack: the default. */
  public static final StackPolicy DEFAULT = new StackPolicy(List.of(), List.of(), Set.of(), Set.of(), Set.of(),
      Set.of(), false);
  /** No check at all: for tests and tools that only convert files, never for the control plane. */
  public static final StackPolicy UNRESTRICTED = new StackPolicy(List.of(), List.of(), Set.of(), Set.of(), Set.of(),
      Set.of(), true);

  private final List<String> bindSources;
  private final List<String> adminBindSources;
  private final Set<String> externalNetworks;
  private final Set<String> externalSecrets;
  private final Set<String> externalConfigs;
  private final Set<String> externalVolumes;
  private final boolean unrestricted;

  private StackPolicy(List<String> bindSources, List<String> adminBindSources, Set<String> externalNetworks,
                      Set<String> externalSecrets, Set<String> externalConfigs, Set<String> externalVolumes,
                      boolean unrestricted) {
    this.bindSources = List.copyOf(bindSources);
    this.adminBindSources = List.copyOf(adminBindSources);
    this.externalNetworks = Set.copyOf(externalNetworks);
    this.externalSecrets = Set.copyOf(externalSecrets);
    this.externalConfigs = Set.copyOf(externalConfigs);
    this.externalVolumes = Set.copyOf(externalVolumes);
    this.unrestricted = unrestricted;
  }

  /**
   * A policy from allowlists; each bind source must be an absolute path ({@code key} names the config
   * key in the error).
   */
  public static StackPolicy of(List<String> bindSources, List<String> adminBindSources, Set<String> externalNetworks,
                               Set<String> externalSecrets, Set<String> externalConfigs, Set<String> externalVolumes) {
    return new StackPolicy(paths("control.bind_sources", bindSources),
        paths("control.admin_bind_sources", adminBindSources), externalNetworks, externalSecrets, externalConfigs,
        externalVolumes, false);
  }

  /** Reads the keys in {@link #KEYS} from the {@code control} section; absent ones are empty. */
  public static StackPolicy fromValues(ConfigValues v) {
    return of(v.strings("bind_sources", List.of()), v.strings("admin_bind_sources", List.of()),
        new LinkedHashSet<>(v.strings("external_networks", List.of())),
        new LinkedHashSet<>(v.strings("external_secrets", List.of())),
        new LinkedHashSet<>(v.strings("external_configs", List.of())),
        new LinkedHashSet<>(v.strings("external_volumes", List.of())));
  }

  private static List<String> paths(String key, List<String> given) {
    List<String> out = new ArrayList<>();
    for (String p : given) {
      String n = normalize(p);
      if (n == null) {
        throw new ConfigException(key, "\"" + p + "\" is not an absolute path");
      }
      out.add(n);
    }
    return out;
  }

  /**
   * Why a bind mount of {@code source} (as written) is refused, or null when it is allowed.
   *
   * @param admin whether the admin-only sources may be used (the caller is an admin, or a stored
   *     revision is redeployed as it was accepted)
   */
  String bindRefusal(String source, boolean admin) {
    if (unrestricted) {
      return null;
    }
    String path = normalize(source);
    if (path == null) {
      return "host path \"" + source + "\" is not absolute";
    }
    boolean named = anyUnder(path, adminBindSources);
    if (adminOnly(path)) {
      if (named && admin) {
        return null;
      }
      return named
          ? "host path " + path + " is admin-only (control.admin_bind_sources): only the admin role may deploy it"
          : "host path " + path + " gives the Docker engine or the whole host: it is never bind-mounted unless"
              + " control.admin_bind_sources names it, and then only by the admin role";
    }
    if (anyUnder(path, bindSources) || named && admin) {
      return null;
    }
    return "host path " + path + " is not allowed: bind mounts need a prefix listed in control.bind_sources"
        + " (empty by default)" + (named ? "; control.admin_bind_sources names it, for the admin role only" : "");
  }

  /** Whether {@code path} (normalised) is {@code /} or holds a Docker socket. */
  static boolean adminOnly(String path) {
    if (path.equals("/")) {
      return true;
    }
    for (String socket : DOCKER_SOCKETS) {
      if (under(socket, path)) {
        return true;
      }
    }
    return false;
  }

  /** What a stack file can name that exists already, with its allowlist key. */
  enum Existing {
    NETWORK("network", "external_networks"), SECRET("secret", "external_secrets"),
    CONFIG("config", "external_configs"), VOLUME("volume", "external_volumes");

    final String word;
    final String key;

    Existing(String word, String key) {
      this.word = word;
      this.key = key;
    }
  }

  /** Why using the existing {@code name} ({@code external: true}, or named outside the stack) is refused, or null. */
  String externalRefusal(Existing kind, String name) {
    if (unrestricted) {
      return null;
    }
    if (kind == Existing.NETWORK && name.equals("host")) {
      return "the host network gives the host's network stack: it is never used";
    }
    Set<String> allowed = switch (kind) {
      case NETWORK -> externalNetworks;
      case SECRET -> externalSecrets;
      case CONFIG -> externalConfigs;
      case VOLUME -> externalVolumes;
    };
    if (allowed.contains(name)) {
      return null;
    }
    return "the existing " + kind.word + " \"" + name + "\" is not allowed: list it in control." + kind.key
        + " (empty by default)";
  }

  /** The services of {@code plan} that bind-mount an admin-only path: a webhook may not change their image. */
  public List<String> adminOnlyServices(StackPlan plan) {
    List<String> out = new ArrayList<>();
    for (ServicePlan sp : plan.services()) {
      var mounts = sp.spec().getJsonObject("TaskTemplate").getJsonObject("ContainerSpec").getJsonArray("Mounts");
      if (mounts == null) {
        continue;
      }
      for (Object o : mounts) {
        var m = (io.vertx.core.json.JsonObject) o;
        String source = m.getString("Source");
        if ("bind".equals(m.getString("Type")) && source != null && bindRefusal(source, false) != null) {
          out.add(sp.key());
          break;
        }
      }
    }
    return out;
  }

  /**
   * An absolute path with {@code .}, {@code ..}, empty components and the trailing slash resolved
   * ({@code /var//run/../run/docker.sock/} → {@code /var/run/docker.sock}); null when not absolute.
   */
  static String normalize(String path) {
    if (path == null || !path.startsWith("/")) {
      return null;
    }
    List<String> parts = new ArrayList<>();
    for (String part : path.split("/", -1)) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!parts.isEmpty()) {
          parts.remove(parts.size() - 1);
        }
        continue;
      }
      parts.add(part);
    }
    return "/" + String.join("/", parts);
  }

  /** Whether normalised {@code path} is {@code prefix} or below it, by components. */
  static boolean under(String path, String prefix) {
    return prefix.equals("/") || path.equals(prefix) || path.startsWith(prefix + "/");
  }

  private static boolean anyUnder(String path, List<String> prefixes) {
    for (String prefix : prefixes) {
      if (under(path, prefix)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return unrestricted ? "StackPolicy[unrestricted]" : "StackPolicy[bind_sources=" + bindSources
        + ", admin_bind_sources=" + adminBindSources + ", external_networks=" + externalNetworks
        + ", external_secrets=" + externalSecrets + ", external_configs=" + externalConfigs + ", external_volumes="
        + externalVolumes + "]";
  }
}
