package io.fluxer.relay.client;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * A map, like {@link HashMap}, that holds a single entry itself and makes the {@code HashMap} only
 * when a second key arrives (and drops it when one entry is left).
 *
 * <p>Why: a session keeps its subscriptions by channel, and most sessions have one. A
 * {@code HashMap} with its table and node costs about 160 bytes for one entry; this costs 24.
 *
 * <p>Iteration order is unspecified, as with {@code HashMap}. Not thread-safe; no {@code null} keys
 * or values.
 */
final class CompactMap<K, V> extends AbstractMap<K, V> {
  /** The only entry's key, or {@code null} when empty or when {@link #many} holds the entries. */
  private K oneKey;
  private V oneValue;
  /** Two entries or more; otherwise {@code null}. */
  private HashMap<K, V> many;

  @Override
  public int size() {
    return many != null ? many.size() : oneKey != null ? 1 : 0;
  }

  @Override
  public boolean isEmpty() {
    return many != null ? many.isEmpty() : oneKey == null;
  }

  @Override
  public boolean containsKey(Object key) {
    return many != null ? many.containsKey(key) : oneKey != null && oneKey.equals(key);
  }

  @Override
  public V get(Object key) {
    if (many != null) {
      return many.get(key);
    }
    return oneKey != null && oneKey.equals(key) ? oneValue : null;
  }

  @Override
  public V put(K key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (many != null) {
      return many.put(key, value);
    }
    if (oneKey == null || oneKey.equals(key)) {
      V previous = oneValue;
      oneKey = key;
      oneValue = value;
      return previous;
    }
    many = new HashMap<>();
    many.put(oneKey, oneValue);
    many.put(key, value);
    oneKey = null;
    oneValue = null;
    return null;
  }

  @Override
  public V remove(Object key) {
    if (many != null) {
      V removed = many.remove(key);
      shrink();
      return removed;
    }
    if (oneKey != null && oneKey.equals(key)) {
      V removed = oneValue;
      oneKey = null;
      oneValue = null;
      return removed;
    }
    return null;
  }

  @Override
  public void clear() {
    oneKey = null;
    oneValue = null;
    many = null;
  }

  /** Back to holding the entry itself once one is left (or nothing once none is). */
  private void shrink() {
    if (many.size() <= 1) {
      if (many.isEmpty()) {
        oneKey = null;
        oneValue = null;
      } else {
        Map.Entry<K, V> last = many.entrySet().iterator().next();
        oneKey = last.getKey();
        oneValue = last.getValue();
      }
      many = null;
    }
  }

  /**
   * A live view, as {@link Map#entrySet} asks; {@link #keySet} and {@link #values} are built on it.
   * Made on each call, not kept: few callers ask, and a field would cost every map.
   */
  @Override
  public Set<Map.Entry<K, V>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return CompactMap.this.size();
      }

      @Override
      public Iterator<Map.Entry<K, V>> iterator() {
        return many != null ? new ManyIterator() : new OneIterator();
      }
    };
  }

  /** Over the single entry (if any); {@code remove} empties the map. */
  private final class OneIterator implements Iterator<Map.Entry<K, V>> {
    private boolean done = oneKey == null;
    private boolean removable;

    @Override
    public boolean hasNext() {
      return !done;
    }

    @Override
    public Map.Entry<K, V> next() {
      if (done) {
        throw new NoSuchElementException();
      }
      done = true;
      removable = true;
      return new SimpleImmutableEntry<>(oneKey, oneValue);
    }

    @Override
    public void remove() {
      if (!removable) {
        throw new IllegalStateException();
      }
      removable = false;
      oneKey = null;
      oneValue = null;
    }
  }

  /**
   * Over {@link #many}; {@code remove} goes through its iterator, and the map goes back to one
   * entry only after the iteration (the iterator would fail otherwise).
   */
  private final class ManyIterator implements Iterator<Map.Entry<K, V>> {
    private final HashMap<K, V> map = many;
    private final Iterator<Map.Entry<K, V>> it = map.entrySet().iterator();

    @Override
    public boolean hasNext() {
      boolean more = it.hasNext();
      if (!more && many == map) {
        shrink();
      }
      return more;
    }

    @Override
    public Map.Entry<K, V> next() {
      return it.next();
    }

    @Override
    public void remove() {
      it.remove();
    }
  }
}
