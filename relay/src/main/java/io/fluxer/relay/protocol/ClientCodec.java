package io.fluxer.relay.protocol;

import java.util.List;
import java.util.Map;

/**
 * One encoding of the client protocol: JSON ({@link JsonCodec}) or Protobuf ({@link ProtobufCodec}).
 * Decodes what a client sends into {@link Command}s and encodes every reply and push, one message
 * per call, as bytes that the transport frames (without separators: the codec's {@link #binary}
 * says how messages are joined). Implementations are pure, stateless and thread-safe; a session
 * takes the one its connection agreed on and never asks which it is.
 *
 * <p>Decoding fails as a whole with {@link ProtocolException} (the session closes with 3501) when
 * the input is not this encoding; a well-formed command with unusable fields decodes to
 * {@link Request.Invalid}, which is answered with error 107 without ending the connection.
 */
public interface ClientCodec {
  /** How many codecs exist; {@link #index} is below it. */
  int COUNT = 2;

  /** A short name for logs and metrics: {@code json}, {@code protobuf}. */
  String name();

  /**
   * A small number unique to this codec, below {@link #COUNT}: where a shared frame cache keeps
   * this codec's bytes.
   */
  int index();

  /**
   * Whether messages are binary (WebSocket binary frames, joined as they are: each is
   * self-delimited) rather than text (text frames, joined with {@code \n}).
   */
  boolean binary();

  /** Decodes one text message (a WebSocket text frame, an emulation request's data). */
  List<Command> decode(String text) throws ProtocolException;

  /** Decodes one binary message (a WebSocket binary frame, a request body). */
  List<Command> decode(byte[] binary) throws ProtocolException;

  /** The server's ping: a message without id and without push. */
  byte[] ping();

  // ---- replies

  byte[] error(long id, ProtocolError error);

  /** A reply with an empty result; {@code method} is {@code unsubscribe} or {@code publish}. */
  byte[] empty(long id, String method);

  byte[] connect(long id, ConnectResult r);

  byte[] subscribe(long id, SubscribeResult r);

  byte[] history(long id, HistoryResult r);

  byte[] presence(long id, Map<String, ClientInfo> presence);

  byte[] presenceStats(long id, PresenceStats stats);

  byte[] refresh(long id, String client, String version, boolean expires, long ttl);

  byte[] subRefresh(long id, boolean expires, long ttl);

  // ---- pushes

  byte[] publication(String channel, Publication pub);

  /**
   * A publication to a subscription that negotiated delta compression: {@code payload} is the
   * publication's data ({@code isDelta} false) or a Fossil delta against the data of the publication
   * the subscriber had before; UTF-8 text either way (the JSON form carries it as a string).
   */
  byte[] deltaPublication(String channel, Publication pub, byte[] payload, boolean isDelta);

  byte[] join(String channel, ClientInfo info);

  byte[] leave(String channel, ClientInfo info);

  byte[] unsubscribe(String channel, Unsubscribe u);

  /** A server-side subscription made after connect. */
  byte[] subscribePush(String channel, SubscribeResult r);

  /** The server changed the connection's expiry (server-side refresh). */
  byte[] refreshPush(boolean expires, long ttl);

  byte[] message(String data);
}
