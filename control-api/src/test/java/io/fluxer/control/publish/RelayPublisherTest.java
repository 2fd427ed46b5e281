package io.fluxer.control.publish;

import static io.fluxer.control.docker.SwarmTests.await;
import static io.fluxer.relay.testing.HttpTestClient.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.common.Addresses;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The publisher against a stand-in for the relay's server API on the event bus. */
class RelayPublisherTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  private Vertx vertx;
  private Context context;
  private final List<JsonObject> requests = new CopyOnWriteArrayList<>();
  private final List<Message<JsonObject>> held = new CopyOnWriteArrayList<>();
  private final AtomicBoolean hold = new AtomicBoolean();

  @BeforeEach
  void relay() throws Exception {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    MessageConsumer<JsonObject> api = vertx.eventBus().consumer(Addresses.API, m -> {
      requests.add(m.body());
      if (hold.get()) {
        held.add(m);
      } else {
        m.reply(new JsonObject().put("result", new JsonObject()));
      }
    });
    await(api.completion());
  }

  @AfterEach
  void close() throws Exception {
    await(vertx.close());
  }

  @Test
  void itemsLeaveInOrderInBatches() throws Exception {
    RelayPublisher<Integer> publisher = publisher(Duration.ofMillis(50), 100, 1000);
    Thread producer = new Thread(() -> {
      for (int i = 0; i < 250; i++) {
        publisher.offer(i);
      }
    });
    producer.start();
    producer.join();
    eventually(this::items, items -> items.size() == 250, WAIT);
    assertThat(items()).containsExactlyElementsOf(range(0, 250));
    assertThat(requests).allSatisfy(r -> {
      assertThat(r.getString("method")).isEqualTo("publish");
      assertThat(r.getJsonObject("params").getString("channel")).isEqualTo("test:channel");
      assertThat(r.getJsonObject("params").getJsonObject("data").getJsonArray("items").size()).isBetween(1, 100);
    });
    assertThat(publisher.published()).isEqualTo(requests.size());
    assertThat(publisher.droppedTotal()).isZero();
  }

  @Test
  void whenTheRelayFallsBehindItemsAreDroppedAndCountedWhereTheyWere() throws Exception {
    RelayPublisher<Integer> publisher = publisher(Duration.ofMillis(20), 10, 20);
    hold.set(true);
    publisher.offer(0);
    eventually(() -> held.size(), n -> n == 1, WAIT); // one publication in flight, unanswered
    for (int i = 1; i <= 28; i++) {
      publisher.offer(i); // 20 wait, 8 are dropped
    }
    assertThat(publisher.droppedTotal()).isEqualTo(8);
    hold.set(false);
    held.forEach(m -> m.reply(new JsonObject().put("result", new JsonObject())));
    eventually(() -> requests.size(), n -> n == 4, WAIT);
    publisher.offer(99);
    eventually(() -> requests.size(), n -> n == 5, WAIT);
    List<JsonObject> data = requests.stream().map(r -> r.getJsonObject("params").getJsonObject("data")).toList();
    assertThat(data.get(0).getJsonArray("items")).containsExactly(0);
    assertThat(data.get(1).getJsonArray("items").getList()).isEqualTo(range(1, 11));
    assertThat(data.get(2).getJsonArray("items").getList()).isEqualTo(range(11, 21));
    assertThat(data.get(3)).isEqualTo(new JsonObject().put("type", "dropped").put("count", 8L));
    assertThat(data.get(4).getJsonArray("items")).containsExactly(99);
  }

  @Test
  void withoutARelayPublishingGoesOn() throws Exception {
    await(vertx.close());
    vertx = Vertx.vertx(); // nobody on the bus
    context = vertx.getOrCreateContext();
    RelayPublisher<Integer> publisher = new RelayPublisher<>(context, "test:channel",
        new RelayPublisher.Options(Duration.ZERO, 1, 10, Duration.ofMillis(200)), RelayPublisherTest::data,
        n -> new JsonObject());
    for (int i = 0; i < 3; i++) {
      publisher.offer(i);
    }
    eventually(publisher::published, n -> n == 3, WAIT);
    publisher.close();
    assertThat(publisher.offer(4)).isFalse();
  }

  private RelayPublisher<Integer> publisher(Duration window, int batch, int pending) {
    return new RelayPublisher<>(context, "test:channel", new RelayPublisher.Options(window, batch, pending,
        Duration.ofSeconds(5)), RelayPublisherTest::data,
        n -> new JsonObject().put("type", "dropped").put("count", n));
  }

  private static JsonObject data(List<Integer> items) {
    return new JsonObject().put("items", new JsonArray(new ArrayList<>(items)));
  }

  private List<Object> items() {
    List<Object> out = new ArrayList<>();
    requests.forEach(r -> out.addAll(r.getJsonObject("params").getJsonObject("data").getJsonArray("items").getList()));
    return out;
  }

  private static List<Object> range(int from, int to) {
    List<Object> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(i);
    }
    return out;
  }
}
