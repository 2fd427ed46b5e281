package io.fluxer.relay.client;

import io.fluxer.relay.channel.Glob;
import java.util.List;
import java.util.Locale;

/**
 * Which browser origins may open a WebSocket (and, for {@code api.cors_allowed_origins}, call the
 * HTTP APIs). A request without an {@code Origin} header is not from a browser and passes; so does a
 * page of the relay itself (the dashboard): an origin whose host and port are the request's
 * {@code Host}. Any other origin must match an entry: {@code *} (any), an exact origin such as
 * {@code https://app.example.com}, or a pattern with {@code *} such as {@code https://*.example.com}.
 *
 * <p>A {@code *} in a pattern stands for characters within one part of the origin: inside one label
 * of the host name it never matches a dot ({@code https://*.example.com} admits
 * {@code https://a.example.com}, not {@code https://a.b.example.com}; {@code https://app.example.*}
 * does not admit {@code https://app.example.com.evil.net}), and it never matches across the scheme or
 * the port; a port of {@code *} admits any port. Origins are compared part by part, ignoring case,
 * without regular expressions.
 */
public final class OriginCheck {
  /** Longer {@code Origin} headers are refused unread. */
  static final int MAX_ORIGIN = 512;

  /** An origin split into its parts; {@code port} is null when the origin names none. */
  private record Parts(String scheme, String[] labels, String port) {}

  private final List<Parts> patterns;
  private final boolean any;

  public OriginCheck(List<String> allowed) {
    this.any = allowed.contains("*");
    this.patterns = allowed.stream().filter(a -> !"*".equals(a)).map(OriginCheck::split)
        .filter(p -> p != null).toList();
  }

  /**
   * @param origin the request's {@code Origin} header, or {@code null}
   * @param host the request's {@code Host} header (authority), or {@code null}
   */
  public boolean allows(String origin, String host) {
    if (origin == null || any) {
      return true;
    }
    if (origin.length() > MAX_ORIGIN) {
      return false;
    }
    String o = origin.toLowerCase(Locale.ROOT);
    int scheme = o.indexOf("://");
    if (host != null && scheme > 0 && o.substring(scheme + 3).equals(host.toLowerCase(Locale.ROOT))) {
      return true;
    }
    return matches(o);
  }

  /** Whether {@code origin} matches an allowed entry (the same-origin rule of {@link #allows} aside). */
  public boolean matches(String origin) {
    if (any) {
      return true;
    }
    if (origin == null || origin.length() > MAX_ORIGIN) {
      return false;
    }
    Parts o = split(origin);
    if (o == null) {
      return false;
    }
    for (Parts p : patterns) {
      if (matches(p, o)) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(Parts pattern, Parts origin) {
    if (!glob(pattern.scheme(), origin.scheme()) || pattern.labels().length != origin.labels().length) {
      return false;
    }
    for (int i = 0; i < pattern.labels().length; i++) {
      if (!glob(pattern.labels()[i], origin.labels()[i])) {
        return false;
      }
    }
    if (pattern.port() == null || origin.port() == null) {
      return pattern.port() == null && origin.port() == null;
    }
    return pattern.port().equals("*") || pattern.port().equals(origin.port());
  }

  /**
   * {@code scheme://host[:port]} split into parts, lower case; null when it is not of that form (a
   * path, user info or an empty label). An IPv6 host in brackets is one label.
   */
  private static Parts split(String origin) {
    String o = origin.strip().toLowerCase(Locale.ROOT);
    int sep = o.indexOf("://");
    if (sep <= 0) {
      return null;
    }
    String scheme = o.substring(0, sep);
    String authority = o.substring(sep + 3);
    if (authority.isEmpty() || authority.indexOf('/') >= 0 || authority.indexOf('@') >= 0) {
      return null;
    }
    String host = authority;
    String port = null;
    int close = authority.lastIndexOf(']');
    int colon = authority.lastIndexOf(':');
    if (colon > close) {
      host = authority.substring(0, colon);
      port = authority.substring(colon + 1);
      if (port.isEmpty()) {
        return null;
      }
    }
    if (host.startsWith("[")) {
      return close == host.length() - 1 ? new Parts(scheme, new String[] {host}, port) : null;
    }
    String[] labels = host.split("\\.", -1); // a literal split on one character: no regex engine runs
    for (String label : labels) {
      if (label.isEmpty()) {
        return null;
      }
    }
    return new Parts(scheme, labels, port);
  }

  /** Whether {@code text} matches {@code pattern} ({@link Glob}: linear, the same matcher as channel patterns). */
  static boolean glob(String pattern, String text) {
    return pattern.length() <= Glob.MAX_LENGTH && Glob.compile(pattern).matches(text);
  }
}
