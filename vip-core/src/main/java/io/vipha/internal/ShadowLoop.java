package io.vipha.internal;

import io.vipha.spi.Cancellable;
import io.vipha.spi.Scheduler;

/**
 * A loop on a virtual clock that runs only when told to, on the caller's thread: the loop of a
 * start-up rehearsal, which drives a throwaway copy of a take-over through its timers without
 * waiting for them. Not thread-safe.
 */
public final class ShadowLoop implements Scheduler {
  private final TimerHeap<Task> tasks = new TimerHeap<>();
  private long now;

  @Override
  public long nanoTime() {
    return now;
  }

  @Override
  public long wallMillis() {
    return now / 1_000_000;
  }

  @Override
  public Cancellable schedule(long delayNanos, Runnable task) {
    Task t = new Task(task);
    tasks.add(t, TimerHeap.dueAfter(now, delayNanos));
    return t;
  }

  /** Runs every task due within {@code nanos} from now, in time order, and moves the clock on. */
  public void advance(long nanos) {
    long until = TimerHeap.dueAfter(now, nanos);
    for (Task t = tasks.peek(); t != null && t.due() - until <= 0; t = tasks.peek()) {
      tasks.poll();
      now = Math.max(now, t.due());
      t.task.run();
    }
    now = until;
  }

  /** Tasks queued and not yet run or cancelled. */
  public int pending() {
    return tasks.size();
  }

  private final class Task extends TimerHeap.Entry implements Cancellable {
    final Runnable task;

    Task(Runnable task) {
      this.task = task;
    }

    @Override
    public void cancel() {
      tasks.remove(this);
    }
  }
}
