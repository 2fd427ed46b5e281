package io.fluxer.relay.auth;

import io.vertx.core.json.JsonObject;

/**
 * What {@code /ready} and {@code /metrics} show of one trusted issuer's keys.
 *
 * @param issuer the issuer
 * @param keys keys in its cache (by {@code kid}), including keys within their grace period
 * @param lastFetchOk whether the last fetch of its JWKS succeeded
 * @param lastSuccessMillis when a fetch last succeeded (epoch ms), 0 if never
 * @param lastError why the last fetch failed, or {@code null}
 * @param fetchesOk successful fetches since start
 * @param fetchesFailed failed fetches since start
 */
public record IssuerStatus(String issuer, int keys, boolean lastFetchOk, long lastSuccessMillis, String lastError,
                           long fetchesOk, long fetchesFailed) {
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("issuer", issuer).put("keys", keys).put("ok", lastFetchOk)
        .put("fetches", fetchesOk).put("failed_fetches", fetchesFailed);
    if (lastSuccessMillis > 0) {
      json.put("last_success", lastSuccessMillis);
    }
    if (lastError != null) {
      json.put("error", lastError);
    }
    return json;
  }
}
