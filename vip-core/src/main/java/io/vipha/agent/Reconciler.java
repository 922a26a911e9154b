package io.vipha.agent;

import io.vipha.Lease;
import io.vipha.VirtualIp;
import io.vipha.agent.VipAgent.Phase;
import io.vipha.internal.AcquireTrace;
import io.vipha.plan.Move;
import io.vipha.plan.MoveReason;
import io.vipha.spi.BackendException;
import io.vipha.spi.Cancellable;
import io.vipha.spi.Coordinator.Fence;
import io.vipha.spi.HostAddress;
import io.vipha.spi.Scheduler.Timer;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The reconciler: moves the host towards the plan (acquire, repair drift, hand over or release,
 * remove leftovers, renew leases) every interval, after every replan, when the host's addresses
 * change and when a wait that held an action back ends; and the backend calls that do it.
 */
final class Reconciler {
  private final VipAgent a;
  /** Why this node takes (or gives up) each VIP, from the plan's latest moves. */
  private final Map<VirtualIp, String> lastReason = new HashMap<>();
  private final Map<VirtualIp, String> leaveReason = new HashMap<>();
  private final Timer reconcileTimer;
  private @Nullable Cancellable settleTimer;
  private long settleAt;
  private long lastRenew;
  /**
   * How often leases are renewed: a third of the shortest lease the last pass that set one set
   * (the policy's, or a shorter one a fence bounded), {@link Long#MAX_VALUE} when none expires.
   */
  private long renewEvery;
  /** The shortest lease set in the current pass, in nanoseconds, or MAX_VALUE. */
  private long shortestSet;
  /** The last lease shorter than the policy's that a fence's bound gave, reused while equal. */
  private @Nullable Lease bounded;
  /** VIPs removed from the group that this node still holds: released at every reconcile. */
  private final Set<VirtualIp> retiring = new LinkedHashSet<>();
  private boolean hostReconcilePending;
  /** Whether kernel leases are renewed (off only in the checker's self-test). */
  private final boolean renewLeases;
  /** Inside a reconcile: the backend is judged once, by all of its calls, at the end. */
  private boolean inPass;
  private boolean passFailed;
  private boolean passWorked;

  Reconciler(VipAgent agent) {
    this.a = agent;
    this.renewLeases = !agent.broken.contains(Breakage.LEASE_RENEWAL);
    this.reconcileTimer = agent.loop.timer(this::periodicReconcile);
    this.renewEvery = third(policyLeaseNanos());
  }

  /** A third of {@code nanos}; {@link Long#MAX_VALUE} stays so (a lease that never ends). */
  private static long third(long nanos) {
    return nanos == Long.MAX_VALUE ? nanos : nanos / 3;
  }

  /** The policy's lease in nanoseconds, {@link Long#MAX_VALUE} for forever. */
  private long policyLeaseNanos() {
    Lease lease = a.policy.lease();
    return lease.isForever() ? Long.MAX_VALUE
        : Objects.requireNonNull(lease.duration()).toNanos();
  }

  /** Starts the periodic reconcile. */
  void start() {
    reconcileTimer.arm(a.reconcileEvery);
  }

  Cancellable timer() {
    return reconcileTimer;
  }

  @Nullable Cancellable settleTimer() {
    return settleTimer;
  }

  /**
   * The group changed and {@code removed} left it: release those this node holds, now and (if
   * the backend fails) at every reconcile until done; they are no longer planned, reconciled or
   * announced. A VIP back in the group is no longer retired.
   */
  void retire(Set<VirtualIp> removed) {
    retiring.removeAll(a.group.vips());
    retiring.addAll(removed);
    lastReason.keySet().removeAll(removed);
    leaveReason.keySet().removeAll(removed);
    for (VirtualIp v : removed) {
      if (a.movers.claiming(v)) {
        abandon(v);
      }
    }
    releaseRetired();
  }

  private void releaseRetired() {
    for (VirtualIp v : List.copyOf(retiring)) {
      if (a.holdings.holds(v)) {
        release(v, "REMOVED");
      }
      if (!a.holdings.holds(v)) {
        retiring.remove(v);
      }
    }
  }

  /** Records why this node takes or gives up the VIPs that {@code moves} move. */
  void noteMoves(List<Move> moves) {
    for (Move m : moves) {
      if (a.nodeId.equals(m.to())) {
        lastReason.put(m.vip(), m.reason().name());
      } else if (a.nodeId.equals(m.from())) {
        leaveReason.put(m.vip(), m.reason().name());
      }
    }
  }

