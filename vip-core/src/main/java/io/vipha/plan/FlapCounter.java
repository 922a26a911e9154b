package io.vipha.plan;

import io.vipha.FailoverPolicy;
import java.time.Duration;

/**
 * The flap limit's arithmetic for one planner: which nodes it counts, how many of a node's
 * changes fall within the window, and when a suspension that starts now ends. What it counts is
 * the {@link Planner}'s to decide: changes caused by failures (a loss of ownership because the
 * node died or was disqualified, and the preemption or rebalance by which it comes back), never
 * planned moves (a switchover, a drain, a graceful leave, and the return after one of them).
 */
final class FlapCounter {
  private final int max;
  private final int onlyNode; // -1: every node; else the only node the limit applies to
  private final long window;
  private final long suspendFor;

  FlapCounter(FailoverPolicy p, int onlyNode) {
    this.max = p.flapLimit().maxChanges();
    this.onlyNode = onlyNode;
    this.window = p.flapLimit().window().toNanos();
    Duration s = p.flapLimit().suspendFor();
    this.suspendFor = s == null ? Plan.NEVER : s.toNanos();
  }

  /** Whether the limit counts node {@code i}'s changes. */
  boolean counts(int i) {
    return max > 0 && (onlyNode < 0 || onlyNode == i);
  }

  /** How many of {@code times} lie within the window before {@code now}. */
  int recent(long[] times, long now) {
    int c = 0;
    for (long t : times) {
      if (now - t < window) {
        c++;
      }
    }
    return c;
  }

  /** Whether one more change of node {@code i} (history {@code times}) reaches the limit. */
  boolean atLimit(int i, long[] times, long now) {
    return counts(i) && reachesLimit(recent(times, now));
  }

  /** Whether one more change after {@code recent} changes within the window reaches the limit. */
  boolean reachesLimit(int recent) {
    return recent + 1 >= max;
  }

  /** The end of a suspension that starts at {@code now}: an instant, or {@link Plan#NEVER}. */
  long suspensionEnd(long now) {
    if (suspendFor == Plan.NEVER) {
      return Plan.NEVER;
    }
    return Plan.addSat(now, suspendFor);
  }

  /**
   * {@code times} within the window, plus {@code now}: the history after one more change;
   * {@code recent} is {@link #recent}{@code (times, now)}.
   */
  long[] append(long[] times, int recent, long now) {
    long[] f = new long[recent + 1];
    int k = 0;
    for (long t : times) {
      if (now - t < window) {
        f[k++] = t;
      }
    }
    f[k] = now;
    return f;
  }
}
