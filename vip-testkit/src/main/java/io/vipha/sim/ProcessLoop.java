package io.vipha.sim;

import io.vipha.spi.Cancellable;
import io.vipha.spi.Scheduler;
import java.util.ArrayList;
import java.util.List;

/**
 * One process's event loop on its host's clock: it can die ({@link #halt()}, nothing runs again)
 * or stop the world ({@link #pause()}; tasks that fall due run late, all at once, on {@link
 * #resume()}).
 */
final class ProcessLoop implements Scheduler {
  private final NodeClock clock;
  private boolean halted;
  private boolean paused;
  private final List<Runnable> held = new ArrayList<>();

  ProcessLoop(NodeClock clock) {
    this.clock = clock;
  }

  @Override
  public long nanoTime() {
    return clock.nanoTime();
  }

  @Override
  public long wallMillis() {
    return clock.wallMillis();
  }

  @Override
  public Cancellable schedule(long delayNanos, Runnable task) {
    return clock.schedule(delayNanos, () -> run(task));
  }

  @Override
  public Timer timer(Runnable task) {
    return clock.timer(() -> run(task));
  }

  /** Runs {@code task} on this loop now (or when a pause ends; never once halted). */
  void run(Runnable task) {
    if (halted) {
      return;
    }
    if (paused) {
      held.add(task);
      return;
    }
    task.run();
  }

  void halt() {
    halted = true;
    held.clear();
  }

  boolean halted() {
    return halted;
  }

  boolean paused() {
    return paused;
  }

  void pause() {
    paused = true;
  }

  void resume() {
    if (!paused) {
      return;
    }
    paused = false;
    List<Runnable> due = new ArrayList<>(held);
    held.clear();
    for (Runnable r : due) {
      run(r);
    }
  }
}
