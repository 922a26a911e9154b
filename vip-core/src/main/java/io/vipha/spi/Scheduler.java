package io.vipha.spi;

/**
 * Time and the event loop. All of an agent's state is touched only by tasks run here, one at a
 * time. A real scheduler uses one thread and {@link System#nanoTime()}; a virtual one (see {@code
 * io.vipha.testing.VirtualScheduler} in vip-testkit) runs tasks in virtual time, so tests and the
 * simulator run the same code deterministically.
 */
public interface Scheduler {
  /** Now, in nanoseconds on a monotonic clock. */
  long nanoTime();

  /** Runs {@code task} on the loop after {@code delayNanos} (0: as soon as possible). */
  Cancellable schedule(long delayNanos, Runnable task);

  /** Runs {@code task} on the loop as soon as possible; callable from any thread. */
  default void execute(Runnable task) {
    schedule(0, task);
  }

  /**
   * Wall-clock time in milliseconds since the epoch, used only where a value must grow across
   * restarts (heartbeat incarnations); never for timing.
   */
  long wallMillis();
}
