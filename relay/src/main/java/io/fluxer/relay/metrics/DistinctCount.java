package io.fluxer.relay.metrics;

import java.util.concurrent.ConcurrentHashMap;

/**
 * How many distinct keys are present on at least one event loop, from per-loop added and removed
 * events (each loop reports a key at most once until it removes it). Thread-safe.
 */
final class DistinctCount {
  private final ConcurrentHashMap<String, Integer> loopsByKey = new ConcurrentHashMap<>();

  void added(String key) {
    loopsByKey.merge(key, 1, Integer::sum);
  }

  void removed(String key) {
    loopsByKey.computeIfPresent(key, (k, loops) -> loops <= 1 ? null : loops - 1);
  }

  int size() {
    return loopsByKey.size();
  }
}
