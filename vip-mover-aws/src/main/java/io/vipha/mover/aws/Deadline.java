package io.vipha.mover.aws;

import java.time.Duration;

/** The end of one mover call, spread over the provider calls it makes. */
final class Deadline {
  /** Thrown when the deadline passed between two provider calls. */
  static final class Passed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Passed(String what) {
      super(what, null, false, false);
    }
  }

  private final long endNanos;

  private Deadline(long endNanos) {
    this.endNanos = endNanos;
  }

  /** The deadline {@code timeout} from now. */
  static Deadline after(Duration timeout) {
    return new Deadline(System.nanoTime() + timeout.toNanos());
  }

  /** The time left, at least a millisecond; throws {@link Passed} when none is left. */
  Duration remaining(String before) {
    long left = endNanos - System.nanoTime();
    if (left < 1_000_000L) {
      throw new Passed("the deadline passed before " + before);
    }
    return Duration.ofNanos(left);
  }

  /** Sleeps {@code pause}, or less when the deadline comes first; false if none is left. */
  boolean pause(Duration pause) throws InterruptedException {
    long left = endNanos - System.nanoTime();
    if (left <= pause.toNanos()) {
      return false;
    }
    Thread.sleep(pause.toMillis());
    return true;
  }
}
