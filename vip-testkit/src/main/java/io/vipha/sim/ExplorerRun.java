package io.vipha.sim;

import io.vipha.VipGroup;
import io.vipha.agent.VipAgent;
import io.vipha.plan.Eligibility;
import java.util.List;
import java.util.function.Consumer;

/**
 * One explorer run of one schedule: applies its faults in virtual time, checks {@link
 * DualOwnerCheck} at every step, heals everything, waits for convergence ({@link
 * ConvergenceCheck}) and finally judges the outages ({@link OutageCheck}). Records what it finds
 * in its {@link Verdict}.
 */
final class ExplorerRun {
  final Simulation sim;
  final Verdict verdict;
  private final FaultSchedule schedule;
  private final Bounds bounds;
  private final long step;
  private final List<SimNode> nodes;
  private final DualOwnerCheck dualOwners;
  private final ConvergenceCheck convergence;
  private final long[] faultAt;
  private final boolean[] settledBefore;
  /** How long after a fault planned consequences (a preemption, a rebalance) may still run. */
  private final long quiet;

  ExplorerRun(VipGroup group, Consumer<Simulation.Builder> settings, Bounds bounds, long step,
      long seed, FaultSchedule schedule) {
    this.schedule = schedule;
    this.bounds = bounds;
    this.step = step;
    this.quiet = group.policy().preemptDelay().plus(group.policy().holdDown())
        .plus(group.policy().heartbeatInterval().multipliedBy(2)).toNanos();
    Simulation.Builder b = Simulation.builder().group(group).seed(seed);
    settings.accept(b);
    this.sim = b.build();
    this.nodes = sim.nodes();
    this.verdict = new Verdict(sim);
    this.dualOwners = new DualOwnerCheck(sim, bounds, verdict);
    this.convergence = new ConvergenceCheck(sim);
    this.faultAt = new long[schedule.faults().size()];
    this.settledBefore = new boolean[schedule.faults().size()];
  }

  void execute() {
    sim.start();
    List<Fault> faults = schedule.faults();
    for (int i = 0; i < faults.size() && !verdict.failed(); i++) {
      Fault f = faults.get(i);
      runChecking(f.at());
      if (verdict.failed()) {
        break;
      }
      settledBefore[i] = convergence.settled()
          && (i == 0 || sim.now() - faultAt[i - 1] >= quiet);
      faultAt[i] = sim.now();
      f.apply(sim);
      sim.time().runDue();
    }
    if (verdict.failed()) {
      return;
    }
    runChecking(Math.max(sim.now(), schedule.end()) + 1_000_000_000L);
    long healed = healEverything();
    long deadline = healed + bounds.convergence().toNanos();
    long since = -1; // since when the group is converged without a break
    while (sim.now() < deadline + 2_000_000_000L && !verdict.failed()) {
      stepAndCheck();
      if (!convergence.converged()) {
        since = -1;
        if (sim.now() >= deadline && !verdict.failed()) {
          verdict.fail("CONVERGENCE", "not converged " + bounds.convergence().toMillis()
              + " ms after the final heal: " + convergence.problems());
        }
      } else if (since < 0) {
        since = sim.now();
      }
    }
    if (since >= 0) {
      verdict.stats.max("convergence after final heal", since - healed);
    }
    if (Boolean.getBoolean("vipha.sim.debug")) {
      for (SimNode n : nodes) {
        VipAgent a = n.agent();
        System.out.println("DEBUG " + n.id() + " running=" + n.running() + " "
            + (n.coordinator() == null ? "" : n.coordinator().rejected() + " acc="
            + n.coordinator().accepted() + " inc=" + n.coordinator().incarnation()) + " "
            + (a == null ? "" : a.state().peers()));
      }
    }
    if (!verdict.failed()) {
      OutageCheck.check(sim, bounds, verdict, faults, faultAt, settledBefore);
    }
  }

  private void runChecking(long until) {
    while (sim.now() < until && !verdict.failed()) {
      stepAndCheck();
    }
  }

  private void stepAndCheck() {
    sim.runUntil(sim.now() + step);
    dualOwners.check(sim.now());
  }

  private long healEverything() {
    sim.note(null, "final: heal the network, power on, restart, link up, heal backends,"
        + " pass health checks, undrain");
    sim.heal();
    for (SimNode n : nodes) {
      if (!n.hasLink()) {
        n.linkUp();
      }
      if (n.backendFailing()) {
        n.healBackend();
      }
      if (!n.healthy()) {
        n.health(true);
      }
      if (!n.powered()) {
        n.powerOn();
      }
    }
    sim.time().runDue();
    // A pause gets time to end, and a graceful stop in progress (or queued in a paused
    // process) time to finish, before the process is replaced.
    for (int i = 0; i < 500 && (stopping() || paused()); i++) {
      stepAndCheck();
    }
    for (SimNode n : nodes) {
      VipAgent a = n.agent();
      if (a == null || a.state().phase() == VipAgent.Phase.STOPPED) {
        n.restart();
      } else if (a.state().eligibility() == Eligibility.DRAINING) {
        sim.note(n.id(), "undrain");
        a.undrain();
      }
    }
    sim.time().runDue();
    return sim.now();
  }

  private boolean paused() {
    for (SimNode n : nodes) {
      if (n.processAlive() && !n.running()) {
        return true;
      }
    }
    return false;
  }

  private boolean stopping() {
    for (SimNode n : nodes) {
      VipAgent a = n.agent();
      if (a != null && a.state().phase() == VipAgent.Phase.STOPPING) {
        return true;
      }
    }
    return false;
  }
}
