package io.vipha.agent;

import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.agent.VipAgent.Phase;
import io.vipha.health.HealthMonitor;
import io.vipha.internal.AcquireTrace;
import io.vipha.plan.Eligibility;
import io.vipha.plan.Plan;
import io.vipha.spi.AddressBackend;
import io.vipha.spi.BackendException;
import io.vipha.spi.Cancellable;
import io.vipha.spi.Coordinator;
import io.vipha.spi.Coordinator.PeerState;
import io.vipha.spi.HostAddress;
import io.vipha.spi.Scheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The agent's life: its {@link Phase}, start (leftovers, coordinator, the join), the end of the
 * join, the graceful stop and the final stop, and the adapters that bring the coordinator's and
 * the backend's calls onto the event loop.
 */
final class Lifecycle {
  /** How long a stop waits for a slow state store to hold the last flap record. */
  private static final Duration STATE_SAVE_ON_STOP = Duration.ofSeconds(2);
  private final VipAgent a;
  private Phase phase = Phase.NEW;
  private @Nullable Cancellable joinTimer;
  private @Nullable Cancellable watch;
  private @Nullable Thread rehearsal;
  /** The rehearsal's shadow once its rounds are done, for {@link Context#warmTake}. */
  private volatile Rehearsal.@Nullable Shadow shadow;
  private final CompletableFuture<Void> started = new CompletableFuture<>();
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();

  Lifecycle(VipAgent agent) {
    this.a = agent;
  }

  Phase phase() {
    return phase;
  }

  /** After a stall: back to listening (see {@link StallGuard}). */
  void rejoin() {
    phase = Phase.JOINING;
  }

  CompletableFuture<Void> started() {
    return started;
  }

  CompletableFuture<Void> stopped() {
    return stopped;
  }

  /** Ends the join (or the check after a stall) in {@code delay} nanoseconds. */
  void scheduleJoin(long delay, Runnable end) {
    joinTimer = a.loop.schedule(delay, end);
  }

  /** Cancels the pending end of the join, if any. */
  void cancelJoin() {
    Cancellable t = joinTimer;
    if (t != null) {
      t.cancel();
      joinTimer = null;
    }
  }

  /** The join timer ran. */
  void joinFired() {
    joinTimer = null;
  }

  void doStart() {
    if (phase != Phase.NEW) {
      started.completeExceptionally(new IllegalStateException("agent already started"));
      return;
    }
    a.standing.start(a.loop.nanoTime());
    a.warmup.start(a.loop.nanoTime());
    phase = Phase.JOINING;
    try {
      for (HostAddress h : a.backend.list(a.interfaces)) {
        for (VirtualIp v : a.group.vips()) {
          if (h.matches(v)) {
            a.holdings.found(v, a.loop.nanoTime());
          }
        }
      }
    } catch (BackendException e) {
      a.events.emit(new AgentEvent.BackendError(a.loop.nanoTime(), "list", null, e));
    }
    try {
      watch = a.backend.watch(new HostListener());
    } catch (BackendException e) {
      a.events.emit(new AgentEvent.BackendError(a.loop.nanoTime(), "watch", null, e));
    }
    try {
      a.memory.start();
      a.planning.restore(a.memory);
      a.coordinator.start(new Context());
    } catch (IOException | RuntimeException e) {
      phase = Phase.STOPPED;
      a.snapshot();
      started.completeExceptionally(e);
      stopped.complete(null);
      return;
    }
    scheduleJoin(a.joinTime, this::endJoin);
    a.reconciler.start();
    HealthMonitor h = a.standing.monitor();
    if (h != null) {
      h.start();
    }
    a.announcer.start();
    a.snapshot();
    if (a.loop instanceof EventLoopScheduler) { // real time: the first take-over may be soon
      rehearsal = Rehearsal.start(a, s -> shadow = s);
    }
    started.complete(null);
  }

  /** The take-over rehearsal's thread, started with a real-time loop; null otherwise. */
  @Nullable Thread rehearsal() {
    return rehearsal;
  }

  void endJoin() {
    if (phase != Phase.JOINING) {
      return;
    }
    cancelJoin();
    phase = Phase.RUNNING;
    a.stall.rejoined();
    a.planning.replan();
  }

  void doStop() {
    if (phase == Phase.STOPPED || phase == Phase.STOPPING) {
      return;
    }
    if (phase == Phase.NEW) {
      phase = Phase.STOPPED;
      a.snapshot();
      stopped.complete(null);
      return;
    }
    phase = Phase.STOPPING;
    a.standing.drainForStop(a.loop.nanoTime());
    a.loop.schedule(a.handoverTimeout, this::finishStop);
    a.planning.localChanged();
    if (a.holdings.isEmpty()) {
      finishStop();
    }
  }