  private void periodicReconcile() {
    if (a.phase() == Phase.STOPPED) {
      return;
    }
    long events = a.events.emitted();
    long held = a.holdings.version();
    reconcilePass(null, true);
    // While the backend fails, try every heartbeat interval: the moment it works again this
    // node must release what it could not (a peer serves those VIPs by now).
    long next = a.standing.backendFailing()
        ? Math.min(a.reconcileEvery, a.policy.heartbeatInterval().toNanos()) : a.reconcileEvery;
    reconcileTimer.arm(next);
    // A new snapshot only when the pass changed something it shows: every change it makes
    // (addresses added, removed or repaired, backend errors) is an event or a held VIP; one
    // that changes the plan (a backend that works again) replans, which takes a snapshot.
    if (a.events.emitted() != events || a.holdings.version() != held) {
      a.snapshot();
    }
  }

  /**
   * The backend saw addresses change on {@code iface}: reconcile at once (once for a burst of
   * changes) rather than at the next periodic reconcile.
   */
  void onHostAddresses(String iface) {
    if (a.phase() == Phase.STOPPED || hostReconcilePending || !a.interfaces.contains(iface)) {
      return;
    }
    hostReconcilePending = true;
    a.loop.execute(() -> {
      hostReconcilePending = false;
      if (a.phase() != Phase.STOPPED) {
        reconcile(null);
        a.snapshot();
      }
    });
  }

  /**
   * Moves the host towards the plan: acquires what this node owns and lacks, re-adds what was
   * removed behind its back, hands over (or releases) what it no longer owns, removes leftovers,
   * and renews leases.
   */
  void reconcile(@Nullable Set<HostAddress> known) {
    AcquireTrace.mark(AcquireTrace.RECONCILE);
    reconcilePass(known, false);
  }

  /**
   * {@link #reconcile}, judging the backend once by the pass's calls: any failure makes the node
   * failing; a pass whose calls all work clears that, except after a partial failure (some calls
   * worked, others failed, as for an address on a missing interface), which only a
   * {@code periodic} reconcile retries. Otherwise the release that a disqualification brings
   * would work, requalify the node, replan, fail again, and so on without end at one instant.
   */
  private void reconcilePass(@Nullable Set<HostAddress> known, boolean periodic) {
    a.events.hold(); // every VIP of the pass added and announced before a listener runs
    try {
      inPass = true;
      passFailed = false;
      passWorked = false;
      try {
        reconcileOnce(known);
      } finally {
        inPass = false;
      }
      a.standing.backendJudged(passFailed, passWorked, periodic);
    } finally {
      a.events.release();
    }
  }

