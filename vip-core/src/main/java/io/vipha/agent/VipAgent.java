package io.vipha.agent;

import io.vipha.FailoverPolicy;
import io.vipha.Lease;
import io.vipha.NoQuorumAction;
import io.vipha.Node;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.config.VipConfig;
import io.vipha.health.Effect;
import io.vipha.health.HealthCheck;
import io.vipha.health.HealthMonitor;
import io.vipha.plan.ClusterView;
import io.vipha.plan.Eligibility;
import io.vipha.plan.Liveness;
import io.vipha.plan.Move;
import io.vipha.plan.MoveReason;
import io.vipha.plan.NodeStatus;
import io.vipha.plan.Plan;
import io.vipha.plan.Planner;
import io.vipha.spi.AddressBackend;
import io.vipha.spi.BackendException;
import io.vipha.spi.Cancellable;
import io.vipha.spi.Coordinator;
import io.vipha.spi.Coordinator.PeerState;
import io.vipha.spi.Coordinator.Pin;
import io.vipha.spi.HostAddress;
import io.vipha.spi.Scheduler;
import io.vipha.spi.StateStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime of one node of one {@link VipGroup}: it learns its peers' state from a {@link
 * Coordinator}, runs the {@link Planner}, and reconciles the host's addresses through an {@link
 * AddressBackend} towards the plan.
 *
 * <pre>{@code
 * VipAgent agent = VipAgent.builder()
 *     .group(group).nodeId("n1")
 *     .backend(backend)
 *     .coordinator(HeartbeatCoordinator.builder().keys(keys).build())
 *     .build();
 * agent.addListener(e -> log.info("{}", e));
 * agent.start().join();
 * ...
 * agent.stop().join();   // hands its VIPs over make-before-break
 * }</pre>
 *
 * <p>All state belongs to one event loop (the {@link Scheduler}); public methods post to it and
 * are safe from any thread. With a virtual scheduler, tests run many agents deterministically in
 * one thread.
 */
public final class VipAgent {
  private static final Logger LOG = LoggerFactory.getLogger(VipAgent.class);
  private static final int RECENT_EVENTS = 64;

  /** Where an agent is in its life. */
  public enum Phase {
    /** Built, not started. */
    NEW,
    /** Listening to peers before it claims anything. */
    JOINING,
    /** Owning VIPs as the plan says. */
    RUNNING,
    /** Handing its VIPs over before it stops. */
    STOPPING,
    /** Stopped; it holds no VIP. */
    STOPPED
  }

  private final VipGroup group;
  private final String nodeId;
  private final Node self;
  private final AddressBackend backend;
  private final Coordinator coordinator;
  private final Scheduler loop;
  private final @Nullable EventLoopScheduler ownLoop; // created here, closed on stop
  private final Planner planner;
  private final NodeMemory memory;
  private final FailoverPolicy policy;
  private final Set<String> interfaces;
  private final long reconcileEvery;
  private final long handoverTimeout;
  private final long joinTime;
  private final List<AgentListener> listeners = new CopyOnWriteArrayList<>();
  private final @Nullable HealthMonitor health;
  private final Effect linkDown;

  // Event-loop state.
  private Phase phase = Phase.NEW;
  private boolean rejoining;
  /** After a stall, while the peers' queued news arrives: whether any of them acted on it. */
  private boolean stallCheck;
  /** Who held each VIP at the last replan, as observed: the plan's losers are judged by it. */
  private Map<VirtualIp, String> lastObserved = Map.of();
  private long stallStart;
  private long startedAt;
  private int priorityDelta;
  private boolean disqualified;
  private boolean draining;
  private long eligibleSince;
  private @Nullable Cancellable settleTimer;
  private long settleAt;
  private long rejoinUntil = Long.MIN_VALUE;
  private boolean backendFailing;
  private long lastRan;
  /** When this node last added each VIP it holds. */
  private final Map<VirtualIp, Long> acquiredAt = new HashMap<>();
  /** Per peer, since when (this node's clock) each VIP it holds has been reported held. */
  private final Map<String, Map<VirtualIp, Long>> peerHeld = new HashMap<>();
  private final Map<String, PeerState> peers = new HashMap<>();
  private final Map<String, Pin> pins = new HashMap<>(); // key: VIP cidr, or "" for the group
  private Plan plan;
  private final Set<VirtualIp> held = new LinkedHashSet<>();
  private final Map<VirtualIp, Long> handovers = new HashMap<>();
  private final Map<VirtualIp, Long> lastConflictAnnounce = new HashMap<>();
  private final Map<VirtualIp, String> lastReason = new HashMap<>();
  private final Map<VirtualIp, String> leaveReason = new HashMap<>();
  private @Nullable Cancellable planTimer;
  private long planTimerAt = Plan.NEVER;
  private @Nullable Cancellable reconcileTimer;
  private @Nullable Cancellable refreshTimer;
  private @Nullable Cancellable joinTimer;
  private @Nullable Cancellable watch;
  private final Set<String> linksDown = new TreeSet<>();
  private boolean hostReconcilePending;
  private long lastRenew;
  private final ArrayDeque<AgentEvent> recent = new ArrayDeque<>();
  private final CompletableFuture<Void> started = new CompletableFuture<>();
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private volatile AgentState snapshot;

