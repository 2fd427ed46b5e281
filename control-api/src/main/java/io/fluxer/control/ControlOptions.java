package io.fluxer.control;

import io.fluxer.control.api.HookOptions;
import io.fluxer.control.deploy.DeployerOptions;
import io.fluxer.control.docker.SwarmClientOptions;
import io.fluxer.control.stack.StackPolicy;
import io.fluxer.control.store.EnvCipher;
import io.fluxer.common.config.ConfigException;
import io.fluxer.common.config.ConfigValues;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * The {@code control} section of the configuration (environment: {@code FLUXER_CONTROL_*}).
 *
 * @param dockerHost      the Docker engine of a swarm manager ({@code docker_host}, default the local socket)
 * @param secretKey       base64 of 32 random bytes ({@code secret_key} or {@code secret_key_file}): the
 *                        AES-256 key that seals stack environments, files and webhook secrets in PostgreSQL
 * @param deployDeadline  how long a deployment may take to converge before it fails ({@code deploy_deadline})
 * @param dockerPoolSize  worker threads for the blocking Docker calls ({@code docker_pool_size})
 * @param stackPolicy     what stack files may reach outside their stack ({@link StackPolicy#KEYS}; nothing by default)
 * @param hooks           the stack webhooks' limits ({@code hook_*}, see {@link HookOptions})
 * @param plane           whose logs may be read and how a standby waits ({@link PlaneOptions#KEYS})
 */
public record ControlOptions(String dockerHost, String secretKey, Duration deployDeadline, int dockerPoolSize,
                             StackPolicy stackPolicy, HookOptions hooks, PlaneOptions plane) {
  static final Set<String> KEYS = keys(Set.of("docker_host", "secret_key", "secret_key_file", "deploy_deadline",
      "docker_pool_size"), StackPolicy.KEYS, HookOptions.KEYS, PlaneOptions.KEYS);
  /** How to make a key, for the error that asks for one. */
  static final String KEY_HINT = "32 random bytes in base64, e.g. `head -c 32 /dev/urandom | base64`";

  public ControlOptions {
    if (dockerHost == null || !dockerHost.matches("(unix|tcp|npipe)://.+")) {
      throw new ConfigException("control.docker_host", "must be unix://, tcp:// or npipe://, got " + dockerHost);
    }
    if (secretKey == null || secretKey.isBlank()) {
      throw new ConfigException("control.secret_key", "the control plane needs a key to encrypt stack "
          + "environments, files and webhook secrets at rest: set control.secret_key (or control.secret_key_file, "
          + "e.g. a Docker secret) to " + KEY_HINT);
    }
    try {
      EnvCipher.fromBase64(secretKey);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("control.secret_key", e.getMessage() + ": it must be " + KEY_HINT);
    }
  }

  public static ControlOptions fromJson(JsonObject json) {
    ConfigValues v = new ConfigValues(json, "control", KEYS);
    return new ControlOptions(
        v.string("docker_host", SwarmClientOptions.DEFAULT_DOCKER_HOST),
        v.secret("secret_key"),
        v.duration("deploy_deadline", DeployerOptions.DEFAULT_DEADLINE, Duration.ofSeconds(1)),
        v.integer("docker_pool_size", SwarmClientOptions.DEFAULT_WORKER_POOL_SIZE, 1, 64),
        StackPolicy.fromValues(v),
        HookOptions.from(v),
        PlaneOptions.fromValues(v));
  }

  @SafeVarargs
  private static Set<String> keys(Set<String>... groups) {
    Set<String> all = new HashSet<>();
    for (Set<String> g : groups) {
      all.addAll(g);
    }
    return Set.copyOf(all);
  }

  public EnvCipher cipher() {
    return EnvCipher.fromBase64(secretKey);
  }

  public SwarmClientOptions swarmClient() {
    SwarmClientOptions d = SwarmClientOptions.defaults();
    return new SwarmClientOptions(dockerHost, dockerPoolSize, d.connectTimeout(), d.responseTimeout(),
        d.updateAttempts());
  }

  public DeployerOptions deployer() {
    return DeployerOptions.defaults().withDeadline(deployDeadline);
  }

  /** Never prints the key. */
  @Override
  public String toString() {
    return "ControlOptions[dockerHost=" + dockerHost + ", deployDeadline=" + deployDeadline + ", dockerPoolSize="
        + dockerPoolSize + ", stackPolicy=" + stackPolicy + ", hooks=" + hooks + ", plane=" + plane + "]";
  }
}
