package io.fluxer.relay.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target: any client frame. The decoder either returns commands or fails with
 * {@link ProtocolException} (the connection is then closed with a protocol error); nothing else may
 * escape. Runs the committed seeds in {@code mvn test}; {@code scripts/fuzz.sh} fuzzes it.
 */
class CommandDecoderFuzzTest {
  @FuzzTest
  @Timeout(10)
  void decode(byte[] input) {
    String frame = new String(input, StandardCharsets.UTF_8);
    List<Command> commands;
    try {
      commands = CommandDecoder.decode(frame);
    } catch (ProtocolException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    assertThat(commands).isNotEmpty().doesNotContainNull();
    for (Command c : commands) {
      assertThat(c.id()).isBetween(0L, 0xFFFFFFFFL);
    }
  }
}
