package io.vipha.sim;

import io.vipha.Node;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.agent.HeartbeatCoordinator;
import io.vipha.agent.VipAgent;
import io.vipha.health.HealthCheck;
import io.vipha.spi.BackendException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One simulated node: a host (power, link, clocks, addresses with kernel leases) and the process
 * on it, which runs a real {@link VipAgent}. Every method acts at the simulation's current
 * virtual time and is recorded in the timeline as a fault.
 */
public final class SimNode {
  private final Simulation sim;
  private final Node node;
  private final int index;
  private final NodeClock clock;
  private final SimHost host;
  private boolean powered = true;
  private boolean link = true;
  private boolean healthy = true;
  private @Nullable ProcessLoop process;
  private @Nullable VipAgent agent;
  private @Nullable HeartbeatCoordinator coordinator;
  private int incarnations;
  /** The group its processes run: the simulation's, until {@link #reconfigure} changes it. */
  private @Nullable VipGroup group;
  /** The simulated health check, one value for every process, so that a reload keeps it. */
  private @Nullable HealthCheck check;

  SimNode(Simulation sim, Node node, int index, Set<String> interfaces) {
    this.sim = sim;
    this.node = node;
    this.index = index;
    this.clock = new NodeClock(sim.time());
    this.host = new SimHost(sim, this, interfaces);
  }

  /** The node's id. */
  public String id() {
    return node.id();
  }

  int index() {
    return index;
  }

  @Nullable HeartbeatCoordinator coordinator() {
    return coordinator;
  }

  NodeClock clock() {
    return clock;
  }

  SimHost host() {
    return host;
  }

  /** The agent of the running process, or null when no process runs (powered off, crashed). */
  public @Nullable VipAgent agent() {
    return process != null && !process.halted() ? agent : null;
  }

  /** The agent of the running process; fails when none runs. */
  public VipAgent requireAgent() {
    VipAgent a = agent();
    if (a == null) {
      throw new IllegalStateException(id() + " runs no process");
    }
    return a;
  }

  /** Whether the host has power. */
  public boolean powered() {
    return powered;
  }

  /** Whether the host's link is up. */
  public boolean hasLink() {
    return link;
  }

  /** Whether the host is on the segment: powered with its link up. */
  public boolean onSegment() {
    return powered && link;
  }

  /** Whether a process runs and is not paused. */
  public boolean running() {
    return process != null && !process.halted() && !process.paused();
  }

  /** Whether a process exists (running or paused). */
  public boolean processAlive() {
    return process != null && !process.halted();
  }

  /** Whether the simulated health check passes. */
  public boolean healthy() {
    return healthy;
  }

  /** Whether the host holds {@code vip} now. */
  public boolean holds(VirtualIp vip) {
    return host.holds(vip);
  }

  /** The VIPs the host holds now. */
  public Set<VirtualIp> holdings() {
    return host.holdings();
  }

  /** How many processes were started on this node. */
  public int incarnations() {
    return incarnations;
  }

  void boot() {
    ProcessLoop p = new ProcessLoop(clock);
    HeartbeatCoordinator.Builder cb = HeartbeatCoordinator.builder().key(1, sim.key())
        .transport(local -> sim.net().transport(this, p, local));
    sim.customizeCoordinator(id(), cb);
    HeartbeatCoordinator c = cb.build();
    VipGroup g = group;
    VipAgent.Builder b = VipAgent.builder().group(g != null ? g : sim.group()).nodeId(id())
        .backend(host).coordinator(c).scheduler(p).healthExecutor(Runnable::run)
        .stateStore(host.stateStore());
    b.healthChecks(checks());
    sim.customize(id(), b);
    VipAgent a = b.build();
    a.addListener(e -> sim.agentEvent(this, e));
    process = p;
    coordinator = c;
    agent = a;
    incarnations++;
    // Its failure shows in the timeline (the agent reports what failed); nothing waits on it.
    CompletableFuture<Void> unused = a.start();
  }

  private List<HealthCheck> checks() {
    if (!sim.healthCheck()) {
      return List.of();
    }
    HealthCheck h = check;
    if (h == null) {
      h = HealthCheck.custom("sim", () -> healthy).interval(sim.healthInterval())
          .timeout(sim.healthInterval().dividedBy(2)).rise(2).fall(2).disqualify().build();
      check = h;
    }
    return List.of(h);
  }

