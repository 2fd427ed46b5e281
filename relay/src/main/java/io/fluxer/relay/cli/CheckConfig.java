package io.fluxer.relay.cli;

import io.fluxer.relay.config.RelayConfig;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * {@code fluxer checkconfig FILE}: the validation start-up does (the file, with the process's
 * {@code FLUXER_*} variables over it, and the production key check), without starting anything.
 * Exit 0 with a one-line summary, or 1 with the problem and the key it is about.
 */
final class CheckConfig {
  private CheckConfig() {}

  static int run(List<String> args, Cli.Io io) {
    String file = new Cli.Args("checkconfig", args).positional(1, 1, "needs one FILE (.yaml, .yml or .json)").get(0);
    RelayConfig config;
    try {
      config = CliConfig.load(new JsonObject(), file);
    } catch (CliConfig.Problem e) {
      return io.fail("checkconfig", 1, e.getMessage());
    }
    String weak = config.token().productionProblem();
    if (weak != null) {
      return io.fail("checkconfig", 1, weak);
    }
    io.out().printf("%s: ok (port %d, %s engines, cluster %s, %d trusted issuer(s), %d namespace(s))%n", file,
        config.server().port(), config.engine().redis() ? "redis" : "memory",
        config.cluster().enabled() ? "on" : "off", config.token().issuers().size(),
        config.channel().namespaces().size());
    return 0;
  }
}
