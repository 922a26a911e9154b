package io.vipha.internal;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What a decoder did with the packets it was given: how many it accepted and how many it dropped
 * for each reason. One thread counts (the decoder's), any thread reads, and counting allocates
 * nothing.
 *
 * @param <E> the reasons a packet is dropped for
 */
public final class DropCounters<E extends Enum<E>> {
  private final AtomicLongArray dropped;
  private long acceptedCount;
  private volatile long acceptedPublished;

  /** Counters for the constants of {@code reasons}, all 0. */
  public DropCounters(Class<E> reasons) {
    dropped = new AtomicLongArray(reasons.getEnumConstants().length);
  }

  /** Counts a packet dropped for {@code reason}; only the counting thread calls it. */
  @SuppressWarnings("EnumOrdinal") // the counters are indexed by ordinal
  public void drop(E reason) {
    int i = reason.ordinal();
    dropped.lazySet(i, dropped.get(i) + 1);
  }

  /** Counts an accepted packet; only the counting thread calls it. */
  public void accept() {
    acceptedPublished = ++acceptedCount;
  }

  /** Packets dropped for {@code reason}. */
  @SuppressWarnings("EnumOrdinal") // the counters are indexed by ordinal
  public long dropped(E reason) {
    return dropped.get(reason.ordinal());
  }

  /** Packets dropped for any reason. */
  public long droppedTotal() {
    long n = 0;
    for (int i = 0; i < dropped.length(); i++) {
      n += dropped.get(i);
    }
    return n;
  }

  /** A copy of the counts of dropped packets, indexed by the reasons' ordinals. */
  public long[] droppedCounts() {
    long[] out = new long[dropped.length()];
    for (int i = 0; i < out.length; i++) {
      out[i] = dropped.get(i);
    }
    return out;
  }

  /** Packets accepted. */
  public long accepted() {
    return acceptedPublished;
  }
}
