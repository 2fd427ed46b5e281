package io.fluxer.relay.client;

import io.fluxer.relay.auth.TokenVerifier;
import io.fluxer.relay.channel.Namespaces;
import io.fluxer.relay.config.ClientOptions;
import io.fluxer.relay.engine.Broker;
import io.fluxer.relay.engine.PresenceManager;
import java.time.Duration;

/**
 * What every session of a node shares: options, engines, token checks, namespaces. Thread-safe.
 *
 * @param presenceRefresh how often sessions re-add their presence entries, for a presence manager
 *     whose entries expire unless refreshed (Redis); zero when they never expire (memory)
 */
public record RelayContext(String nodeName, String version, ClientOptions client, Namespaces namespaces,
                           TokenVerifier tokens, Broker broker, PresenceManager presence, Duration presenceRefresh) {}
