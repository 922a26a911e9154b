package io.vipha.health;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;

/**
 * Lets a running probe be abandoned: the {@link HealthMonitor} cancels a probe when it stops or
 * when the probe overran its timeout. A {@link Prober} registers what undoes its blocking work
 * (close a socket, kill a process) with {@link #onCancel(Runnable)}; cancelling runs those actions
 * on the cancelling thread and interrupts the thread running the probe.
 */
public final class Cancellation {
  private static final Logger LOG = LoggerFactory.getLogger(Cancellation.class);

  private final Object lock = new Object();
  private boolean cancelled;
  private final List<Runnable> actions = new ArrayList<>();
  private @Nullable Thread runner;

  /** A cancellation that has not been cancelled. */
  public Cancellation() {}

  /** Whether {@link #cancel()} was called. */
  public boolean isCancelled() {
    synchronized (lock) {
      return cancelled;
    }
  }

  /**
   * Runs {@code action} when the probe is cancelled, or right now when it already is. Actions must
   * be quick and must not block: send a signal, close a socket.
   */
  public void onCancel(Runnable action) {
    synchronized (lock) {
      if (!cancelled) {
        actions.add(action);
        return;
      }
    }
    runQuietly(action);
  }

  /** Cancels: runs every registered action once and interrupts the probe's thread. Idempotent. */
  public void cancel() {
    List<Runnable> run;
    synchronized (lock) {
      if (cancelled) {
        return;
      }
      cancelled = true;
      run = new ArrayList<>(actions);
      actions.clear();
      if (runner != null) {
        runner.interrupt();
      }
    }
    run.forEach(Cancellation::runQuietly);
  }

  /** Marks the current thread as the probe's; false when already cancelled (then do not run). */
  boolean enter() {
    synchronized (lock) {
      if (cancelled) {
        return false;
      }
      runner = Thread.currentThread();
      return true;
    }
  }

  /**
   * Ends the probe on this thread: a later {@link #cancel()} no longer interrupts it, and an
   * interrupt that came from this cancellation is cleared so that it cannot leak into the
   * executor's next task.
   */
  void exit() {
    synchronized (lock) {
      runner = null;
      if (cancelled) {
        Thread.interrupted();
      }
    }
  }

  private static void runQuietly(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      LOG.warn("cancel action failed", e);
    }
  }
}
