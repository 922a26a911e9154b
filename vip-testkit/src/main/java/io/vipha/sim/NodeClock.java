package io.vipha.sim;

import io.vipha.spi.Cancellable;
import io.vipha.spi.Scheduler;
import io.vipha.testing.VirtualScheduler;

/**
 * One host's clocks over the shared virtual time: a monotonic clock that may run fast or slow
 * (drift, in parts per million) and a wall clock that may also jump. Both survive process
 * restarts, as a host's clocks do.
 */
final class NodeClock {
  private final VirtualScheduler shared;
  private double rate = 1.0;
  private long localBase;
  private long sharedBase;
  private long wallOffsetMillis;

  NodeClock(VirtualScheduler shared) {
    this.shared = shared;
  }

  long nanoTime() {
    return localBase + (long) ((shared.nanoTime() - sharedBase) * rate);
  }

  long wallMillis() {
    return shared.wallMillis() + wallOffsetMillis + (nanoTime() - shared.nanoTime()) / 1_000_000;
  }

  /** Local delay to shared delay. */
  Cancellable schedule(long localDelayNanos, Runnable task) {
    return shared.schedule(sharedDelay(localDelayNanos), task);
  }

  /** A timer of the shared scheduler, armed with local delays; re-armed without allocating. */
  Scheduler.Timer timer(Runnable task) {
    Scheduler.Timer t = shared.timer(task);
    return new Scheduler.Timer() {
      @Override
      public void arm(long localDelayNanos) {
        t.arm(sharedDelay(localDelayNanos));
      }

      @Override
      public void cancel() {
        t.cancel();
      }
    };
  }

  private long sharedDelay(long localDelayNanos) {
    return (long) Math.ceil(Math.max(0, localDelayNanos) / rate);
  }

  void drift(long ppm) {
    localBase = nanoTime();
    sharedBase = shared.nanoTime();
    rate = 1.0 + ppm / 1e6;
  }

  void jumpWall(long millis) {
    wallOffsetMillis += millis;
  }
}
