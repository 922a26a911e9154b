package io.vipha.agent;

import io.vipha.VirtualIp;
import io.vipha.agent.VipAgent.Phase;
import io.vipha.health.Effect;
import io.vipha.health.HealthCheck;
import io.vipha.health.HealthMonitor;
import io.vipha.plan.Eligibility;
import io.vipha.spi.BackendException;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;

/**
 * This node's standing: its health (and the monitor of the builder's checks), its links, a drain
 * and backend failures, and from them its effective priority, its eligibility and since when
 * that holds.
 */
final class Standing {
  private final VipAgent a;
  private final Effect linkDown;
  private final @Nullable Executor probes;
  /** Set once, on the loop; read from any thread ({@link VipAgent#healthMonitor()}). */
  private volatile @Nullable HealthMonitor monitor;
  private int priorityDelta;
  private boolean disqualified;
  private boolean draining;
  private boolean backendFailing;
  /** The failure came from a reconcile whose other calls worked: cleared by a periodic one. */
  private boolean partialFailure;
  private final Set<String> linksDown = new TreeSet<>();
  /**
   * The priority delta of the VIP interfaces' links (the link-down effect's delta per link up or
   * down), kept by {@link #relink()} whenever a link or the VIP interfaces change, so that the
   * effective priority, read for every heartbeat, adds three numbers.
   */
  private int linkDelta;
  private long startedAt;
  private long eligibleSince;

  Standing(VipAgent agent, Effect linkDown, List<HealthCheck> checks,
      @Nullable Executor probes) {
    this.a = agent;
    this.linkDown = linkDown;
    this.probes = probes;
    if (!checks.isEmpty()) {
      HealthCheck.requireUniqueNames(checks);
      HealthMonitor h = newMonitor(checks);
      this.monitor = h;
      // Every check starts unhealthy until it has passed `rise` times.
      this.priorityDelta = h.priorityDelta();
      this.disqualified = h.disqualified();
    }
    relink();
  }

  /** Recomputes {@link #linkDelta} from the VIP interfaces and the links down. */
  private void relink() {
    int links = 0;
    for (String i : a.interfaces) {
      links += linkDown.priorityDelta(!linksDown.contains(i));
    }
    linkDelta = links;
  }

  private HealthMonitor newMonitor(List<HealthCheck> checks) {
    Executor e = probes;
    return HealthMonitor.builder().checks(checks)
        .executor(e != null ? e : defaultProbeExecutor())
        .scheduler(a.loop).listener(this::onMonitor).build();
  }

  /**
   * The health checks changed (see {@link HealthMonitor#replaceChecks}: unchanged ones keep
   * their state, on a {@code started} agent added ones start without effect); the links of VIP
   * interfaces no longer in the group no longer count. Takes the new priority delta and
   * disqualification; the caller replans.
   */
  void regroup(List<HealthCheck> checks, boolean started) {
    linksDown.retainAll(a.interfaces);
    relink();
    HealthMonitor h = monitor;
    if (h == null && !checks.isEmpty()) {
      h = newMonitor(started ? List.of() : checks);
      if (started) {
        h.start();
      }
      monitor = h;
    }
    if (h == null) {
      return;
    }
    h.replaceChecks(checks);
    boolean wasDisqualified = isDisqualified();
    priorityDelta = h.priorityDelta();
    disqualified = h.disqualified();
    if (started && wasDisqualified != isDisqualified()) {
      eligibleSince = a.loop.nanoTime();
    }
  }

  /** The monitor of the builder's health checks; null without any. */
  @Nullable HealthMonitor monitor() {
    return monitor;
  }

  private void onMonitor(HealthCheck check, boolean healthy, String detail) {
    HealthMonitor h = Objects.requireNonNull(monitor);
    a.health(check.name(), healthy, h.priorityDelta(), h.disqualified(), detail);
  }

