package io.vipha.sim;

import io.vipha.Node;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.agent.AgentEvent;
import io.vipha.agent.HeartbeatCoordinator;
import io.vipha.agent.VipAgent;
import io.vipha.testing.VirtualScheduler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A group of real {@link VipAgent}s in virtual time on simulated hosts, network and client. One
 * thread drives it; the same builder settings, seed and calls give the same timeline, byte for
 * byte.
 *
 * <pre>{@code
 * Simulation sim = Simulation.builder().group(group).seed(7).build();
 * sim.start();
 * sim.run(Duration.ofSeconds(2));
 * sim.node("n1").powerOff();
 * sim.run(Duration.ofSeconds(2));
 * sim.outages().forEach(System.out::println);
 * }</pre>
 *
 * <p>One class over 400 lines on purpose: it is the façade a test drives, small public methods
 * over the parts that do the work ({@link SimNode}, {@code SimHost}, {@code Net}, {@code Client},
 * the {@link VirtualScheduler}), the timeline they all write to, and the {@link Builder} whose
 * settings take a third of the file.
 */
public final class Simulation {
  private static final byte[] KEY = "vipha-simulation-key-32-bytes-ok".getBytes(
      java.nio.charset.StandardCharsets.US_ASCII);

  private final VipGroup group;
  private final VirtualScheduler time = new VirtualScheduler();
  private final Map<String, SimNode> nodes = new LinkedHashMap<>();
  private final List<SimNode> nodeList;
  private final Net net;
  private final Client client;
  private final List<SimEvent> timeline = new ArrayList<>();
  private final List<Consumer<SimEvent>> listeners = new ArrayList<>();
  private final @Nullable BiConsumer<String, VipAgent.Builder> customizer;
  private final @Nullable BiConsumer<String, HeartbeatCoordinator.Builder> coordinatorCustomizer;
  private final boolean healthCheck;
  private final Duration healthInterval;
  private final long clientDelay;
  private final boolean recordAgentEvents;
  private boolean started;

  private Simulation(Builder b) {
    this.group = Objects.requireNonNull(b.group, "group");
    this.customizer = b.customizer;
    this.coordinatorCustomizer = b.coordinatorCustomizer;
    this.healthCheck = b.healthCheck;
    this.healthInterval = b.healthInterval;
    this.clientDelay = b.clientDelay.toNanos();
    this.recordAgentEvents = b.agentEvents;
    Random random = new Random(b.seed);
    this.net = new Net(this, random, group.nodes().size());
    net.delayNanos = b.delay.toNanos();
    net.jitterNanos = b.jitter.toNanos();
    net.loss = b.loss;
    net.duplicate = b.duplicate;
    net.replay = b.replay;
    net.replayWithinNanos = b.replayWithin.toNanos();
    Set<String> interfaces = new LinkedHashSet<>();
    for (VirtualIp v : group.vips()) {
      interfaces.add(v.interfaceName());
    }
    int i = 0;
    for (Node n : group.nodes()) {
      SimNode s = new SimNode(this, n, i++, interfaces);
      nodes.put(n.id(), s);
      for (InetSocketAddress a : n.heartbeat()) {
        net.host(a.getAddress(), s);
      }
    }
    this.nodeList = List.copyOf(nodes.values());
    this.client = new Client(this, b.arpTimeout.toNanos(), b.arpRetry.toNanos());
  }

  /** A builder; {@link Builder#group} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Starts every node's process; the client begins to resolve the VIPs. */
  public void start() {
    if (started) {
      throw new IllegalStateException("already started");
    }
    started = true;
    for (SimNode n : nodeList) {
      n.boot();
    }
    for (VirtualIp v : group.vips()) {
      client.resolve(v);
    }
    time.runDue();
  }

  /** Advances virtual time by {@code d}, running everything that falls due. */
  public void run(Duration d) {
    time.advance(d);
  }

  /** Advances virtual time to {@code nanos} since the start. */
  public void runUntil(long nanos) {
    time.runUntil(nanos);
  }

  /** Virtual time since the start, in nanoseconds. */
  public long now() {
    return time.nanoTime();
  }

  /**
   * The simulation's shared virtual clock, for stand-ins outside any node (a fake cloud provider,
   * say): what it schedules runs in virtual time, on no node's loop.
   */
  public io.vipha.spi.Scheduler scheduler() {
    return time;
  }

  /** The group. */
  public VipGroup group() {
    return group;
  }

