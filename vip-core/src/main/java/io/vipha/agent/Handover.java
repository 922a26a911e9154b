package io.vipha.agent;

import io.vipha.VirtualIp;
import io.vipha.plan.Eligibility;
import io.vipha.plan.Liveness;
import io.vipha.spi.Coordinator.PeerState;
import java.util.HashMap;
import java.util.Map;

/**
 * Make-before-break handover: how long this node keeps a VIP it no longer owns while its
 * successor adds it, and whether the successor's claim shows that it holds the VIP now.
 */
final class Handover {
  private final VipAgent a;
  /** Per VIP being handed over, until when (this node's clock) it is kept at most. */
  private final Map<VirtualIp, Long> handovers = new HashMap<>();
  /** Whether to wait for the successor at all (off only in the checker's self-test). */
  private final boolean makeBeforeBreak;

  Handover(VipAgent agent) {
    this.a = agent;
    this.makeBeforeBreak = !agent.broken.contains(Breakage.MAKE_BEFORE_BREAK);
  }

  /** No handover of {@code v} is waiting (it is owned here again, or released). */
  void done(VirtualIp v) {
    handovers.remove(v);
  }

  /** After a stall: every handover's wait is stale. */
  void clear() {
    handovers.clear();
  }

  /**
   * Whether to keep {@code v} a little longer so that its new owner can add it first: the owner
   * is reachable, does not hold it yet, and the bounded wait has not run out. A draining node
   * whose plan names no owner waits the same way while a successor may still come ({@link
   * #successorMayCome}).
   */
  boolean waitForSuccessor(VirtualIp v, long now) {
    String owner = a.planning.plan().assignment().owner(v);
    PeerState p = owner == null ? null : a.peers.get(owner);
    boolean wait = p != null ? p.liveness() != Liveness.DEAD
        && !(p.held().contains(v) && claimCounts(p.nodeId(), v, now))
        : owner == null && successorMayCome();
    if (!makeBeforeBreak || !wait) {
      handovers.remove(v);
      return false;
    }
    Long deadline = handovers.get(v);
    if (deadline == null) {
      handovers.put(v, now + a.handoverTimeout);
      a.loop.schedule(a.handoverTimeout, () -> a.reconciler.reconcile(null));
      return true;
    }
    return now < deadline;
  }

  /**
   * Whether this draining node, whose plan names no successor, should still wait (bounded) for
   * one: a live peer is not eligible yet, as a peer warming up after its start ({@link Warmup})
   * is until it sees the VIP without another owner; it then becomes eligible and the successor.
   */
  private boolean successorMayCome() {
    if (a.standing.localEligibility() != Eligibility.DRAINING) {
      return false;
    }
    for (PeerState p : a.peers.all()) {
      if (p.liveness() == Liveness.ALIVE && p.eligibility() == Eligibility.DISQUALIFIED) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code peer}'s claim to hold {@code v} shows that it holds it now. A claim it made
   * before this node took {@code v}, seen within a heartbeat interval of that, may be its own
   * hold that it gave up to this node, seen late: handing {@code v} straight back on it would
   * leave nobody holding it. Such a claim counts once an interval has passed (a timer then
   * reconciles).
   */
  private boolean claimCounts(String peer, VirtualIp v, long now) {
    long took = a.holdings.acquiredAt(v);
    if (a.peers.peerHeldSince(peer, v) >= took) {
      return true;
    }
    long graceEnd = took + a.policy.heartbeatInterval().toNanos();
    if (now >= graceEnd) {
      return true;
    }
    a.reconciler.reconcileAt(graceEnd, now);
    return false;
  }
}
