package io.vipha.agent;

import io.vipha.FailoverPolicy;
import io.vipha.Node;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.health.Effect;
import io.vipha.health.HealthCheck;
import io.vipha.health.HealthMonitor;
import io.vipha.plan.Planner;
import io.vipha.spi.AddressBackend;
import io.vipha.spi.AddressMover;
import io.vipha.spi.Coordinator;
import io.vipha.spi.Coordinator.Pin;
import io.vipha.spi.Scheduler;
import io.vipha.spi.StateStore;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

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
 *
 * <p>Inside, it owns small parts with one job each, all run on its event loop: the {@linkplain
 * io.vipha.agent package documentation} names them and what each owns.
 */
public final class VipAgent {

  /** The deadline of each address mover call unless {@link Builder#mover} sets another: 10 s. */
  public static final Duration DEFAULT_MOVER_TIMEOUT = Duration.ofSeconds(10);

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

  // What the parts share, fixed at build time.
  final String nodeId;
  final AddressBackend backend;
  final Coordinator coordinator;
  final Scheduler loop;
  final @Nullable EventLoopScheduler ownLoop; // created here, closed on stop
  final NodeMemory memory;
  final long reconcileEvery;
  private final @Nullable Duration handoverTimeoutSet;

  // What follows from the group: set at build time and by a reconfiguration, on the loop
  // (the group is volatile for the public methods that check their arguments against it).
  volatile VipGroup group;
  Node self;
  Planner planner;
  FailoverPolicy policy;
  Set<String> interfaces;
  long handoverTimeout;
  long joinTime;
  /** The policy's detection time in nanoseconds, computed once per group. */
  long detectionTime;
  /** Mechanisms switched off for the simulator's self-test; empty in every other agent. */
  final Set<Breakage> broken;

  // The parts; all of their state belongs to the event loop.
  final Events events;
  final Lifecycle life;
  final PeerTable peers;
  final Standing standing;
  final Holdings holdings;
  final Planning planning;
  final QuorumLease lease;
  final StallGuard stall;
  final Warmup warmup;
  final Handover handover;
  final Reconciler reconciler;
  final Announcer announcer;
  final Reconfiguration reconfiguration;
  final Movers movers;

  private volatile AgentState snapshot;
  /** False for a rehearsal's shadow, whose snapshots nobody reads (see {@link #snapshot()}). */
  private boolean snapshots = true;

  private VipAgent(Builder b) {
    VipGroup g = Objects.requireNonNull(b.group, "group");
    this.nodeId = Objects.requireNonNull(b.nodeId, "nodeId");
    Node me = g.node(nodeId).orElseThrow(() -> new IllegalArgumentException("node "
        + nodeId + " is not a member of group " + g.name() + "; members: "
        + g.nodes().stream().map(Node::id).toList()));
    this.handoverTimeoutSet = b.handoverTimeout;
    this.reconcileEvery = b.reconcileInterval.toNanos();
    this.group = g;
    this.self = me;
    this.planner = Planner.forNode(g, nodeId);
    this.policy = g.policy();
    this.interfaces = Set.of();
    takeGroup(g);
    this.movers = new Movers(this, b.movers(g));
    this.backend = Objects.requireNonNull(b.backend, "backend");
    this.coordinator = Objects.requireNonNull(b.coordinator, "coordinator");
    Scheduler s = b.scheduler;
    this.ownLoop = s == null ? new EventLoopScheduler("vipha-" + group.name() + "-" + nodeId)
        : null;
    this.loop = s != null ? s : Objects.requireNonNull(ownLoop);
    this.memory = new NodeMemory(b.stateStore, loop, nodeId, policy);
    this.broken = b.broken.isEmpty() ? Set.of() : Set.copyOf(b.broken);
    this.holdings = new Holdings(!broken.contains(Breakage.CONFLICT_RULE));
    this.events = new Events(g.name(), nodeId);
    this.life = new Lifecycle(this);
    this.peers = new PeerTable(this);
    this.standing = new Standing(this, b.linkDown, b.healthChecks, b.healthExecutor);
    this.planning = new Planning(this);
    this.lease = new QuorumLease(this);
    this.stall = new StallGuard(this);
    this.warmup = new Warmup(this, b.warmup.toNanos());
    this.handover = new Handover(this);
    this.reconciler = new Reconciler(this);
    this.announcer = new Announcer(this);
    this.reconfiguration = new Reconfiguration(this);
    this.snapshot = buildSnapshot();
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The group this agent serves: the builder's, or the last {@link #reconfigure} applied. */
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
    events.add(listener);
  }

