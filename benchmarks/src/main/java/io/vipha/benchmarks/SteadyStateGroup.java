package io.vipha.benchmarks;

import io.vipha.VipGroup;
import io.vipha.agent.AgentCounters;
import io.vipha.agent.AgentState;
import io.vipha.agent.HeartbeatCoordinator;
import io.vipha.agent.VipAgent;
import io.vipha.plan.Liveness;
import io.vipha.testing.InMemoryBackend;
import io.vipha.testing.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A running Active/Passive group in its steady state: agents n1 (priority 200), n2 (150) and n3
 * (100) with real {@link HeartbeatCoordinator}s at a 5 ms heartbeat (dead after 3), on one
 * virtual clock and in-memory hosts, wired by a {@link DirectWire}; n1 holds both VIPs (IPv4 and
 * IPv6), quorum and lease are the defaults (majority, 10 s lease), no health checks.
 *
 * <p>{@link #interval()} is one heartbeat interval of the whole group: the virtual clock
 * advances by 5 ms and every task due runs (each node's tick encodes, signs and sends its
 * heartbeat, which its peers authenticate, decode and apply at once; death checks, planning,
 * reconcile, lease renewal and announcement refreshes whenever due). {@link #check()} fails
 * when the group left its steady state since {@link #mark()}.
 */
final class SteadyStateGroup {
  static final Duration INTERVAL = Duration.ofMillis(5);
  private static final String[] IDS = {"n1", "n2", "n3"};

  private final VirtualScheduler time = new VirtualScheduler();
  private final DirectWire wire = new DirectWire();
  private final long intervalNanos = INTERVAL.toNanos();
  private final VipAgent[] agents = new VipAgent[IDS.length];
  private final HeartbeatCoordinator[] coordinators = new HeartbeatCoordinator[IDS.length];
  private final AgentCounters[] marked = new AgentCounters[IDS.length];
  private long events;
  private long eventsMarked;

  /** Starts the three agents and runs 10 s of virtual time; checks that n1 holds both VIPs. */
  SteadyStateGroup() {
    VipGroup group = Fixtures.agentGroup()
        .policy(p -> p.heartbeatInterval(INTERVAL).deadAfter(3)).build();
    for (int i = 0; i < IDS.length; i++) {
      coordinators[i] = wire.coordinator();
      agents[i] = VipAgent.builder().group(group).nodeId(IDS[i])
          .backend(new InMemoryBackend(time)).coordinator(coordinators[i]).scheduler(time)
          .build();
      agents[i].addListener(e -> events++);
      var unused = agents[i].start();
    }
    time.advance(Duration.ofSeconds(10));
    mark();
    check();
  }

  /** One heartbeat interval of the group: 5 ms of virtual time, every task due run. */
  void interval() {
    time.runUntil(time.nanoTime() + intervalNanos);
  }

  /** Node n1's coordinator encodes, signs and sends a heartbeat that nobody receives. */
  void send() {
    mute(true);
    coordinators[0].publishNow();
    mute(false);
  }

  /** Drops every heartbeat while {@code muted}, as a network that lost them. */
  void mute(boolean muted) {
    wire.mute(muted);
  }

  /** Node n1 sends a heartbeat; n2 and n3 authenticate, decode and apply it at once. */
  void sendAndReceive() {
    coordinators[0].publishNow();
  }

  /** Heartbeat datagrams the three coordinators sent so far (one per peer and heartbeat). */
  long sent() {
    long n = 0;
    for (HeartbeatCoordinator c : coordinators) {
      n += c.sent();
    }
    return n;
  }

  /** Heartbeat datagrams the three coordinators accepted so far. */
  long accepted() {
    long n = 0;
    for (HeartbeatCoordinator c : coordinators) {
      n += c.accepted();
    }
    return n;
  }

  /** Remembers the agents' counters and events, for {@link #check()}. */
  void mark() {
    for (int i = 0; i < agents.length; i++) {
      marked[i] = agents[i].counters();
    }
    eventsMarked = events;
  }

  /**
   * Throws {@link IllegalStateException} unless n1 alone holds both VIPs, every node has quorum
   * and sees both peers alive, and no agent counted anything (acquisition, release, stall,
   * quorum loss...) or emitted an event since {@link #mark()}.
   */
  void check() {
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < agents.length; i++) {
      AgentState s = agents[i].state();
      int expected = i == 0 ? 2 : 0;
      if (s.held().size() != expected) {
        problems.add(IDS[i] + " holds " + s.held() + ", expected " + expected + " VIPs");
      }
      if (!s.quorum()) {
        problems.add(IDS[i] + " has no quorum");
      }
      String self = IDS[i];
      s.peers().forEach((id, p) -> {
        if (p.liveness() != Liveness.ALIVE) {
          problems.add(self + " sees " + id + " " + p.liveness());
        }
      });
      if (!agents[i].counters().equals(marked[i])) {
        problems.add(IDS[i] + " counted " + agents[i].counters() + " since " + marked[i]);
      }
    }
    if (events != eventsMarked) {
      problems.add((events - eventsMarked) + " agent events since the mark");
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException("not in the steady state: " + problems);
    }
  }
}
