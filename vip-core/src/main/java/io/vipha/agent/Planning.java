package io.vipha.agent;

import io.vipha.Node;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.agent.VipAgent.Phase;
import io.vipha.internal.AcquireTrace;
import io.vipha.plan.ClusterView;
import io.vipha.plan.Eligibility;
import io.vipha.plan.Liveness;
import io.vipha.plan.NodeStatus;
import io.vipha.plan.Plan;
import io.vipha.spi.Cancellable;
import io.vipha.spi.Coordinator.PeerState;
import io.vipha.spi.Coordinator.Pin;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The plan: the switchover pins this node knows, the view it gives the planner, the current
 * plan, the replan after every change and the timer for the plan's next change by time.
 */
final class Planning {
  private final VipAgent a;
  private Plan plan;
  private final Map<String, Pin> pins = new HashMap<>(); // key: VIP cidr, or "" for the group
  /** Counts the changes of {@link #pins}: what this node advertises is rebuilt when it moves. */
  private long pinsVersion;
  /** Who held each VIP at the last replan, as observed: the plan's losers are judged by it. */
  private Map<VirtualIp, String> lastObserved = Map.of();
  private @Nullable Cancellable planTimer;
  private long planTimerAt = Plan.NEVER;

  Planning(VipAgent agent) {
    this.a = agent;
    this.plan = agent.planner.initial();
  }

  Plan plan() {
    return plan;
  }

  /**
   * The group changed (the agent holds the new planner): the plan carried over, and the
   * switchover requests and observations of VIPs and nodes that left it dropped.
   */
  void regroup(VipGroup g) {
    plan = a.planner.carry(plan);
    Map<VirtualIp, String> observed = new HashMap<>(lastObserved);
    observed.keySet().retainAll(g.vips());
    observed.values().removeIf(id -> g.node(id).isEmpty());
    lastObserved = observed;
    if (pins.values().removeIf(p -> !inGroup(g, p))) {
      pinsVersion++;
    }
  }

  /** Whether {@code p} names a VIP (or the whole group) and a node (or none) of {@code g}. */
  static boolean inGroup(VipGroup g, Pin p) {
    VirtualIp v = p.vip();
    String target = p.target();
    return (v == null || g.vips().contains(v)) && (target == null || g.node(target).isPresent());
  }

  /** After a stall: the plan of a node that has heard nobody. */
  void reset() {
    plan = a.planner.initial().withFlapRecord(a.nodeId, plan.flapRecord(a.nodeId));
  }

  /** At start: the flap record this node's state store kept across the restart. */
  void restore(NodeMemory memory) {
    plan = memory.restore(plan);
  }

  /**
   * A peer echoed this node's own suspension lasting until {@code until}: a process that lost
   * its record takes it back. Returns whether the plan changed.
   */
  boolean adoptEchoed(long until, long now) {
    Plan p = a.memory.adoptEchoed(plan, until, now);
    if (p == plan) {
      return false;
    }
    plan = p;
    return true;
  }

  /** The switchover requests this node knows, live. */
  Collection<Pin> pins() {
    return pins.values();
  }

  /** A number that changes whenever the switchover requests do. */
  long pinsVersion() {
    return pinsVersion;
  }

  @Nullable Cancellable timer() {
    return planTimer;
  }

  /** A switchover request made on this node. */
  void pin(String key, Pin p) {
    Pin old = pins.get(key);
    if (old != null && old.epoch() >= p.epoch()) {
      return;
    }
    pins.put(key, p);
    pinsVersion++;
    localChanged();
  }

  /** Clears every switchover request with a newer epoch. */
  void clearSwitchover() {
    long now = a.loop.wallMillis();
    for (Map.Entry<String, Pin> e : new ArrayList<>(pins.entrySet())) {
      if (e.getValue().target() != null) {
        pin(e.getKey(), new Pin(e.getValue().vip(), null, Math.max(now,
            e.getValue().epoch() + 1)));
      }
    }
  }

  /** Takes a peer's newer pins; whether any was newer. */
  boolean mergePins(List<Pin> theirs) {
    boolean pinsChanged = false;
    for (Pin p : theirs) {
      VirtualIp v = p.vip();
      String key = v == null ? "" : v.cidr();
      Pin mine = pins.get(key);
      if (mine == null || mine.epoch() < p.epoch()) {
        pins.put(key, p);
        pinsVersion++;
        pinsChanged = true;
      }
    }
    return pinsChanged;
  }

