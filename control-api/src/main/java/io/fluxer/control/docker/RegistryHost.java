package io.fluxer.control.docker;

import java.util.Locale;

/**
 * Registry hosts as Docker reads them from image references: the first path component of a
 * reference is a registry host when it holds a {@code .} or a {@code :} (a port), is
 * {@code localhost}, or has an upper-case letter (a repository path never does); any other
 * reference ({@code redis:7}, {@code library/redis}, {@code fluxer-test/busybox:1}) lives on Docker
 * Hub, {@value #DOCKER_HUB}. Hosts are compared in lower case, and {@code index.docker.io} is Docker
 * Hub too. Plain loops, no regular expression: linear in the input, and lengths are checked first.
 */
public final class RegistryHost {
  /** Docker Hub, as a reference without a registry host means it. */
  public static final String DOCKER_HUB = "docker.io";
  private static final String LEGACY_HUB = "index.docker.io";
  /** The longest host name (253) plus a colon and a five-digit port. */
  public static final int MAX_LENGTH = 259;

  private RegistryHost() {}

  /**
   * The registry host an image reference pulls from, in lower case ({@code 127.0.0.1:5000/app:1} →
   * {@code 127.0.0.1:5000}, {@code redis:7} → {@value #DOCKER_HUB}); {@code null} for no image.
   */
  public static String ofImage(String image) {
    if (image == null || image.isBlank()) {
      return null;
    }
    int slash = image.indexOf('/');
    if (slash < 0) {
      return DOCKER_HUB;
    }
    String first = image.substring(0, slash);
    boolean domain = first.indexOf('.') >= 0 || first.indexOf(':') >= 0 || first.equals("localhost")
        || !first.equals(first.toLowerCase(Locale.ROOT));
    return domain ? normalize(first) : DOCKER_HUB;
  }

  /**
   * Checks a registry host as an operator names it ({@code registry.example.com},
   * {@code registry.example.com:5000}, {@code 127.0.0.1:5000}, {@code localhost:5000},
   * {@code docker.io}) and answers it in lower case.
   *
   * @throws IllegalArgumentException naming what is wrong (never echoing more than the host)
   */
  public static String parse(String host) {
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("a registry host is required, e.g. registry.example.com:5000");
    }
    if (host.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("a registry host has at most " + MAX_LENGTH + " characters, got "
          + host.length());
    }
    if (host.startsWith("[")) {
      throw new IllegalArgumentException("'" + host + "': IPv6 addresses are not supported; name the registry by "
          + "host name or IPv4 address");
    }
    int colon = host.indexOf(':');
    String name = colon < 0 ? host : host.substring(0, colon);
    if (colon >= 0) {
      String port = host.substring(colon + 1);
      if (port.isEmpty() || port.length() > 5 || !digits(port) || Integer.parseInt(port) < 1
          || Integer.parseInt(port) > 65_535) {
        throw new IllegalArgumentException("'" + host + "': the port must be a number from 1 to 65535");
      }
    }
    if (name.isEmpty() || name.length() > 253) {
      throw new IllegalArgumentException("'" + host + "': the host name must have 1 to 253 characters");
    }
    for (String label : name.split("\\.", -1)) {
      if (!label(label)) {
        throw new IllegalArgumentException("'" + host + "' is not a host name: each part between dots has 1 to 63 "
            + "letters, digits or '-', not starting or ending with '-' (IPv6 addresses are not supported)");
      }
    }
    String lower = host.toLowerCase(Locale.ROOT);
    if (name.indexOf('.') < 0 && colon < 0 && !lower.equals("localhost")) {
      throw new IllegalArgumentException("'" + host + "' cannot name a registry: in an image reference a registry "
          + "host has a '.' or a port, or is localhost (otherwise Docker reads it as a Docker Hub path)");
    }
    return normalize(lower);
  }

  private static String normalize(String host) {
    String lower = host.toLowerCase(Locale.ROOT);
    return lower.equals(LEGACY_HUB) ? DOCKER_HUB : lower;
  }

  private static boolean label(String label) {
    if (label.isEmpty() || label.length() > 63 || label.charAt(0) == '-' || label.charAt(label.length() - 1) == '-') {
      return false;
    }
    for (int i = 0; i < label.length(); i++) {
      char c = label.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  private static boolean digits(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }
}
