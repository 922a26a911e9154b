package io.vipha;

import io.vipha.internal.Problems;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How long the kernel keeps a VIP that the agent stops renewing. The Linux backend adds addresses
 * with this valid lifetime and renews them well before it runs out; if the process dies or hangs,
 * the kernel removes the VIP itself. A policy's lease is at least {@value #MIN_SECONDS} s; the
 * agent passes a backend a shorter one, down to 1 s, when a fencing coordinator bounds it (see
 * {@link io.vipha.spi.Coordinator.Fence#leaseNanos()}).
 *
 * @param duration whole seconds from 1 s, or null for {@linkplain #forever() forever}
 */
public record Lease(@Nullable Duration duration) {
  /** Shortest lease a policy may set: {@value} seconds. */
  public static final long MIN_SECONDS = 2;
  /** Longest lease: {@value} seconds (one day). */
  public static final long MAX_SECONDS = 86_400;

  private static final Lease FOREVER = new Lease(null);

  /** Checks the range: whole seconds from 1 to {@value #MAX_SECONDS}. */
  public Lease {
    if (duration != null) {
      Problems p = new Problems();
      check(p, duration, 1);
      p.throwIfAny();
    }
  }

  /** Checks a policy's lease: whole seconds from {@value #MIN_SECONDS} to {@value #MAX_SECONDS}. */
  static void check(Problems p, Duration d) {
    check(p, d, MIN_SECONDS);
  }

  private static void check(Problems p, Duration d, long minSeconds) {
    if (d.getNano() != 0) {
      p.add("lease", io.vipha.internal.Durations.format(d),
          "is not a whole number of seconds; the kernel counts lifetimes in seconds: use e.g. 10s");
    } else if (d.getSeconds() < minSeconds || d.getSeconds() > MAX_SECONDS) {
      p.add("lease", io.vipha.internal.Durations.format(d), "is out of range; use " + minSeconds
          + "s–1d, or \"forever\" to opt out of kernel leases");
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
