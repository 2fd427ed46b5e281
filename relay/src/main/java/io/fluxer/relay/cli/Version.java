package io.fluxer.relay.cli;

import io.fluxer.relay.client.NodeInfo;
import java.util.List;

/** {@code fluxer version}: the relay's version and the Java it runs on. */
final class Version {
  private Version() {}

  static int run(List<String> args, Cli.Io io) {
    new Cli.Args("version", args).positional(0, 0, "takes no arguments");
    io.out().println("fluxer " + NodeInfo.VERSION + " (Java " + Runtime.version() + ")");
    return 0;
  }
}
