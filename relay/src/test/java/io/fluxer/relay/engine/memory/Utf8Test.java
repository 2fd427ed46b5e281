package io.fluxer.relay.engine.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class Utf8Test {

  /** What {@link Utf8#write} put into {@code ring} from {@code start}, read in ring order. */
  private static byte[] read(ByteBuffer ring, int start, int length) {
    byte[] out = new byte[length];
    for (int i = 0; i < length; i++) {
      out[i] = ring.get((start + i) % ring.capacity());
    }
    return out;
  }

  @Test
  @DisplayName("counts and writes the JDK's UTF-8 bytes, across the ring's end, for every kind of char")
  void sameBytesAsTheJdk() {
    String[] samples = {"", "plain ascii", "Grüße", "€ and ✓", "😀 pair", "lone \uD83D high", "lone \uDE00 low",
        "end high \uD83D", "\uDE00\uD83D reversed"};
    for (String s : samples) {
      byte[] expected = s.getBytes(StandardCharsets.UTF_8);
      assertThat(Utf8.length(s)).as(s).isEqualTo(expected.length);
      ByteBuffer ring = ByteBuffer.allocateDirect(Math.max(1, expected.length));
      int start = expected.length / 2;
      Utf8.write(s, ring, start);
      assertThat(read(ring, start, expected.length)).as(s).isEqualTo(expected);
    }
  }

  @Test
  @DisplayName("matches the JDK on random strings of any chars, surrogates included")
  void randomStrings() {
    Random random = new Random(7);
    for (int n = 0; n < 5_000; n++) {
      StringBuilder b = new StringBuilder();
      for (int i = random.nextInt(30); i > 0; i--) {
        b.append((char) (random.nextInt(4) == 0 ? 0xD800 + random.nextInt(0x800) : random.nextInt(0x10000)));
      }
      String s = b.toString();
      byte[] expected = s.getBytes(StandardCharsets.UTF_8);
      assertThat(Utf8.length(s)).isEqualTo(expected.length);
      ByteBuffer ring = ByteBuffer.allocateDirect(expected.length + 3);
      int start = random.nextInt(ring.capacity());
      Utf8.write(s, ring, start);
      assertThat(read(ring, start, expected.length)).isEqualTo(expected);
    }
  }
}