  /** Removes a listener. */
  public void removeListener(AgentListener listener) {
    events.remove(listener);
  }

  /**
   * The latest snapshot of the agent's state, taken on its event loop after the last change of
   * ownership, peers, phase or health; safe from any thread. The health checks' last results and
   * the counters in it may lag; {@link #freshState()} takes one now.
   */
  public AgentState state() {
    return snapshot;
  }

  /**
   * What the agent counted so far, read now rather than from the last snapshot; safe from any
   * thread (each count is current, the set is not taken at one instant).
   */
  public AgentCounters counters() {
    return events.counters();
  }

  /**
   * The coordinator's own state ({@link Coordinator#status()}), read now; empty when the
   * coordinator shows none (heartbeats). Safe from any thread.
   */
  public Optional<Coordinator.Status> coordinatorStatus() {
    return coordinator.status();
  }

  /**
   * The monitor of the builder's health checks, to read (e.g. {@link
   * HealthMonitor#probeCount(String, boolean)}); the agent starts and stops it, and a {@link
   * #reconfigure} replaces its checks. Empty while the agent has never had a health check.
   */
  public Optional<HealthMonitor> healthMonitor() {
    return Optional.ofNullable(standing.monitor());
  }

  /**
   * A snapshot taken on the event loop when it next runs, with every health check's last result
   * and every counter as they are then; safe from any thread. Also published for {@link
   * #state()}.
   */
  public CompletableFuture<AgentState> freshState() {
    CompletableFuture<AgentState> out = new CompletableFuture<>();
    loop.execute(() -> {
      snapshot();
      out.complete(snapshot);
    });
    return out;
  }

  /**
   * Announces the VIPs this node holds and owns again now (gratuitous ARP or unsolicited
   * neighbour advertisements, as many as the policy's announce count), so that clients and
   * switches that missed the last ones follow this node. Completes with the VIPs announced: none
   * while the agent is joining, stopped or stalled, or when it owns nothing.
   */
  public CompletableFuture<List<VirtualIp>> announce() {
    CompletableFuture<List<VirtualIp>> out = new CompletableFuture<>();
    loop.execute(() -> out.complete(List.copyOf(announcer.announceAll())));
    return out;
  }

  /**
   * Starts: records leftover VIPs on the host, starts the coordinator, listens to peers for one
   * detection time (or until every peer is heard) and then claims what the plan gives it. The
   * future fails when the coordinator cannot start (e.g. the heartbeat port is in use).
   */
  public CompletableFuture<Void> start() {
    loop.execute(life::doStart);
    return life.started();
  }

  /**
   * Stops gracefully: advertises that it is draining, waits (bounded) until successors hold its
   * VIPs, releases them, tells peers it left and stops. Completes when it holds nothing.
   */
  public CompletableFuture<Void> stop() {
    CompletableFuture<Void> stopped = life.stopped();
    if (!stopped.isDone()) {
      loop.execute(life::doStop);
    }
    return stopped;
  }

  /**
   * Applies a changed group and health checks to this agent, on its event loop; safe from any
   * thread. Before {@link #start()} it replaces what the builder set.
   *
   * <p>A running agent keeps its role: VIPs that stay are never released by the change itself,
   * added VIPs are planned and acquired, removed VIPs are released and no longer announced or
   * reconciled. Priority and timer changes take effect at once (the next heartbeat advertises
   * the new priority); a priority change that makes another node outrank the owner follows the
   * group's preemption policy, as any other change of priority would. The coordinator learns of
   * the group ({@link Coordinator#reconfigure(VipGroup)}): peers added or removed, their
   * addresses, the timers. A health check whose definition is unchanged keeps its state; a new
   * one starts without effect until it has results (see {@link HealthMonitor#replaceChecks});
   * a removed one stops and its effect is lifted.
   *
   * <p>The future fails with a {@link io.vipha.ValidationException} that lists every problem,
   * and nothing is changed, when the group has another name or mode, does not name this node,
   * the health checks repeat a name, or the coordinator cannot apply the group while it runs
   * (for the {@link HeartbeatCoordinator}: this node's own heartbeat addresses, to which its
   * transport is bound, need a restart).
   *
   * @param group the new group: the same name, mode and node id
   * @param healthChecks the health checks from now on (replacing the builder's)
   */
  public CompletableFuture<Void> reconfigure(VipGroup group, List<HealthCheck> healthChecks) {
    Objects.requireNonNull(group, "group");
    List<HealthCheck> checks = List.copyOf(healthChecks);
    CompletableFuture<Void> out = new CompletableFuture<>();
    loop.execute(() -> {
      try {
        reconfiguration.apply(group, checks);
        out.complete(null);
      } catch (RuntimeException e) {
        out.completeExceptionally(e);
      }
    });
    return out;
  }

