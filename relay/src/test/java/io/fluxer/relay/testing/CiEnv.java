package io.fluxer.relay.testing;

/**
 * A service a test needs that scripts/test.sh starts and names in an environment variable (a Docker
 * swarm, a registry, the images): under CI a missing one fails the test; elsewhere the test skips,
 * saying so, never silently.
 */
public final class CiEnv {
  private CiEnv() {}

  /**
   * The value of {@code name}, or {@code null} when it is not set outside CI (the caller skips).
   *
   * @param test who asks, for the skip line
   * @param startedBy what sets it, for the failure under CI (e.g. "scripts/test.sh starts a Docker swarm")
   * @throws AssertionError when {@code CI=true} and it is not set
   */
  public static String orSkip(String name, String test, String startedBy) {
    String value = System.getenv(name);
    if (value != null && !value.isBlank()) {
      return value;
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError("CI=true but " + name + " is not set: run the tests through scripts/test.sh ("
          + startedBy + ")");
    }
    System.err.println("[" + test + "] " + name + " is not set: skipping");
    return null;
  }
}
