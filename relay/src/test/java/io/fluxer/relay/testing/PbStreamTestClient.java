package io.fluxer.relay.testing;

import centrifugal.centrifuge.protocol.Client;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * A client of HTTP streaming with Protobuf for tests, as the SDKs' Protobuf builds speak it: one
 * {@code POST /connection/http_stream} with {@code Content-Type: application/octet-stream} and
 * varint-length-delimited {@code Command}s as its body; the response's varint-length-delimited
 * {@code Reply}s are cut out of the stream however it is chunked. Later commands go through
 * {@code POST /emulation} as an {@code EmulationRequest} ({@link #emulationBody}). Every wait has a
 * deadline and wakes up when something arrives.
 */
public final class PbStreamTestClient extends StreamResponse<Client.Reply> {
  public static final String OCTET_STREAM = "application/octet-stream";

  private Buffer partial = Buffer.buffer();

  private PbStreamTestClient(Vertx vertx) {
    super(vertx);
  }

  /** Posts {@code body} to {@code url} as Protobuf; returns once the response head arrived. */
  public static PbStreamTestClient open(Vertx vertx, String url, byte[] body) {
    PbStreamTestClient c = new PbStreamTestClient(vertx);
    c.send(vertx, new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
        .putHeader("Content-Type", OCTET_STREAM).putHeader("Accept", OCTET_STREAM), Buffer.buffer(body));
    return c;
  }

  /** Commands, each varint-length-delimited, one after the other (a request body or emulation data). */
  public static byte[] delimited(Client.Command... commands) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      for (Client.Command c : commands) {
        c.writeDelimitedTo(out);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  /** The body of a Protobuf {@code POST /emulation}: {@code EmulationRequest{node, session, data}}. */
  public static byte[] emulationBody(String node, String session, byte[] data) {
    return Client.EmulationRequest.newBuilder().setNode(node).setSession(session).setData(ByteString.copyFrom(data))
        .build().toByteArray();
  }

  /** Appends a chunk and takes every whole reply from the front of what is buffered. */
  @Override
  protected void decode(Buffer chunk, List<Client.Reply> out) {
    partial.appendBuffer(chunk);
    byte[] bytes = partial.getBytes();
    int consumed = 0;
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      while (!in.isAtEnd()) {
        int start = in.getTotalBytesRead();
        int length;
        try {
          length = in.readRawVarint32();
        } catch (IOException truncated) {
          break; // the rest of the length arrives with the next chunk
        }
        if (bytes.length - in.getTotalBytesRead() < length) {
          consumed = start;
          break;
        }
        int limit = in.pushLimit(length);
        out.add(Client.Reply.parseFrom(in));
        in.popLimit(limit);
        consumed = in.getTotalBytesRead();
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("undecodable stream: " + e.getMessage());
    } finally {
      partial = partial.getBuffer(consumed, partial.length());
    }
  }

  @Override
  protected String received() {
    return all().toString();
  }

  public List<Client.Reply> replies() {
    return all();
  }

  /** The reply with command id {@code id}, waiting for it. */
  public Client.Reply awaitReply(int id, Duration timeout) {
    return awaitMatching(r -> r.getId() == id, timeout);
  }

  /** The first reply matching {@code predicate}, waiting for it. */
  public Client.Reply awaitMatching(Predicate<Client.Reply> predicate, Duration timeout) {
    return awaitFirst(predicate, timeout, "a matching reply");
  }

  /** The disconnect push that precedes the end of the stream, waiting for it. */
  public Client.Disconnect awaitDisconnect(Duration timeout) {
    return awaitMatching(r -> r.hasPush() && r.getPush().hasDisconnect(), timeout).getPush().getDisconnect();
  }
}