  private static Executor defaultProbeExecutor() {
    return Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "vipha-health-probe");
      t.setDaemon(true);
      return t;
    });
  }

  void start(long now) {
    startedAt = now;
    eligibleSince = startedAt;
  }

  long startedAt() {
    return startedAt;
  }

  /** When this node's eligibility last changed (as its peers see it). */
  long eligibleSince() {
    return eligibleSince;
  }

  /** Peers see this node's eligibility start over at {@code now}. */
  void eligibleFrom(long now) {
    eligibleSince = now;
  }

  boolean backendFailing() {
    return backendFailing;
  }

  /** The node's priority after health adjustments, kept within 1–254. */
  int effectivePriority() {
    return Math.max(1, Math.min(254, a.self.priority() + priorityDelta + linkDelta));
  }

  Eligibility localEligibility() {
    if (draining) {
      return Eligibility.DRAINING;
    }
    return isDisqualified() ? Eligibility.DISQUALIFIED : Eligibility.ELIGIBLE;
  }

  /** {@link #localEligibility()}, or suspended while the plan suspends this node for flapping. */
  Eligibility advertisedEligibility() {
    Eligibility e = localEligibility();
    if (e == Eligibility.ELIGIBLE && a.planning.plan().isSuspended(a.nodeId, a.loop.nanoTime())) {
      return Eligibility.SUSPENDED;
    }
    return e;
  }

  /**
   * A health check disqualifies this node, the backend is failing, it is still warming up ({@link
   * Warmup}), or a link that carries its VIPs is down and the link-down effect disqualifies.
   */
  boolean isDisqualified() {
    return disqualified || backendFailing || a.warmup.warming()
        || (linkDown.type() == Effect.Type.DISQUALIFY && !linksDown.isEmpty());
  }

  /** A health report (see {@link VipAgent#health}). */
  void health(String check, boolean healthy, int priorityDelta, boolean disqualified,
      String detail) {
    boolean wasDisqualified = isDisqualified();
    this.priorityDelta = priorityDelta;
    this.disqualified = disqualified;
    if (wasDisqualified != isDisqualified()) {
      eligibleSince = a.loop.nanoTime();
    }
    a.events.emit(new AgentEvent.HealthChanged(a.loop.nanoTime(), check, healthy,
        effectivePriority(), isDisqualified(), detail));
    a.planning.localChanged();
  }

  void setDraining(boolean on) {
    Phase phase = a.phase();
    if (phase == Phase.STOPPING || phase == Phase.STOPPED || draining == on) {
      return;
    }
    draining = on;
    eligibleSince = a.loop.nanoTime();
    a.planning.localChanged();
  }

  /** A graceful stop drains the node. */
  void drainForStop(long now) {
    draining = true;
    eligibleSince = now;
  }

  /**
   * A link that carries VIPs went down (or came back): like a failing health check with the
   * builder's link-down effect (by default it disqualifies the node, so its VIPs move to a node
   * whose link is up).
   */
  void onHostLink(String iface, boolean up) {
    if (a.phase() == Phase.STOPPED || !a.interfaces.contains(iface)) {
      return;
    }
    boolean wasDisqualified = isDisqualified();
    if (!(up ? linksDown.remove(iface) : linksDown.add(iface))) {
      return;
    }
    relink();
    long now = a.loop.nanoTime();
    if (wasDisqualified != isDisqualified()) {
      eligibleSince = now;
    }
    a.events.emit(new AgentEvent.HealthChanged(now, "link " + iface, up, effectivePriority(),
        isDisqualified(), "link " + iface + (up ? " is up" : " is down")));
    a.planning.localChanged();
    a.snapshot();
  }

  /**
   * The backend failed: report it, and advertise this node as disqualified until a backend call
   * succeeds again (reconcile tries every interval), so that a peer that can apply addresses
   * takes its VIPs instead of a plan that names an owner unable to hold them.
   */
  void backendFailed(String operation, @Nullable VirtualIp v, BackendException e) {
    backendError(operation, v, e);
    partialFailure = false;
    failing();
  }

  /** Reports a failed backend call, which the reconcile making it judges with the others. */
  void backendError(String operation, @Nullable VirtualIp v, BackendException e) {
    a.events.emit(new AgentEvent.BackendError(a.loop.nanoTime(), operation, v, e));
  }

  private void failing() {
    if (!backendFailing) {
      backendFailing = true;
      eligibleSince = a.loop.nanoTime();
      a.loop.execute(this::eligibilityChanged);
    }
  }

  /**
   * A reconcile's backend calls: any {@code failed} makes the node failing, a partial failure
   * if others {@code worked}; calls that all worked clear a failure, a partial one only in a
   * {@code periodic} reconcile (the retry).
   */
  void backendJudged(boolean failed, boolean worked, boolean periodic) {
    if (failed) {
      partialFailure = worked;
      failing();
    } else if (worked && (periodic || !partialFailure)) {
      backendWorks();
    }
  }

  /** A backend call succeeded. */
  void backendWorks() {
    partialFailure = false;
    if (backendFailing) {
      backendFailing = false;
      eligibleSince = a.loop.nanoTime();
      a.loop.execute(this::eligibilityChanged);
    }
  }

  private void eligibilityChanged() {
    if (a.phase() == Phase.RUNNING || a.phase() == Phase.STOPPING) {
      a.planning.localChanged();
    }
  }
}