  /** The node {@code id}. */
  public SimNode node(String id) {
    SimNode n = nodes.get(id);
    if (n == null) {
      throw new IllegalArgumentException("no node " + id + "; the group has " + nodes.keySet());
    }
    return n;
  }

  /** Every node, in group order. */
  public List<SimNode> nodes() {
    return nodeList;
  }

  /** Blocks heartbeats from {@code from} to {@code to} (one way). */
  public void block(String from, String to) {
    fault(null, "block " + from + " -> " + to);
    net.block(node(from), node(to), true);
  }

  /** Adds {@code extra} to the delay of every heartbeat from {@code from} to {@code to}. */
  public void linkDelay(String from, String to, Duration extra) {
    if (extra.isNegative()) {
      throw new IllegalArgumentException("extra delay must not be negative: " + extra);
    }
    fault(null, "link " + from + " -> " + to + " delayed by " + extra.toMillis() + " ms more");
    net.extraDelay(node(from), node(to), extra.toNanos());
  }

  /** Cuts {@code side} off from every other node, both ways (the client still reaches all). */
  public void partition(Set<String> side) {
    fault(null, "partition " + new java.util.TreeSet<>(side) + " from the rest");
    for (SimNode a : nodeList) {
      for (SimNode b : nodeList) {
        if (side.contains(a.id()) != side.contains(b.id())) {
          net.block(a, b, true);
        }
      }
    }
  }

  /** Removes every partition and block. */
  public void heal() {
    fault(null, "heal the network");
    net.healAll();
  }

  /** Whether heartbeats from {@code from} to {@code to} are blocked. */
  public boolean blocked(String from, String to) {
    return net.blocked(node(from), node(to));
  }

  /** Nodes whose host holds {@code vip} and is on the segment, in group order. */
  public List<SimNode> holders(VirtualIp vip) {
    int k = indexOf(vip);
    List<SimNode> out = new ArrayList<>(2);
    for (SimNode n : nodeList) {
      if (n.onSegment() && (k >= 0 ? n.host().holds(k) : n.holds(vip))) {
        out.add(n);
      }
    }
    return out;
  }

  @SuppressWarnings("ReferenceEquality") // identity first: agents pass the group's own instances
  private int indexOf(VirtualIp vip) {
    List<VirtualIp> vips = group.vips();
    for (int i = 0; i < vips.size(); i++) {
      if (vips.get(i) == vip) {
        return i;
      }
    }
    return vips.indexOf(vip);
  }

  /** {@link #holders(VirtualIp)} of the group's VIP with index {@code vipIndex}. */
  List<SimNode> holders(int vipIndex) {
    List<SimNode> out = new ArrayList<>(2);
    for (SimNode n : nodeList) {
      if (n.onSegment() && n.host().holds(vipIndex)) {
        out.add(n);
      }
    }
    return out;
  }

  /** Whether the client's packets to {@code vip} reach a holder now. */
  public boolean clientReaches(VirtualIp vip) {
    return client.reaches(vip);
  }

  /** The node the client's cache points at for {@code vip}, or null. */
  public @Nullable SimNode clientTarget(VirtualIp vip) {
    return client.cached(vip);
  }

  /** Every outage the client saw, in order of beginning. */
  public List<Outage> outages() {
    return Collections.unmodifiableList(client.outages);
  }

  /** The timeline so far. */
  public List<SimEvent> timeline() {
    return Collections.unmodifiableList(timeline);
  }

  /** Calls {@code l} for every later timeline entry. */
  public void addListener(Consumer<SimEvent> l) {
    listeners.add(Objects.requireNonNull(l));
  }

  /** Heartbeat datagrams sent and delivered so far. */
  public long[] datagrams() {
    return new long[] {net.sent, net.delivered};
  }

  /** Records an operator action or fault not tied to one node's host, e.g. a switchover. */
  public void note(@Nullable String node, String text) {
    fault(node == null ? null : node(node), text);
  }

  // Package-private plumbing for nodes, hosts, network and client.

  VirtualScheduler time() {
    return time;
  }

  Net net() {
    return net;
  }

  byte[] key() {
    return KEY;
  }

  boolean healthCheck() {
    return healthCheck;
  }

  Duration healthInterval() {
    return healthInterval;
  }

  void customize(String id, VipAgent.Builder b) {
    if (customizer != null) {
      customizer.accept(id, b);
    }
  }

