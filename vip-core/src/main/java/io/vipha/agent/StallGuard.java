package io.vipha.agent;

import io.vipha.VirtualIp;
import io.vipha.agent.VipAgent.Phase;
import io.vipha.plan.Liveness;
import io.vipha.spi.Coordinator.PeerState;

/**
 * Stall detection: notices that the event loop ran nothing for longer than the detection time
 * (a long pause, during which peers may have declared this node dead), acts on none of what
 * queued up meanwhile, and either carries on (no peer acted) or steps down and joins afresh.
 */
final class StallGuard {
  private final VipAgent a;
  private long lastRan;
  /** After a stall: rejoining, the join not ended yet. */
  private boolean rejoining;
  /** After a stall, while the peers' queued news arrives: whether any of them acted on it. */
  private boolean stallCheck;
  private long stallStart;

  StallGuard(VipAgent agent) {
    this.a = agent;
  }

  /** The loop ran at {@code now} (the coordinator's tick asks for the local state). */
  void ran(long now) {
    lastRan = now;
  }

  /** Whether the check after a stall is going on: the node then claims to hold nothing. */
  boolean checking() {
    return stallCheck;
  }

  boolean rejoining() {
    return rejoining;
  }

  /** The join ended. */
  void rejoined() {
    rejoining = false;
  }

  /**
   * Whether this loop ran nothing for longer than the detection time: it was stalled (a long
   * pause), peers may have declared this node dead (they do once it is silent that long), and
   * what queued up meanwhile is stale. The heartbeat tick runs every interval, so such a gap
   * cannot happen otherwise; a shorter pause costs nothing.
   * The first task to run after the stall, whichever it is, steps down (see {@link #onStalled})
   * before anything acts on stale state.
   */
  boolean caughtStalled(long now) {
    long gap = lastRan == 0 ? 0 : now - lastRan;
    lastRan = now;
    if (a.phase() == Phase.RUNNING && a.group.nodes().size() > 1
        && gap > a.detectionTime) {
      onStalled(gap);
      return true;
    }
    return false;
  }

  void onStalled(long nanos) {
    long now = a.loop.nanoTime();
    lastRan = now;
    Phase phase = a.phase();
    if (phase == Phase.JOINING && rejoining) {
      return; // already stepping down or checking for this stall (the first task after it noticed)
    }
    a.events.emit(new AgentEvent.Stalled(now, nanos));
    if (a.group.nodes().size() > 1 && (phase == Phase.RUNNING)) {
      // Peers may have declared this node dead and taken its VIPs. What the loop queued during
      // the stall is stale: act on none of it.
      a.standing.eligibleFrom(now); // as peers may see it: back from the dead now
      a.handover.clear();
      a.life.rejoin();
      rejoining = true;
      if (a.holdings.isEmpty()) {
        stepDown();
      } else {
        // Keep the VIPs while the peers' news queued during the stall arrives: unless a peer
        // took one of them or stopped hearing this node, nobody acted, and letting go would
        // only cost the clients an outage.
        stallStart = now - nanos;
        stallCheck = true;
        a.life.scheduleJoin(a.policy.heartbeatInterval().toNanos() / 2, this::endStallCheck);
      }
      a.snapshot();
    }
  }

  /** After a stall: release everything and listen for a full join time, then plan afresh. */
  void stepDown() {
    stallCheck = false;
    a.life.cancelJoin();
    for (VirtualIp v : a.holdings.list()) {
      a.reconciler.release(v, "STALLED");
    }
    a.planning.reset();
    a.coordinator.publishNow();
    a.life.scheduleJoin(a.joinTime, a.life::endJoin);
  }

  /** The stall check found no peer that acted on this node's silence: carry on. */
  private void endStallCheck() {
    if (a.phase() != Phase.JOINING || !stallCheck) {
      return;
    }
    stallCheck = false;
    a.life.joinFired();
    a.coordinator.publishNow();
    a.life.endJoin();
  }

  /**
   * Whether a peer's news, during the check after a stall, shows it acted on this node's
   * silence: it no longer hears this node, or it took one of the VIPs this node holds (a claim
   * first seen after the last instant the loop ran before the stall; one it had seen by then is
   * no news of the stall).
   */
  boolean actedOnStall(PeerState s) {
    if (s.cutOff() || (s.liveness() == Liveness.DEAD && !s.left())) {
      return true;
    }
    for (VirtualIp v : s.held()) {
      Long from = a.peers.heldFrom(s.nodeId(), v);
      if (a.holdings.holds(v) && (from == null || from > stallStart)) {
        return true;
      }
    }
    return false;
  }
}
