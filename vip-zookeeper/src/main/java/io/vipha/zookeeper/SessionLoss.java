package io.vipha.zookeeper;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What a group's holder does with its VIPs when its connection to ZooKeeper goes (SUSPENDED,
 * READ_ONLY or LOST), chosen per group.
 *
 * <ul>
 *   <li>{@link #release()} (safe, the default): it removes them at once. Every connection loss,
 *       a ZooKeeper leader election included, interrupts the VIPs.
 *   <li>{@link #keep(Duration) keep(d)} (available): it keeps them, and renews them for up to
 *       {@code d} after the loss. While the fence bound holds (see the README) this is as safe as
 *       a release; beyond it another node may have won the claim, and both hold the VIP until
 *       {@code d} and the kernel lease have run out. {@code keep(Duration.ZERO)} keeps them only
 *       until the fence bound, with no overlap.
 * </ul>
 *
 * @param keepFor how long VIPs are kept and renewed after the loss; null to release
 */
public record SessionLoss(@Nullable Duration keepFor) {
  private static final SessionLoss RELEASE = new SessionLoss(null);
  /** The longest keep: one hour. */
  public static final Duration MAX_KEEP = Duration.ofHours(1);

  /** Checks the range: 0 to one hour. */
  public SessionLoss {
    if (keepFor != null && (keepFor.isNegative() || keepFor.compareTo(MAX_KEEP) > 0)) {
      throw new IllegalArgumentException("keepFor " + keepFor + " is out of range; use 0s-1h");
    }
  }

  /** Remove the VIPs at once. */
  public static SessionLoss release() {
    return RELEASE;
  }

  /** Keep the VIPs, renewing them for up to {@code keepFor} after the loss. */
  public static SessionLoss keep(Duration keepFor) {
    return new SessionLoss(keepFor);
  }

  /** Whether the VIPs go at once. */
  public boolean releases() {
    return keepFor == null;
  }

  /** How long VIPs are renewed beyond the loss, in nanoseconds (0 when released). */
  long keepNanos() {
    Duration d = keepFor;
    return d == null ? 0 : d.toNanos();
  }

  @Override
  public String toString() {
    Duration d = keepFor;
    return d == null ? "release" : "keep " + d;
  }
}