  void customizeCoordinator(String id, HeartbeatCoordinator.Builder b) {
    if (coordinatorCustomizer != null) {
      coordinatorCustomizer.accept(id, b);
    }
  }

  void fault(@Nullable SimNode node, String text) {
    record(node, SimEvent.Type.FAULT, null, text);
  }

  void record(@Nullable SimNode node, SimEvent.Type type, @Nullable VirtualIp vip, String text) {
    SimEvent e = new SimEvent(time.nanoTime(), node == null ? "" : node.id(), type,
        vip == null ? "" : vip.cidr(), text);
    timeline.add(e);
    for (Consumer<SimEvent> l : listeners) {
      l.accept(e);
    }
  }

  void addressChanged(SimNode node, VirtualIp vip, boolean added, String why) {
    record(node, added ? SimEvent.Type.ADDED : SimEvent.Type.REMOVED, vip, why);
    client.update(vip);
  }

  void announced(SimNode node, VirtualIp vip) {
    if (!node.onSegment()) {
      return;
    }
    time.schedule(clientDelay, () -> {
      if (node.onSegment()) {
        client.announcement(node, vip);
      }
    });
  }

  void segmentChanged() {
    for (VirtualIp v : group.vips()) {
      client.update(v);
    }
  }

  void agentEvent(SimNode node, AgentEvent e) {
    if (!recordAgentEvents) {
      return;
    }
    String text = describe(e);
    if (text != null) {
      record(node, SimEvent.Type.AGENT, null, text);
    }
  }

  private static @Nullable String describe(AgentEvent e) {
    if (e instanceof AgentEvent.Acquired a) {
      return "acquired " + a.vip().cidr() + " (" + a.reason() + ")";
    } else if (e instanceof AgentEvent.Released r) {
      return "released " + r.vip().cidr() + " (" + r.reason() + ")";
    } else if (e instanceof AgentEvent.PeerUp p) {
      return "sees " + p.nodeId() + " up";
    } else if (e instanceof AgentEvent.PeerDown p) {
      return "sees " + p.nodeId() + (p.left() ? " leave" : " dead");
    } else if (e instanceof AgentEvent.QuorumLost q) {
      return "lost quorum (" + q.reachable() + " of " + q.required() + ")";
    } else if (e instanceof AgentEvent.QuorumRegained q) {
      return "regained quorum (" + q.reachable() + " of " + q.required() + ")";
    } else if (e instanceof AgentEvent.HealthChanged h) {
      return "health " + (h.healthy() ? "passes" : "fails") + (h.disqualified()
          ? ", disqualified" : "") + ", priority " + h.effectivePriority();
    } else if (e instanceof AgentEvent.FlapSuspended f) {
      return "suspends " + f.nodeId() + " for flapping";
    } else if (e instanceof AgentEvent.BackendError b) {
      return "backend error on " + b.operation() + ": " + b.error().kind();
    } else if (e instanceof AgentEvent.DriftRepaired d) {
      return "repaired " + d.vip().cidr() + ": " + d.what();
    } else if (e instanceof AgentEvent.Conflict c) {
      return "conflict on " + c.vip().cidr() + " with " + c.peer();
    } else if (e instanceof AgentEvent.Stalled s) {
      return "stalled " + s.nanos() / 1_000_000 + " ms";
    } else if (e instanceof AgentEvent.Reconfigured r) {
      return "reconfigured (" + r.nodes() + " nodes, " + r.vips() + " VIPs, " + r.checks()
          + " checks)";
    } else if (e instanceof AgentEvent.MoverClaimed m) {
      return "mover claimed " + m.vip().cidr() + " (" + m.outcome() + ", epoch " + m.epoch()
          + ")";
    } else if (e instanceof AgentEvent.MoverFailed m) {
      return "mover " + m.operation() + " of " + m.vip().cidr() + ": " + m.outcome();
    }
    return null; // PeerSuspect: too frequent to be useful in a timeline
  }

  /** {@code t=  1.234567s}. */
  static String formatTime(long nanos) {
    return String.format(java.util.Locale.ROOT, "t=%10.6fs", nanos / 1e9);
  }

