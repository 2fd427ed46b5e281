package io.fluxer.relay.client;

import io.fluxer.relay.channel.TagFilter;
import io.fluxer.relay.protocol.ClientCodec;
import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.Publication;
import io.fluxer.relay.protocol.FossilDelta;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A push for the subscribers of one channel (a publication, a join or a leave), shared by every
 * session that receives it, on every event loop of the node.
 *
 * <p>Encoded once per codec: the first subscriber that speaks JSON (or Protobuf) encodes the push
 * frame, and every other subscriber of that codec, on any event loop, gets the same bytes, which
 * must never be modified. A channel with JSON and Protobuf subscribers so costs two encodings per
 * publication on a node, and a codec nobody uses costs none.
 *
 * <p>So are the frames of subscriptions with delta compression ({@link #deltaFrame}): the Fossil
 * delta against a previous publication is computed once per publication and previous publication
 * (normally one: every subscriber of the channel had the same one before), and framed once per codec.
 *
 * <p>Tags filters ({@code tf} on subscribe) are evaluated here too, once per distinct filter: each
 * result is remembered on the delivery, so a thousand subscribers with one filter cost one
 * evaluation, and subscribers with no filter cost nothing.
 */
public final class Delivery {
  /** What the push says. */
  public enum Kind { PUBLICATION, JOIN, LEAVE, POSITION }

  /** Acquire/release access to the elements of {@link #frames} (an AtomicReferenceArray was one more object per delivery). */
  private static final VarHandle FRAME = MethodHandles.arrayElementVarHandle(byte[][].class);

  private final Kind kind;
  private final String channel;
  private final String epoch;
  /** The publication ({@link Kind#PUBLICATION}), else {@code null}. */
  private final Publication publication;
  /** Who joined or left ({@link Kind#JOIN}, {@link Kind#LEAVE}), else {@code null}. */
  private final ClientInfo info;
  private final long publishedNanos;
  /** The stream offset of a {@link Kind#POSITION}; the others take it from their publication. */
  private final long positionOffset;
  /**
   * Encoded frames by {@link ClientCodec#index}; read without a lock once set, made under the
   * array's lock so that each codec encodes at most once whichever loops ask at the same time.
   */
  private final byte[][] frames = new byte[ClientCodec.COUNT][];
  /** Guarded by {@link #frames}. */
  private int encodings;
  /**
   * Frames of delta subscriptions, made on the first one (most deliveries have none); guarded by
   * {@link #frames}.
   */
  private DeltaForms deltaForms;
  /** Fossil deltas by previous publication ({@code null}: saves nothing), shared by the codecs; guarded by {@link #frames}. */
  private Map<Publication, byte[]> deltas;
  private int deltaComputations;
  /** Filter results of this delivery, made on the first filtered subscriber; guarded by {@code this}. */
  private Map<TagFilter, Boolean> filtered;
  private int filterEvaluations;

  private Delivery(Kind kind, String channel, String epoch, Publication publication, ClientInfo info,
                   long publishedNanos, long positionOffset) {
    this.kind = kind;
    this.channel = Objects.requireNonNull(channel, "channel");
    this.epoch = epoch == null ? "" : epoch;
    this.publication = publication;
    this.info = info;
    this.publishedNanos = publishedNanos;
    this.positionOffset = positionOffset;
  }

  /**
   * A publication stored by the broker.
   *
   * @param epoch the epoch of the stream the publication's offset is in (empty when its offset is 0)
   * @param publishedNanos {@link System#nanoTime()} when the broker handed the publication to this
   *     node, for the publish-to-write latency; 0 when unknown
   */
  public static Delivery publication(String channel, Publication publication, String epoch, long publishedNanos) {
    return new Delivery(Kind.PUBLICATION, channel, epoch, Objects.requireNonNull(publication, "publication"), null,
        publishedNanos, 0);
  }

  /**
   * Not a push: the channel's stream is at {@code epoch} and {@code offset} while this node may have
   * missed publications of it (its broker lost the channel's feed for a while). Subscribers behind
   * it must get the rest or recover ({@link StreamOrder#expect}).
   */
  public static Delivery position(String channel, String epoch, long offset) {
    return new Delivery(Kind.POSITION, channel, epoch, null, null, 0, offset);
  }

  /** A join push: no stream position. */
  public static Delivery join(String channel, ClientInfo info) {
    return new Delivery(Kind.JOIN, channel, "", null, Objects.requireNonNull(info, "info"), 0, 0);
  }

  /** A leave push: no stream position. */
  public static Delivery leave(String channel, ClientInfo info) {
    return new Delivery(Kind.LEAVE, channel, "", null, Objects.requireNonNull(info, "info"), 0, 0);
  }

  public Kind kind() {
    return kind;
  }

  public String channel() {
    return channel;
  }

  /** The publication's (or position's) stream offset; 0 for join/leave and channels without history. */
  public long offset() {
    return publication == null ? positionOffset : publication.offset();
  }

  /** The epoch of the stream {@link #offset} is in; empty when the offset is 0. */
  public String epoch() {
    return epoch;
  }

  /** The publication, or {@code null} for a join or leave. */
  public Publication publication() {
    return publication;
  }

  /** Who joined or left, or {@code null} for a publication. */
  public ClientInfo info() {
    return info;
  }

  /** The publication's tags (empty for join/leave), what tags filters test; never {@code null}, never modified. */
  public Map<String, String> tags() {
    return publication == null ? Map.of() : publication.tags();
  }

  public long publishedNanos() {
    return publishedNanos;
  }

  /**
   * The push frame in {@code codec}'s encoding (one message, no separator), encoded on the first
   * call for that codec and shared afterwards; safe to call from any thread.
   */
  public byte[] frame(ClientCodec codec) {
    int i = codec.index();
    byte[] frame = (byte[]) FRAME.getAcquire(frames, i);
    if (frame != null) {
      return frame;
    }
    synchronized (frames) {
      frame = frames[i];
      if (frame == null) {
        frame = switch (kind) {
          case PUBLICATION -> codec.publication(channel, publication);
          case JOIN -> codec.join(channel, info);
          case LEAVE -> codec.leave(channel, info);
          case POSITION -> throw new IllegalStateException("a position is not sent to clients");
        };
        encodings++;
        FRAME.setRelease(frames, i, frame);
      }
      return frame;
    }
  }

  /**
   * The frame for a subscription with delta compression whose client last got {@code previous}
   * ({@code null}: none since it subscribed): a Fossil delta against it when this publication was
   * published for delta delivery and the delta is smaller than the data, else the data whole, in the
   * delta form. The delta of UTF-8 text is UTF-8 text ({@link FossilDelta#create}), as the JSON form
   * needs. Safe to call from any thread.
   */
  public byte[] deltaFrame(ClientCodec codec, Publication previous) {
    if (kind != Kind.PUBLICATION) {
      throw new IllegalStateException("only publications have delta frames");
    }
    int i = codec.index();
    synchronized (frames) {
      if (deltaForms == null) {
        deltaForms = new DeltaForms();
      }
      byte[][] wholeForDelta = deltaForms.whole;
      Map<Publication, byte[]>[] deltaFrames = deltaForms.deltas;
      if (previous != null && publication.delta()) {
        byte[] delta = delta(previous);
        if (delta != null) {
          Map<Publication, byte[]> byPrevious = deltaFrames[i];
          if (byPrevious == null) {
            byPrevious = new IdentityHashMap<>(2);
            deltaFrames[i] = byPrevious;
          }
          byte[] frame = byPrevious.get(previous);
          if (frame == null) {
            frame = codec.deltaPublication(channel, publication, delta, true);
            encodings++;
            byPrevious.put(previous, frame);
          }
          return frame;
        }
      }
      byte[] whole = wholeForDelta[i];
      if (whole == null) {
        whole = codec.deltaPublication(channel, publication, publication.data().getBytes(StandardCharsets.UTF_8), false);
        encodings++;
        wholeForDelta[i] = whole;
      }
      return whole;
    }
  }

  /** The Fossil delta from {@code previous}'s data to this one's, or {@code null} when it saves nothing. */
  private byte[] delta(Publication previous) {
    if (deltas == null) {
      deltas = new IdentityHashMap<>(2);
    }
    if (deltas.containsKey(previous)) {
      return deltas.get(previous);
    }
    byte[] target = publication.data().getBytes(StandardCharsets.UTF_8);
    byte[] delta = FossilDelta.create(previous.data().getBytes(StandardCharsets.UTF_8), target);
    deltaComputations++;
    if (delta.length >= target.length) {
      delta = null;
    }
    deltas.put(previous, delta);
    return delta;
  }

  /** How many Fossil deltas {@link #deltaFrame} computed: at most one per previous publication. */
  public int deltaComputations() {
    synchronized (frames) {
      return deltaComputations;
    }
  }

  /** How many frames {@link #frame} and {@link #deltaFrame} encoded: at most one per codec and form. */
  public int encodings() {
    synchronized (frames) {
      return encodings;
    }
  }

  /**
   * Whether this publication passes {@code filter} ({@code null}: no filter, always). Filters equal
   * by their canonical form share one evaluation per delivery, whichever event loop asks.
   */
  public boolean passes(TagFilter filter) {
    if (filter == null) {
      return true;
    }
    synchronized (this) {
      if (filtered == null) {
        filtered = new HashMap<>(4);
      }
      Boolean known = filtered.get(filter);
      if (known == null) {
        known = filter.matches(tags());
        filterEvaluations++;
        filtered.put(filter, known);
      }
      return known;
    }
  }

  /** How many filter evaluations {@link #passes} made on this delivery (one per distinct filter). */
  public synchronized int filterEvaluations() {
    return filterEvaluations;
  }

  @Override
  public String toString() {
    return "Delivery[" + kind + " " + channel + "@" + offset() + "/" + epoch + "]";
  }

  /** The frames of one delivery for delta subscriptions, by codec. */
  private static final class DeltaForms {
    /** The data whole, in the delta form. */
    final byte[][] whole = new byte[ClientCodec.COUNT][];
    /**
     * Delta frames, each keyed by the previous publication (by identity: publications hold no
     * deliveries, so this keeps no chain of old deliveries alive).
     */
    @SuppressWarnings("unchecked")
    final Map<Publication, byte[]>[] deltas = new Map[ClientCodec.COUNT];
  }
}