  /**
   * Planned switchover of the whole Active/Passive group to {@code target}, make-before-break.
   * The request reaches every node through the coordinator and stays until {@link
   * #clearSwitchover()} or a newer request.
   */
  public void switchover(String target) {
    requireNode(target);
    loop.execute(() -> planning.pin("", new Pin(null, target, loop.wallMillis())));
  }

  /** Planned switchover of one Active/Active VIP to {@code target}, make-before-break. */
  public void switchover(VirtualIp vip, String target) {
    requireNode(target);
    if (group.vips().stream().noneMatch(v -> v.address().equals(vip.address()))) {
      throw new IllegalArgumentException(vip.cidr() + " is not a VIP of group " + group.name());
    }
    loop.execute(() -> planning.pin(vip.cidr(), new Pin(vip, target, loop.wallMillis())));
  }

  /** Clears every switchover request; the normal rules decide again. */
  public void clearSwitchover() {
    loop.execute(planning::clearSwitchover);
  }

  /** Drains this node for maintenance: its VIPs move away make-before-break. */
  public void drain() {
    loop.execute(() -> standing.setDraining(true));
  }

  /** Ends a drain: the node may own VIPs again. */
  public void undrain() {
    loop.execute(() -> standing.setDraining(false));
  }

  /**
   * Reports this node's health: the priority delta of its checks and whether one disqualifies
   * it. Health monitors call this; an application may call it for checks of its own.
   */
  public void health(String check, boolean healthy, int priorityDelta, boolean disqualified,
      String detail) {
    loop.execute(() -> standing.health(check, healthy, priorityDelta, disqualified, detail));
  }

  private void requireNode(String id) {
    if (group.node(id).isEmpty()) {
      throw new IllegalArgumentException("node " + id + " is not a member of group "
          + group.name());
    }
  }

  // ---------------------------------------------------------------- shared by the parts

  /**
   * Takes {@code g} (this node a member) and what follows from it: this node, the planner, the
   * policy, the VIP interfaces and the timers derived from the policy.
   */
  void takeGroup(VipGroup g) {
    Node me = g.node(nodeId).orElseThrow();
    FailoverPolicy p = g.policy();
    if (!planner.group().equals(g)) {
      planner = Planner.forNode(g, nodeId);
    }
    Set<String> ifs = new TreeSet<>();
    g.vips().forEach(v -> ifs.add(v.interfaceName()));
    long detection = p.detectionTime().toNanos();
    Duration set = handoverTimeoutSet;
    handoverTimeout = set != null ? set.toNanos()
        : 2 * detection + p.heartbeatInterval().toNanos();
    joinTime = detection + p.heartbeatInterval().toNanos();
    detectionTime = detection;
    interfaces = Collections.unmodifiableSet(ifs);
    policy = p;
    self = me;
    group = g;
  }

  /** Where the agent is in its life. */
  Phase phase() {
    return life.phase();
  }

  /** Whether the current plan makes this node the owner of {@code v}. */
  boolean owns(VirtualIp v) {
    return nodeId.equals(planning.plan().assignment().owner(v));
  }

  /** Publishes a new snapshot for {@link #state()}; nothing once {@link #noSnapshots()} ran. */
  void snapshot() {
    if (snapshots) {
      snapshot = buildSnapshot();
    }
  }

  /**
   * Stops publishing snapshots: for a rehearsal's shadow, which nobody asks for its state and
   * which would otherwise build one (copies of its owners, peers, events and counters) at every
   * change, most of what a rehearsed take-over allocates. Call before {@link #start()}.
   */
  void noSnapshots() {
    snapshots = false;
  }