  /** Builds a {@link Simulation}; every setting has a default except the group. */
  public static final class Builder {
    private @Nullable VipGroup group;
    private long seed = 1;
    private Duration delay = Duration.ofMillis(1);
    private Duration jitter = Duration.ofMillis(1);
    private double loss;
    private double duplicate;
    private double replay;
    private Duration replayWithin = Duration.ZERO;
    private Duration clientDelay = Duration.ofMillis(1);
    private Duration arpTimeout = Duration.ofSeconds(30);
    private Duration arpRetry = Duration.ofSeconds(1);
    private boolean healthCheck = true;
    private Duration healthInterval = Duration.ofMillis(200);
    private boolean agentEvents = true;
    private @Nullable BiConsumer<String, VipAgent.Builder> customizer;
    private @Nullable BiConsumer<String, HeartbeatCoordinator.Builder> coordinatorCustomizer;

    private Builder() {}

    /** The group to simulate; every node of it runs an agent. */
    public Builder group(VipGroup group) {
      this.group = Objects.requireNonNull(group);
      return this;
    }

    /** Seeds the network's randomness (jitter, loss, duplication). Default 1. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Fixed one-way delay of every heartbeat datagram. Default 1 ms. */
    public Builder delay(Duration d) {
      this.delay = nonNegative(d, "delay");
      return this;
    }

    /** Random extra delay, uniform in [0, jitter); it reorders datagrams. Default 1 ms. */
    public Builder jitter(Duration d) {
      this.jitter = nonNegative(d, "jitter");
      return this;
    }

    /** Probability (0–1) that a heartbeat datagram is lost. Default 0. */
    public Builder loss(double p) {
      this.loss = probability(p, "loss");
      return this;
    }

    /** Probability (0–1) that a heartbeat datagram arrives twice. Default 0. */
    public Builder duplicate(double p) {
      this.duplicate = probability(p, "duplicate");
      return this;
    }

    /**
     * An attacker on the segment that records heartbeat datagrams and sends each again, with
     * probability {@code p} (0–1), after a delay uniform in [0, {@code within}), if by then the
     * sender has restarted and the receiver was sent a heartbeat of its new process within the
     * last heartbeat interval. The replay guard must reject every such packet as stale. Default
     * off.
     */
    public Builder replay(double p, Duration within) {
      this.replay = probability(p, "replay");
      this.replayWithin = nonNegative(within, "replay delay");
      return this;
    }

    /** Delay from a node's announcement to the client's cache. Default 1 ms. */
    public Builder clientDelay(Duration d) {
      this.clientDelay = nonNegative(d, "clientDelay");
      return this;
    }

    /** How long the client trusts a cache entry before resolving again. Default 30 s. */
    public Builder arpTimeout(Duration d) {
      this.arpTimeout = positive(d, "arpTimeout");
      return this;
    }

    /** How often the client retries a resolution nobody answered. Default 1 s. */
    public Builder arpRetry(Duration d) {
      this.arpRetry = positive(d, "arpRetry");
      return this;
    }

    /**
     * Gives every agent a simulated health check (rise 2, fall 2, disqualifies) that {@link
     * SimNode#health(boolean)} controls. Default on, every 200 ms.
     */
    public Builder healthCheck(boolean on, Duration interval) {
      this.healthCheck = on;
      this.healthInterval = positive(interval, "healthInterval");
      return this;
    }

    /** Whether agents' events (peer down, quorum …) enter the timeline. Default on. */
    public Builder agentEvents(boolean on) {
      this.agentEvents = on;
      return this;
    }

    /** Adjusts each agent's builder before it is built (called on every process start). */
    public Builder customize(BiConsumer<String, VipAgent.Builder> customizer) {
      this.customizer = Objects.requireNonNull(customizer);
      return this;
    }

    /** Adjusts each node's heartbeat coordinator builder (called on every process start). */
    public Builder customizeCoordinator(BiConsumer<String, HeartbeatCoordinator.Builder> c) {
      this.coordinatorCustomizer = Objects.requireNonNull(c);
      return this;
    }

    /** The longest a heartbeat takes in flight with these settings: delay plus jitter. */
    Duration flight() {
      return delay.plus(jitter);
    }

    /** Builds the simulation, not started. */
    public Simulation build() {
      if (group == null) {
        throw new IllegalStateException("group is required");
      }
      return new Simulation(this);
    }

    private static Duration nonNegative(Duration d, String what) {
      if (d.isNegative()) {
        throw new IllegalArgumentException(what + " must not be negative: " + d);
      }
      return d;
    }

    private static Duration positive(Duration d, String what) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive: " + d);
      }
      return d;
    }

    private static double probability(double p, String what) {
      if (!(p >= 0 && p <= 1)) {
        throw new IllegalArgumentException(what + " must be within 0–1: " + p);
      }
      return p;
    }
  }
}