  private void reconcileOnce(@Nullable Set<HostAddress> known) {
    long now = a.loop.nanoTime();
    Phase phase = a.phase();
    if (phase == Phase.JOINING || phase == Phase.NEW || phase == Phase.STOPPED) {
      return;
    }
    if (a.stall.caughtStalled(now)) {
      return;
    }
    if (!retiring.isEmpty()) {
      releaseRetired();
    }
    // The host's addresses are listed when a VIP first needs them (one held, or one this node
    // does not own): VIPs to acquire are added before the listing, so that a failover does not
    // wait for a dump of every address on the host.
    Set<HostAddress> actual = known;
    boolean listFailed = false;
    boolean changed = false;
    boolean leased = a.lease.quorumLeased();
    long policyLease = policyLeaseNanos();
    // (a reconfiguration may have shortened the policy's lease)
    renewEvery = Math.min(renewEvery, third(policyLease));
    boolean renew = renewLeases && renewEvery != Long.MAX_VALUE
        && now - lastRenew >= renewEvery;
    shortestSet = Long.MAX_VALUE;
    Holdings holdings = a.holdings;
    List<VirtualIp> vips = a.group.vips();
    for (int i = 0; i < vips.size(); i++) { // (indexed: no iterator every second)
      VirtualIp v = vips.get(i);
      boolean owned = a.owns(v);
      if (actual == null && (!owned || holdings.holds(v))) {
        try {
          actual = a.backend.list(a.interfaces);
          backendWorks();
        } catch (BackendException e) {
          backendFailed("list", null, e);
          listFailed = true;
          break;
        }
      }
      boolean present = actual != null && holdings.present(actual, v);
      if (owned) {
        a.handover.done(v);
        if (!leased) {
          if (holdings.holds(v)) {
            release(v, "QUORUM_LEASE");
            changed = true;
          } else if (a.movers.claiming(v)) {
            abandon(v);
          }
          continue;
        }
        if (!holdings.holds(v)) {
          if (a.movers.claiming(v)) {
            if (renew) { // held once the provider points here: keep the address meanwhile
              renew(v, a.coordinator.fence(v));
            }
            continue;
          }
          if (a.movers.fencedOut(v)) {
            continue; // a newer owner's epoch won: stay out while the plan names this node
          }
          if (!a.lease.quorumFirm()) {
            continue; // a peer counted for quorum is going silent: decide once it is alive or dead
          }
          if (electionSettling(v, now) || a.lease.backFromIsolation(now)
              || a.peers.servedByCutOffPeer(v)) {
            continue;
          }
          Fence fence = a.coordinator.fence(v);
          Lease lease = leaseUnder(fence);
          if (lease == null) {
            continue; // the coordinator's claim is not (yet) this node's, or too short to use
          }
          if (a.movers.has(v)) {
            if (assign(v, lease, fence.epoch())) {
              // held, announced once the provider answers
              a.movers.claim(v, fence.epoch(), lastReason.getOrDefault(v, "RECONCILE"));
            }
            continue;
          }
          // Added and announced in one call (an announcement may go out: this pass began running
          // and found no stall); null when the announcement went out, else why it did not.
          @Nullable BackendException unannounced;
          try {
            unannounced = a.backend.assignAndAnnounce(v, lease, fence.epoch());
            added(lease);
          } catch (BackendException e) {
            backendFailed("assign", v, e);
            continue;
          }
          String reason = lastReason.getOrDefault(v, "RECONCILE");
          holdings.acquired(v, now, reason);
          changed = true;
          a.announcer.burstAfterFirst(v, unannounced); // before the listeners: clients move first
          a.events.emit(new AgentEvent.Acquired(now, v, reason, fence.epoch()));
          continue;
        }
        Fence fence = a.coordinator.fence(v);
        if (fence.verdict() == Fence.Verdict.REVOKE) {
          release(v, "FENCED");
          changed = true;
        } else if (!present) {
          Lease lease = leaseUnder(fence);
          if (lease != null && assign(v, lease, fence.epoch())) {
            a.events.emit(new AgentEvent.DriftRepaired(now, v, "re-added after it was removed"
                + " from the host"));
            a.announcer.announceBurst(v);
          }
        } else if (renew) {
          renew(v, fence);
        }
        if (a.movers.unclaimed(v)) {
          a.movers.reassert(v, fence.epoch()); // a leftover: the provider was never asked
        }
      } else if (holdings.holds(v)) {
        a.movers.notOwner(v);
        if (a.coordinator.makeBeforeBreak() && a.handover.waitForSuccessor(v, now)) {
          Fence fence = a.coordinator.fence(v);
          if (fence.verdict() == Fence.Verdict.REVOKE) {
            release(v, "FENCED");
            changed = true;
          } else if (renew) {
            renew(v, fence);
          }
          continue;
        }
        release(v, releaseReason(v));
        changed = true;
      } else if (a.movers.claiming(v)) {
        a.movers.notOwner(v);
        abandon(v);
      } else {
        a.movers.notOwner(v);
        if (present) {
          try {
            a.backend.release(v);
            a.events.emit(new AgentEvent.DriftRepaired(now, v, "removed a leftover this node"
                + " does not own"));
          } catch (BackendException e) {
            a.events.emit(new AgentEvent.BackendError(now, "release", v, e));
          }
        }
      }
    }
    if (renew && !listFailed) {
      lastRenew = now;
    }
    if (shortestSet != Long.MAX_VALUE) {
      // Renew a third of the shortest lease just set after it was set: a lease a fence bounded
      // to 1 s under a 10 s policy must not wait for the policy's cadence.
      renewEvery = shortestSet / 3;
      if (shortestSet < policyLease) {
        reconcileAt(now + renewEvery, now);
      }
    }
    if (changed) {
      a.coordinator.publishNow();
    }
    if (!listFailed && a.phase() == Phase.STOPPING && holdings.isEmpty()) {
      a.life.finishStop();
    }
  }

  /**
   * Whether {@code v}, which nobody holds, must wait before this node claims it: this node became
   * eligible less than a heartbeat interval ago, so peers that became eligible at the same time
   * (a shared dependency recovering, a cluster starting, standbys warming up when the owner
   * died) may not have told it yet, and each would claim the VIP. After the interval every node
   * decides with the others' news.
   */
  private boolean electionSettling(VirtualIp v, long now) {
    if (!MoveReason.ELECTED.name().equals(lastReason.get(v)) && !a.warmup.justNeeded(now)) {
      return false;
    }
    long eligibleSince = a.standing.eligibleSince();
    long until = eligibleSince + a.policy.heartbeatInterval().toNanos();
    if (now >= until || a.group.nodes().size() == 1 || eligibleSince == a.standing.startedAt()) {
      // (on start, the join already waited for every peer's news)
      return false;
    }
    reconcileAt(until, now);
    return true;
  }

  /**
   * Reconciles again at {@code at}, when a wait that held an action back ends. One timer serves
   * every such wait: it is replaced only by an earlier one, and each reconcile re-arms what
   * still waits.
   */
  void reconcileAt(long at, long now) {
    if (settleTimer != null && settleAt <= at) {
      return;
    }
    Cancellable old = settleTimer;
    if (old != null) {
      old.cancel();
    }
    settleAt = at;
    settleTimer = a.loop.schedule(at - now, () -> {
      settleTimer = null;
      reconcile(null);
      a.snapshot();
    });
  }

