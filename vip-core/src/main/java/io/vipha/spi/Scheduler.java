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
   * A timer that runs {@code task} on the loop each time it is {@linkplain Timer#arm armed}: made
   * once, armed again and again, e.g. for a heartbeat every interval. The default schedules each
   * run with {@link #schedule}; a scheduler made for a steady state re-arms without allocating.
   */
  default Timer timer(Runnable task) {
    return new ScheduledTimer(this, task);
  }

  /**
   * A {@link #timer} for a deadline that matters to the microsecond, such as a failure
   * detector's: a real loop stops parking shortly before it is due and waits on the CPU, so that
   * its task starts when it is due rather than when the thread is woken (tens to hundreds of
   * microseconds later). Use it for a timer that seldom runs out: the wait costs CPU each time.
   * The default is {@link #timer}.
   */
  default Timer preciseTimer(Runnable task) {
    return timer(task);
  }

  /**
   * A {@link #preciseTimer} whose task is slow when it first runs after a long wait: code and
   * data that no thread touched for a few milliseconds have left the CPU's caches (and on a
   * virtual machine, those of the host's other guests fill them), so a path that takes a
   * microsecond warm takes tens cold. A real loop stops parking a few milliseconds before the
   * timer is due and, until it is due, runs {@code warmUp} again and again on its thread,
   * starting no run that its expected time could carry past the due time; the task then finds
   * its path warm. {@code warmUp} must change nothing that anything else observes. The default
   * is {@link #preciseTimer(Runnable)}: a virtual clock has no caches to warm.
   */
  default Timer preciseTimer(Runnable task, Runnable warmUp) {
    return preciseTimer(task);
  }

  /**
   * Wall-clock time in milliseconds since the epoch, used only where a value must grow across
   * restarts (heartbeat incarnations); never for timing.
   */
  long wallMillis();

  /**
   * A re-armable timer of one task (see {@link Scheduler#timer}). It is armed and cancelled on
   * the loop, like every other use of the agent's state; it runs its task at most once per arm.
   */
  interface Timer extends Cancellable {
    /**
     * Runs the task once, {@code delayNanos} from now (0 or less: as soon as possible). A run
     * still pending is replaced: the task runs at the new time only, earlier or later.
     */
    void arm(long delayNanos);

    /** Cancels the pending run, if any; the timer can be armed again. */
    @Override
    void cancel();
  }
}
