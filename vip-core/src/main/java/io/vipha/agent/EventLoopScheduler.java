package io.vipha.agent;

import io.vipha.spi.Cancellable;
import io.vipha.spi.Scheduler;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** A real event loop: one daemon thread, {@link System#nanoTime()} as the clock. */
public final class EventLoopScheduler implements Scheduler, AutoCloseable {
  private final ScheduledThreadPoolExecutor executor;

  /** A loop whose thread is called {@code name}. */
  public EventLoopScheduler(String name) {
    executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
    executor.setRemoveOnCancelPolicy(true);
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public long wallMillis() {
    return System.currentTimeMillis();
  }

  @Override
  public Cancellable schedule(long delayNanos, Runnable task) {
    ScheduledFuture<?> f = executor.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    return () -> f.cancel(false);
  }

  @Override
  public void execute(Runnable task) {
    executor.execute(task);
  }

  /** Stops the thread after the tasks already queued. */
  @Override
  public void close() {
    executor.shutdown();
  }
}
