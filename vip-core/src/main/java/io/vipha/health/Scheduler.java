package io.vipha.health;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task after a delay: the only way {@link HealthMonitor} waits. The agent backs it with its
 * event loop; a test backs it with virtual time.
 *
 * <p>An implementation must not run the task before {@link #schedule(long, Runnable)} returns, and
 * should run tasks one at a time (an event loop): the monitor's listener is called from these
 * tasks.
 */
@FunctionalInterface
public interface Scheduler {
  /** A scheduled task that can be cancelled. */
  @FunctionalInterface
  interface Task {
    /** Cancels the task if it has not run yet; does nothing otherwise. */
    void cancel();
  }

  /** Runs {@code task} once, {@code delayNanos} (≥ 0) nanoseconds from now. */
  Task schedule(long delayNanos, Runnable task);

  /** A scheduler backed by {@code executor}; give it one thread to make it an event loop. */
  static Scheduler of(ScheduledExecutorService executor) {
    return (delayNanos, task) -> {
      ScheduledFuture<?> f = executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
      return () -> f.cancel(false);
    };
  }
}
