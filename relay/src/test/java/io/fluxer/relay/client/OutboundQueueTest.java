package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The bounded queue every transport shares, without sockets. */
class OutboundQueueTest {
  private static final IntUnaryOperator NEWLINE = length -> length + 1;

  @Test
  @DisplayName("Past its bound the queue refuses and empties itself (the transport then closes with 3008)")
  void bound() {
    OutboundQueue q = new OutboundQueue(20);
    assertThat(q.offer(new byte[9])).isTrue();
    assertThat(q.offer(new byte[9])).isTrue();
    assertThat(q.offer(new byte[1])).isFalse();
    assertThat(q.isEmpty()).isTrue();
    assertThat(q.offer(new byte[19])).as("the bound counts from empty again").isTrue();
  }

  @Test
  @DisplayName("A batch takes the first messages that fit once framed, and a large one alone")
  void batches() {
    OutboundQueue q = new OutboundQueue(1 << 20);
    q.offer(new byte[10]);
    q.offer(new byte[10]);
    q.offer(new byte[10]);
    q.offer(new byte[100]);
    assertThat(q.fitting(22, NEWLINE)).isEqualTo(2);
    assertThat(q.fitting(33, NEWLINE)).isEqualTo(3);
    assertThat(q.framedBytes(3, NEWLINE)).isEqualTo(33);
    q.poll();
    q.poll();
    q.poll();
    assertThat(q.fitting(22, NEWLINE)).as("larger than a batch: alone").isEqualTo(1);
    assertThat(q.poll()).hasSize(100);
    assertThat(q.isEmpty()).isTrue();
  }
}