  /** Something about this node changed: tell the peers now and plan again. */
  void localChanged() {
    a.coordinator.publishNow();
    replan();
  }

  /**
   * Plans again and reconciles; the events of both reach the listeners after the reconcile pass
   * (in the order emitted), so that a take-over waits for no listener.
   */
  void replan() {
    Phase phase = a.phase();
    if (phase != Phase.RUNNING && phase != Phase.STOPPING) {
      a.snapshot();
      return;
    }
    a.events.hold();
    try {
      replanHeld();
    } finally {
      a.events.release();
    }
  }

  private void replanHeld() {
    AcquireTrace.mark(AcquireTrace.REPLAN);
    long now = a.loop.nanoTime();
    Plan before = plan;
    Map<VirtualIp, String> observed = a.holdings.observedOwners(a.group, a.nodeId,
        a.standing.effectivePriority(),
        a.standing.advertisedEligibility() == Eligibility.ELIGIBLE, a.peers.all());
    Plan prev = before.withOwners(observed, lastObserved, now);
    lastObserved = observed;
    ClusterView view = buildView();
    Plan next = a.planner.plan(view, prev, now);
    if (a.warmup.neededBy(next)) { // a VIP nobody else can serve: warm now, plan again
      view = buildView();
      next = a.planner.plan(view, prev, now);
    }
    plan = next;
    AcquireTrace.mark(AcquireTrace.PLANNED);
    if (before.hasQuorum() != next.hasQuorum()) {
      if (next.hasQuorum()) {
        // Back from isolation: peers may not all have been heard yet, and an owner that looks
        // dead may be alive. Listen for a join time (or until every peer is heard) before
        // taking anything, as on start.
        a.lease.rejoinFrom(now);
        // Peers saw this node dead and count its eligibility from its return: so does it, or it
        // would take its share back before they agree (preempt delay) and both would hold.
        a.standing.eligibleFrom(now);
      }
      int reachable = view.reachable(); // the count the planner judged quorum by
      a.events.emit(next.hasQuorum()
          ? new AgentEvent.QuorumRegained(now, reachable, a.group.quorumSize())
          : new AgentEvent.QuorumLost(now, reachable, a.group.quorumSize()));
    }
    for (Node n : a.group.nodes()) {
      if (next.isSuspended(n.id(), now) && !before.isSuspended(n.id(), now)) {
        a.events.emit(new AgentEvent.FlapSuspended(now, n.id()));
        if (n.id().equals(a.nodeId)) {
          a.coordinator.publishNow();
        }
      }
    }
    a.reconciler.noteMoves(next.moves());
    a.reconciler.reconcile(null);
    a.memory.remember(next); // after the moves: a failover never waits for the store
    long at = next.nextChangeAt();
    if (at != planTimerAt) {
      Cancellable t = planTimer;
      if (t != null) {
        t.cancel();
      }
      planTimerAt = at;
      planTimer = at == Plan.NEVER ? null : a.loop.schedule(at - now, () -> {
        planTimerAt = Plan.NEVER;
        planTimer = null;
        replan();
      });
    }
    a.snapshot();
  }

  private ClusterView buildView() {
    ClusterView.Builder b = ClusterView.builder();
    long startedAt = a.standing.startedAt();
    for (Node n : a.group.nodes()) {
      if (n.id().equals(a.nodeId)) {
        b.node(a.nodeId, new NodeStatus(Liveness.ALIVE, startedAt,
            a.standing.effectivePriority(), a.standing.localEligibility(),
            a.standing.eligibleSince(), n.weight()));
        continue;
      }
      PeerState p = a.peers.get(n.id());
      b.node(n.id(), p == null ? NodeStatus.dead(startedAt, n.priority(), n.weight())
          : new NodeStatus(p.liveness(), p.since(), p.effectivePriority(), p.eligibility(),
              p.eligibilitySince(), n.weight()));
    }
    for (Pin p : pins.values()) {
      String target = p.target();
      if (target == null) {
        continue;
      }
      VirtualIp v = p.vip();
      if (v == null) {
        b.pin(target);
      } else {
        b.pin(v, target);
      }
    }
    return b.build();
  }
}
