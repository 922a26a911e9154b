package io.vipha.sim;

import io.vipha.FailoverPolicy;
import io.vipha.Lease;
import java.time.Duration;
import java.util.Objects;

/**
 * The windows the simulator's invariants allow, derived from a group's policy. With heartbeat
 * interval {@code h}, detection {@code d = h × deadAfter}, preempt delay {@code p}, hold-down
 * {@code k}, lease {@code l} and reconcile interval {@code r}:
 *
 * @param failover client outage after an unplanned loss of the owner (power off, link down,
 *     partition): {@code d + 2h + k + 20 ms}
 * @param dualRunning two running, mutually reachable holders of one VIP: {@code max(d, p) + 3h}
 * @param dualAny two holders on the segment when the group has a quorum, whatever their process
 *     does (a dead or paused process keeps its VIP until its lease ends): {@code l + d + 2h}
 * @param reconcile outage after a VIP is removed by hand from its owner: {@code r + 20 ms}
 * @param convergence once faults stop, until every VIP has exactly one running, eligible holder
 *     that every agent agrees on: {@code (d + h) + max(d, p) + k + l + 5h}
 */
public record Bounds(Duration failover, Duration dualRunning, Duration dualAny,
    Duration reconcile, Duration convergence) {
  /** Checks the fields. */
  public Bounds {
    Objects.requireNonNull(failover);
    Objects.requireNonNull(dualRunning);
    Objects.requireNonNull(dualAny);
    Objects.requireNonNull(reconcile);
    Objects.requireNonNull(convergence);
  }

  /** The bounds for {@code policy} with the agent's reconcile interval {@code reconcile}. */
  public static Bounds of(FailoverPolicy policy, Duration reconcile) {
    Duration h = policy.heartbeatInterval();
    Duration d = policy.detectionTime();
    Duration p = policy.preemptDelay();
    Duration k = policy.holdDown();
    Lease lease = policy.lease();
    Duration l = lease.isForever() ? Duration.ZERO : Objects.requireNonNull(lease.duration());
    Duration margin = Duration.ofMillis(20);
    Duration dp = d.compareTo(p) >= 0 ? d : p;
    return new Bounds(
        d.plus(h.multipliedBy(2)).plus(k).plus(margin),
        dp.plus(h.multipliedBy(3)),
        l.plus(d).plus(h.multipliedBy(2)),
        reconcile.plus(margin),
        d.plus(h).plus(dp).plus(k).plus(l).plus(h.multipliedBy(5)));
  }
}
