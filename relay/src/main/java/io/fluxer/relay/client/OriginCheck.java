package io.fluxer.relay.client;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which browser origins may open a WebSocket. A request without an {@code Origin} header is not
 * from a browser and passes; so does a page of the relay itself (the dashboard): an origin whose
 * host and port are the request's {@code Host}. Any other origin must match an entry: {@code *}
 * (any), an exact origin such as {@code https://app.example.com}, or a pattern with {@code *} such
 * as {@code https://*.example.com}. Comparison ignores case.
 */
public final class OriginCheck {
  private final List<Pattern> patterns;
  private final boolean any;

  public OriginCheck(List<String> allowed) {
    this.any = allowed.contains("*");
    this.patterns = allowed.stream().map(a -> Pattern.compile(toRegex(a))).toList();
  }

  /** The regular expression an allowed-origin entry stands for ({@code *} matches within one host part). */
  public static String toRegex(String allowedOrigin) {
    if ("*".equals(allowedOrigin)) {
      return ".*";
    }
    return ("\\Q" + allowedOrigin.toLowerCase(Locale.ROOT) + "\\E").replace("*", "\\E[^/]*\\Q");
  }

  /**
   * @param origin the request's {@code Origin} header, or {@code null}
   * @param host the request's {@code Host} header (authority), or {@code null}
   */
  public boolean allows(String origin, String host) {
    if (origin == null || any) {
      return true;
    }
    String o = origin.toLowerCase(Locale.ROOT);
    int scheme = o.indexOf("://");
    if (host != null && scheme > 0 && o.substring(scheme + 3).equals(host.toLowerCase(Locale.ROOT))) {
      return true;
    }
    for (Pattern p : patterns) {
      if (p.matcher(o).matches()) {
        return true;
      }
    }
    return false;
  }
}
