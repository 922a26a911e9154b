package io.vipha.plan;

import java.util.List;

/**
 * What a plan remembers of one node for its flap limit, so that a node can keep it across a
 * restart ({@link Plan#flapRecord}, {@link Plan#withFlapRecord}). Instants are nanoseconds on the
 * caller's monotonic clock.
 *
 * @param changes the instants of its recent failure-driven ownership changes, oldest first
 * @param suspendedUntil when its suspension ends: {@link Long#MIN_VALUE} when it has none, {@link
 *     Plan#NEVER} when it lasts until an operator clears it
 * @param returnPlanned whether its last loss of ownership was a planned move (a switchover, a
 *     drain, a graceful leave), so that its return will not count as a change
 */
public record FlapRecord(List<Long> changes, long suspendedUntil, boolean returnPlanned) {
  /** No history. */
  public static final FlapRecord NONE = new FlapRecord(List.of(), Long.MIN_VALUE, false);

  /** Copies the list. */
  public FlapRecord {
    changes = List.copyOf(changes);
  }
}
