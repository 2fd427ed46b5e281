package io.fluxer.control.deploy;

import io.fluxer.control.docker.InspectedService;
import io.fluxer.control.docker.SwarmClient;
import io.fluxer.control.stack.ServicePlan;
import io.fluxer.control.stack.SpecHash;
import io.fluxer.control.stack.SpecMatch;
import io.fluxer.control.stack.StackPlan;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Takes over the services of a stack that something else deployed ({@code docker stack deploy}):
 * compares each running service with the plan of the stack file ({@link SpecMatch}), and gives every
 * equivalent one the plan's {@value SpecHash#LABEL} by a label-only update (the task template is sent
 * back as the engine has it, so no task restarts). From then on a deploy leaves those services alone
 * until their plan changes. Services that differ keep running unlabelled: the next deploy updates them.
 */
public final class StackAdoption {

  /** A running service that is not what the file plans, with the key paths that differ. */
  public record Drift(String service, List<String> differences) {
    public JsonObject toJson() {
      return new JsonObject().put("service", service).put("differences", new JsonArray(new ArrayList<>(differences)));
    }
  }

  /**
   * What adopting found: services labelled, services that differ, planned services the swarm lacks,
   * the stack's services the file lacks (by swarm name), and notes for the operator.
   */
  public record Outcome(List<String> adopted, List<Drift> drift, List<String> missing, List<String> extra,
                        List<String> notes) {

    /** {@code adopted revision 1: matched a, b; drift: c; missing: d; extra: e}, "—" for none. */
    public String message(Integer revision) {
      StringBuilder out = new StringBuilder("adopted revision ").append(revision).append(": matched ")
          .append(names(adopted)).append("; drift: ").append(names(drift.stream().map(Drift::service).toList()));
      if (!missing.isEmpty()) {
        out.append("; missing: ").append(names(missing));
      }
      if (!extra.isEmpty()) {
        out.append("; extra: ").append(names(extra));
      }
      return out.toString();
    }

    /** {@code {"adopted", "drift": [{service, differences}], "missing", "extra", "notes"}}. */
    public JsonObject toJson() {
      JsonArray drifted = new JsonArray();
      drift.forEach(d -> drifted.add(d.toJson()));
      return new JsonObject().put("adopted", new JsonArray(new ArrayList<>(adopted))).put("drift", drifted)
          .put("missing", new JsonArray(new ArrayList<>(missing))).put("extra", new JsonArray(new ArrayList<>(extra)))
          .put("notes", new JsonArray(new ArrayList<>(notes)));
    }

    private static String names(List<String> names) {
      return names.isEmpty() ? "—" : String.join(", ", names);
    }
  }

  private StackAdoption() {}

  /** Compares the stack's running services with {@code plan} and labels the equivalent ones. */
  static Future<Outcome> adopt(SwarmClient client, StackPlan plan) {
    String label = SwarmClient.STACK_NAMESPACE_LABEL + "=" + plan.stack();
    return Future.all(client.listStackServices(plan.stack()), client.listNetworks(null), client.listConfigs(label))
        .compose(all -> {
          SpecMatch match = SpecMatch.ofListings(plan, all.resultAt(1), all.resultAt(2));
          Map<String, InspectedService> running = new LinkedHashMap<>();
          for (Object o : (JsonArray) all.resultAt(0)) {
            InspectedService s = InspectedService.fromJson((JsonObject) o);
            running.put(s.name(), s);
          }
          List<String> adopted = new ArrayList<>();
          List<Drift> drift = new ArrayList<>();
          List<String> missing = new ArrayList<>();
          Set<String> notes = new LinkedHashSet<>();
          Future<Void> labels = Future.succeededFuture();
          for (ServicePlan sp : plan.services()) {
            InspectedService s = running.remove(sp.name());
            if (s == null) {
              missing.add(sp.name());
              continue;
            }
            SpecMatch.Result result = match.compare(sp, s.spec());
            notes.addAll(result.notes());
            if (!result.equivalent()) {
              drift.add(new Drift(sp.name(), result.differences()));
              continue;
            }
            adopted.add(sp.name());
            labels = labels.compose(v -> label(client, match, sp, s));
          }
          if (!drift.isEmpty()) {
            notes.add("services with drift keep running as they are, without the spec-hash label: the next deploy"
                + " updates them to the file");
          }
          if (!missing.isEmpty()) {
            notes.add("missing services are created by the next deploy");
          }
          List<String> extra = new ArrayList<>(running.keySet());
          return labels.map(v -> new Outcome(adopted, drift, missing, extra, new ArrayList<>(notes)));
        });
  }

  /**
   * Sets the plan's hash on the service's labels and nothing else. Should the engine answer that the
   * service changed meanwhile, it is compared again before the label goes on.
   */
  private static Future<Void> label(SwarmClient client, SpecMatch match, ServicePlan sp, InspectedService s) {
    if (sp.specHash().equals(s.spec().getJsonObject("Labels", new JsonObject()).getString(SpecHash.LABEL))) {
      return Future.succeededFuture();
    }
    return client.updateService(s, spec -> {
      if (!match.compare(sp, spec).equivalent()) {
        throw new IllegalStateException("service " + sp.name() + " changed while it was adopted; adopt again");
      }
      JsonObject labels = spec.getJsonObject("Labels");
      if (labels == null) {
        spec.put("Labels", labels = new JsonObject());
      }
      labels.put(SpecHash.LABEL, sp.specHash());
      return spec;
    }).mapEmpty();
  }
}
