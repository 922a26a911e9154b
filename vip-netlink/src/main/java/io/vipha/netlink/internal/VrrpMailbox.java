package io.vipha.netlink.internal;

import io.vipha.spi.Scheduler;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands accepted advertisements from the receiving thread to the loop without allocating: a ring
 * of preallocated slots that one thread fills ({@link #post}) and the loop drains in order, with
 * one drain task, made once, posted to the loop only when the ring was idle. When the loop
 * falls so far behind that the ring is full, an advertisement is lost and counted; the next one
 * of the same master follows within an interval.
 */
public final class VrrpMailbox {
  /** What the loop is handed, once per advertisement, in the order they came. */
  public interface Reader {
    /**
     * One advertisement: its priority and interval, its source compared with this router's
     * primary address ({@link VrrpAdvert#compareSource}), and the source itself in {@code
     * source[0, sourceLength)} (valid during the call only).
     */
    void advertisement(int priority, int interval, int versus, byte[] source, int sourceLength);
  }

  private final Scheduler loop;
  private final Reader reader;
  private final int mask;
  private final int[] priority;
  private final int[] interval;
  private final int[] versus;
  private final int[] sourceLength;
  private final byte[] sources;
  /** The receiving thread's copy of a source. */
  private final byte[] source = new byte[16];
  /** The loop's copy of a source, handed to the reader. */
  private final byte[] drained = new byte[16];
  /** The next slot to fill; written by the receiving thread only. */
  private final AtomicLong tail = new AtomicLong();
  /** The next slot to drain; written by the loop only. */
  private final AtomicLong head = new AtomicLong();
  private final AtomicBoolean posted = new AtomicBoolean();
  private final Runnable drain = this::drain;
  private volatile long lost;

  /**
   * A mailbox of {@code capacity} slots (a power of two) whose advertisements {@code reader}
   * takes on {@code loop}.
   */
  public VrrpMailbox(Scheduler loop, int capacity, Reader reader) {
    if (capacity < 1 || Integer.bitCount(capacity) != 1) {
      throw new IllegalArgumentException("a capacity is a power of two; got " + capacity);
    }
    this.loop = Objects.requireNonNull(loop, "loop");
    this.reader = Objects.requireNonNull(reader, "reader");
    mask = capacity - 1;
    priority = new int[capacity];
    interval = new int[capacity];
    versus = new int[capacity];
    sourceLength = new int[capacity];
    sources = new byte[capacity * 16];
  }

  /**
   * Posts advertisement {@code a}, compared with this router's primary address {@code local};
   * called by one thread only. Returns false when the ring was full and it was lost.
   */
  public boolean post(VrrpAdvert a, byte[] local) {
    long t = tail.get();
    if (t - head.get() > mask) {
      lost++; // only this thread writes it
      return false;
    }
    int i = (int) t & mask;
    priority[i] = a.priority();
    interval[i] = a.interval();
    versus[i] = a.compareSource(local);
    sourceLength[i] = a.addressLength();
    a.source(source);
    System.arraycopy(source, 0, sources, i * 16, a.addressLength());
    tail.set(t + 1); // publishes the slot
    if (posted.compareAndSet(false, true)) {
      loop.execute(drain);
    }
    return true;
  }

  /** Advertisements lost because the ring was full. */
  public long lost() {
    return lost;
  }

  /** On the loop: hands every posted advertisement to the reader, in order. */
  private void drain() {
    while (true) {
      long h = head.get();
      long t = tail.get();
      for (; h < t; h++) {
        int i = (int) h & mask;
        int n = sourceLength[i];
        System.arraycopy(sources, i * 16, drained, 0, n);
        int p = priority[i];
        int v = interval[i];
        int c = versus[i];
        head.set(h + 1); // the slot is free again
        reader.advertisement(p, v, c, drained, n);
      }
      posted.set(false);
      // A post that came after the last read of tail but before the flag cleared found the
      // flag set and posted nothing: take it now, unless a new drain task is on its way.
      if (tail.get() == head.get() || !posted.compareAndSet(false, true)) {
        return;
      }
    }
  }
}
