package io.fluxer.control.api;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A stack webhook's {@code X-Fluxer-Signature}: {@code t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<body>">}, the time and the body signed together so a captured request stops working once
 * {@code t} is older than the tolerance. Several {@code v1} may come (one per secret while a sender
 * rotates); one that matches is enough. Parsed in one pass, no regex, at most {@value #MAX_LENGTH}
 * characters and {@value #MAX_SIGNATURES} signatures; elements of other schemes ({@code v0=…}) are
 * skipped, as a newer sender may add them.
 *
 * @param timestamp  {@code t}, in Unix seconds
 * @param signatures each {@code v1}, as 32 bytes
 */
public record HookSignature(long timestamp, List<byte[]> signatures) {
  /** The longest header parsed: the time, a few signatures and room for other schemes. */
  public static final int MAX_LENGTH = 1024;
  /** The most {@code v1} elements read from one header. */
  public static final int MAX_SIGNATURES = 5;
  private static final int HMAC_LENGTH = 32;
  private static final int MAX_TIME_DIGITS = 12;

  public HookSignature {
    signatures = List.copyOf(signatures);
  }

  /**
   * Parses a header value.
   *
   * @throws IllegalArgumentException naming what is wrong (never echoing the value): absent, too
   *     long, no {@code t} or {@code t} twice, a bad time, no {@code v1}, a {@code v1} that is not 64
   *     hex digits, too many {@code v1}
   */
  public static HookSignature parse(String header) {
    if (header == null || header.isEmpty()) {
      throw new IllegalArgumentException("no signature");
    }
    if (header.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("the signature is longer than " + MAX_LENGTH + " characters");
    }
    long timestamp = -1;
    List<byte[]> signatures = new ArrayList<>();
    int start = 0;
    while (start <= header.length()) {
      int end = header.indexOf(',', start);
      if (end < 0) {
        end = header.length();
      }
      int eq = header.indexOf('=', start);
      if (eq < 0 || eq > end) {
        throw new IllegalArgumentException("each element of the signature must be key=value");
      }
      String key = header.substring(start, eq).strip();
      String value = header.substring(eq + 1, end).strip();
      if (key.equals("t")) {
        if (timestamp >= 0) {
          throw new IllegalArgumentException("t is given twice");
        }
        timestamp = seconds(value);
      } else if (key.equals("v1")) {
        if (signatures.size() == MAX_SIGNATURES) {
          throw new IllegalArgumentException("more than " + MAX_SIGNATURES + " v1 signatures");
        }
        signatures.add(hmac(value));
      } else if (key.isEmpty()) {
        throw new IllegalArgumentException("an element of the signature has no key");
      }
      start = end + 1;
    }
    if (timestamp < 0) {
      throw new IllegalArgumentException("no t=<unix seconds>");
    }
    if (signatures.isEmpty()) {
      throw new IllegalArgumentException("no v1=<hex HMAC-SHA256>");
    }
    return new HookSignature(timestamp, signatures);
  }

  /** The header value a body sent at {@code timestamp} gets with {@code secret}. */
  public static String sign(String secret, long timestamp, String body) {
    return "t=" + timestamp + ",v1=" + HexFormat.of().formatHex(mac(secret, signedText(timestamp, body)));
  }

  /** Whether one of the signatures is {@code body}'s at {@link #timestamp} with {@code secret}; constant time. */
  public boolean signs(String secret, String body) {
    byte[] expected = mac(secret, signedText(timestamp, body));
    boolean match = false;
    for (byte[] given : signatures) {
      match |= MessageDigest.isEqual(expected, given);
    }
    return match;
  }

  /** The hex HMAC-SHA256 of {@code text} keyed with {@code secret}. */
  static byte[] mac(String secret, String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** 64 hex digits as 32 bytes. */
  static byte[] hmac(String hex) {
    if (hex.length() != 2 * HMAC_LENGTH) {
      throw new IllegalArgumentException("a signature must be " + 2 * HMAC_LENGTH + " hex digits");
    }
    try {
      return HexFormat.of().parseHex(hex);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("a signature must be " + 2 * HMAC_LENGTH + " hex digits");
    }
  }

  private static String signedText(long timestamp, String body) {
    return timestamp + "." + body;
  }

  private static long seconds(String value) {
    if (value.isEmpty() || value.length() > MAX_TIME_DIGITS) {
      throw new IllegalArgumentException("t must be Unix seconds");
    }
    long n = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        throw new IllegalArgumentException("t must be Unix seconds");
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }
}
