package io.fluxer.relay.engine.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.engine.PresenceContractTest;
import io.fluxer.relay.engine.PresenceManager;
import io.fluxer.relay.protocol.ClientInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class MemoryPresenceManagerTest extends PresenceContractTest {
  private MemoryPresenceManager memory;

  @Override
  protected PresenceManager createPresenceManager() {
    memory = new MemoryPresenceManager();
    return memory;
  }

  @Test
  @DisplayName("the last client leaving removes the channel entry")
  void lastClientRemovesChannel() {
    String ch = channel("room");
    add(ch, new ClientInfo("u1", "c1", null, null));
    add(ch, new ClientInfo("u2", "c2", null, null));
    assertThat(memory.channelCount()).isEqualTo(1);

    await(presence.removePresence(ch, "c1", "u1"));
    assertThat(memory.channelCount()).isEqualTo(1);
    await(presence.removePresence(ch, "c2", "u2"));

    assertThat(memory.channelCount()).isZero();
  }

  @Test
  @DisplayName("a channel going from one client to several and back keeps exactly its clients and their latest info")
  void oneToManyAndBack() {
    String ch = channel("room");
    ClientInfo first = new ClientInfo("u1", "c1", null, null);
    ClientInfo refreshed = new ClientInfo("u1", "c1", "{\"n\":2}", null);
    ClientInfo second = new ClientInfo("u2", "c2", null, null);
    ClientInfo third = new ClientInfo("u3", "c3", null, null);
    add(ch, first);
    add(ch, refreshed);
    assertThat(await(presence.presence(ch))).isEqualTo(java.util.Map.of("c1", refreshed));
    add(ch, second);
    await(presence.removePresence(ch, "c1", "u1"));
    assertThat(await(presence.presence(ch))).isEqualTo(java.util.Map.of("c2", second));
    await(presence.removePresence(ch, "c1", "u1"));
    add(ch, third);
    add(ch, first);
    assertThat(await(presence.presence(ch))).isEqualTo(java.util.Map.of("c1", first, "c2", second, "c3", third));
    assertThat(await(presence.presenceStats(ch)).numClients()).isEqualTo(3);
  }

  @Test
  @DisplayName("presence answers a snapshot that later changes do not alter")
  void presenceIsSnapshot() {
    String ch = channel("room");
    add(ch, new ClientInfo("u1", "c1", null, null));
    var snapshot = await(presence.presence(ch));

    add(ch, new ClientInfo("u2", "c2", null, null));

    assertThat(snapshot).containsOnlyKeys("c1");
  }

  @Test
  @DisplayName("concurrent joins and leaves in one channel lose no client")
  void concurrentAddAndRemove() throws Exception {
    String ch = channel("busy");
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> tasks = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        ClientInfo info = new ClientInfo("u" + t, "c" + t, null, null);
        tasks.add(pool.submit(() -> {
          start.await();
          int lost = 0;
          for (int i = 0; i < 50000; i++) {
            add(ch, info);
            if (!await(presence.presence(ch)).containsKey(info.client())) {
              lost++;
            }
            await(presence.removePresence(ch, info.client(), info.user()));
          }
          return lost;
        }));
      }
      start.countDown();
      for (Future<Integer> task : tasks) {
        assertThat(task.get(60, TimeUnit.SECONDS)).as("adds lost to a concurrent removal").isZero();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(await(presence.presence(ch))).isEmpty();
    assertThat(memory.channelCount()).isZero();
  }
}