  void finishStop() {
    if (phase == Phase.STOPPED) {
      return;
    }
    for (VirtualIp v : a.group.vips()) {
      if (a.movers.claiming(v)) {
        a.reconciler.abandon(v);
      }
    }
    for (VirtualIp v : a.holdings.list()) {
      a.reconciler.release(v, "STOPPED");
    }
    a.movers.stop();
    a.coordinator.leave();
    a.coordinator.close();
    Cancellable w = watch;
    if (w != null) {
      w.cancel();
      watch = null;
    }
    HealthMonitor h = a.standing.monitor();
    if (h != null) {
      h.stop();
    }
    for (Cancellable c : new Cancellable[] {a.planning.timer(), a.reconciler.timer(),
        a.announcer.timer(), joinTimer, a.reconciler.settleTimer()}) {
      if (c != null) {
        c.cancel();
      }
    }
    a.memory.remember(a.planning.plan()); // (a stop inside a replan comes before its save)
    a.memory.close(STATE_SAVE_ON_STOP);
    a.events.flush(); // (a stop inside a reconcile: the listeners hear it all before it ends)
    phase = Phase.STOPPED;
    a.snapshot();
    stopped.complete(null);
    EventLoopScheduler own = a.ownLoop;
    if (own != null) {
      own.close();
    }
  }

  /** Moves the backend's reports onto the event loop. */
  private final class HostListener implements AddressBackend.Listener {
    @Override
    public void addressesChanged(String interfaceName) {
      a.loop.execute(() -> a.reconciler.onHostAddresses(interfaceName));
    }

    @Override
    public void linkChanged(String interfaceName, boolean up) {
      a.loop.execute(() -> a.standing.onHostLink(interfaceName, up));
    }
  }

  /**
   * The coordinator's view of this agent; every call arrives on the loop.
   *
   * <p>{@link #local()} runs for every heartbeat, so it returns the same {@link
   * Coordinator.LocalState} until what it says changes: the held VIPs and the switchover
   * requests by their owners' version numbers ({@link Holdings#version()}, {@link
   * Planning#pinsVersion()}), the stall check (which advertises nothing held), and the
   * priority, eligibility and quorum by value, read afresh each time (the eligibility also
   * changes with time, when a flap suspension ends).
   */
  private final class Context implements Coordinator.Context {
    private Coordinator.@Nullable LocalState local;
    private long heldVersion;
    private long pinsVersion;
    private boolean checking;
    @Override
    public Scheduler loop() {
      return a.loop;
    }

    @Override
    public VipGroup group() {
      return a.group;
    }

    @Override
    public String nodeId() {
      return a.nodeId;
    }

    @Override
    public long incarnation() {
      return a.memory.incarnation();
    }

    @Override
    public Coordinator.LocalState local() {
      a.stall.ran(a.loop.nanoTime());
      int priority = a.standing.effectivePriority();
      Eligibility eligibility = a.standing.advertisedEligibility();
      boolean quorum = a.planning.plan().hasQuorum();
      boolean check = a.stall.checking();
      long held = a.holdings.version();
      long pins = a.planning.pinsVersion();
      Coordinator.LocalState l = local;
      if (l != null && l.effectivePriority() == priority && l.eligibility() == eligibility
          && l.quorum() == quorum && check == checking && held == heldVersion
          && pins == pinsVersion) {
        return l;
      }
      // (While checking a stall, claim nothing: a peer that took a VIP over while this node was
      // silent must not give it up to this node just before this node learns of it.)
      l = new Coordinator.LocalState(priority, eligibility, quorum,
          check ? Set.of() : a.holdings.held(), new ArrayList<>(a.planning.pins()));
      local = l;
      checking = check;
      heldVersion = held;
      pinsVersion = pins;
      return l;
    }

    @Override
    public void peer(PeerState state) {
      a.peers.onPeer(state);
    }

    @Override
    public Duration leaseOverrun() {
      return a.backend.leaseOverrun();
    }

    @Override
    public void stalled(long nanos) {
      a.stall.onStalled(nanos);
    }

    @Override
    public void fenceChanged() {
      if (phase == Phase.RUNNING || phase == Phase.STOPPING) {
        a.reconciler.reconcile(null);
        a.snapshot();
      }
    }

    @Override
    public void warmTake() {
      Rehearsal.Shadow s = shadow;
      if (phase == Phase.RUNNING && s != null) {
        AcquireTrace.muteHere(true);
        try {
          s.warm(a.backend);
        } finally {
          AcquireTrace.muteHere(false);
        }
      }
    }

    @Override
    public long suspendedUntil() {
      long until = a.planning.plan().suspendedUntil(a.nodeId);
      return until == Plan.NEVER || until > a.loop.nanoTime() ? until : Long.MIN_VALUE;
    }

    @Override
    public void suspensionEchoed(long until) {
      // Only a process that has just started, and is still listening before it claims anything,
      // takes its suspension from its peers; later its own record is the truth.
      if (phase == Phase.JOINING && !a.stall.rejoining()) {
        long now = a.loop.nanoTime();
        if (a.planning.adoptEchoed(until, now)) {
          a.events.emit(new AgentEvent.FlapSuspended(now, a.nodeId));
          a.coordinator.publishNow();
        }
      }
    }
  }
}
