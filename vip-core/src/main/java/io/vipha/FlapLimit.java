package io.vipha;

import io.vipha.internal.Problems;
import io.vipha.internal.Durations;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Flap protection, as PAN-OS does it: a node whose ownership changes {@code maxChanges} times
 * within {@code window} is suspended (not eligible to own VIPs) until an operator clears it or
 * {@code suspendFor} has passed.
 *
 * @param maxChanges ownership changes that trigger suspension: 2–100, or 0 to turn the limit off
 * @param window the sliding window the changes are counted in, 1s–1d
 * @param suspendFor how long a suspension lasts, 1s–7d, or null to wait for an operator
 */
public record FlapLimit(int maxChanges, Duration window, @Nullable Duration suspendFor) {
  /** The default: 4 changes within 1 minute suspend the node for 5 minutes. */
  public static final FlapLimit DEFAULT = new FlapLimit(4, Duration.ofMinutes(1),
      Duration.ofMinutes(5));
  /** No flap limit. */
  public static final FlapLimit OFF = new FlapLimit(0, Duration.ofMinutes(1), null);

  /** Checks the ranges. */
  public FlapLimit {
    Objects.requireNonNull(window, "window");
    Problems p = new Problems();
    check(p, "", maxChanges, window, suspendFor);
    p.throwIfAny();
  }

  /** {@code true} unless the limit is {@link #OFF}. */
  public boolean enabled() {
    return maxChanges > 0;
  }

  static void check(Problems p, String prefix, int maxChanges, Duration window,
      @Nullable Duration suspendFor) {
    if (maxChanges != 0 && (maxChanges < 2 || maxChanges > 100)) {
      p.add(prefix + "maxChanges", maxChanges, "is out of range; use 2–100, or 0 to turn the flap"
          + " limit off");
    }
    if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(Duration.ofDays(1)) > 0) {
      p.add(prefix + "window", Durations.format(window), "is out of range; use 1s–1d");
    }
    if (suspendFor != null && (suspendFor.compareTo(Duration.ofSeconds(1)) < 0
        || suspendFor.compareTo(Duration.ofDays(7)) > 0)) {
      p.add(prefix + "suspendFor", Durations.format(suspendFor), "is out of range; use 1s–7d, or"
          + " leave it out to suspend until an operator clears the node");
    }
  }
}
