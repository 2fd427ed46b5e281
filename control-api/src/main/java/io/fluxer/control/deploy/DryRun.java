package io.fluxer.control.deploy;

import io.fluxer.control.stack.NetworkPlan;
import io.fluxer.control.stack.ServicePlan;
import io.fluxer.control.stack.SpecHash;
import io.fluxer.control.stack.SpecMatch;
import io.fluxer.control.stack.StackFileException;
import io.fluxer.control.stack.StackPlan;
import io.fluxer.control.stack.SwarmObjectPlan;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What deploying a plan would do to the swarm as it is now, without doing it: the answer of
 * {@code POST /api/v1/stacks/{name}/plan}. Pure: the swarm's read-only listings come in as JSON.
 *
 * <p>Each service gets the action {@link Deployer} would take: {@code create} (no service of that
 * name), {@code unchanged} (its spec-hash label is the plan's: {@link Deployer#upToDate}),
 * {@code update} (any other), and for the stack's services that the file no longer has
 * {@code remove} with prune, {@code keep} without (a deploy leaves them running as they are).
 * An update lists {@code changes}: the key paths where the running spec differs from the plan
 * ({@link SpecMatch}; never values, which may be secrets). Networks, secrets and configs are
 * {@code create} or {@code unchanged}; an external one that does not exist is {@code missing}, and
 * also an error, since the deploy would fail on it.
 */
public final class DryRun {
  /** The actions, in the order a summary lists them. */
  public static final List<String> ACTIONS = List.of("create", "update", "remove", "unchanged", "keep");

  private DryRun() {
  }

  /**
   * @param plan the stack file's plan
   * @param services the stack's services ({@code GET /services} filtered by the stack's label)
   * @param networks every network ({@code GET /networks})
   * @param secrets every secret ({@code GET /secrets})
   * @param configs every config ({@code GET /configs}, with their data)
   * @param prune whether the deploy would remove the stack's services the file does not have
   * @return {@code services}, {@code networks}, {@code secrets}, {@code configs}, {@code summary}
   *     (services per action) and {@code errors} (missing external objects)
   */
  public static JsonObject of(StackPlan plan, JsonArray services, JsonArray networks, JsonArray secrets,
                              JsonArray configs, boolean prune) {
    Map<String, JsonObject> running = new LinkedHashMap<>();
    services.forEach(o -> running.put(name((JsonObject) o), (JsonObject) o));
    SpecMatch match = SpecMatch.ofListings(plan, networks, configs);

    JsonArray serviceRows = new JsonArray();
    Set<String> planned = new HashSet<>();
    for (ServicePlan sp : plan.services()) {
      planned.add(sp.name());
      JsonObject existing = running.get(sp.name());
      JsonObject row = new JsonObject().put("name", sp.name()).put("key", sp.key());
      if (existing == null) {
        row.put("action", "create");
      } else if (Deployer.upToDate(sp, existing)) {
        row.put("action", "unchanged");
      } else {
        row.put("action", "update").put("changes", changes(match, sp, existing));
      }
      serviceRows.add(row);
    }
    new TreeMap<>(running).keySet().stream().filter(n -> !planned.contains(n))
        .forEach(n -> serviceRows.add(new JsonObject().put("name", n).put("action", prune ? "remove" : "keep")));

    JsonArray errors = new JsonArray();
    Set<String> networkSet = new HashSet<>();
    networks.forEach(o -> networkSet.add(((JsonObject) o).getString("Name")));
    JsonArray networkRows = new JsonArray();
    for (NetworkPlan n : plan.networks()) {
      networkRows.add(object(n.name(), n.external(), networkSet.contains(n.name()), "networks." + n.key(),
          "network", errors));
    }
    JsonObject out = new JsonObject()
        .put("services", serviceRows)
        .put("networks", networkRows)
        .put("secrets", objects(plan.secrets(), secrets, errors))
        .put("configs", objects(plan.configs(), configs, errors));
    return out.put("summary", summary(serviceRows)).put("errors", errors);
  }

  /**
   * The answer for a file that cannot be deployed: its problems as {@code errors} (key path, line
   * and column), the warnings found before them, and nothing planned.
   */
  public static JsonObject unreadable(StackFileException failure) {
    JsonArray errors = new JsonArray();
    failure.problems().forEach(p -> errors.add(p.toJson()));
    JsonArray warnings = new JsonArray();
    failure.warnings().forEach(w -> warnings.add(w.toJson()));
    return new JsonObject().put("services", new JsonArray()).put("networks", new JsonArray())
        .put("secrets", new JsonArray()).put("configs", new JsonArray()).put("summary", summary(new JsonArray()))
        .put("errors", errors).put("warnings", warnings);
  }

  /** Services per action, every action listed. */
  private static JsonObject summary(JsonArray serviceRows) {
    JsonObject summary = new JsonObject();
    ACTIONS.forEach(a -> summary.put(a, 0));
    serviceRows.forEach(o -> {
      String action = ((JsonObject) o).getString("action");
      summary.put(action, summary.getInteger(action) + 1);
    });
    return summary;
  }

  /** The key paths that differ; when none shows (a key the file no longer sets), the hash label. */
  private static JsonArray changes(SpecMatch match, ServicePlan sp, JsonObject existing) {
    List<String> differences = new ArrayList<>(match.compare(sp, existing.getJsonObject("Spec", new JsonObject()))
        .differences());
    if (differences.isEmpty()) {
      differences.add("Labels." + SpecHash.LABEL);
    }
    return new JsonArray(differences);
  }

  private static JsonArray objects(List<SwarmObjectPlan> plans, JsonArray existing, JsonArray errors) {
    Set<String> names = new HashSet<>();
    existing.forEach(o -> names.add(name((JsonObject) o)));
    JsonArray rows = new JsonArray();
    for (SwarmObjectPlan p : plans) {
      String word = p.kind().name().toLowerCase(Locale.ROOT);
      rows.add(object(p.name(), p.external(), names.contains(p.name()), word + "s." + p.key(), word, errors));
    }
    return rows;
  }

  private static JsonObject object(String name, boolean external, boolean exists, String key, String word,
                                   JsonArray errors) {
    if (exists) {
      return new JsonObject().put("name", name).put("action", "unchanged");
    }
    if (external) {
      errors.add(new JsonObject().put("key", key).put("message", word + " " + name
          + " is declared external but does not exist: the deploy would fail"));
      return new JsonObject().put("name", name).put("action", "missing");
    }
    return new JsonObject().put("name", name).put("action", "create");
  }

  private static String name(JsonObject object) {
    return object.getJsonObject("Spec", new JsonObject()).getString("Name");
  }
}
