package io.vipha.agent;

import io.vipha.Node;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.agent.VipAgent.Phase;
import io.vipha.plan.Liveness;
import io.vipha.spi.Coordinator.PeerState;
import io.vipha.spi.Coordinator.Pin;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The peer table: what the coordinator last said of each peer and, per peer, since when each VIP
 * it holds has been reported held; and the handling of a peer's news (its events, its pins, the
 * end of the join, a replan).
 */
final class PeerTable {
  private final VipAgent a;
  private final Map<String, PeerState> peers = new HashMap<>();
  /** Per peer, since when (this node's clock) each VIP it holds has been reported held. */
  private final Map<String, Map<VirtualIp, Long>> peerHeld = new HashMap<>();

  PeerTable(VipAgent agent) {
    this.a = agent;
  }

  @Nullable PeerState get(String id) {
    return peers.get(id);
  }

  /** Every peer heard of, live. */
  Collection<PeerState> all() {
    return peers.values();
  }

  /** A copy for a snapshot. */
  Map<String, PeerState> copy() {
    return new HashMap<>(peers);
  }

  /** Since when {@code peer} has been reported holding {@code v}; null when it does not. */
  @Nullable Long heldFrom(String peer, VirtualIp v) {
    Map<VirtualIp, Long> m = peerHeld.get(peer);
    return m == null ? null : m.get(v);
  }

  /** {@link #heldFrom}, or {@link Long#MIN_VALUE} when it does not hold {@code v}. */
  long peerHeldSince(String peer, VirtualIp v) {
    Long t = heldFrom(peer, v);
    return t == null ? Long.MIN_VALUE : t;
  }

  /**
   * The group changed: peers no longer in it are forgotten, and what the others hold and pin is
   * kept for the VIPs and nodes that stay (the coordinator reports them afresh).
   */
  void regroup(VipGroup g) {
    peers.keySet().removeIf(id -> g.node(id).isEmpty());
    peerHeld.keySet().removeIf(id -> g.node(id).isEmpty());
    for (Map<VirtualIp, Long> m : peerHeld.values()) {
      m.keySet().retainAll(g.vips());
    }
    peers.replaceAll((id, p) -> {
      Set<VirtualIp> held = new HashSet<>(p.held());
      held.retainAll(g.vips());
      List<Pin> pins = p.pins().stream().filter(x -> Planning.inGroup(g, x)).toList();
      return held.size() == p.held().size() && pins.size() == p.pins().size() ? p
          : new PeerState(p.nodeId(), p.liveness(), p.since(), p.effectivePriority(),
              p.eligibility(), p.eligibilitySince(), held, pins, p.incarnation(), p.left(),
              p.cutOff(), p.lapsed());
    });
  }

  /** Whether every other member of the group is heard and alive. */
  boolean allAlive() {
    boolean all = true;
    for (Node n : a.group.nodes()) {
      PeerState p = n.id().equals(a.nodeId) ? null : peers.get(n.id());
      if (!n.id().equals(a.nodeId) && (p == null || p.liveness() != Liveness.ALIVE)) {
        all = false;
      }
    }
    return all;
  }

  /**
   * Whether a peer that still runs but no longer hears this node says it holds {@code v}: to it
   * this node is the dead one, and it keeps serving {@code v}. Taking {@code v} would make two
   * owners (and pull clients away from it) until the cut heals.
   */
  boolean servedByCutOffPeer(VirtualIp v) {
    for (PeerState p : peers.values()) {
      if (p.cutOff() && p.held().contains(v)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The coordinator's news of a peer. Its event (peer up, suspect or down) reaches the listeners
   * after the replan and reconcile the news brings: a take-over waits for no listener.
   */
  void onPeer(PeerState s) {
    a.events.hold();
    try {
      onPeerHeld(s);
    } finally {
      a.events.release();
    }
  }

  private void onPeerHeld(PeerState s) {
    PeerState old = peers.put(s.nodeId(), s);
    long now = a.loop.nanoTime();
    Map<VirtualIp, Long> since = peerHeld.computeIfAbsent(s.nodeId(), k -> new HashMap<>());
    since.keySet().retainAll(s.held());
    for (VirtualIp v : s.held()) {
      since.putIfAbsent(v, now);
    }
    if (a.stall.caughtStalled(now)) {
      // Act on none of it, but the news that caught the stall is the first the check weighs:
      // it may show the peer took a VIP of this node's (the coordinator reports it only once).
      if (a.stall.checking() && a.stall.actedOnStall(s)) {
        a.stall.stepDown();
      }
      return;
    }
    if (old == null || old.liveness() != s.liveness() || old.incarnation() != s.incarnation()) {
      switch (s.liveness()) {
        case ALIVE:
          a.events.emit(new AgentEvent.PeerUp(now, s.nodeId(), s.incarnation()));
          break;
        case SUSPECT:
          a.events.emit(new AgentEvent.PeerSuspect(now, s.nodeId()));
          break;
        default:
          if (old != null) { // a peer first heard before it hears this node is not news
            a.events.emit(new AgentEvent.PeerDown(now, s.nodeId(), s.left()));
          }
      }
    }
    if (a.planning.mergePins(s.pins())) {
      a.coordinator.publishNow();
    }
    if (a.stall.checking() && a.stall.actedOnStall(s)) {
      a.stall.stepDown();
    }
    if (a.phase() == Phase.JOINING && !a.stall.rejoining() && allAlive()) {
      a.life.endJoin();
    }
    if (a.phase() == Phase.JOINING) {
      a.snapshot();
      return;
    }
    a.planning.replan();
    a.announcer.onPeerNews(old, s, now);
  }
}
