package io.vipha.mover.openstack;

import io.vipha.spi.MoverResult;
import java.time.Duration;

/** The end of one mover call, on {@link System#nanoTime()}. */
final class Deadline {
  private final long end;
  private final Duration total;

  private Deadline(long end, Duration total) {
    this.end = end;
    this.total = total;
  }

  static Deadline after(Duration timeout) {
    return new Deadline(System.nanoTime() + timeout.toNanos(), timeout);
  }

  /** What is left, at least 1 ms; throws a TIMED_OUT refusal when nothing is. */
  Duration remaining(String doing) throws Refusal {
    long left = end - System.nanoTime();
    if (left <= 0) {
      throw new Refusal(MoverResult.timedOut("no answer within " + total.toMillis() + " ms ("
          + doing + ")"));
    }
    return Duration.ofNanos(Math.max(left, 1_000_000));
  }

  Duration total() {
    return total;
  }
}
