package io.fluxer.dist;

import io.fluxer.common.config.ConfigException;
import io.fluxer.common.launch.Launch;
import io.fluxer.control.ControlMain;
import io.fluxer.control.ControlOptions;
import io.fluxer.control.ControlService;
import io.fluxer.relay.Main;
import io.fluxer.relay.config.ConfigLoader;
import io.fluxer.relay.config.RelayConfig;
import io.fluxer.relay.node.RelayNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * {@code bin/fluxer-control}: the control plane alone ({@link ControlMain}), or with {@code --relay} a
 * relay node and the control plane in one JVM, for development ({@code scripts/run_dev.sh --control}).
 * The one place that wires the two together: neither module depends on the other.
 */
public final class ControlLauncher {
  private static final String PROGRAM = ControlMain.PROGRAM;

  private ControlLauncher() {}

  public static void main(String[] args) throws Exception {
    ControlMain.Args parsed = ControlMain.Args.parse(args);
    if (!parsed.relay()) {
      ControlMain.main(args);
      return;
    }
    JsonObject base = parsed.base();
    ConfigLoader.Loaded loaded = Launch.readConfig(PROGRAM, v -> ConfigLoader.load(v, base, parsed.configFile(),
        Set.of("control")));
    RelayConfig config = loaded.relay();
    ControlOptions control;
    try {
      if (parsed.cluster()) {
        config = config.withCluster(config.cluster().withEnabled(true));
      }
      control = ControlOptions.fromJson(loaded.section("control"));
    } catch (ConfigException e) {
      throw Launch.exit(PROGRAM, e.getMessage());
    }
    String problem = parsed.dev() ? null : config.token().productionProblem();
    if (problem == null) {
      problem = ControlMain.startProblem(config.postgres(), config.cluster(), true);
    }
    if (problem != null) {
      throw Launch.exit(PROGRAM, problem);
    }

    Vertx vertx = Launch.startVertx(PROGRAM, config.cluster());
    RelayNode node;
    try {
      node = Launch.await(Main.startNode(vertx, config), 30);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      Launch.await(vertx.close(), 30);
      throw Launch.exit(PROGRAM, "cannot start the relay: " + cause.getMessage());
    }
    ControlService service = ControlMain.startOrExit(vertx, config.postgres(), control, config.cluster(), node::stop);
    int stopSeconds = 10 + (int) config.server().shutdownDrain().toSeconds();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        Launch.await(service.stop().eventually(node::stop).eventually(vertx::close), stopSeconds);
      } catch (Exception ignored) {
        // exiting anyway
      }
    }, "fluxer-control-shutdown"));
    System.out.printf("Fluxer relay %s listening on ws://%s:%d/connection/websocket%n", RelayNode.VERSION,
        config.server().host(), node.port());
    if (parsed.dev()) {
      Main.devLines(config, node.port()).forEach(System.out::println);
    }
    ControlMain.announce(service, ControlMain.drivingLine(control, vertx));
  }
}
