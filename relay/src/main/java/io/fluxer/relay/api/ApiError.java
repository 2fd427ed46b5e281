package io.fluxer.relay.api;

import io.fluxer.relay.protocol.ProtocolError;
import io.vertx.core.json.JsonObject;

/**
 * A server API call that cannot be answered with a result: carries the error of the reply
 * ({@code {"error":{"code":c,"message":m}}}). Codes are those of the client protocol. Thrown while
 * parsing and checking a request, before anything changes, and used to fail futures.
 */
public final class ApiError extends RuntimeException {
  private final ProtocolError error;

  public ApiError(ProtocolError error) {
    super(error.message(), null, false, false);
    this.error = error;
  }

  /** Error 107 with {@code "bad request: " + detail}. */
  public static ApiError badRequest(String detail) {
    return new ApiError(ProtocolError.BAD_REQUEST.withMessage("bad request: " + detail));
  }

  public ProtocolError error() {
    return error;
  }

  /** The reply object: {@code {"error":{...}}}. */
  public JsonObject reply() {
    return reply(error);
  }

  /** The reply object for {@code error}; {@code temporary} appears only when true. */
  public static JsonObject reply(ProtocolError error) {
    JsonObject body = new JsonObject().put("code", error.code()).put("message", error.message());
    if (error.temporary()) {
      body.put("temporary", true);
    }
    return new JsonObject().put("error", body);
  }
}
