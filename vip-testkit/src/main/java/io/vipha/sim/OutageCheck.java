package io.vipha.sim;

import io.vipha.sim.Fault.Kind;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The explorer's second invariant, judged once a run ends: bounded outage per fault. A fault
 * that hit a settled group and was followed by no other fault for {@link Bounds#convergence()}
 * may cost the client at most {@link Bounds#failover()} for a power-off, link down or partition,
 * {@link Bounds#crash()} for a crash or pause (zero when the kernel lease outlives the failover),
 * {@link Bounds#reconcile()} for a VIP removed by hand, and {@link Bounds#planned()} (nothing)
 * for the {@link #LOSSLESS} kinds.
 */
final class OutageCheck {
  /** Kinds after which a settled group must lose no client packet. */
  static final Set<Kind> LOSSLESS = EnumSet.of(Kind.STOP,
      Kind.SWITCHOVER, Kind.DRAIN, Kind.UNDRAIN, Kind.HEALTH_DOWN, Kind.HEALTH_UP,
      Kind.POWER_ON, Kind.RESTART, Kind.LINK_UP, Kind.HEAL, Kind.BACKEND_HEAL,
      Kind.CLOCK_JUMP, Kind.DRIFT);

  private OutageCheck() {}

  /**
   * Judges the client's outages after each of {@code faults}, which ran at {@code faultAt}; only
   * those with {@code settledBefore} set count.
   */
  static void check(Simulation sim, Bounds bounds, Verdict verdict, List<Fault> faults,
      long[] faultAt, boolean[] settledBefore) {
    List<SimNode> nodes = sim.nodes();
    long horizon = bounds.convergence().toNanos();
    for (int i = 0; i < faults.size(); i++) {
      if (!settledBefore[i]) {
        continue;
      }
      long from = faultAt[i];
      long next = i + 1 < faults.size() ? faultAt[i + 1] : Long.MAX_VALUE;
      if (next - from < horizon) {
        continue;
      }
      Kind k = faults.get(i).kind();
      long allowed = LOSSLESS.contains(k) ? bounds.planned().toNanos()
          : k == Kind.CRASH || k == Kind.PAUSE ? bounds.crash().toNanos()
          : k == Kind.REMOVE_BY_HAND ? bounds.reconcile().toNanos()
          : bounds.failover().toNanos();
      for (Outage o : sim.outages()) {
        if (o.from() >= from && o.from() < Math.min(next, from + horizon)) {
          long len = o.length(sim.now());
          verdict.stats.max("outage after " + k, len);
          if (len > allowed) {
            verdict.fail("OUTAGE", "after " + k + " on " + nodes.get(faults.get(i).node()
                % nodes.size()).id() + " at " + Simulation.formatTime(from) + " the client"
                + " lost " + o.vip().cidr() + " for " + String.format("%.1f", len / 1e6)
                + " ms > allowed " + allowed / 1_000_000 + " ms");
          }
        }
      }
    }
  }
}