  private String releaseReason(VirtualIp v) {
    String r = leaveReason.remove(v);
    if (r != null) {
      return r;
    }
    return a.phase() == Phase.STOPPING ? "DRAINED" : "NOT_OWNER";
  }

  /** Renews {@code v}'s lease when {@code fence} grants a usable one. */
  private void renew(VirtualIp v, Fence fence) {
    Lease lease = leaseUnder(fence);
    if (lease != null) {
      assign(v, lease, fence.epoch());
    }
  }

  /**
   * The kernel lease to set under {@code fence}: null unless it grants; the policy's lease, or
   * the fence's bound less the backend's overrun floored to whole seconds when that is shorter;
   * null when that leaves less than one second (then the VIP is neither added nor renewed).
   */
  private @Nullable Lease leaseUnder(Fence fence) {
    if (!fence.granted()) {
      return null;
    }
    Lease policy = a.policy.lease();
    long bound = fence.leaseNanos();
    if (bound == Long.MAX_VALUE) {
      return policy;
    }
    long seconds = boundedSeconds(bound, a.backend.leaseOverrun().toNanos());
    if (seconds < 1) {
      return null;
    }
    Duration d = policy.duration();
    if (d != null && d.getSeconds() <= seconds) {
      return policy;
    }
    Lease b = bounded;
    if (b == null || Objects.requireNonNull(b.duration()).getSeconds() != seconds) {
      b = Lease.of(Duration.ofSeconds(seconds));
      bounded = b;
    }
    return b;
  }

  /**
   * The whole seconds of kernel lease that end, with {@code overrunNanos} of the host's lateness
   * in removing the address, within {@code boundNanos}: {@code floor((bound - overrun) / 1 s)},
   * at most {@link Lease#MAX_SECONDS}; below 1 when no lease fits.
   */
  static long boundedSeconds(long boundNanos, long overrunNanos) {
    long room = boundNanos - Math.max(0, overrunNanos);
    return room < 0 ? 0 : Math.min(room / 1_000_000_000L, Lease.MAX_SECONDS);
  }

  /** An add worked: the backend works, and a lease it set counts for the next renewal. */
  private void added(Lease lease) {
    backendWorks();
    if (!lease.isForever()) {
      shortestSet = Math.min(shortestSet, Objects.requireNonNull(lease.duration()).toNanos());
    }
  }

  private boolean assign(VirtualIp v, Lease lease, long epoch) {
    try {
      a.backend.assign(v, lease, epoch);
      added(lease);
      return true;
    } catch (BackendException e) {
      backendFailed("assign", v, e);
      return false;
    }
  }

  /** Removes {@code v} from the host; on failure this node keeps holding it. */
  void release(VirtualIp v, String reason) {
    try {
      a.backend.release(v);
      backendWorks();
    } catch (BackendException e) {
      backendFailed("release", v, e);
      return;
    }
    a.holdings.released(v);
    a.handover.done(v);
    a.events.emit(new AgentEvent.Released(a.loop.nanoTime(), v, reason));
    a.movers.released(v, "STALE_EPOCH".equals(reason));
  }

  /**
   * The provider now points {@code v}, whose local address this node added, here: it holds the
   * VIP from now on, announces it and reports it acquired under {@code epoch}.
   */
  void claimed(VirtualIp v, String reason, long epoch) {
    long now = a.loop.nanoTime();
    a.holdings.acquired(v, now, reason);
    a.announcer.announceBurst(v); // before the listeners: clients move first
    a.events.emit(new AgentEvent.Acquired(now, v, reason, epoch));
    a.coordinator.publishNow();
  }

  /** Gives up the claim of {@code v} in progress: removes its local address, lets go upstream. */
  void abandon(VirtualIp v) {
    abandonLocal(v);
    a.movers.abandon(v);
  }

  /** Removes the local address of {@code v}, which this node was claiming and does not hold. */
  void abandonLocal(VirtualIp v) {
    try {
      a.backend.release(v);
      backendWorks();
    } catch (BackendException e) {
      backendFailed("release", v, e); // (a leftover now: the next reconcile removes it)
    }
  }

  private void backendWorks() {
    if (inPass) {
      passWorked = true;
    } else {
      a.standing.backendWorks();
    }
  }

  private void backendFailed(String operation, @Nullable VirtualIp v, BackendException e) {
    if (inPass) {
      passFailed = true;
      a.standing.backendError(operation, v, e);
    } else {
      a.standing.backendFailed(operation, v, e);
    }
  }
}
