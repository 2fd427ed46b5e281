package io.fluxer.relay.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A compact JWS split and decoded, with the structural checks Fluxer makes before any key is
 * looked at. They sit in front of Vert.x Auth because its parser is lenient where a verifier must
 * not be: it splits on dots without counting them (a trailing {@code .} or a fourth part slips
 * through), decodes base64url leniently (several encodings of one signature), ignores
 * {@code crit}, and accepts DER-encoded ECDSA signatures.
 */
final class Jwt {
  static final String MALFORMED = "malformed token";
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
  /** Header parameters that carry or point at a key; a verifier must only use keys it was given. */
  private static final String[] EMBEDDED_KEYS = {"jwk", "jku", "x5u", "x5c"};

  final String token;
  final JsonObject claims;
  final String alg;
  final String kid;
  final String typ;
  final byte[] signature;

  private Jwt(String token, JsonObject claims, String alg, String kid, String typ, byte[] signature) {
    this.token = token;
    this.claims = claims;
    this.alg = alg;
    this.kid = kid;
    this.typ = typ;
    this.signature = signature;
  }

  /** Splits, decodes and checks the header; the claims are decoded but not yet trusted. */
  static Jwt parse(String jwt) throws TokenException {
    if (jwt == null) {
      throw TokenException.invalid(MALFORMED);
    }
    int dot1 = jwt.indexOf('.');
    int dot2 = dot1 < 0 ? -1 : jwt.indexOf('.', dot1 + 1);
    if (dot2 < 0 || jwt.indexOf('.', dot2 + 1) >= 0) {
      throw TokenException.invalid(MALFORMED);
    }
    byte[] headerBytes = decodePart(jwt.substring(0, dot1));
    byte[] payloadBytes = decodePart(jwt.substring(dot1 + 1, dot2));
    byte[] signature = decodePart(jwt.substring(dot2 + 1));

    JsonObject header = parseObject(headerBytes);
    if (!(header.getValue("alg") instanceof String alg)) {
      throw TokenException.invalid(MALFORMED);
    }
    if (header.containsKey("crit")) {
      throw TokenException.invalid("unsupported critical header");
    }
    if (alg.equalsIgnoreCase("none")) {
      throw TokenException.invalid("algorithm none not allowed");
    }
    for (String name : EMBEDDED_KEYS) {
      if (header.containsKey(name)) {
        throw TokenException.invalid("keys named or embedded in the header (" + name + ") are not accepted");
      }
    }
    Object kid = header.getValue("kid");
    Object typ = header.getValue("typ");
    if ((kid != null && !(kid instanceof String)) || (typ != null && !(typ instanceof String))) {
      throw TokenException.invalid(MALFORMED);
    }
    JsonObject claims = parseObject(payloadBytes);
    return new Jwt(jwt, claims, alg, (String) kid, (String) typ, signature);
  }

  /** The {@code iss} claim if it is a string (not yet verified), else {@code null}. */
  String unverifiedIssuer() {
    return claims.getValue("iss") instanceof String s ? s : null;
  }

  /**
   * Type checks of the registered claims. Made before the signature is handed to Vert.x Auth, whose
   * user object reads {@code exp}, {@code iat} and {@code nbf} as numbers and would throw otherwise.
   */
  void checkRegisteredClaimTypes() throws TokenException {
    for (String name : new String[] {"exp", "nbf", "iat"}) {
      Object v = claims.getValue(name);
      // a present null is refused too: Vert.x Auth unboxes it (NullPointerException, found by fuzzing)
      if ((v == null && claims.containsKey(name)) || (v != null && !(v instanceof Number n && !Double.isNaN(n.doubleValue())))) {
        throw TokenException.invalid("invalid " + name + " claim");
      }
    }
    for (String name : new String[] {"sub", "iss", "jti"}) {
      Object v = claims.getValue(name);
      if (v != null && !(v instanceof String)) {
        throw TokenException.invalid("invalid " + name + " claim");
      }
    }
    Object aud = claims.getValue("aud");
    if (aud instanceof JsonArray array) {
      for (Object item : array) {
        if (!(item instanceof String)) {
          throw TokenException.invalid("invalid aud claim");
        }
      }
    } else if (aud != null && !(aud instanceof String)) {
      throw TokenException.invalid("invalid aud claim");
    }
  }

  /** Whether {@code aud} (a string or an array) holds {@code audience}. */
  boolean hasAudience(String audience) {
    Object aud = claims.getValue("aud");
    return aud instanceof String s ? s.equals(audience) : aud instanceof JsonArray array && array.contains(audience);
  }

  /** Decodes one strict base64url part: non-empty, no padding, canonical encoding. */
  private static byte[] decodePart(String part) throws TokenException {
    if (part.isEmpty() || part.indexOf('=') >= 0) {
      throw TokenException.invalid(MALFORMED);
    }
    byte[] bytes;
    try {
      bytes = DECODER.decode(part);
    } catch (IllegalArgumentException e) {
      throw TokenException.invalid(MALFORMED);
    }
    if (!JwtSigner.encode(bytes).equals(part)) {
      throw TokenException.invalid(MALFORMED);
    }
    return bytes;
  }

  private static JsonObject parseObject(byte[] bytes) throws TokenException {
    try {
      String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
      return new JsonObject(text);
    } catch (CharacterCodingException | RuntimeException e) {
      throw TokenException.invalid(MALFORMED);
    }
  }
}
