package io.vipha;

import io.vipha.internal.Problems;
import io.vipha.internal.Durations;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a new owner tells the segment that a VIP moved: gratuitous ARP for IPv4, unsolicited
 * neighbour advertisement for IPv6.
 *
 * @param count announcements sent on every takeover, 1–100 (the first at once)
 * @param interval pause between them, 0–10s
 * @param refresh re-announce every owned VIP this often (1s–1h), or null for never
 */
public record AnnouncePolicy(int count, Duration interval, @Nullable Duration refresh) {
  /** The default: 3 announcements 100 ms apart, no periodic refresh. */
  public static final AnnouncePolicy DEFAULT = new AnnouncePolicy(3, Duration.ofMillis(100),
      null);

  /** Checks the ranges. */
  public AnnouncePolicy {
    Objects.requireNonNull(interval, "interval");
    Problems p = new Problems();
    check(p, "", count, interval, refresh);
    p.throwIfAny();
  }

  static void check(Problems p, String prefix, int count, Duration interval,
      @Nullable Duration refresh) {
    if (count < 1 || count > 100) {
      p.add(prefix + "count", count, "is out of range; use 1–100");
    }
    if (interval.isNegative() || interval.compareTo(Duration.ofSeconds(10)) > 0) {
      p.add(prefix + "interval", Durations.format(interval), "is out of range; use 0–10s");
    }
    if (refresh != null && (refresh.compareTo(Duration.ofSeconds(1)) < 0
        || refresh.compareTo(Duration.ofHours(1)) > 0)) {
      p.add(prefix + "refresh", Durations.format(refresh), "is out of range; use 1s–1h, or leave"
          + " it out for no periodic refresh");
    }
  }
}
