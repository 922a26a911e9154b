package io.vipha;

import io.vipha.internal.Problems;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How long the kernel keeps a VIP that the agent stops renewing. The Linux backend adds addresses
 * with this valid lifetime and renews them well before it runs out; if the process dies or hangs,
 * the kernel removes the VIP itself.
 *
 * @param duration whole seconds, or null for {@linkplain #forever() forever}
 */
public record Lease(@Nullable Duration duration) {
  /** Shortest lease: {@value} seconds. */
  public static final long MIN_SECONDS = 2;
  /** Longest lease: {@value} seconds (one day). */
  public static final long MAX_SECONDS = 86_400;

  private static final Lease FOREVER = new Lease(null);

  /** Checks the range: whole seconds from {@value #MIN_SECONDS} to {@value #MAX_SECONDS}. */
  public Lease {
    if (duration != null) {
      Problems p = new Problems();
      check(p, duration);
      p.throwIfAny();
    }
  }

  static void check(Problems p, Duration d) {
    if (d.getNano() != 0) {
      p.add("lease", io.vipha.internal.Durations.format(d),
          "is not a whole number of seconds; the kernel counts lifetimes in seconds: use e.g. 10s");
    } else if (d.getSeconds() < MIN_SECONDS || d.getSeconds() > MAX_SECONDS) {
      p.add("lease", io.vipha.internal.Durations.format(d), "is out of range; use 2s–1d, or"
          + " \"forever\" to opt out of kernel leases");
    }
  }

  /** A lease of {@code duration}. */
  public static Lease of(Duration duration) {
    return new Lease(duration);
  }

  /** No lease: the address stays until removed (as keepalived does). */
  public static Lease forever() {
    return FOREVER;
  }

  /** {@code true} when addresses never expire on their own. */
  public boolean isForever() {
    return duration == null;
  }

  @Override
  public String toString() {
    return duration == null ? "forever" : io.vipha.internal.Durations.format(duration);
  }
}