  private AgentState buildSnapshot() {
    Map<VirtualIp, @Nullable String> owners =
        new LinkedHashMap<>(planning.plan().assignment().owners());
    HealthMonitor monitor = standing.monitor();
    return new AgentState(nodeId, phase(), planning.plan().hasQuorum(),
        standing.effectivePriority(), standing.advertisedEligibility(), owners,
        new LinkedHashSet<>(holdings.held()), peers.copy(), events.recent(),
        holdings.holdings(), monitor == null ? List.of() : monitor.statuses(),
        events.counters(), loop.nanoTime());
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
    private Duration warmup = Duration.ZERO;
    private final List<HealthCheck> healthChecks = new ArrayList<>();
    private @Nullable Executor healthExecutor;
    private Effect linkDown = Effect.disqualify();
    private @Nullable StateStore stateStore;
    private final Set<Breakage> broken = EnumSet.noneOf(Breakage.class);
    private final Map<VirtualIp, Movers.Binding> movers = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Points {@code vip} at this node through {@code mover} (a cloud API, a script), with
     * {@link #DEFAULT_MOVER_TIMEOUT} per call; see {@link #mover(VirtualIp, AddressMover,
     * Duration)}.
     */
    public Builder mover(VirtualIp vip, AddressMover mover) {
      return mover(vip, mover, DEFAULT_MOVER_TIMEOUT);
    }

    /**
     * Points {@code vip}, a VIP of the group, at this node through {@code mover}, each call
     * bounded by {@code timeout}. On acquire the local address is added, then the mover claims
     * the VIP under a fencing epoch; the VIP counts as held (advertised to peers, announced, event
     * {@link AgentEvent.Acquired}) once it answers with success. A failed, throttled or timed-out
     * claim is tried again with capped exponential backoff while this node owns the VIP; a stale
     * epoch (a newer owner) removes the local address again. On release the mover lets go after
     * the local address is gone. The agent never closes the mover.
     */
    public Builder mover(VirtualIp vip, AddressMover mover, Duration timeout) {
      Objects.requireNonNull(vip, "vip");
      Objects.requireNonNull(mover, "mover");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("mover timeout must be positive, got " + timeout);
      }
      movers.put(vip, new Movers.Binding(mover, timeout));
      return this;
    }

    /** The movers by VIP address; every VIP must be one of {@code g}'s. */
    Map<InetAddress, Movers.Binding> movers(VipGroup g) {
      Map<InetAddress, Movers.Binding> out = new LinkedHashMap<>();
      for (Map.Entry<VirtualIp, Movers.Binding> e : movers.entrySet()) {
        VirtualIp v = e.getKey();
        if (g.vips().stream().noneMatch(x -> x.address().equals(v.address()))) {
          throw new IllegalArgumentException("mover for " + v.cidr() + ": not a VIP of group "
              + g.name());
        }
        out.put(v.address(), e.getValue());
      }
      return out;
    }

    /**
     * Where this node keeps its incarnation and flap record across restarts (default: nowhere).
     * With a store, a restarted process is accepted by its peers at once even after the wall
     * clock stepped back, and resumes its flap history and suspension: a crash-looping process
     * stays suspended. {@link #build()}'s agent then fails to start when the store cannot be
     * read or written.
     */
    public Builder stateStore(StateStore store) {
      this.stateStore = Objects.requireNonNull(store, "store");
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

    /**
     * The group (required); one of a configuration file is {@code
     * VipConfig.read(path).group(name)}.
     */
    public Builder group(VipGroup group) {
      this.group = group;
      return this;
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

    /**
     * How long a freshly started process warms up before it may take a VIP that a live peer
     * serves (default 0: no warm-up). While warming, the node is not eligible (its heartbeats say
     * so, as for a health check that has not passed yet) and runs the heartbeat codec and the
     * planner on synthetic input; it is warm once its event loop has run this long without a
     * stall (a tick more than one heartbeat interval late starts the time over), at the latest
     * five times this long after the start. A VIP that no other node can take (a node alone, a
     * cluster starting, an owner dead with no other standby) ends the warm-up at once: the
     * warm-up delays preemption, never a takeover. A single-node group does not warm up.
     */
    public Builder warmup(Duration warmup) {
      if (warmup.isNegative()) {
        throw new IllegalArgumentException("warmup must not be negative, got " + warmup);
      }
      this.warmup = warmup;
      return this;
    }

    /** Switches {@code mechanism} off: for the simulator's self-test only, see {@link Breakage}. */
    Builder breakage(Breakage mechanism) {
      broken.add(mechanism);
      return this;
    }

    /** The agent; throws when a required part is missing or the node is not in the group. */
    public VipAgent build() {
      return new VipAgent(this);
    }
  }
}
