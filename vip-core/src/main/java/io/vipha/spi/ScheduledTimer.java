package io.vipha.spi;

import org.jspecify.annotations.Nullable;

/** {@link Scheduler#timer}'s default: each arm is a {@link Scheduler#schedule} of this timer. */
final class ScheduledTimer implements Scheduler.Timer, Runnable {
  private final Scheduler loop;
  private final Runnable task;
  private @Nullable Cancellable pending;

  ScheduledTimer(Scheduler loop, Runnable task) {
    this.loop = loop;
    this.task = task;
  }

  @Override
  public void arm(long delayNanos) {
    cancel();
    pending = loop.schedule(delayNanos, this);
  }

  @Override
  public void cancel() {
    Cancellable p = pending;
    if (p != null) {
      pending = null;
      p.cancel();
    }
  }

  @Override
  public void run() {
    pending = null;
    task.run();
  }
}
