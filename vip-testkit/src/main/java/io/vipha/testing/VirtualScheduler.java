package io.vipha.testing;

import io.vipha.spi.Cancellable;
import io.vipha.spi.Scheduler;
import java.time.Duration;
import java.util.PriorityQueue;

/**
 * A scheduler over virtual time: tasks run in the caller's thread when time is advanced, in order
 * of due time and then of scheduling. Nothing sleeps; the same calls give the same run.
 * Not thread-safe: drive it from one thread.
 */
public final class VirtualScheduler implements Scheduler {
  private final PriorityQueue<Task> queue = new PriorityQueue<>();
  private final long wallOrigin;
  private long now;
  private long seq;

  /** Starts at virtual time 0, with the wall clock at {@code wallOriginMillis}. */
  public VirtualScheduler(long wallOriginMillis) {
    this.wallOrigin = wallOriginMillis;
  }

  /** Starts at virtual time 0, with the wall clock at 2026-01-01T00:00:00Z. */
  public VirtualScheduler() {
    this(1_767_225_600_000L);
  }

  private static final class Task implements Comparable<Task>, Cancellable {
    final long due;
    final long seq;
    final Runnable run;
    boolean cancelled;

    Task(long due, long seq, Runnable run) {
      this.due = due;
      this.seq = seq;
      this.run = run;
    }

    @Override
    public int compareTo(Task o) {
      return due != o.due ? Long.compare(due, o.due) : Long.compare(seq, o.seq);
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }

  @Override
  public long nanoTime() {
    return now;
  }

  @Override
  public long wallMillis() {
    return wallOrigin + now / 1_000_000;
  }

  @Override
  public Cancellable schedule(long delayNanos, Runnable task) {
    Task t = new Task(now + Math.max(0, delayNanos), seq++, task);
    queue.add(t);
    return t;
  }

  /** Runs every task due up to {@code until} (nanoseconds), then sets the time to it. */
  public void runUntil(long until) {
    while (true) {
      Task t = queue.peek();
      if (t == null || t.due > until) {
        break;
      }
      queue.poll();
      if (t.cancelled) {
        continue;
      }
      now = Math.max(now, t.due);
      t.run.run();
    }
    now = Math.max(now, until);
  }

  /** Advances virtual time by {@code d}, running what falls due. */
  public void advance(Duration d) {
    runUntil(now + d.toNanos());
  }

  /** Runs tasks that are due now (including those they schedule with no delay). */
  public void runDue() {
    runUntil(now);
  }

  /** The number of pending, not cancelled, tasks. */
  public int pending() {
    int n = 0;
    for (Task t : queue) {
      if (!t.cancelled) {
        n++;
      }
    }
    return n;
  }
}
