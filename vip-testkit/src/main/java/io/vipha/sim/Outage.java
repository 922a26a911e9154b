package io.vipha.sim;

import io.vipha.VirtualIp;
import java.util.Objects;

/**
 * A span during which the client's packets to a VIP reached no host that holds it.
 *
 * @param vip the VIP
 * @param from when it began, nanoseconds of virtual time
 * @param to when it ended, or {@link Long#MAX_VALUE} while it goes on
 */
public record Outage(VirtualIp vip, long from, long to) {
  /** Checks the fields. */
  public Outage {
    Objects.requireNonNull(vip, "vip");
    if (to < from) {
      throw new IllegalArgumentException("outage ends before it begins");
    }
  }

  /** Whether it is still going on. */
  public boolean ongoing() {
    return to == Long.MAX_VALUE;
  }

  /** Its length up to {@code now} (for an ongoing outage) in nanoseconds. */
  public long length(long now) {
    return (ongoing() ? now : to) - from;
  }
}
