package io.vipha.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vipha.Node;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.agent.AgentCounters;
import io.vipha.agent.AgentEvent;
import io.vipha.agent.AgentListener;
import io.vipha.agent.HeartbeatCoordinator;
import io.vipha.agent.VipAgent;
import io.vipha.health.HealthMonitor;
import io.vipha.spi.Coordinator.PeerState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * The metrics of one {@link VipAgent} (and of its {@link HeartbeatCoordinator} when given), for a
 * Micrometer {@link MeterRegistry}. Every meter carries the tags {@code group} and {@code node}
 * (and the builder's own); no tag takes more values than the group has nodes, checks or move
 * reasons, unless {@link Builder#vipTags(boolean)} adds one meter per VIP.
 *
 * <table>
 *   <caption>The meters</caption>
 *   <tr><th>name</th><th>type</th><th>extra tags</th><th>what</th></tr>
 *   <tr><td>{@code vipha.vip.held}</td><td>gauge</td><td></td><td>VIPs this host holds</td></tr>
 *   <tr><td>{@code vipha.vip.holding}</td><td>gauge</td><td>{@code vip}</td><td>1 while this host
 *       holds the VIP, else 0; only with {@code vipTags(true)}</td></tr>
 *   <tr><td>{@code vipha.transitions}</td><td>counter</td><td>{@code transition} ({@code
 *       acquired}, {@code released}), {@code reason}</td><td>VIPs taken and given up, by the
 *       planner's move reason (e.g. {@code elected}, {@code owner_dead}, {@code switchover})
 *       </td></tr>
 *   <tr><td>{@code vipha.peer.state}</td><td>gauge</td><td>{@code peer}</td><td>2 alive, 1
 *       suspect, 0 dead or not heard from yet</td></tr>
 *   <tr><td>{@code vipha.quorum}</td><td>gauge</td><td></td><td>1 with quorum, else 0</td></tr>
 *   <tr><td>{@code vipha.priority.effective}</td><td>gauge</td><td></td><td>this node's priority
 *       after health adjustments</td></tr>
 *   <tr><td>{@code vipha.heartbeat.sent}</td><td>counter</td><td></td><td>heartbeat datagrams
 *       sent, one per destination</td></tr>
 *   <tr><td>{@code vipha.heartbeat.received}</td><td>counter</td><td></td><td>heartbeats
 *       accepted</td></tr>
 *   <tr><td>{@code vipha.heartbeat.rejected}</td><td>counter</td><td>{@code why} (e.g. {@code
 *       bad_mac}, {@code replayed})</td><td>packets dropped</td></tr>
 *   <tr><td>{@code vipha.health.check}</td><td>timer</td><td>{@code check}, {@code result}
 *       ({@code healthy}, {@code unhealthy})</td><td>probes, from submission to result</td></tr>
 *   <tr><td>{@code vipha.announce.sent}</td><td>counter</td><td></td><td>gratuitous ARPs or
 *       neighbour advertisements, one per VIP and burst step</td></tr>
 *   <tr><td>{@code vipha.backend.errors}</td><td>counter</td><td>{@code op} ({@code assign},
 *       {@code release}, {@code announce}, {@code list}, {@code watch})</td><td>failed backend
 *       calls</td></tr>
 *   <tr><td>{@code vipha.loop.stall}</td><td>counter</td><td></td><td>times the agent's loop
 *       stalled for a detection time</td></tr>
 *   <tr><td>{@code vipha.mover.claims}</td><td>counter</td><td></td><td>claims an address
 *       mover answered with success</td></tr>
 *   <tr><td>{@code vipha.mover.failures}</td><td>counter</td><td></td><td>address mover calls
 *       that did not succeed</td></tr>
 * </table>
 *
 * <p>The heartbeat meters exist only when a coordinator is given. Counters and gauges read what
 * the agent and the coordinator count already, when the registry reads them, so counting costs
 * the agent nothing; {@code vipha.transitions} and {@code vipha.backend.errors} are fed by a
 * listener on the agent (from the moment of binding) and {@link #close()} removes it and the
 * meters.
 *
 * <p>The meters follow the agent's {@link VipAgent#reconfigure}: when the listener hears {@link
 * AgentEvent.Reconfigured}, it registers the {@code vipha.peer.state}, {@code
 * vipha.vip.holding} and {@code vipha.health.check} meters of added peers, VIPs and checks and
 * removes those of removed ones from the registry; the others stay as they are.
 *
 * <pre>{@code
 * VipAgentMetrics metrics = VipAgentMetrics.builder(agent).coordinator(heartbeats).build();
 * metrics.bindTo(registry);
 * }</pre>
 */
public final class VipAgentMetrics implements MeterBinder, AutoCloseable {
  /** The backend operations the agent reports errors of, registered at 0 when bound. */
  static final List<String> BACKEND_OPS = List.of("assign", "release", "announce", "list",
      "watch");

  private final VipAgent agent;
  private final @Nullable HeartbeatCoordinator coordinator;
  private final boolean vipTags;
  private final Tags tags;
  private final List<Bound> bound = new ArrayList<>();

  private VipAgentMetrics(Builder b) {
    this.agent = b.agent;
    this.coordinator = b.coordinator;
    this.vipTags = b.vipTags;
    this.tags = Tags.of("group", agent.group().name(), "node", agent.nodeId()).and(b.tags);
  }

  /** A builder for the metrics of {@code agent}. */
  public static Builder builder(VipAgent agent) {
    return new Builder(agent);
  }

  /** What one {@link #bindTo} registered: the registry, and the listener that keeps the meters. */
  private record Bound(MeterRegistry registry, Listener listener) {}

  @Override
  public void bindTo(MeterRegistry registry) {
    List<Meter> meters = new ArrayList<>();
    VipAgent a = agent;
    meters.add(gauge(registry, "vipha.vip.held", "VIPs this host holds", tags,
        x -> x.state().held().size()));
    meters.add(gauge(registry, "vipha.quorum", "1 with quorum, else 0", tags,
        x -> x.state().quorum() ? 1 : 0));
    meters.add(gauge(registry, "vipha.priority.effective",
        "this node's priority after health adjustments", tags,
        x -> x.state().effectivePriority()));
    meters.add(counter(registry, "vipha.announce.sent",
        "gratuitous ARPs or neighbour advertisements sent, one per VIP and burst step",
        AgentCounters::announcements));
    meters.add(counter(registry, "vipha.loop.stall",
        "times the agent's loop stalled for a detection time", AgentCounters::stalls));
    meters.add(counter(registry, "vipha.mover.claims",
        "claims an address mover answered with success", AgentCounters::moverClaims));
    meters.add(counter(registry, "vipha.mover.failures",
        "address mover calls that did not succeed", AgentCounters::moverFailures));
    HeartbeatCoordinator c = coordinator;
    if (c != null) {
      heartbeats(registry, c, meters);
    }
    Listener listener = new Listener(registry, meters);
    for (String op : BACKEND_OPS) {
      listener.backendError(op, false);
    }
    // Listening first, then reading the group: a reconfiguration in between is not missed.
    a.addListener(listener);
    listener.follow();
    synchronized (bound) {
      bound.add(new Bound(registry, listener));
    }
  }

  private Meter peer(MeterRegistry registry, String peer) {
    return gauge(registry, "vipha.peer.state",
        "a peer's liveness: 2 alive, 1 suspect, 0 dead or not heard from yet",
        tags.and("peer", peer), x -> liveness(x.state().peers().get(peer)));
  }

  private Meter vip(MeterRegistry registry, VirtualIp v) {
    return gauge(registry, "vipha.vip.holding", "1 while this host holds the VIP",
        tags.and("vip", v.cidr()), x -> x.state().held().contains(v) ? 1 : 0);
  }

  private void heartbeats(MeterRegistry registry, HeartbeatCoordinator c, List<Meter> meters) {
    meters.add(FunctionCounter.builder("vipha.heartbeat.sent", c, HeartbeatCoordinator::sent)
        .description("heartbeat datagrams sent, one per destination").tags(tags)
        .register(registry));
    meters.add(FunctionCounter.builder("vipha.heartbeat.received", c,
        HeartbeatCoordinator::accepted).description("heartbeats accepted").tags(tags)
        .register(registry));
    for (String reason : HeartbeatCoordinator.rejectionReasons()) {
      meters.add(FunctionCounter.builder("vipha.heartbeat.rejected", c, x -> x.rejected(reason))
          .description("heartbeat packets dropped, by reason").tags(tags)
          .tag("why", reason.toLowerCase(Locale.ROOT)).register(registry));
    }
  }

  /** The two timers of check {@code name} of {@code m}, healthy and unhealthy probes. */
  private List<Meter> check(MeterRegistry registry, HealthMonitor m, String name) {
    List<Meter> out = new ArrayList<>(2);
    for (boolean healthy : new boolean[] {true, false}) {
      out.add(FunctionTimer.builder("vipha.health.check", m,
          x -> probes(x, name, healthy, false), x -> probes(x, name, healthy, true),
          TimeUnit.NANOSECONDS)
          .description("health check probes, from submission to result").tags(tags)
          .tag("check", name).tag("result", healthy ? "healthy" : "unhealthy")
          .register(registry));
    }
    return out;
  }

  /**
   * The probes of a check, or their nanoseconds; 0 once the check is gone (a scrape between a
   * reconfiguration and the removal of the check's timers).
   */
  private static long probes(HealthMonitor m, String name, boolean healthy, boolean nanos) {
    try {
      return nanos ? m.probeNanos(name, healthy) : m.probeCount(name, healthy);
    } catch (IllegalArgumentException gone) {
      return 0;
    }
  }

  private Meter gauge(MeterRegistry registry, String name, String description, Tags t,
      ToDoubleFunction<VipAgent> value) {
    return Gauge.builder(name, agent, value).description(description).tags(t)
        .register(registry);
  }

  private Meter counter(MeterRegistry registry, String name, String description,
      java.util.function.ToLongFunction<AgentCounters> count) {
    return FunctionCounter.builder(name, agent, x -> count.applyAsLong(x.counters()))
        .description(description).tags(tags).register(registry);
  }

  /** The number {@code vipha.peer.state} shows for a peer. */
  static int liveness(@Nullable PeerState p) {
    if (p == null) {
      return 0;
    }
    return switch (p.liveness()) {
      case ALIVE -> 2;
      case SUSPECT -> 1;
      case DEAD -> 0;
    };
  }

  /**
   * Removes what {@link #bindTo} registered: the listener from the agent and the meters from
   * each registry.
   */
  @Override
  public void close() {
    List<Bound> all;
    synchronized (bound) {
      all = new ArrayList<>(bound);
      bound.clear();
    }
    for (Bound b : all) {
      agent.removeListener(b.listener());
      for (Meter m : b.listener().close()) {
        b.registry().remove(m);
      }
    }
  }

  /**
   * Counts transitions and backend errors from the agent's events, on its loop, and keeps the
   * meters of each peer, VIP and health check in step with the agent's configuration.
   */
  private final class Listener implements AgentListener {
    private final MeterRegistry registry;
    /** The meters of the agent as a whole; the lock of every field below. */
    private final List<Meter> meters;
    private final Map<String, Counter> acquired = new ConcurrentHashMap<>();
    private final Map<String, Counter> released = new ConcurrentHashMap<>();
    private final Map<String, Counter> backend = new ConcurrentHashMap<>();
    private final Map<String, List<Meter>> peers = new HashMap<>();
    private final Map<VirtualIp, List<Meter>> vips = new HashMap<>();
    private final Map<String, List<Meter>> checks = new HashMap<>();
    /** The monitor the check timers read. */
    private @Nullable HealthMonitor monitor;
    /** Set by {@link VipAgentMetrics#close()}. */
    private boolean closed;

    /** From now on, registers nothing; the meters registered so far. */
    List<Meter> close() {
      synchronized (meters) {
        closed = true;
        List<Meter> all = new ArrayList<>(meters);
        peers.values().forEach(all::addAll);
        vips.values().forEach(all::addAll);
        checks.values().forEach(all::addAll);
        return all;
      }
    }

    /**
     * Registers the meters of the agent's peers, VIPs (with VIP tags) and health checks that
     * have none yet and removes those of the ones that are gone; unchanged ones stay.
     */
    void follow() {
      synchronized (meters) {
        if (closed) {
          return;
        }
        VipAgent a = agent;
        VipGroup g = a.group();
        Set<String> peerIds = new HashSet<>();
        for (Node n : g.nodes()) {
          if (!n.id().equals(a.nodeId())) {
            peerIds.add(n.id());
          }
        }
        keep(peers, peerIds, id -> List.of(peer(registry, id)));
        keep(vips, vipTags ? new HashSet<>(g.vips()) : Set.of(),
            v -> List.of(vip(registry, v)));
        HealthMonitor m = a.healthMonitor().orElse(null);
        if (m != monitor) {
          keep(checks, Set.of(), name -> List.of());
          monitor = m;
        }
        Set<String> names = new HashSet<>();
        if (m != null) {
          m.checks().forEach(c -> names.add(c.name()));
        }
        keep(checks, names, name -> check(registry, Objects.requireNonNull(m), name));
      }
    }

    /**
     * Makes {@code byKey} hold meters for exactly {@code keys}: removes the meters of other keys
     * from the registry first (a VIP moved to another interface has the same meter id), then
     * registers those of new keys.
     */
    private <K> void keep(Map<K, List<Meter>> byKey, Set<K> keys,
        Function<K, List<Meter>> register) {
      for (Iterator<Map.Entry<K, List<Meter>>> it = byKey.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<K, List<Meter>> e = it.next();
        if (!keys.contains(e.getKey())) {
          e.getValue().forEach(registry::remove);
          it.remove();
        }
      }
      for (K k : keys) {
        if (!byKey.containsKey(k)) {
          byKey.put(k, register.apply(k));
        }
      }
    }

    Listener(MeterRegistry registry, List<Meter> meters) {
      this.registry = registry;
      this.meters = meters;
    }

    @Override
    public void on(AgentEvent e) {
      if (e instanceof AgentEvent.Acquired a) {
        transition(acquired, "acquired", a.reason());
      } else if (e instanceof AgentEvent.Reconfigured) {
        follow();
      } else if (e instanceof AgentEvent.Released r) {
        transition(released, "released", r.reason());
      } else if (e instanceof AgentEvent.BackendError b) {
        backendError(b.operation(), true);
      }
    }

    private void transition(Map<String, Counter> byReason, String kind, String reason) {
      Counter c = byReason.get(reason);
      if (c == null) {
        c = byReason.computeIfAbsent(reason, r -> add(Counter.builder("vipha.transitions")
            .description("VIPs this node acquired or released, by reason").tags(tags)
            .tag("transition", kind).tag("reason", r.toLowerCase(Locale.ROOT))));
      }
      if (c != null) {
        c.increment();
      }
    }

    void backendError(String op, boolean count) {
      Counter c = backend.get(op);
      if (c == null) {
        c = backend.computeIfAbsent(op, o -> add(Counter.builder("vipha.backend.errors")
            .description("failed backend calls, by operation").tags(tags).tag("op", o)));
      }
      if (c != null && count) {
        c.increment();
      }
    }

    /** Registers a counter, unless the binder is closed (an event still in flight): null. */
    private @Nullable Counter add(Counter.Builder b) {
      synchronized (meters) {
        if (closed) {
          return null;
        }
        Counter c = b.register(registry);
        meters.add(c);
        return c;
      }
    }
  }

  /** Builds a {@link VipAgentMetrics}. */
  public static final class Builder {
    private final VipAgent agent;
    private @Nullable HeartbeatCoordinator coordinator;
    private boolean vipTags;
    private Tags tags = Tags.empty();

    private Builder(VipAgent agent) {
      this.agent = Objects.requireNonNull(agent, "agent");
    }

    /** The agent's heartbeat coordinator, for the {@code vipha.heartbeat.*} meters. */
    public Builder coordinator(HeartbeatCoordinator c) {
      this.coordinator = Objects.requireNonNull(c, "coordinator");
      return this;
    }

    /**
     * Whether to add {@code vipha.vip.holding}, one gauge per VIP with a {@code vip} tag (default
     * false: a large Active/Active group would make thousands of series).
     */
    public Builder vipTags(boolean on) {
      this.vipTags = on;
      return this;
    }

    /** Tags added to every meter, besides {@code group} and {@code node}. */
    public Builder tags(Iterable<Tag> extra) {
      this.tags = this.tags.and(extra);
      return this;
    }

    /** The binder; bind it with {@link VipAgentMetrics#bindTo(MeterRegistry)}. */
    public VipAgentMetrics build() {
      return new VipAgentMetrics(this);
    }
  }
}
