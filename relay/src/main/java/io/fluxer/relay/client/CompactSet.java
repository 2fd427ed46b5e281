package io.fluxer.relay.client;

import java.util.AbstractSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.NoSuchElementException;

/**
 * A set in insertion order, like {@link LinkedHashSet}, that holds a single member itself and makes
 * the {@code LinkedHashSet} only when a second one arrives (and drops it when one is left).
 *
 * <p>Why: the hub keeps a set per channel (its subscribers) and per user (their sessions), and most
 * of them hold one member: a channel with one subscriber, a user with one connection. An empty
 * {@code LinkedHashSet} with its map and first table costs about 190 bytes before its first member;
 * this costs 24 with its member.
 *
 * <p>Iteration order is insertion order throughout, as with {@code LinkedHashSet}. Not thread-safe;
 * no {@code null} members. Not final: the hub's per-channel set ({@link ChannelSubscribers}) adds a
 * counter to it.
 */
class CompactSet<E> extends AbstractSet<E> {
  /** The only member, or {@code null} when empty or when {@link #many} holds the members. */
  private E one;
  /** Two members or more, in insertion order; otherwise {@code null}. */
  private LinkedHashSet<E> many;

  /**
   * The only member, or {@code null} when the set is empty or has more than one (or has shrunk to one
   * through an iterator's {@code remove} and not been iterated to the end since).
   */
  E single() {
    return one;
  }

  @Override
  public int size() {
    return many != null ? many.size() : one != null ? 1 : 0;
  }

  @Override
  public boolean isEmpty() {
    return many != null ? many.isEmpty() : one == null;
  }

  @Override
  public boolean contains(Object o) {
    return many != null ? many.contains(o) : one != null && one.equals(o);
  }

  @Override
  public boolean add(E e) {
    if (e == null) {
      throw new NullPointerException("member");
    }
    if (many != null) {
      return many.add(e);
    }
    if (one == null) {
      one = e;
      return true;
    }
    if (one.equals(e)) {
      return false;
    }
    many = new LinkedHashSet<>();
    many.add(one);
    many.add(e);
    one = null;
    return true;
  }

  @Override
  public boolean remove(Object o) {
    if (many != null) {
      if (!many.remove(o)) {
        return false;
      }
      shrink();
      return true;
    }
    if (one != null && one.equals(o)) {
      one = null;
      return true;
    }
    return false;
  }

  @Override
  public void clear() {
    one = null;
    many = null;
  }

  /** Back to holding the member itself once one is left (or nothing once none is). */
  private void shrink() {
    if (many.size() <= 1) {
      one = many.isEmpty() ? null : many.iterator().next();
      many = null;
    }
  }

  @Override
  public Iterator<E> iterator() {
    return many != null ? new ManyIterator() : new OneIterator();
  }

  /** Over the single member (if any); {@code remove} empties the set. */
  private final class OneIterator implements Iterator<E> {
    private E next = one;
    private boolean removable;

    @Override
    public boolean hasNext() {
      return next != null;
    }

    @Override
    public E next() {
      if (next == null) {
        throw new NoSuchElementException();
      }
      E e = next;
      next = null;
      removable = true;
      return e;
    }

    @Override
    public void remove() {
      if (!removable) {
        throw new IllegalStateException();
      }
      removable = false;
      one = null;
    }
  }

  /**
   * Over {@link #many}; {@code remove} goes through its iterator, and the set goes back to one
   * member only after the iteration (the iterator would fail otherwise).
   */
  private final class ManyIterator implements Iterator<E> {
    private final LinkedHashSet<E> set = many;
    private final Iterator<E> it = set.iterator();

    @Override
    public boolean hasNext() {
      boolean more = it.hasNext();
      if (!more && many == set) {
        shrink();
      }
      return more;
    }

    @Override
    public E next() {
      return it.next();
    }

    @Override
    public void remove() {
      it.remove();
    }
  }
}
