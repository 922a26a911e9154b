package io.vipha.agent;

import io.vipha.NoQuorumAction;
import io.vipha.agent.VipAgent.Phase;
import io.vipha.plan.Liveness;
import io.vipha.spi.Coordinator.PeerState;
import java.util.function.Predicate;

/**
 * The quorum this node acts on: the lease that lets it keep its VIPs, the firmer quorum it needs
 * to take one, and the wait after it regains quorum before it takes anything.
 */
final class QuorumLease {
  private final VipAgent a;
  /** Whether the lease is held at all (off only in the checker's self-test). */
  private final boolean leaseOn;
  private long rejoinUntil = Long.MIN_VALUE;

  QuorumLease(VipAgent agent) {
    this.a = agent;
    this.leaseOn = !agent.broken.contains(Breakage.QUORUM_LEASE);
  }

  /**
   * Whether this node's quorum lease holds: it and the peers it heard within the detection time
   * minus one interval ({@code PeerState.lapsed}) make a quorum. A holder whose lease runs out
   * lets go of its VIPs at once, though its plan still names it: cut off from the majority, it
   * releases before the majority declares it dead and takes over, so the two never overlap (the
   * majority last heard it at most one interval before the cut). A peer heard again before that
   * renews the lease and the VIPs come back. Groups whose policy keeps VIPs without quorum
   * ({@code NoQuorumAction.KEEP}) hold no lease.
   */
  boolean quorumLeased() {
    return !leaseOn || a.phase() != Phase.RUNNING || a.policy.noQuorum() == NoQuorumAction.KEEP
        || quorumAmong(p -> p.liveness() != Liveness.DEAD && !p.lapsed());
  }

  /**
   * Whether this node and the peers it hears right now, leaving out those that missed a
   * heartbeat, make a quorum. Taking a VIP needs this firmer quorum: a node cut off from every
   * peer sees them go silent one by one, and would otherwise take a VIP (and announce it,
   * pulling clients away from its live owner) in the instant between the first and the last
   * being declared dead. Keeping a VIP needs only the plan's quorum and the quorum lease.
   */
  boolean quorumFirm() {
    return quorumAmong(p -> p.liveness() == Liveness.ALIVE);
  }

  /** Whether this node and the peers {@code counted} accepts make the group's quorum. */
  private boolean quorumAmong(Predicate<PeerState> counted) {
    int required = a.group.quorumSize();
    if (required <= 1) {
      return true;
    }
    int n = 1;
    for (PeerState p : a.peers.all()) {
      if (counted.test(p)) {
        n++;
      }
    }
    return n >= required;
  }

  /** The plan regained quorum at {@code now}: listen for a join time before taking anything. */
  void rejoinFrom(long now) {
    rejoinUntil = now + a.joinTime;
  }

  /**
   * Whether this node regained quorum less than a join time ago and has not heard every peer
   * since: it takes nothing yet (a timer reconciles when the time is up).
   */
  boolean backFromIsolation(long now) {
    if (now >= rejoinUntil) {
      return false;
    }
    if (a.peers.allAlive()) {
      rejoinUntil = Long.MIN_VALUE;
      return false;
    }
    a.reconciler.reconcileAt(rejoinUntil, now);
    return true;
  }
}
