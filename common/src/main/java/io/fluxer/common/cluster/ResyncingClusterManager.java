package io.fluxer.common.cluster;

import com.hazelcast.config.Config;
import io.vertx.core.Completable;
import io.vertx.core.Vertx;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.core.spi.cluster.RegistrationListener;
import io.vertx.core.spi.cluster.RegistrationUpdateEvent;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Hazelcast cluster manager, with the subscribers of every address this node sends to read
 * again from the cluster every {@link #RESYNC}.
 *
 * <p>Vert.x keeps, per address a node has sent to, the list of nodes that consume it, and updates
 * that list only when Hazelcast reports a change of the address's entry. A report that never comes
 * leaves the list wrong for good: the node goes on sending to the nodes it knew and never to the
 * one that subscribed since. Reports do not come when Hazelcast merges two clusters that formed
 * apart (the merge writes the entries without events, and re-writing an existing entry raises none
 * either), which is how every {@code docker stack deploy} of several relays starts, since tasks
 * appear in DNS only once healthy; and Hazelcast drops events when its event queue is full or its
 * event thread is stuck. Vert.x 5.0's node selector also ignores the manager's "registrations
 * lost" signal. Reading the lists again bounds how long a node can miss another's subscription.
 *
 * <p>The cost is one partition read per address this node sends to, per period: a node sends to a
 * few dozen addresses. A list read before a real update and applied after it would undo that
 * update, so a read is applied only when no update of its address came in meanwhile.
 */
final class ResyncingClusterManager extends HazelcastClusterManager {
  /** How often the subscribers of every address this node sends to are read again. */
  static final Duration RESYNC = Duration.ofSeconds(2);

  /** The addresses Vert.x asked subscribers of, with the number of updates reported for each. */
  private final Map<String, Long> updates = new ConcurrentHashMap<>();
  private final Duration period;
  private volatile RegistrationListener selector;
  private volatile Vertx vertx;
  private volatile long timer = -1;

  ResyncingClusterManager(Config config) {
    this(config, RESYNC);
  }

  ResyncingClusterManager(Config config, Duration period) {
    super(config);
    this.period = period;
  }

  @Override
  public void init(Vertx vertx) {
    super.init(vertx);
    this.vertx = vertx;
  }

  @Override
  public void registrationListener(RegistrationListener listener) {
    selector = listener;
    super.registrationListener(new Counting(listener));
  }

  @Override
  public void join(Completable<Void> promise) {
    super.join((done, failure) -> {
      if (failure == null) {
        timer = vertx.setPeriodic(period.toMillis(), id -> resync());
      }
      promise.complete(done, failure);
    });
  }

  @Override
  public void leave(Completable<Void> promise) {
    long t = timer;
    if (t != -1) {
      vertx.cancelTimer(t);
    }
    super.leave(promise);
  }

  @Override
  public void getRegistrations(String address, Completable<List<RegistrationInfo>> promise) {
    // Vert.x asks when it starts caching an address: from then on this node keeps it in sync
    updates.putIfAbsent(address, 0L);
    super.getRegistrations(address, promise);
  }

  /** Reads the subscribers of every cached address again and hands them to Vert.x's selector. */
  void resync() {
    RegistrationListener target = selector;
    if (target == null || !isActive()) {
      return;
    }
    for (String address : updates.keySet()) {
      if (!target.wantsUpdatesFor(address)) {
        // Vert.x dropped the address (no subscriber left); it asks again when it next sends there
        updates.remove(address);
        continue;
      }
      Long seen = updates.get(address);
      super.getRegistrations(address, (registrations, failure) -> {
        if (failure != null) {
          return; // the next round tries again
        }
        synchronized (updates) {
          if (seen != null && seen.equals(updates.get(address)) && target.wantsUpdatesFor(address)) {
            target.registrationsUpdated(new RegistrationUpdateEvent(address, registrations));
          }
        }
      });
    }
  }

  /** Passes Hazelcast's reports on, counting them per address so a slower re-read never undoes one. */
  private final class Counting implements RegistrationListener {
    private final RegistrationListener target;

    Counting(RegistrationListener target) {
      this.target = target;
    }

    @Override
    public void registrationsUpdated(RegistrationUpdateEvent event) {
      synchronized (updates) {
        updates.computeIfPresent(event.address(), (a, n) -> n + 1);
        target.registrationsUpdated(event);
      }
    }

    @Override
    public void registrationsLost() {
      target.registrationsLost();
    }

    @Override
    public boolean wantsUpdatesFor(String address) {
      return target.wantsUpdatesFor(address);
    }
  }
}