  private VipAgent(Builder b) {
    this.group = Objects.requireNonNull(b.group, "group");
    this.nodeId = Objects.requireNonNull(b.nodeId, "nodeId");
    this.self = group.node(nodeId).orElseThrow(() -> new IllegalArgumentException("node "
        + nodeId + " is not a member of group " + group.name() + "; members: "
        + group.nodes().stream().map(Node::id).toList()));
    this.backend = Objects.requireNonNull(b.backend, "backend");
    this.coordinator = Objects.requireNonNull(b.coordinator, "coordinator");
    Scheduler s = b.scheduler;
    this.ownLoop = s == null ? new EventLoopScheduler("vipha-" + group.name() + "-" + nodeId)
        : null;
    this.loop = s != null ? s : Objects.requireNonNull(ownLoop);
    this.planner = Planner.forNode(group, nodeId);
    this.policy = group.policy();
    this.plan = planner.initial();
    this.memory = new NodeMemory(b.stateStore, loop, nodeId, policy);
    Set<String> ifs = new TreeSet<>();
    group.vips().forEach(v -> ifs.add(v.interfaceName()));
    this.interfaces = Collections.unmodifiableSet(ifs);
    this.reconcileEvery = b.reconcileInterval.toNanos();
    this.linkDown = b.linkDown;
    long detection = policy.detectionTime().toNanos();
    this.handoverTimeout = b.handoverTimeout != null ? b.handoverTimeout.toNanos()
        : 2 * detection + policy.heartbeatInterval().toNanos();
    this.joinTime = detection + policy.heartbeatInterval().toNanos();
    if (b.healthChecks.isEmpty()) {
      this.health = null;
    } else {
      HealthCheck.requireUniqueNames(b.healthChecks);
      Executor probes = b.healthExecutor;
      this.health = HealthMonitor.builder().checks(b.healthChecks)
          .executor(probes != null ? probes : defaultProbeExecutor())
          .scheduler(loop).listener(this::onHealth).build();
      // Every check starts unhealthy until it has passed `rise` times.
      HealthMonitor h = this.health;
      this.priorityDelta = h.priorityDelta();
      this.disqualified = h.disqualified();
    }
    this.snapshot = buildSnapshot();
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The group this agent serves. */
  public VipGroup group() {
    return group;
  }

  /** This node's id. */
  public String nodeId() {
    return nodeId;
  }

  /** The agent's event loop and clock. */
  public Scheduler scheduler() {
    return loop;
  }

  /** Adds a listener for this agent's events. */
  public void addListener(AgentListener listener) {
    listeners.add(listener);
  }

  /** Removes a listener. */
  public void removeListener(AgentListener listener) {
    listeners.remove(listener);
  }

  /** The latest snapshot of the agent's state; safe from any thread. */
  public AgentState state() {
    return snapshot;
  }

  /**
   * Starts: records leftover VIPs on the host, starts the coordinator, listens to peers for one
   * detection time (or until every peer is heard) and then claims what the plan gives it. The
   * future fails when the coordinator cannot start (e.g. the heartbeat port is in use).
   */
  public CompletableFuture<Void> start() {
    loop.execute(this::doStart);
    return started;
  }

  /**
   * Stops gracefully: advertises that it is draining, waits (bounded) until successors hold its
   * VIPs, releases them, tells peers it left and stops. Completes when it holds nothing.
   */
  public CompletableFuture<Void> stop() {
    if (!stopped.isDone()) {
      loop.execute(this::doStop);
    }
    return stopped;
  }

  /**
   * Planned switchover of the whole Active/Passive group to {@code target}, make-before-break.
   * The request reaches every node through the coordinator and stays until {@link
   * #clearSwitchover()} or a newer request.
   */
  public void switchover(String target) {
    requireNode(target);
    loop.execute(() -> pin("", new Pin(null, target, loop.wallMillis())));
  }

  /** Planned switchover of one Active/Active VIP to {@code target}, make-before-break. */
  public void switchover(VirtualIp vip, String target) {
    requireNode(target);
    if (group.vips().stream().noneMatch(v -> v.address().equals(vip.address()))) {
      throw new IllegalArgumentException(vip.cidr() + " is not a VIP of group " + group.name());
    }
    loop.execute(() -> pin(vip.cidr(), new Pin(vip, target, loop.wallMillis())));
  }

  /** Clears every switchover request; the normal rules decide again. */
  public void clearSwitchover() {
    loop.execute(() -> {
      long now = loop.wallMillis();
      for (Map.Entry<String, Pin> e : new ArrayList<>(pins.entrySet())) {
        if (e.getValue().target() != null) {
          pin(e.getKey(), new Pin(e.getValue().vip(), null, Math.max(now,
              e.getValue().epoch() + 1)));
        }
      }
    });
  }

  /** Drains this node for maintenance: its VIPs move away make-before-break. */
  public void drain() {
    loop.execute(() -> setDraining(true));
  }

  /** Ends a drain: the node may own VIPs again. */
  public void undrain() {
    loop.execute(() -> setDraining(false));
  }

  /**
   * Reports this node's health: the priority delta of its checks and whether one disqualifies
   * it. Health monitors call this; an application may call it for checks of its own.
   */
  public void health(String check, boolean healthy, int priorityDelta, boolean disqualified,
      String detail) {
    loop.execute(() -> {
      boolean wasDisqualified = isDisqualified();
      this.priorityDelta = priorityDelta;
      this.disqualified = disqualified;
      if (wasDisqualified != isDisqualified()) {
        eligibleSince = loop.nanoTime();
      }
      emit(new AgentEvent.HealthChanged(loop.nanoTime(), check, healthy, effectivePriority(),
          isDisqualified(), detail));
      localChanged();
    });
  }

  private void onHealth(HealthCheck check, boolean healthy, String detail) {
    HealthMonitor h = Objects.requireNonNull(health);
    health(check.name(), healthy, h.priorityDelta(), h.disqualified(), detail);
  }

  private static Executor defaultProbeExecutor() {
    return Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "vipha-health-probe");
      t.setDaemon(true);
      return t;
    });
  }

  private void requireNode(String id) {
    if (group.node(id).isEmpty()) {
      throw new IllegalArgumentException("node " + id + " is not a member of group "
          + group.name());
    }
  }

  // ---------------------------------------------------------------- event loop

  private void doStart() {
    if (phase != Phase.NEW) {
      started.completeExceptionally(new IllegalStateException("agent already started"));
      return;
    }
    startedAt = loop.nanoTime();
    eligibleSince = startedAt;
    phase = Phase.JOINING;
    try {
      for (HostAddress a : backend.list(interfaces)) {
        for (VirtualIp v : group.vips()) {
          if (a.matches(v)) {
            held.add(v);
          }
        }
      }
    } catch (BackendException e) {
      emit(new AgentEvent.BackendError(loop.nanoTime(), "list", null, e));
    }
    try {
      watch = backend.watch(new HostListener());
    } catch (BackendException e) {
      emit(new AgentEvent.BackendError(loop.nanoTime(), "watch", null, e));
    }
    try {
      memory.start();
      plan = memory.restore(plan);
      coordinator.start(new Context());
    } catch (IOException | RuntimeException e) {
      phase = Phase.STOPPED;
      snapshot();
      started.completeExceptionally(e);
      stopped.complete(null);
      return;
    }
    joinTimer = loop.schedule(joinTime, this::endJoin);
    reconcileTimer = loop.schedule(reconcileEvery, this::periodicReconcile);
    HealthMonitor h = health;
    if (h != null) {
      h.start();
    }
    Duration refresh = policy.announce().refresh();
    if (refresh != null) {
      refreshTimer = loop.schedule(refresh.toNanos(), this::refresh);
    }
    snapshot();
    started.complete(null);
  }

  private void endJoin() {
    if (phase != Phase.JOINING) {
      return;
    }
    Cancellable t = joinTimer;
    if (t != null) {
      t.cancel();
      joinTimer = null;
    }
    phase = Phase.RUNNING;
    rejoining = false;
    replan();
  }

  private void doStop() {
    if (phase == Phase.STOPPED || phase == Phase.STOPPING) {
      return;
    }
    if (phase == Phase.NEW) {
      phase = Phase.STOPPED;
      snapshot();
      stopped.complete(null);
      return;
    }
    phase = Phase.STOPPING;
    draining = true;
    eligibleSince = loop.nanoTime();
    loop.schedule(handoverTimeout, this::finishStop);
    localChanged();
    if (held.isEmpty()) {
      finishStop();
    }
  }

  private void finishStop() {
    if (phase == Phase.STOPPED) {
      return;
    }
    for (VirtualIp v : new ArrayList<>(held)) {
      release(v, "STOPPED");
    }
    coordinator.leave();
    coordinator.close();
    Cancellable w = watch;
    if (w != null) {
      w.cancel();
      watch = null;
    }
    HealthMonitor h = health;
    if (h != null) {
      h.stop();
    }
    for (Cancellable c : new Cancellable[] {planTimer, reconcileTimer, refreshTimer, joinTimer,
        settleTimer}) {
      if (c != null) {
        c.cancel();
      }
    }
    phase = Phase.STOPPED;
    snapshot();
    stopped.complete(null);
    EventLoopScheduler own = ownLoop;
    if (own != null) {
      own.close();
    }
  }

  private void setDraining(boolean on) {
    if (phase == Phase.STOPPING || phase == Phase.STOPPED || draining == on) {
      return;
    }
    draining = on;
    eligibleSince = loop.nanoTime();
    localChanged();
  }

  private void pin(String key, Pin p) {
    Pin old = pins.get(key);
    if (old != null && old.epoch() >= p.epoch()) {
      return;
    }
    pins.put(key, p);
    localChanged();
  }

  private void localChanged() {
    coordinator.publishNow();
    replan();
  }

  private void onPeer(PeerState s) {
    PeerState old = peers.put(s.nodeId(), s);
    long now = loop.nanoTime();
    Map<VirtualIp, Long> since = peerHeld.computeIfAbsent(s.nodeId(), k -> new HashMap<>());
    since.keySet().retainAll(s.held());
    for (VirtualIp v : s.held()) {
      since.putIfAbsent(v, now);
    }
    if (caughtStalled(now)) {
      return;
    }
    if (old == null || old.liveness() != s.liveness() || old.incarnation() != s.incarnation()) {
      switch (s.liveness()) {
        case ALIVE:
          emit(new AgentEvent.PeerUp(now, s.nodeId(), s.incarnation()));
          break;
        case SUSPECT:
          emit(new AgentEvent.PeerSuspect(now, s.nodeId()));
          break;
        default:
          if (old != null) { // a peer first heard before it hears this node is not news
            emit(new AgentEvent.PeerDown(now, s.nodeId(), s.left()));
          }
      }
    }
    boolean pinsChanged = false;
    for (Pin p : s.pins()) {
      VirtualIp v = p.vip();
      String key = v == null ? "" : v.cidr();
      Pin mine = pins.get(key);
      if (mine == null || mine.epoch() < p.epoch()) {
        pins.put(key, p);
        pinsChanged = true;
      }
    }
    if (pinsChanged) {
      coordinator.publishNow();
    }
    if (stallCheck && actedOnStall(s)) {
      stepDown();
    }
    if (phase == Phase.JOINING && !rejoining) {
      boolean all = true;
      for (Node n : group.nodes()) {
        PeerState p = peers.get(n.id());
        if (!n.id().equals(nodeId) && (p == null || p.liveness() != Liveness.ALIVE)) {
          all = false;
        }
      }
      if (all) {
        endJoin();
      }
    }
    if (phase == Phase.JOINING) {
      snapshot();
      return;
    }
    replan();
    // A peer that holds a VIP this node still owns once the peer's news is planned in:
    // re-announce so clients follow the owner, after a quarter interval and only if it still
    // holds. (A successor that took the VIP a moment before this node's own timer moves it there
    // is not a conflict: re-announcing would pull clients back just before this node lets go.)
    for (VirtualIp v : group.vips()) { // (group order: the same run gives the same timers)
      if (s.held().contains(v) && held.contains(v) && nodeId.equals(plan.assignment().owner(v))
          && s.liveness() != Liveness.DEAD) {
        Long last = lastConflictAnnounce.get(v);
        if (last == null || now - last >= policy.heartbeatInterval().toNanos()) {
          lastConflictAnnounce.put(v, now);
          String peer = s.nodeId();
          loop.schedule(policy.heartbeatInterval().toNanos() / 4, () -> {
            PeerState p = peers.get(peer);
            if (phase == Phase.RUNNING && held.contains(v) && nodeId.equals(
                plan.assignment().owner(v)) && p != null && p.held().contains(v)
                && p.liveness() != Liveness.DEAD) {
              emit(new AgentEvent.Conflict(loop.nanoTime(), v, peer));
              announce(v);
            }
          });
        }
      }
    }
    // A peer let go of a VIP this node holds and owns: clients may still send to the peer (it
    // announced last, or took it for a moment). Announce, so they come here. The same when a
    // peer comes back after being apart: while apart it may have announced anything.
    boolean back = old != null && old.liveness() == Liveness.DEAD
        && s.liveness() != Liveness.DEAD
        && now - old.since() >= policy.heartbeatInterval().toNanos(); // (not a start handshake)
    if (old != null) {
      for (VirtualIp v : held) {
        if ((back || (old.held().contains(v) && !s.held().contains(v)))
            && nodeId.equals(plan.assignment().owner(v))) {
          announce(v);
        }
      }
    }
  }

  private void onStalled(long nanos) {
    long now = loop.nanoTime();
    lastRan = now;
    if (phase == Phase.JOINING && rejoining) {
      return; // already stepping down or checking for this stall (the first task after it noticed)
    }
    emit(new AgentEvent.Stalled(now, nanos));
    if (group.nodes().size() > 1 && (phase == Phase.RUNNING)) {
      // Peers may have declared this node dead and taken its VIPs. What the loop queued during
      // the stall is stale: act on none of it.
      eligibleSince = now; // as peers may see it: back from the dead now
      handovers.clear();
      phase = Phase.JOINING;
      rejoining = true;
      if (held.isEmpty()) {
        stepDown();
      } else {
        // Keep the VIPs while the peers' news queued during the stall arrives: unless a peer
        // took one of them or stopped hearing this node, nobody acted, and letting go would
        // only cost the clients an outage.
        stallStart = now - nanos;
        stallCheck = true;
        joinTimer = loop.schedule(policy.heartbeatInterval().toNanos() / 2, this::endStallCheck);
      }
      snapshot();
    }
  }

  /** After a stall: release everything and listen for a full join time, then plan afresh. */
  private void stepDown() {
    stallCheck = false;
    Cancellable t = joinTimer;
    if (t != null) {
      t.cancel();
    }
    for (VirtualIp v : new ArrayList<>(held)) {
      release(v, "STALLED");
    }
    plan = planner.initial().withFlapRecord(nodeId, plan.flapRecord(nodeId));
    coordinator.publishNow();
    joinTimer = loop.schedule(joinTime, this::endJoin);
  }

  /** The stall check found no peer that acted on this node's silence: carry on. */
  private void endStallCheck() {
    if (phase != Phase.JOINING || !stallCheck) {
      return;
    }
    stallCheck = false;
    joinTimer = null;
    coordinator.publishNow();
    endJoin();
  }

  /**
   * Whether a peer's news, during the check after a stall, shows it acted on this node's
   * silence: it no longer hears this node, or it took one of the VIPs this node holds.
   */
  private boolean actedOnStall(PeerState s) {
    if (s.cutOff() || (s.liveness() == Liveness.DEAD && !s.left())) {
      return true;
    }
    Map<VirtualIp, Long> since = peerHeld.get(s.nodeId());
    for (VirtualIp v : s.held()) {
      Long from = since == null ? null : since.get(v);
      if (held.contains(v) && (from == null || from >= stallStart)) {
        return true;
      }
    }
    return false;
  }

  private void replan() {
    if (phase != Phase.RUNNING && phase != Phase.STOPPING) {
      snapshot();
      return;
    }
    long now = loop.nanoTime();
    Plan before = plan;
    Map<VirtualIp, String> observed = observedOwners();
    Plan prev = before.withOwners(observed, lastObserved, now);
    lastObserved = observed;
    ClusterView view = buildView();
    Plan next = planner.plan(view, prev, now);
    plan = next;
    memory.remember(next);
    if (before.hasQuorum() != next.hasQuorum()) {
      if (next.hasQuorum()) {
        // Back from isolation: peers may not all have been heard yet, and an owner that looks
        // dead may be alive. Listen for a join time (or until every peer is heard) before
        // taking anything, as on start.
        rejoinUntil = now + joinTime;
        // Peers saw this node dead and count its eligibility from its return: so does it, or it
        // would take its share back before they agree (preempt delay) and both would hold.
        eligibleSince = now;
      }
      int reachable = view.reachable(); // the count the planner judged quorum by
      emit(next.hasQuorum() ? new AgentEvent.QuorumRegained(now, reachable, group.quorumSize())
          : new AgentEvent.QuorumLost(now, reachable, group.quorumSize()));
    }
    for (Node n : group.nodes()) {
      if (next.isSuspended(n.id(), now) && !before.isSuspended(n.id(), now)) {
        emit(new AgentEvent.FlapSuspended(now, n.id()));
        if (n.id().equals(nodeId)) {
          coordinator.publishNow();
        }
      }
    }
    for (Move m : next.moves()) {
      if (nodeId.equals(m.to())) {
        lastReason.put(m.vip(), m.reason().name());
      } else if (nodeId.equals(m.from())) {
        leaveReason.put(m.vip(), m.reason().name());
      }
    }
    reconcile(null);
    long at = next.nextChangeAt();
    if (at != planTimerAt) {
      Cancellable t = planTimer;
      if (t != null) {
        t.cancel();
      }
      planTimerAt = at;
      planTimer = at == Plan.NEVER ? null : loop.schedule(at - now, () -> {
        planTimerAt = Plan.NEVER;
        planTimer = null;
        replan();
      });
    }
    snapshot();
  }

  /**
   * Who holds each VIP now: this node's own holdings and what each peer last reported. When
   * several hold one VIP (a healed partition, a handover in flight), every node picks the same
   * one: a reachable holder before a dead one, an eligible one before one that is draining,
   * disqualified or suspended (it is handing over), then the highest effective priority, then
   * the lowest id. A dead peer's last report counts only when no reachable node holds the VIP.
   */
  private Map<VirtualIp, String> observedOwners() {
    Map<VirtualIp, String> owners = new HashMap<>();
    int selfPriority = effectivePriority();
    boolean selfEligible = advertisedEligibility() == Eligibility.ELIGIBLE;
    for (VirtualIp v : group.vips()) {
      String chosen = held.contains(v) ? nodeId : null;
      int chosenPriority = selfPriority;
      boolean chosenDead = false;
      boolean chosenEligible = selfEligible;
      for (PeerState p : peers.values()) {
        if (!p.held().contains(v)) {
          continue;
        }
        boolean dead = p.liveness() == Liveness.DEAD;
        boolean eligible = p.eligibility() == Eligibility.ELIGIBLE;
        boolean better;
        if (chosen == null) {
          better = true;
        } else if (dead != chosenDead) {
          better = !dead;
        } else if (eligible != chosenEligible) {
          better = eligible;
        } else if (p.effectivePriority() != chosenPriority) {
          better = p.effectivePriority() > chosenPriority;
        } else {
          better = p.nodeId().compareTo(chosen) < 0;
        }
        if (better) {
          chosen = p.nodeId();
          chosenPriority = p.effectivePriority();
          chosenDead = dead;
          chosenEligible = eligible;
        }
      }
      if (chosen != null) {
        owners.put(v, chosen);
      }
    }
    return owners;
  }

  private ClusterView buildView() {
    ClusterView.Builder b = ClusterView.builder();
    for (Node n : group.nodes()) {
      if (n.id().equals(nodeId)) {
        b.node(nodeId, new NodeStatus(Liveness.ALIVE, startedAt, effectivePriority(),
            localEligibility(), eligibleSince, n.weight()));
        continue;
      }
      PeerState p = peers.get(n.id());
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

  /** The node's priority after health adjustments, kept within 1–254. */
  private int effectivePriority() {
    int links = 0;
    for (String i : interfaces) {
      links += linkDown.priorityDelta(!linksDown.contains(i));
    }
    return Math.max(1, Math.min(254, self.priority() + priorityDelta + links));
  }

  private Eligibility localEligibility() {
    if (draining) {
      return Eligibility.DRAINING;
    }
    return isDisqualified() ? Eligibility.DISQUALIFIED : Eligibility.ELIGIBLE;
  }

  /**
   * A health check disqualifies this node, the backend is failing, or a link that carries its
   * VIPs is down and the link-down effect disqualifies.
   */
  private boolean isDisqualified() {
    return disqualified || backendFailing
        || (linkDown.type() == Effect.Type.DISQUALIFY && !linksDown.isEmpty());
  }

  /**
   * The backend saw addresses change on {@code iface}: reconcile at once (once for a burst of
   * changes) rather than at the next periodic reconcile.
   */
  private void onHostAddresses(String iface) {
    if (phase == Phase.STOPPED || hostReconcilePending || !interfaces.contains(iface)) {
      return;
    }
    hostReconcilePending = true;
    loop.execute(() -> {
      hostReconcilePending = false;
      if (phase != Phase.STOPPED) {
        reconcile(null);
        snapshot();
      }
    });
  }

  /**
   * A link that carries VIPs went down (or came back): like a failing health check with the
   * builder's link-down effect (by default it disqualifies the node, so its VIPs move to a node
   * whose link is up).
   */
  private void onHostLink(String iface, boolean up) {
    if (phase == Phase.STOPPED || !interfaces.contains(iface)) {
      return;
    }
    boolean wasDisqualified = isDisqualified();
    if (!(up ? linksDown.remove(iface) : linksDown.add(iface))) {
      return;
    }
    long now = loop.nanoTime();
    if (wasDisqualified != isDisqualified()) {
      eligibleSince = now;
    }
    emit(new AgentEvent.HealthChanged(now, "link " + iface, up, effectivePriority(),
        isDisqualified(), "link " + iface + (up ? " is up" : " is down")));
    localChanged();
    snapshot();
  }

  /** Moves the backend's reports onto the event loop. */
  private final class HostListener implements AddressBackend.Listener {
    @Override
    public void addressesChanged(String interfaceName) {
      loop.execute(() -> onHostAddresses(interfaceName));
    }

    @Override
    public void linkChanged(String interfaceName, boolean up) {
      loop.execute(() -> onHostLink(interfaceName, up));
    }
  }

  private Eligibility advertisedEligibility() {
    Eligibility e = localEligibility();
    if (e == Eligibility.ELIGIBLE && plan.isSuspended(nodeId, loop.nanoTime())) {
      return Eligibility.SUSPENDED;
    }
    return e;
  }

  private void periodicReconcile() {
    if (phase == Phase.STOPPED) {
      return;
    }
    reconcile(null);
    // While the backend fails, try every heartbeat interval: the moment it works again this
    // node must release what it could not (a peer serves those VIPs by now).
    long next = backendFailing ? Math.min(reconcileEvery, policy.heartbeatInterval().toNanos())
        : reconcileEvery;
    reconcileTimer = loop.schedule(next, this::periodicReconcile);
    snapshot();
  }

  private void refresh() {
    if (phase == Phase.STOPPED) {
      return;
    }
    for (VirtualIp v : held) {
      if (nodeId.equals(plan.assignment().owner(v))) {
        announce(v);
      }
    }
    Duration every = Objects.requireNonNull(policy.announce().refresh());
    refreshTimer = loop.schedule(every.toNanos(), this::refresh);
  }

  /**
   * Moves the host towards the plan: acquires what this node owns and lacks, re-adds what was
   * removed behind its back, hands over (or releases) what it no longer owns, removes leftovers,
   * and renews leases.
   */
  private void reconcile(@Nullable Set<HostAddress> known) {
    long now = loop.nanoTime();
    if (phase == Phase.JOINING || phase == Phase.NEW || phase == Phase.STOPPED) {
      return;
    }
    if (caughtStalled(now)) {
      return;
    }
    Set<HostAddress> actual = known;
    if (actual == null) {
      try {
        actual = backend.list(interfaces);
        backendWorks();
      } catch (BackendException e) {
        backendFailed("list", null, e);
        return;
      }
    }
    boolean changed = false;
    boolean leased = quorumLeased();
    Lease lease = policy.lease();
    boolean renew = !lease.isForever()
        && now - lastRenew >= Objects.requireNonNull(lease.duration()).toNanos() / 3;
    for (VirtualIp v : group.vips()) {
      boolean owned = nodeId.equals(plan.assignment().owner(v));
      boolean present = contains(actual, v);
      if (owned) {
        handovers.remove(v);
        if (!leased) {
          if (held.contains(v)) {
            release(v, "QUORUM_LEASE");
            changed = true;
          }
          continue;
        }
        if (!held.contains(v)) {
          if (!quorumFirm()) {
            continue; // a peer counted for quorum is going silent: decide once it is alive or dead
          }
          if (electionSettling(v, now) || backFromIsolation(now) || servedByCutOffPeer(v)) {
            continue;
          }
          if (assign(v)) {
            held.add(v);
            acquiredAt.put(v, now);
            changed = true;
            emit(new AgentEvent.Acquired(now, v, lastReason.getOrDefault(v, "RECONCILE")));
            announceBurst(v);
          }
        } else if (!present) {
          if (assign(v)) {
            emit(new AgentEvent.DriftRepaired(now, v, "re-added after it was removed from the"
                + " host"));
            announceBurst(v);
          }
        } else if (renew) {
          assign(v);
        }
      } else if (held.contains(v)) {
        if (waitForSuccessor(v, now)) {
          if (renew) {
            assign(v);
          }
          continue;
        }
        release(v, releaseReason(v));
        changed = true;
      } else if (present) {
        try {
          backend.release(v);
          emit(new AgentEvent.DriftRepaired(now, v, "removed a leftover this node does not own"));
        } catch (BackendException e) {
          emit(new AgentEvent.BackendError(now, "release", v, e));
        }
      }
    }
    if (renew) {
      lastRenew = now;
    }
    if (changed) {
      coordinator.publishNow();
    }
    if (phase == Phase.STOPPING && held.isEmpty()) {
      finishStop();
    }
  }

  /**
   * Whether this loop ran nothing for longer than the detection time: it was stalled (a long
   * pause), peers may have declared this node dead (they do once it is silent that long), and
   * what queued up meanwhile is stale. The heartbeat tick runs every interval, so such a gap
   * cannot happen otherwise; a shorter pause costs nothing.
   * The first task to run after the stall, whichever it is, steps down (see {@link #onStalled})
   * before anything acts on stale state.
   */
  private boolean caughtStalled(long now) {
    long gap = lastRan == 0 ? 0 : now - lastRan;
    lastRan = now;
    if (phase == Phase.RUNNING && group.nodes().size() > 1
        && gap > policy.detectionTime().toNanos()) {
      onStalled(gap);
      return true;
    }
    return false;
  }

  /**
   * Whether a peer that still runs but no longer hears this node says it holds {@code v}: to it
   * this node is the dead one, and it keeps serving {@code v}. Taking {@code v} would make two
   * owners (and pull clients away from it) until the cut heals.
   */
  private boolean servedByCutOffPeer(VirtualIp v) {
    for (PeerState p : peers.values()) {
      if (p.cutOff() && p.held().contains(v)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether this node regained quorum less than a join time ago and has not heard every peer
   * since: it takes nothing yet (a timer reconciles when the time is up).
   */
  private boolean backFromIsolation(long now) {
    if (now >= rejoinUntil) {
      return false;
    }
    boolean all = true;
    for (Node n : group.nodes()) {
      PeerState p = n.id().equals(nodeId) ? null : peers.get(n.id());
      if (!n.id().equals(nodeId) && (p == null || p.liveness() != Liveness.ALIVE)) {
        all = false;
      }
    }
    if (all) {
      rejoinUntil = Long.MIN_VALUE;
      return false;
    }
    reconcileAt(rejoinUntil, now);
    return true;
  }

  /**
   * Whether {@code v}, which nobody holds, must wait before this node claims it: this node became
   * eligible less than a heartbeat interval ago, so peers that became eligible at the same time
   * (a shared dependency recovering, a cluster starting) may not have told it yet, and each would
   * claim the VIP. After the interval every node decides with the others' news.
   */
  private boolean electionSettling(VirtualIp v, long now) {
    if (!MoveReason.ELECTED.name().equals(lastReason.get(v))) {
      return false;
    }
    long until = eligibleSince + policy.heartbeatInterval().toNanos();
    if (now >= until || group.nodes().size() == 1 || eligibleSince == startedAt) {
      // (on start, the join already waited for every peer's news)
      return false;
    }
    reconcileAt(until, now);
    return true;
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
  private boolean quorumLeased() {
    return phase != Phase.RUNNING || policy.noQuorum() == NoQuorumAction.KEEP
        || quorumAmong(p -> p.liveness() != Liveness.DEAD && !p.lapsed());
  }

  /**
   * Whether this node and the peers it hears right now, leaving out those that missed a
   * heartbeat, make a quorum. Taking a VIP needs this firmer quorum: a node cut off from every
   * peer sees them go silent one by one, and would otherwise take a VIP (and announce it,
   * pulling clients away from its live owner) in the instant between the first and the last
   * being declared dead. Keeping a VIP needs only the plan's quorum and the quorum lease.
   */
  private boolean quorumFirm() {
    return quorumAmong(p -> p.liveness() == Liveness.ALIVE);
  }

  /** Whether this node and the peers {@code counted} accepts make the group's quorum. */
  private boolean quorumAmong(Predicate<PeerState> counted) {
    int required = group.quorumSize();
    if (required <= 1) {
      return true;
    }
    int n = 1;
    for (PeerState p : peers.values()) {
      if (counted.test(p)) {
        n++;
      }
    }
    return n >= required;
  }

  /**
   * Whether to keep {@code v} a little longer so that its new owner can add it first: the owner
   * is reachable, does not hold it yet, and the bounded wait has not run out.
   */
  private boolean waitForSuccessor(VirtualIp v, long now) {
    String owner = plan.assignment().owner(v);
    PeerState p = owner == null ? null : peers.get(owner);
    if (p == null || p.liveness() == Liveness.DEAD
        || (p.held().contains(v) && claimCounts(p.nodeId(), v, now))) {
      handovers.remove(v);
      return false;
    }
    Long deadline = handovers.get(v);
    if (deadline == null) {
      handovers.put(v, now + handoverTimeout);
      loop.schedule(handoverTimeout, () -> reconcile(null));
      return true;
    }
    return now < deadline;
  }

  /**
   * Whether {@code peer}'s claim to hold {@code v} shows that it holds it now. A claim it made
   * before this node took {@code v}, seen within a heartbeat interval of that, may be its own
   * hold that it gave up to this node, seen late: handing {@code v} straight back on it would
   * leave nobody holding it. Such a claim counts once an interval has passed (a timer then
   * reconciles).
   */
  private boolean claimCounts(String peer, VirtualIp v, long now) {
    long took = acquiredAt.getOrDefault(v, Long.MIN_VALUE);
    if (peerHeldSince(peer, v) >= took) {
      return true;
    }
    long graceEnd = took + policy.heartbeatInterval().toNanos();
    if (now >= graceEnd) {
      return true;
    }
    reconcileAt(graceEnd, now);
    return false;
  }

  /**
   * Reconciles again at {@code at}, when a wait that held an action back ends. One timer serves
   * every such wait: it is replaced only by an earlier one, and each reconcile re-arms what
   * still waits.
   */
  private void reconcileAt(long at, long now) {
    if (settleTimer != null && settleAt <= at) {
      return;
    }
    Cancellable old = settleTimer;
    if (old != null) {
      old.cancel();
    }
    settleAt = at;
    settleTimer = loop.schedule(at - now, () -> {
      settleTimer = null;
      reconcile(null);
      snapshot();
    });
  }

  private long peerHeldSince(String peer, VirtualIp v) {
    Map<VirtualIp, Long> m = peerHeld.get(peer);
    Long t = m == null ? null : m.get(v);
    return t == null ? Long.MIN_VALUE : t;
  }

  private String releaseReason(VirtualIp v) {
    String r = leaveReason.remove(v);
    if (r != null) {
      return r;
    }
    return phase == Phase.STOPPING ? "DRAINED" : "NOT_OWNER";
  }

  private static boolean contains(Set<HostAddress> actual, VirtualIp v) {
    for (HostAddress a : actual) {
      if (a.matches(v)) {
        return true;
      }
    }
    return false;
  }

  private boolean assign(VirtualIp v) {
    try {
      backend.assign(v, policy.lease());
      backendWorks();
      return true;
    } catch (BackendException e) {
      backendFailed("assign", v, e);
      return false;
    }
  }

  /**
   * The backend failed: report it, and advertise this node as disqualified until a backend call
   * succeeds again (reconcile tries every interval), so that a peer that can apply addresses
   * takes its VIPs instead of a plan that names an owner unable to hold them.
   */
  private void backendFailed(String operation, @Nullable VirtualIp v, BackendException e) {
    emit(new AgentEvent.BackendError(loop.nanoTime(), operation, v, e));
    if (!backendFailing) {
      backendFailing = true;
      eligibleSince = loop.nanoTime();
      loop.execute(this::eligibilityChanged);
    }
  }

  private void backendWorks() {
    if (backendFailing) {
      backendFailing = false;
      eligibleSince = loop.nanoTime();
      loop.execute(this::eligibilityChanged);
    }
  }

  private void eligibilityChanged() {
    if (phase == Phase.RUNNING || phase == Phase.STOPPING) {
      localChanged();
    }
  }

  private void release(VirtualIp v, String reason) {
    try {
      backend.release(v);
      backendWorks();
    } catch (BackendException e) {
      backendFailed("release", v, e);
      return;
    }
    held.remove(v);
    handovers.remove(v);
    emit(new AgentEvent.Released(loop.nanoTime(), v, reason));
  }

  private void announceBurst(VirtualIp v) {
    announce(v);
    int count = policy.announce().count();
    long interval = policy.announce().interval().toNanos();
    for (int i = 1; i < count; i++) {
      loop.schedule(interval * i, () -> {
        if (held.contains(v) && nodeId.equals(plan.assignment().owner(v))) {
          announce(v);
        }
      });
    }
  }

  private void announce(VirtualIp v) {
    if (caughtStalled(loop.nanoTime()) || phase == Phase.JOINING) {
      return;
    }
    try {
      backend.announce(v);
    } catch (BackendException e) {
      emit(new AgentEvent.BackendError(loop.nanoTime(), "announce", v, e));
    }
  }

  private void emit(AgentEvent e) {
    recent.addLast(e);
    while (recent.size() > RECENT_EVENTS) {
      recent.removeFirst();
    }
    for (AgentListener l : listeners) {
      try {
        l.on(e);
      } catch (RuntimeException ex) {
        LOG.warn("listener {} failed on {}", l, e, ex);
      }
    }
    LOG.debug("{}/{}: {}", group.name(), nodeId, e);
  }

  private void snapshot() {
    snapshot = buildSnapshot();
  }

  private AgentState buildSnapshot() {
    Map<VirtualIp, @Nullable String> owners = new LinkedHashMap<>(plan.assignment().owners());
    return new AgentState(nodeId, phase, plan.hasQuorum(), effectivePriority(),
        advertisedEligibility(), owners, new LinkedHashSet<>(held), new HashMap<>(peers),
        new ArrayList<>(recent));
  }

  /** The coordinator's view of this agent; every call arrives on the loop. */
  private final class Context implements Coordinator.Context {
    @Override
    public Scheduler loop() {
      return loop;
    }

    @Override
    public VipGroup group() {
      return group;
    }

    @Override
    public String nodeId() {
      return nodeId;
    }

    @Override
    public long incarnation() {
      return memory.incarnation();
    }

    @Override
    public Coordinator.LocalState local() {
      lastRan = loop.nanoTime();
      // (While checking a stall, claim nothing: a peer that took a VIP over while this node was
      // silent must not give it up to this node just before this node learns of it.)
      return new Coordinator.LocalState(effectivePriority(), advertisedEligibility(),
          plan.hasQuorum(), stallCheck ? Set.of() : held, new ArrayList<>(pins.values()));
    }

    @Override
    public void peer(PeerState state) {
      onPeer(state);
    }

    @Override
    public void stalled(long nanos) {
      onStalled(nanos);
    }

    @Override
    public long suspendedUntil() {
      long until = plan.suspendedUntil(nodeId);
      return until == Plan.NEVER || until > loop.nanoTime() ? until : Long.MIN_VALUE;
    }

    @Override
    public void suspensionEchoed(long until) {
      // Only a process that has just started, and is still listening before it claims anything,
      // takes its suspension from its peers; later its own record is the truth.
      if (phase == Phase.JOINING && !rejoining) {
        long now = loop.nanoTime();
        Plan p = memory.adoptEchoed(plan, until, now);
        if (p != plan) {
          plan = p;
          emit(new AgentEvent.FlapSuspended(now, nodeId));
          coordinator.publishNow();
        }
      }
    }
  }

  /** Builds a {@link VipAgent}. */
  public static final class Builder {
    private @Nullable VipGroup group;
    private @Nullable String nodeId;
    private @Nullable AddressBackend backend;
    private @Nullable Coordinator coordinator;
    private @Nullable Scheduler scheduler;
    private Duration reconcileInterval = Duration.ofSeconds(1);
    private @Nullable Duration handoverTimeout;
    private final List<HealthCheck> healthChecks = new ArrayList<>();
    private @Nullable Executor healthExecutor;
    private Effect linkDown = Effect.disqualify();
    private @Nullable StateStore stateStore;

    private Builder() {}

    /**
     * Where this node keeps its incarnation and flap record across restarts (default: nowhere).
     * With a store, a restarted process is accepted by its peers at once even after the wall
     * clock stepped back, and resumes its flap history and suspension: a crash-looping process
     * stays suspended. {@link #build()}'s agent then fails to start when the store cannot be
     * read or written.
     */
    public Builder stateStore(StateStore store) {
      this.stateStore = java.util.Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * Adds a health check of this node. A failing check lowers the node's priority or disqualifies
     * it, as its effect says; every check starts unhealthy until it has passed {@code rise} times.
     */
    public Builder healthCheck(HealthCheck check) {
      healthChecks.add(check);
      return this;
    }

    /** Adds health checks of this node. */
    public Builder healthChecks(List<HealthCheck> checks) {
      healthChecks.addAll(checks);
      return this;
    }

    /**
     * What a VIP interface going down does, when the backend watches links: like a health check
     * with this effect that fails while the link is down. Default {@link Effect#disqualify()}: the
     * node may not own VIPs; {@code Effect.weight(-w)} lowers its priority by {@code w} per
     * interface that is down instead.
     */
    public Builder linkDown(Effect effect) {
      this.linkDown = java.util.Objects.requireNonNull(effect, "effect");
      return this;
    }

    /** Where blocking probes run (default: a cached pool of daemon threads). */
    public Builder healthExecutor(Executor executor) {
      this.healthExecutor = executor;
      return this;
    }

    /** The group (required). */
    public Builder group(VipGroup group) {
      this.group = group;
      return this;
    }

    /**
     * The group named {@code name} in a configuration read with {@link VipConfig#read}.
     *
     * @throws IllegalArgumentException when the configuration has no such group; the message
     *     lists the groups it has
     */
    public Builder group(VipConfig config, String name) {
      for (VipGroup g : config.groups()) {
        if (g.name().equals(name)) {
          return group(g);
        }
      }
      throw new IllegalArgumentException("the configuration has no group " + name + "; it has "
          + config.groups().stream().map(VipGroup::name).toList());
    }

    /** This node's id, a member of the group (required). */
    public Builder nodeId(String nodeId) {
      this.nodeId = nodeId;
      return this;
    }

    /** Applies address changes (required). */
    public Builder backend(AddressBackend backend) {
      this.backend = backend;
      return this;
    }

    /** Learns the peers' state (required); usually a {@link HeartbeatCoordinator}. */
    public Builder coordinator(Coordinator coordinator) {
      this.coordinator = coordinator;
      return this;
    }

    /** The event loop and clock; default: a new {@link EventLoopScheduler}. */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    /** How often the host is compared with the plan (default 1s). */
    public Builder reconcileInterval(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("reconcileInterval must be positive, got " + interval);
      }
      this.reconcileInterval = interval;
      return this;
    }

    /**
     * The longest a node keeps a VIP it no longer owns while its successor adds it (default:
     * twice the detection time plus one heartbeat interval).
     */
    public Builder handoverTimeout(Duration timeout) {
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("handoverTimeout must not be negative, got "
            + timeout);
      }
      this.handoverTimeout = timeout;
      return this;
    }

    /** The agent; throws when a required part is missing or the node is not in the group. */
    public VipAgent build() {
      return new VipAgent(this);
    }
  }
}
