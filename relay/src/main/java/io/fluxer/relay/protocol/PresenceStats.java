package io.fluxer.relay.protocol;

/** Counts of clients (connections) and distinct users present in a channel. */
public record PresenceStats(int numClients, int numUsers) {}
