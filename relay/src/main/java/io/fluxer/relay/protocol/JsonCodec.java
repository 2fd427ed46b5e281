package io.fluxer.relay.protocol;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The JSON encoding: {@link CommandDecoder} in, {@link ProtocolEncoder} out. Text messages hold
 * one or more JSON commands separated by newlines; a binary message is read as UTF-8 JSON text.
 */
public final class JsonCodec implements ClientCodec {
  public static final JsonCodec INSTANCE = new JsonCodec();

  private JsonCodec() {}

  @Override
  public String name() {
    return "json";
  }

  @Override
  public int index() {
    return 0;
  }

  @Override
  public boolean binary() {
    return false;
  }

  @Override
  public List<Command> decode(String text) throws ProtocolException {
    return CommandDecoder.decode(text);
  }

  @Override
  public List<Command> decode(byte[] binary) throws ProtocolException {
    return CommandDecoder.decode(new String(binary, StandardCharsets.UTF_8));
  }

  @Override
  public byte[] ping() {
    return ProtocolEncoder.PING;
  }

  @Override
  public byte[] error(long id, ProtocolError error) {
    return ProtocolEncoder.error(id, error);
  }

  @Override
  public byte[] empty(long id, String method) {
    return ProtocolEncoder.empty(id, method);
  }

  @Override
  public byte[] connect(long id, ConnectResult r) {
    return ProtocolEncoder.connect(id, r);
  }

  @Override
  public byte[] subscribe(long id, SubscribeResult r) {
    return ProtocolEncoder.subscribe(id, r);
  }

  @Override
  public byte[] history(long id, HistoryResult r) {
    return ProtocolEncoder.history(id, r);
  }

  @Override
  public byte[] presence(long id, Map<String, ClientInfo> presence) {
    return ProtocolEncoder.presence(id, presence);
  }

  @Override
  public byte[] presenceStats(long id, PresenceStats stats) {
    return ProtocolEncoder.presenceStats(id, stats);
  }

  @Override
  public byte[] refresh(long id, String client, String version, boolean expires, long ttl) {
    return ProtocolEncoder.refresh(id, client, version, expires, ttl);
  }

  @Override
  public byte[] subRefresh(long id, boolean expires, long ttl) {
    return ProtocolEncoder.subRefresh(id, expires, ttl);
  }

  @Override
  public byte[] publication(String channel, Publication pub) {
    return ProtocolEncoder.publication(channel, pub);
  }

  @Override
  public byte[] deltaPublication(String channel, Publication pub, byte[] payload, boolean isDelta) {
    return ProtocolEncoder.deltaPublication(channel, pub, new String(payload, StandardCharsets.UTF_8), isDelta);
  }

  @Override
  public byte[] join(String channel, ClientInfo info) {
    return ProtocolEncoder.join(channel, info);
  }

  @Override
  public byte[] leave(String channel, ClientInfo info) {
    return ProtocolEncoder.leave(channel, info);
  }

  @Override
  public byte[] unsubscribe(String channel, Unsubscribe u) {
    return ProtocolEncoder.unsubscribe(channel, u);
  }

  @Override
  public byte[] subscribePush(String channel, SubscribeResult r) {
    return ProtocolEncoder.subscribePush(channel, r);
  }

  @Override
  public byte[] refreshPush(boolean expires, long ttl) {
    return ProtocolEncoder.refreshPush(expires, ttl);
  }

  @Override
  public byte[] message(String data) {
    return ProtocolEncoder.message(data);
  }
}
