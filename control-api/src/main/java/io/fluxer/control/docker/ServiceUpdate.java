package io.fluxer.control.docker;

import io.vertx.core.json.JsonArray;

/**
 * An update (or rollback) the engine accepted.
 *
 * @param attempts how many times it was sent: more than 1 when the engine answered "update out of
 *                 sequence" and the update was re-applied to a freshly inspected spec
 * @param warnings the engine's {@code Warnings}, empty when none
 */
public record ServiceUpdate(String serviceId, int attempts, JsonArray warnings) {
}
