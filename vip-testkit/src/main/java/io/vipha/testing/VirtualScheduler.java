package io.vipha.testing;

import io.vipha.internal.TimerHeap;
import io.vipha.spi.Cancellable;
import io.vipha.spi.Scheduler;
import java.time.Duration;

/**
 * A scheduler over virtual time: tasks run in the caller's thread when time is advanced, in order
 * of due time and then of scheduling. Nothing sleeps; the same calls give the same run.
 * Not thread-safe: drive it from one thread.
 */
public final class VirtualScheduler implements Scheduler {
  private final TimerHeap<Task> queue = new TimerHeap<>();
  private final long wallOrigin;
  private long now;

  /** Starts at virtual time 0, with the wall clock at {@code wallOriginMillis}. */
  public VirtualScheduler(long wallOriginMillis) {
    this.wallOrigin = wallOriginMillis;
  }

  /** Starts at virtual time 0, with the wall clock at 2026-01-01T00:00:00Z. */
  public VirtualScheduler() {
    this(1_767_225_600_000L);
  }

  /** A one-shot task, or a timer: re-armed and cancelled without allocating. */
  private final class Task extends TimerHeap.Entry implements Timer {
    final Runnable run;

    Task(Runnable run) {
      this.run = run;
    }

    @Override
    public void arm(long delayNanos) {
      queue.add(this, TimerHeap.dueAfter(now, delayNanos));
    }

    @Override
    public void cancel() {
      queue.remove(this);
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
    Task t = new Task(task);
    t.arm(delayNanos);
    return t;
  }

  /** {@inheritDoc} Arming it (in virtual time) and cancelling it allocate nothing. */
  @Override
  public Timer timer(Runnable task) {
    return new Task(task);
  }

  /** Runs every task due up to {@code until} (nanoseconds), then sets the time to it. */
  public void runUntil(long until) {
    while (true) {
      Task t = queue.peek();
      if (t == null || t.due() > until) {
        break;
      }
      queue.poll();
      now = Math.max(now, t.due());
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

  /** The number of pending (armed, not cancelled) tasks. */
  public int pending() {
    return queue.size();
  }
}
