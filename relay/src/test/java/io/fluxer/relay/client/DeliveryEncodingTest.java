package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.protocol.ClientCodec;
import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.JsonCodec;
import io.fluxer.relay.protocol.ProtobufCodec;
import io.fluxer.relay.protocol.Publication;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A delivery is encoded at most once per codec, however many subscribers on however many loops ask. */
class DeliveryEncodingTest {
  private static final ClientCodec JSON = JsonCodec.INSTANCE;
  private static final ClientCodec PROTOBUF = new ProtobufCodec(64 * 1024);

  private static Delivery publication() {
    return Delivery.publication("chat:room", new Publication(7, "{\"n\":7}",
        new ClientInfo("u", "c", null, null), Map.of("k", "v")), "e", 0);
  }

  @Test
  @DisplayName("Nothing is encoded until a subscriber asks, then once per codec, the same bytes for everyone")
  void lazyAndOncePerCodec() {
    Delivery d = publication();
    assertThat(d.encodings()).isZero();

    byte[] json = d.frame(JSON);
    for (int i = 0; i < 1_000; i++) {
      assertThat(d.frame(JSON)).isSameAs(json);
    }
    assertThat(d.encodings()).isEqualTo(1);

    byte[] protobuf = d.frame(new ProtobufCodec(1024)); // another instance of the same codec shares the frame
    assertThat(d.frame(PROTOBUF)).isSameAs(protobuf);
    assertThat(d.encodings()).isEqualTo(2);

    assertThat(json).isEqualTo(JSON.publication("chat:room", d.publication()));
    assertThat(protobuf).isEqualTo(PROTOBUF.publication("chat:room", d.publication()));
  }

  @Test
  @DisplayName("Joins and leaves are encoded once per codec too")
  void joinLeave() {
    Delivery join = Delivery.join("chat:room", new ClientInfo("u", "c", null, null));
    join.frame(JSON);
    join.frame(JSON);
    join.frame(PROTOBUF);
    join.frame(PROTOBUF);
    assertThat(join.encodings()).isEqualTo(2);
    assertThat(join.frame(JSON)).isEqualTo(JSON.join("chat:room", join.info()));
  }

  @Test
  @DisplayName("Eight threads asking for both codecs at the same moment cause exactly two encodings")
  void concurrentSubscribersOnManyLoops() throws Exception {
    for (int round = 0; round < 200; round++) {
      Delivery d = publication();
      int threads = 8;
      CyclicBarrier start = new CyclicBarrier(threads);
      CountDownLatch done = new CountDownLatch(threads);
      List<byte[]> seen = java.util.Collections.synchronizedList(new ArrayList<>());
      List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
      for (int t = 0; t < threads; t++) {
        ClientCodec codec = t % 2 == 0 ? JSON : PROTOBUF;
        Thread thread = new Thread(() -> {
          try {
            start.await(10, TimeUnit.SECONDS);
            seen.add(d.frame(codec));
          } catch (Throwable e) {
            failures.add(e);
          } finally {
            done.countDown();
          }
        });
        thread.start();
      }
      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(failures).isEmpty();
      assertThat(d.encodings()).isEqualTo(2);
      assertThat(seen).hasSize(threads);
      assertThat(seen.stream().filter(f -> f == d.frame(JSON)).count()).isEqualTo(threads / 2);
      assertThat(seen.stream().filter(f -> f == d.frame(PROTOBUF)).count()).isEqualTo(threads / 2);
    }
  }
}
