package io.fluxer.relay.client;

import io.fluxer.common.config.Subnet;
import io.vertx.core.MultiMap;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The address of the client behind a request: the TCP peer, unless the peer is one of the trusted
 * proxies ({@code server.trusted_proxies}); then the right-most address of {@code X-Forwarded-For}
 * that is not itself a trusted proxy (every proxy appends the address it saw, so entries left of the
 * last trusted hop may be anything the client wrote). Without trusted proxies the header is ignored.
 * No regular expressions and no name lookups: the header is split by hand and only IP literals count.
 */
public final class ClientAddress {
  static final String FORWARDED_FOR = "X-Forwarded-For";
  /** Entries looked at from the right; a longer chain stops at the left-most of them. */
  static final int MAX_HOPS = 32;

  private ClientAddress() {
  }

  /**
   * @param peer the connection's remote address
   * @param headers the request headers
   * @param trusted the networks of the proxies whose {@code X-Forwarded-For} is believed
   * @return the client's address as text ({@link InetAddress#getHostAddress()} form for forwarded ones)
   */
  public static String of(SocketAddress peer, MultiMap headers, List<Subnet> trusted) {
    String address = peer == null ? "" : peer.hostAddress();
    if (trusted.isEmpty() || !isTrusted(parse(address), trusted)) {
      return address;
    }
    List<String> values = headers.getAll(FORWARDED_FOR);
    String last = address;
    int hops = 0;
    for (int v = values.size() - 1; v >= 0; v--) {
      String value = values.get(v);
      int end = value.length();
      while (end >= 0 && hops < MAX_HOPS) {
        int comma = value.lastIndexOf(',', end - 1);
        String entry = value.substring(comma + 1, end).strip();
        end = comma;
        if (entry.isEmpty()) {
          continue;
        }
        hops++;
        InetAddress hop = parse(entry);
        if (hop == null) {
          return last; // garbage where a trusted proxy should have written an address: stop at that proxy
        }
        last = hop.getHostAddress();
        if (!isTrusted(hop, trusted)) {
          return last;
        }
      }
    }
    return last;
  }

  private static boolean isTrusted(InetAddress address, List<Subnet> trusted) {
    if (address == null) {
      return false;
    }
    for (Subnet s : trusted) {
      if (s.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /**
   * An IP literal, optionally in brackets and with a port ({@code 1.2.3.4:5}, {@code [::1]:5}); null
   * for anything else. Never a DNS lookup.
   */
  static InetAddress parse(String text) {
    String t = text;
    if (t.startsWith("[")) {
      int close = t.indexOf(']');
      if (close < 0) {
        return null;
      }
      t = t.substring(1, close);
    } else if (t.indexOf(':') >= 0 && t.indexOf(':') == t.lastIndexOf(':')) {
      t = t.substring(0, t.indexOf(':')); // IPv4 with a port
    }
    if (t.isEmpty() || t.length() > 45) {
      return null;
    }
    boolean v6 = t.indexOf(':') >= 0;
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      boolean ok = c == '.' || (c >= '0' && c <= '9') || (v6 && (c == ':' || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
      if (!ok) {
        return null;
      }
    }
    if (!v6 && !dottedQuad(t)) {
      return null;
    }
    try {
      return InetAddress.getByName(t); // a literal: parsed, not looked up
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static boolean dottedQuad(String t) {
    int parts = 0;
    int start = 0;
    while (start <= t.length()) {
      int dot = t.indexOf('.', start);
      int end = dot < 0 ? t.length() : dot;
      if (end == start || end - start > 3 || Integer.parseInt(t, start, end, 10) > 255) {
        return false;
      }
      parts++;
      if (dot < 0) {
        break;
      }
      start = dot + 1;
    }
    return parts == 4;
  }
}
