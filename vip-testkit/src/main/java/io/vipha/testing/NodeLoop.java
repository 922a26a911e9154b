package io.vipha.testing;

import io.vipha.spi.Cancellable;
import io.vipha.spi.Scheduler;
import java.util.ArrayList;
import java.util.List;

/**
 * One node's view of a shared {@link VirtualScheduler}, with the faults a process can suffer:
 * {@link #halt()} (the process is gone: its tasks never run again), {@link #pause()} and {@link
 * #resume()} (a stop-the-world pause: its tasks run late, all at once).
 */
public final class NodeLoop implements Scheduler {
  private final VirtualScheduler shared;
  private boolean halted;
  private boolean paused;
  private final List<Runnable> held = new ArrayList<>();

  /** A node loop on {@code shared}. */
  public NodeLoop(VirtualScheduler shared) {
    this.shared = shared;
  }

  @Override
  public long nanoTime() {
    return shared.nanoTime();
  }

  @Override
  public long wallMillis() {
    return shared.wallMillis();
  }

  @Override
  public Cancellable schedule(long delayNanos, Runnable task) {
    return shared.schedule(delayNanos, () -> run(task));
  }

  /** {@inheritDoc} Arming and cancelling it allocate nothing. */
  @Override
  public Timer timer(Runnable task) {
    return shared.timer(() -> run(task));
  }

  private void run(Runnable task) {
    if (halted) {
      return;
    }
    if (paused) {
      held.add(task);
      return;
    }
    task.run();
  }

  /** The process dies: nothing it scheduled runs any more. */
  public void halt() {
    halted = true;
    held.clear();
  }

  /** Whether {@link #halt()} was called. */
  public boolean halted() {
    return halted;
  }

  /** A stop-the-world pause starts: tasks fall due but do not run. */
  public void pause() {
    paused = true;
  }

  /** The pause ends: every task that fell due runs now, in order. */
  public void resume() {
    paused = false;
    List<Runnable> due = new ArrayList<>(held);
    held.clear();
    for (Runnable r : due) {
      run(r);
    }
  }
}
