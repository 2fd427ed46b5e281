package io.fluxer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameScannerTest {
  private final List<String> seen = new ArrayList<>();
  private final FrameScanner.Sink sink = new FrameScanner.Sink() {
    @Override
    public void publication(long seq, long sentNanos, int step) {
      seen.add("pub " + seq + " " + sentNanos + " " + step);
    }

    @Override
    public void ping() {
      seen.add("ping");
    }

    @Override
    public void other(String message) {
      seen.add("other " + message);
    }
  };

  private void scan(String frame) {
    byte[] b = frame.getBytes(StandardCharsets.UTF_8);
    FrameScanner.scan(b, b.length, sink);
  }

  @Test
  void readsRelayPublicationsPingsAndRepliesFromOneFrame() {
    scan("{\"push\":{\"channel\":\"chat:bench\",\"pub\":{\"data\":{\"b\":[7,-123456789,2]},"
        + "\"info\":{\"user\":\"bench-publisher\",\"client\":\"c1\"},\"offset\":8}}}\n"
        + "{}\n"
        + "{\"push\":{\"channel\":\"chat:bench\",\"join\":{\"info\":{\"user\":\"u\",\"client\":\"c\"}}}}\n"
        + "{\"id\":5,\"publish\":{}}\n"
        + "{\"push\":{\"channel\":\"chat:x\",\"pub\":{\"data\":{\"b\":[8,99,3],\"p\":\"xx\"},\"offset\":9}}}");
    assertThat(seen).containsExactly("pub 7 -123456789 2", "ping", "other {\"id\":5,\"publish\":{}}", "pub 8 99 3");
  }

  @Test
  void skipsForeignPublicationsAndTruncatedNumbers() {
    scan("{\"push\":{\"channel\":\"chat:bench\",\"pub\":{\"data\":{\"text\":\"hi\"},\"offset\":1}}}\n"
        + "{\"push\":{\"channel\":\"chat:bench\",\"pub\":{\"data\":{\"b\":[1,2");
    assertThat(seen).isEmpty();
  }

  @Test
  void dataHelperMatchesWhatTheScannerReads() {
    scan("{\"push\":{\"channel\":\"c\",\"pub\":{\"data\":" + FrameScanner.data(3, 4, 5) + "}}}");
    assertThat(seen).containsExactly("pub 3 4 5");
  }
}
