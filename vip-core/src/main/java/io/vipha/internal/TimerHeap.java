package io.vipha.internal;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Timers by due time, then by the order they were queued in: a binary min-heap in an array whose
 * entries know their place, so that queueing, re-queueing and removing an entry cost O(log n)
 * and allocate nothing (unless the array grows). Entries are reused from run to run. Due times
 * are compared by their difference, as {@link System#nanoTime()} values must be; {@link #dueAfter}
 * keeps them within range. Not thread-safe.
 *
 * @param <E> the schedulers' entries
 */
public final class TimerHeap<E extends TimerHeap.Entry> {
  /** The longest delay honoured, about 73 years; longer ones are cut to it. */
  public static final long MAX_DELAY = Long.MAX_VALUE >> 2;

  private Entry[] heap = new Entry[16];
  private int size;
  private long seq;

  /** A timer's place in a heap; extend it with what runs. */
  public static class Entry {
    long due;
    long seq;
    int index = -1;

    /** When it is (or was last) due. */
    public final long due() {
      return due;
    }

    /** Whether it is queued. */
    public final boolean queued() {
      return index >= 0;
    }
  }

  /** The due time {@code delay} after {@code now}: a negative delay is 0, a huge one cut. */
  public static long dueAfter(long now, long delay) {
    return now + Math.min(Math.max(0, delay), MAX_DELAY);
  }

  /** Queues {@code e} to be due at {@code due}, after those due then already; moves it if queued. */
  public void add(E e, long due) {
    if (e.index >= 0) {
      removeAt(e.index);
    }
    e.due = due;
    e.seq = seq++;
    if (size == heap.length) {
      heap = Arrays.copyOf(heap, size * 2);
    }
    heap[size] = e;
    e.index = size;
    size++;
    siftUp(e.index);
  }

  /** Takes {@code e} out of the heap; whether it was queued. */
  public boolean remove(E e) {
    if (e.index < 0) {
      return false;
    }
    removeAt(e.index);
    return true;
  }

  /** The first entry due, or null when none is queued. */
  @SuppressWarnings("unchecked")
  public @Nullable E peek() {
    return size == 0 ? null : (E) heap[0];
  }

  /** Takes the first entry due out of the heap and returns it, or null when none is queued. */
  public @Nullable E poll() {
    E e = peek();
    if (e != null) {
      removeAt(0);
    }
    return e;
  }

  /** How many entries are queued. */
  public int size() {
    return size;
  }

  private void removeAt(int i) {
    Entry e = heap[i];
    e.index = -1;
    size--;
    Entry last = heap[size];
    heap[size] = null;
    if (i < size) {
      heap[i] = last;
      last.index = i;
      siftDown(i);
      if (last.index == i) {
        siftUp(i);
      }
    }
  }

  private static boolean before(Entry a, Entry b) {
    long d = a.due - b.due;
    return d < 0 || (d == 0 && a.seq < b.seq);
  }

  private void siftUp(int i) {
    Entry e = heap[i];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      Entry p = heap[parent];
      if (!before(e, p)) {
        break;
      }
      heap[i] = p;
      p.index = i;
      i = parent;
    }
    heap[i] = e;
    e.index = i;
  }

  private void siftDown(int i) {
    Entry e = heap[i];
    int half = size >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      int right = child + 1;
      if (right < size && before(heap[right], heap[child])) {
        child = right;
      }
      Entry c = heap[child];
      if (!before(c, e)) {
        break;
      }
      heap[i] = c;
      c.index = i;
      i = child;
    }
    heap[i] = e;
    e.index = i;
  }
}
