package io.fluxer.relay.client.command;

import io.fluxer.relay.auth.ConnectToken;
import io.fluxer.relay.auth.TokenVerifier;
import io.fluxer.relay.channel.Namespaces;
import io.fluxer.relay.config.ClientOptions;
import io.fluxer.relay.config.NamespaceOptions;
import io.fluxer.relay.config.Role;
import io.fluxer.relay.engine.Broker;
import io.fluxer.relay.engine.PresenceManager;
import io.fluxer.relay.engine.PublishOptions;
import io.fluxer.relay.protocol.ClientCodec;
import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.Disconnect;
import io.fluxer.relay.protocol.Request;
import io.fluxer.relay.protocol.SubscribeResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Map;

/**
 * What a {@link CommandHandler} sees of its client's session: who the client is, its subscriptions,
 * the node's engines and options, and how to answer. The session keeps the state (connection,
 * subscriptions, timers, limits); handlers hold the rules of each command. Every call happens on the
 * session's event loop.
 */
public interface Session {
  // ---- the client

  String clientId();

  /** The connection token's user; empty while connecting and for anonymous clients. */
  String user();

  /** The highest ops role the connection token grants, or {@code null}. */
  Role role();

  /**
   * The role the connection token grants as an ops credential too (a dashboard session), as of
   * connect, or {@code null} for an ordinary client token.
   */
  Role opsRole();

  // ---- the node

  ClientOptions options();

  /** The relay's version, as connect and refresh replies carry it. */
  String version();

  Namespaces namespaces();

  TokenVerifier tokens();

  Broker broker();

  PresenceManager presence();

  Vertx vertx();

  /** The encoding the connection agreed on: every reply goes through it. */
  ClientCodec codec();

  // ---- state

  /** Waiting for connect (no connect accepted yet). */
  boolean connecting();

  boolean connected();

  boolean closed();

  // ---- answering

  /** Writes a reply to the client; dropped once the session is closed. */
  void reply(byte[] message);

  /** Closes the connection with a disconnect code; the session cleans up. */
  void close(Disconnect disconnect);

  /** The future, completing on this session's event loop whatever thread the engine completes on. */
  <T> Future<T> onLoop(Future<T> future);

  /**
   * Answers a rejected token: an expired one with error 109 (closes with 3005 on a unidirectional
   * transport, which carries no error replies), anything else by closing with 3500.
   */
  void rejectToken(long id, Throwable failure);

  // ---- connect and refresh

  /**
   * While the connection token is verified, commands that arrive wait (at most
   * {@code client.limits.max_queued_commands}, else the connection closes with 3013).
   */
  void holdCommands();

  /** The token was rejected: back to waiting for connect. Returns whether commands were held meanwhile. */
  boolean stopHolding();

  /**
   * Accepts the connection token: counts the connection against its user's limit (closing with 3504
   * when over it), takes the token's user, info, role and expiry; commands wait until {@link #open}.
   * Returns false when the connection was refused.
   */
  boolean admit(ConnectToken token);

  /**
   * Sends the connect reply (a push on unidirectional transports) with {@code subscribed}, the
   * server-side subscriptions that started, activates them, starts pings and runs the commands that
   * waited. Does nothing unless the session is between {@link #admit} and open.
   */
  void open(long id, Map<String, SubscribeResult> subscribed);

  /** A refreshed connection token: its info (when it has one) and its expiry replace the old ones. */
  void refreshed(String info, Long expiresAt);

  /** When the connection expires, epoch seconds; {@code null}: never. */
  Long expiresAt();

  // ---- subscriptions

  /** The client's subscription to {@code channel} (including one still subscribing), or {@code null}. */
  ChannelSubscription subscription(String channel);

  int subscriptionCount();

  /**
   * Starts a subscription: joins the hub (buffering what arrives), reads the stream position, or
   * with {@code position} asking for it, the publications the client missed, and registers presence.
   *
   * @param position the client's subscribe command or connect entry, for recovery; may be {@code null}
   */
  Subscribing subscribe(SubscriptionSpec spec, Request.Subscribe position, boolean recoverable);

  /** Ends the client's subscription to {@code channel}, if any (presence and leave follow). */
  void unsubscribe(String channel);

  /**
   * What the client's publications to {@code channel} carry: its subscription's info, or its own
   * when it is not subscribed.
   */
  ClientInfo infoIn(String channel);

  /**
   * The options of the client's publish to {@code channel} in namespace {@code ns}: its info from
   * {@link #infoIn(String)}, no tags, the namespace's history and delta settings. The record of the
   * client's previous publish when none of that changed (a publisher mostly publishes alike).
   */
  PublishOptions publishOptions(String channel, NamespaceOptions ns);
}
