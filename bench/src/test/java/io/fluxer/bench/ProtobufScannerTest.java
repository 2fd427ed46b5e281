package io.fluxer.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import centrifugal.centrifuge.protocol.Client;
import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtobufScannerTest {
  private final List<String> seen = new ArrayList<>();
  private final ProtobufScanner.Sink sink = new ProtobufScanner.Sink() {
    @Override
    public void publication(long seq, long sentNanos, int step) {
      seen.add("pub " + seq + " " + sentNanos + " " + step);
    }

    @Override
    public void ping() {
      seen.add("ping");
    }

    @Override
    public void reply(byte[] b, int from, int to) {
      try {
        Client.Reply r = Client.Reply.parseFrom(java.nio.ByteBuffer.wrap(b, from, to - from));
        seen.add("reply " + r.getId() + (r.hasError() ? " error " + r.getError().getCode() : ""));
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
  };

  private static Client.Reply publication(String data) {
    return Client.Reply.newBuilder().setPush(Client.Push.newBuilder().setChannel("chat:bench-1")
        .setPub(Client.Publication.newBuilder().setOffset(7)
            .setData(ByteString.copyFrom(data, StandardCharsets.UTF_8)))).build();
  }

  private static byte[] frame(Client.Reply... replies) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (Client.Reply r : replies) {
      byte[] b = BenchClient.delimited(r).getBytes();
      out.writeBytes(b);
    }
    return out.toByteArray();
  }

  @Test
  void findsTheBenchNumbersInEveryPublicationOfABatch() {
    byte[] b = frame(publication(FrameScanner.data(1, 123456789, 2) + "  padding"),
        Client.Reply.getDefaultInstance(),
        Client.Reply.newBuilder().setPush(Client.Push.newBuilder().setChannel("chat:x")
            .setJoin(Client.Join.newBuilder().setInfo(Client.ClientInfo.newBuilder().setUser("u")))).build(),
        publication(FrameScanner.data(2, -5, 3)),
        Client.Reply.newBuilder().setId(9).setPublish(Client.PublishResult.getDefaultInstance()).build(),
        Client.Reply.newBuilder().setId(10).setError(Client.Error.newBuilder().setCode(103)).build());

    ProtobufScanner.scan(b, 0, b.length, sink);

    assertThat(seen).containsExactly("pub 1 123456789 2", "ping", "pub 2 -5 3", "reply 9", "reply 10 error 103");
  }

  @Test
  void scansAFrameAtAnOffsetOfItsArray() {
    byte[] body = frame(publication(FrameScanner.data(5, 6, 7)));
    byte[] b = new byte[body.length + 6];
    System.arraycopy(body, 0, b, 3, body.length);

    ProtobufScanner.scan(b, 3, 3 + body.length, sink);

    assertThat(seen).containsExactly("pub 5 6 7");
  }

  @Test
  void publicationsWithOtherDataAreNotCounted() {
    byte[] b = frame(publication("{\"text\":\"hello\"}"));

    ProtobufScanner.scan(b, 0, b.length, sink);

    assertThat(seen).isEmpty();
  }

  @Test
  void aTruncatedFrameIsRefused() {
    byte[] whole = frame(publication(FrameScanner.data(1, 2, 3)));
    byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 4);

    assertThatThrownBy(() -> ProtobufScanner.scan(cut, 0, cut.length, sink))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overruns");
  }
}
