package io.fluxer.relay.client;

import io.fluxer.relay.auth.TokenVerifier;
import io.fluxer.relay.channel.Namespaces;
import io.fluxer.relay.config.ClientOptions;
import io.fluxer.relay.engine.Broker;
import io.fluxer.relay.engine.PresenceManager;

/** What every session of a node shares: options, engines, token checks, namespaces. Thread-safe. */
public record RelayContext(String nodeName, String version, ClientOptions client, Namespaces namespaces,
                           TokenVerifier tokens, Broker broker, PresenceManager presence) {}
