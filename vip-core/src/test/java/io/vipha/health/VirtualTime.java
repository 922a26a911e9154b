package io.vipha.health;

import java.time.Duration;
import java.util.PriorityQueue;
import java.util.function.LongSupplier;

/**
 * A {@link Scheduler} and clock on virtual time: nothing runs until the test advances it. Tasks run
 * on the thread that advances; other threads may schedule.
 */
final class VirtualTime implements Scheduler, LongSupplier {
  private static final class Entry implements Task {
    final long at;
    final long seq;
    final Runnable task;
    boolean cancelled;

    Entry(long at, long seq, Runnable task) {
      this.at = at;
      this.seq = seq;
      this.task = task;
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }

  private final PriorityQueue<Entry> queue = new PriorityQueue<>(
      (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
  private long now = 1_000_000_000L; // not 0, so that "0" never passes for a real instant
  private long seq;

  @Override
  public synchronized Task schedule(long delayNanos, Runnable task) {
    if (delayNanos < 0) {
      throw new IllegalArgumentException("negative delay " + delayNanos);
    }
    Entry e = new Entry(now + delayNanos, seq++, task);
    queue.add(e);
    return e;
  }

  @Override
  public synchronized long getAsLong() {
    return now;
  }

  /** Runs every task due up to {@code now + d}, in time order, then sets the clock there. */
  synchronized void advance(Duration d) {
    long until = now + d.toNanos();
    while (true) {
      Entry e = queue.peek();
      if (e == null || e.at > until) {
        break;
      }
      queue.poll();
      if (!e.cancelled) {
        now = e.at;
        e.task.run();
      }
    }
    now = until;
  }

  /** Runs the tasks due now (e.g. results handed back with delay 0). */
  void runDue() {
    advance(Duration.ZERO);
  }

  /** Tasks scheduled and not cancelled. */
  synchronized long pending() {
    return queue.stream().filter(e -> !e.cancelled).count();
  }
}