  /**
   * Reloads this node with {@code g} (the same name, mode and node): the running process takes
   * it through {@link VipAgent#reconfigure}, and every process started later runs it. The
   * simulation's checks still judge by the group it was built with. The future completes when
   * the process has taken the group, or fails as {@code reconfigure} does; with no process
   * running, it completes at once.
   */
  public CompletableFuture<Void> reconfigure(VipGroup g) {
    VipAgent a = agent();
    CompletableFuture<Void> done = a == null ? CompletableFuture.completedFuture(null)
        : a.reconfigure(g, checks());
    done.thenRun(() -> group = g);
    sim.note(id(), "reconfigure");
    return done;
  }

  private void kill() {
    ProcessLoop p = process;
    if (p != null) {
      p.halt();
    }
    sim.net().unbind(this);
    process = null;
  }

  /** The host loses power: the process dies and every address is gone. */
  public void powerOff() {
    sim.fault(this, "power off");
    kill();
    powered = false;
    host.clear("power off");
    sim.segmentChanged();
  }

  /** The host comes back with power and starts the agent's process. */
  public void powerOn() {
    sim.fault(this, "power on");
    if (!powered) {
      powered = true;
      sim.segmentChanged();
      boot();
    }
  }

  /** The process dies (kill -9); the host stays up and keeps its addresses until leases end. */
  public void crash() {
    sim.fault(this, "process crash (host up)");
    kill();
  }

  /** Starts a new process when none runs (after a crash or a graceful stop). */
  public void restart() {
    sim.fault(this, "process restart");
    if (powered && (process == null || stoppedGracefully())) {
      kill();
      boot();
    }
  }

  private boolean stoppedGracefully() {
    VipAgent a = agent;
    return a != null && a.state().phase() == VipAgent.Phase.STOPPED;
  }

  /** Graceful stop of the agent: its VIPs move make-before-break, then it stops. */
  public CompletableFuture<Void> stop() {
    sim.fault(this, "graceful stop");
    VipAgent a = agent();
    return a == null ? CompletableFuture.completedFuture(null) : a.stop();
  }

  /** A stop-the-world pause of the process (GC) for {@code d}. */
  public void pause(Duration d) {
    sim.fault(this, "pause " + d.toMillis() + " ms");
    ProcessLoop p = process;
    if (p == null || p.halted()) {
      return;
    }
    p.pause();
    sim.time().schedule(d.toNanos(), () -> {
      if (process == p) {
        p.resume();
      }
    });
  }

  /** The host's link goes down: nothing in or out, clients cannot reach it. */
  public void linkDown() {
    sim.fault(this, "link down");
    link = false;
    sim.segmentChanged();
  }

  /** The link comes back. */
  public void linkUp() {
    sim.fault(this, "link up");
    link = true;
    sim.segmentChanged();
  }

  /** The wall clock jumps by {@code d} (negative: backwards), as a bad NTP step does. */
  public void clockJump(Duration d) {
    sim.fault(this, "wall clock jumps " + d.toMillis() + " ms");
    clock.jumpWall(d.toMillis());
  }

  /** The host's clocks run fast (positive) or slow by {@code ppm} parts per million. */
  public void drift(long ppm) {
    sim.fault(this, "clock drift " + ppm + " ppm");
    clock.drift(ppm);
  }

  /** Every backend call fails with {@code kind} until {@link #healBackend()}. */
  public void failBackend(BackendException.Kind kind) {
    sim.fault(this, "backend fails: " + kind);
    host.failWith(new BackendException(kind, "simulated " + kind + " failure on " + id()));
  }

  /** The backend works again. */
  public void healBackend() {
    sim.fault(this, "backend healed");
    host.failWith(null);
  }

  /** Sets the result of the simulated health check (it disqualifies after two failures). */
  public void health(boolean ok) {
    sim.fault(this, ok ? "health check passes" : "health check fails");
    healthy = ok;
  }

  /** Removes {@code vip} from the host behind the agent's back, as {@code ip addr del} does. */
  public void removeByHand(VirtualIp vip) {
    sim.fault(this, "remove " + vip.cidr() + " by hand");
    host.remove(vip, "removed by hand");
  }

  /** Adds {@code vip} to the host behind the agent's back, as {@code ip addr add} does. */
  public void addByHand(VirtualIp vip) {
    sim.fault(this, "add " + vip.cidr() + " by hand");
    host.addByHand(vip);
  }

  /** Whether the backend currently fails. */
  public boolean backendFailing() {
    return host.failing();
  }

  @Override
  public String toString() {
    return id();
  }

  Node node() {
    return Objects.requireNonNull(node);
  }
}
