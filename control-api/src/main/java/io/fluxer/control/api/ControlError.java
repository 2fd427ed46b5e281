package io.fluxer.control.api;

import io.vertx.core.json.JsonObject;

/** A request control-api refuses, with the HTTP status the gateway answers. */
public final class ControlError extends RuntimeException {
  private final int status;
  private final JsonObject detail;

  public ControlError(int status, String message, JsonObject detail) {
    super(message);
    this.status = status;
    this.detail = detail;
  }

  public static ControlError badRequest(String message) {
    return new ControlError(400, message, null);
  }

  public static ControlError notFound(String message) {
    return new ControlError(404, message, null);
  }

  public int status() {
    return status;
  }

  /** The reply body: {@code {"error": {"code", "message", …detail}}}. */
  public JsonObject body() {
    JsonObject error = new JsonObject().put("code", status).put("message", getMessage());
    if (detail != null) {
      error.mergeIn(detail);
    }
    return new JsonObject().put("error", error);
  }
}
