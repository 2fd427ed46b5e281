package io.fluxer.relay.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target: any binary message on a Protobuf connection. The decoder either returns commands
 * or fails with {@link ProtocolException} (the connection is then closed with 3501); nothing else
 * may escape, and a publish it accepts carries data the JSON side can embed. Runs the committed
 * seeds in {@code mvn test}; {@code scripts/fuzz.sh protobuf} fuzzes it.
 */
class ProtobufCodecFuzzTest {
  private static final ProtobufCodec CODEC = new ProtobufCodec(64 * 1024);

  @FuzzTest
  @Timeout(10)
  void decode(byte[] input) {
    List<Command> commands;
    try {
      commands = CODEC.decode(input);
    } catch (ProtocolException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    assertThat(commands).isNotEmpty().doesNotContainNull();
    for (Command c : commands) {
      assertThat(c.id()).isBetween(0L, 0xFFFFFFFFL);
      if (c.request() instanceof Request.Publish p) {
        // what a Protobuf client publishes reaches JSON subscribers embedded as it is
        assertThat(ProtobufCodec.json(com.google.protobuf.ByteString.copyFromUtf8(p.data()))).isEqualTo(p.data());
      }
    }
  }
}
