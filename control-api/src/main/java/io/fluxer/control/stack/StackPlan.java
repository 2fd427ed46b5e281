package io.fluxer.control.stack;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The desired swarm state of one stack, made from its stack file by {@link StackFile#parse}: what a
 * deployer creates or updates, in the Engine API's JSON shapes. Every object Fluxer creates for the
 * stack carries the label {@value #NAMESPACE_LABEL}={@code stack}, like {@code docker stack deploy}.
 *
 * <p>Order: services as in the file; networks, secrets and configs by swarm name.
 *
 * @param stack the stack name
 * @param services one per entry under {@code services:}
 * @param networks the networks at least one service attaches to (external ones included, marked)
 * @param secrets every declared secret (external ones included, marked)
 * @param configs every declared config (external ones included, marked)
 * @param warnings keys accepted but not applied, for the reply, in file order
 */
public record StackPlan(String stack, List<ServicePlan> services, List<NetworkPlan> networks,
    List<SwarmObjectPlan> secrets, List<SwarmObjectPlan> configs, List<StackWarning> warnings) {
  /** The label that marks every object of a stack, as {@code docker stack deploy} sets it. */
  public static final String NAMESPACE_LABEL = "com.docker.stack.namespace";
  /** The service label holding the image as written in the stack file, as {@code docker stack deploy} sets it. */
  public static final String IMAGE_LABEL = "com.docker.stack.image";

  public StackPlan {
    Objects.requireNonNull(stack, "stack");
    services = List.copyOf(services);
    networks = List.copyOf(networks);
    secrets = List.copyOf(secrets);
    configs = List.copyOf(configs);
    warnings = List.copyOf(warnings);
  }

  /** The service with this short name ({@code web}, not {@code <stack>_web}). */
  public Optional<ServicePlan> service(String key) {
    return services.stream().filter(s -> s.key().equals(key)).findFirst();
  }

  /** What a tag may be, as the registry API defines it. */
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

  /**
   * This plan with other tags on some services' images ({@code {"web": "2.1"}} by service key): the
   * image's tag or digest is replaced, the {@value #IMAGE_LABEL} label follows, and the spec hash is
   * taken again, so only those services update.
   *
   * @throws IllegalArgumentException naming an unknown service or a malformed tag
   */
  public StackPlan withImageTags(Map<String, String> tags) {
    for (Map.Entry<String, String> e : tags.entrySet()) {
      if (service(e.getKey()).isEmpty()) {
        throw new IllegalArgumentException("stack " + stack + " has no service '" + e.getKey() + "' (services: "
            + services.stream().map(ServicePlan::key).collect(Collectors.joining(", ")) + ")");
      }
      if (e.getValue() == null || !TAG.matcher(e.getValue()).matches()) {
        throw new IllegalArgumentException("'" + e.getValue() + "' is not an image tag (letters, digits, _ . -; "
            + "at most 128, not starting with . or -)");
      }
    }
    List<ServicePlan> retagged = services.stream().map(sp -> {
      String tag = tags.get(sp.key());
      if (tag == null) {
        return sp;
      }
      JsonObject spec = sp.spec();
      String image = withTag(sp.image(), tag);
      spec.getJsonObject("TaskTemplate").getJsonObject("ContainerSpec").put("Image", image);
      JsonObject labels = spec.getJsonObject("Labels");
      labels.put(IMAGE_LABEL, image);
      String hash = SpecHash.of(spec);
      labels.put(SpecHash.LABEL, hash);
      return new ServicePlan(sp.key(), sp.name(), spec, hash);
    }).toList();
    return new StackPlan(stack, retagged, networks, secrets, configs, warnings);
  }

  /** {@code registry:5000/app:1@sha256:…} with tag {@code 2} → {@code registry:5000/app:2}. */
  static String withTag(String image, String tag) {
    int at = image.indexOf('@');
    String name = at < 0 ? image : image.substring(0, at);
    int colon = name.lastIndexOf(':');
    if (colon > name.lastIndexOf('/')) {
      name = name.substring(0, colon);
    }
    return name + ":" + tag;
  }

  /** A summary for replies and logs; never contains secret or config data. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("stack", stack)
        .put("services", new JsonArray(services.stream().map(ServicePlan::toJson).collect(Collectors.toList())))
        .put("networks", new JsonArray(networks.stream().map(NetworkPlan::toJson).collect(Collectors.toList())))
        .put("secrets", new JsonArray(secrets.stream().map(SwarmObjectPlan::toJson).collect(Collectors.toList())))
        .put("configs", new JsonArray(configs.stream().map(SwarmObjectPlan::toJson).collect(Collectors.toList())))
        .put("warnings", new JsonArray(warnings.stream().map(StackWarning::toJson).collect(Collectors.toList())));
  }
}
