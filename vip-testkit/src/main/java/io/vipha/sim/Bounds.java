package io.vipha.sim;

import io.vipha.FailoverPolicy;
import io.vipha.Lease;
import io.vipha.NoQuorumAction;
import io.vipha.Quorum;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The windows the simulator's invariants allow, each derived from what the README promises for
 * the policy. With heartbeat interval {@code h}, detection {@code d = h × deadAfter}, preempt
 * delay {@code p}, hold-down {@code k}, lease {@code l}, reconcile interval {@code r} and a
 * margin {@code m = 20 ms} (the check's 10 ms step, the network's delay and the hosts' clock
 * drift):
 *
 * @param failover client outage after an unplanned loss of the owner's host or link (power off,
 *     link down, partition). Promise: peers declare it dead within {@code d} of its last
 *     heartbeat, the successor waits at most one interval for peers that became eligible with
 *     it and a hold-down, and announces: {@code d + 2h + k + m}
 * @param crash client outage after the owner's process dies or pauses while its host stays up.
 *     Promise: the address stays until its kernel lease ends, renewed every {@code l/3}, so it
 *     outlives the failover unless the lease is short: {@code max(0, failover − 2l/3)}; zero with
 *     a lease that never ends
 * @param reconcile outage after a VIP is removed by hand from its owner. Promise: reconcile
 *     re-adds it within one interval: {@code r + m}
 * @param planned outage after a graceful stop, switchover, drain, undrain, failing or passing
 *     health check, preempting return, clock step or drift. Promise (make-before-break): the old
 *     holder keeps the VIP until the successor holds it: zero
 * @param dualRunning two running, mutually reachable holders of one VIP with working backends.
 *     Promise: the make-before-break overlap, a restarted process's leftovers while it joins, or
 *     a healed partition's conflict, which every node resolves the same way: {@code max(d, p) +
 *     3h}
 * @param cutNoticed how long after a cut a node may still count a peer on the other side as
 *     heard: a peer is suspect after 1.5 silent intervals, and a node takes a VIP only while its
 *     quorum's peers are not: {@code 1.5h + m}
 * @param dualCutOff two running holders with working backends that cannot hear each other
 *     either way, when the second took the VIP more than {@code cutNoticed} after the cut.
 *     Promise (quorum lease): with a quorum and {@code RELEASE}, the cut-off owner lets go before
 *     the majority declares it dead, and a node takes nothing from a peer it no longer hears, so
 *     the two overlap at most for a heartbeat's flight time (the lease runs from a peer
 *     heartbeat's arrival, and the last may still be in flight at the cut, while the owner's own
 *     last one may have left up to an interval before it): the network's {@code flight}. Null
 *     (no bound until the cut heals) without a quorum or with {@code KEEP}, whose cut-off owners
 *     keep their VIPs by design
 * @param dualCut the same pair when the cut came while both held the VIP (a handover in
 *     flight) or less than {@code cutNoticed} before the second took it (a preemption that
 *     started as the cut came): the side without quorum lets go when its lease lapses, {@code d
 *     − h} after the cut: {@code d + m}; null as for {@code dualCutOff}
 * @param dualOneWay the same when the cut is one way. The node whose heartbeats are cut still
 *     hears the other and its heard bits, which change only when the other declares it dead;
 *     the other's next heartbeat, sent at once when it takes over, tells it: {@code d + h + m};
 *     null as for {@code dualCutOff}
 * @param dualStranded a holder that cannot act (its process dead or paused, or its backend
 *     failing) beside another holder of the VIP. Promise: nothing removes its address but the
 *     kernel lease, last renewed before it stopped acting: {@code l + m}; null (no bound) with a
 *     lease that never ends
 * @param convergence once faults stop, until every VIP has exactly one running, eligible holder
 *     that every agent agrees on: {@code (d + h) + max(d, p) + k + l + 5h}
 */
public record Bounds(Duration failover, Duration crash, Duration reconcile, Duration planned,
    Duration dualRunning, Duration cutNoticed, @Nullable Duration dualCutOff,
    @Nullable Duration dualCut, @Nullable Duration dualOneWay,
    @Nullable Duration dualStranded, Duration convergence) {
  /** Checks the fields. */
  public Bounds {
    Objects.requireNonNull(failover);
    Objects.requireNonNull(crash);
    Objects.requireNonNull(reconcile);
    Objects.requireNonNull(planned);
    Objects.requireNonNull(dualRunning);
    Objects.requireNonNull(cutNoticed);
    Objects.requireNonNull(convergence);
  }

  /**
   * The bounds for {@code policy} with the agent's reconcile interval {@code reconcile}, on a
   * network whose heartbeats take up to the margin {@code m} in flight.
   */
  public static Bounds of(FailoverPolicy policy, Duration reconcile) {
    return of(policy, reconcile, Duration.ofMillis(20));
  }

  /**
   * The bounds for {@code policy} with the agent's reconcile interval {@code reconcile}, on a
   * network whose heartbeats take up to {@code flight} from sender to receiver.
   */
  public static Bounds of(FailoverPolicy policy, Duration reconcile, Duration flight) {
    Duration h = policy.heartbeatInterval();
    Duration d = policy.detectionTime();
    Duration p = policy.preemptDelay();
    Duration k = policy.holdDown();
    Lease lease = policy.lease();
    Duration l = lease.isForever() ? null : Objects.requireNonNull(lease.duration());
    Duration margin = Duration.ofMillis(20);
    Duration dp = d.compareTo(p) >= 0 ? d : p;
    Duration failover = d.plus(h.multipliedBy(2)).plus(k).plus(margin);
    Duration crash = l == null ? Duration.ZERO
        : max(Duration.ZERO, failover.minus(l.multipliedBy(2).dividedBy(3)));
    boolean quorumLease = policy.quorum().kind() != Quorum.Kind.NONE
        && policy.noQuorum() == NoQuorumAction.RELEASE;
    return new Bounds(failover, crash, reconcile.plus(margin), Duration.ZERO,
        dp.plus(h.multipliedBy(3)),
        h.plus(h.dividedBy(2)).plus(margin),
        quorumLease ? flight : null,
        quorumLease ? d.plus(margin) : null,
        quorumLease ? d.plus(h).plus(margin) : null,
        l == null ? null : l.plus(margin),
        d.plus(h).plus(dp).plus(k).plus(l == null ? Duration.ZERO : l)
            .plus(h.multipliedBy(5)));
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
