package io.vipha.sim;

import io.vipha.Quorum;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The explorer's first invariant, checked at every step: no lasting dual ownership. Two running,
 * mutually reachable holders of one VIP with working backends for at most {@link
 * Bounds#dualRunning()}; with a quorum, each pair of holders on the segment for at most {@link
 * Bounds#dualAny()}.
 */
final class DualOwnerCheck {
  private final Simulation sim;
  private final VipGroup group;
  private final Bounds bounds;
  private final Verdict verdict;
  private final boolean quorum;
  private final Map<VirtualIp, Long> dualRunningSince = new HashMap<>();
  private final Map<VirtualIp, Map<String, Long>> dualAnySince = new HashMap<>();

  DualOwnerCheck(Simulation sim, Bounds bounds, Verdict verdict) {
    this.sim = sim;
    this.group = sim.group();
    this.bounds = bounds;
    this.verdict = verdict;
    this.quorum = group.policy().quorum().kind() != Quorum.Kind.NONE;
  }

  /** Checks every VIP's holders at {@code now}. */
  void check(long now) {
    List<VirtualIp> vips = group.vips();
    for (int k = 0; k < vips.size(); k++) {
      VirtualIp v = vips.get(k);
      List<SimNode> holders = sim.holders(k);
      boolean any = holders.size() >= 2;
      boolean running = any && runningPair(holders);
      window(v, running, dualRunningSince, now, bounds.dualRunning().toNanos(),
          "two running, mutually reachable holders", "dual owner (running)");
      if (quorum) {
        pairWindows(v, holders, now);
      }
    }
  }

  /** Each pair of holders on the segment may overlap for {@link Bounds#dualAny()}. */
  private void pairWindows(VirtualIp v, List<SimNode> holders, long now) {
    Map<String, Long> pairs = dualAnySince.get(v);
    if (holders.size() < 2 && (pairs == null || pairs.isEmpty())) {
      return; // the common case, without allocating
    }
    if (pairs == null) {
      pairs = new HashMap<>();
      dualAnySince.put(v, pairs);
    }
    List<String> current = new ArrayList<>();
    for (int i = 0; i < holders.size(); i++) {
      for (int j = i + 1; j < holders.size(); j++) {
        current.add(holders.get(i).id() + "+" + holders.get(j).id());
      }
    }
    for (Map.Entry<String, Long> e : pairs.entrySet()) {
      if (!current.contains(e.getKey())) {
        verdict.stats.max("dual owner (any)", now - e.getValue());
      }
    }
    pairs.keySet().retainAll(current);
    long allowed = bounds.dualAny().toNanos();
    for (String pair : current) {
      long since = pairs.computeIfAbsent(pair, k -> now);
      if (now - since > allowed) {
        verdict.fail("DUAL_OWNER", v.cidr() + ": two holders on the segment with a quorum policy ("
            + pair + ") for " + (now - since) / 1_000_000 + " ms > allowed "
            + allowed / 1_000_000 + " ms");
      }
    }
  }

  private boolean runningPair(List<SimNode> holders) {
    for (int i = 0; i < holders.size(); i++) {
      for (int j = i + 1; j < holders.size(); j++) {
        SimNode a = holders.get(i);
        SimNode b = holders.get(j);
        if (a.running() && b.running() && !a.backendFailing() && !b.backendFailing()
            && !sim.blocked(a.id(), b.id())
            && !sim.blocked(b.id(), a.id())) {
          return true;
        }
      }
    }
    return false;
  }

  private void window(VirtualIp v, boolean on, Map<VirtualIp, Long> since, long now,
      long allowed, String what, String stat) {
    Long s = since.get(v);
    if (!on) {
      if (s != null) {
        verdict.stats.max(stat, now - s);
        since.remove(v);
      }
      return;
    }
    if (s == null) {
      since.put(v, now);
    } else if (now - s > allowed) {
      verdict.fail("DUAL_OWNER", v.cidr() + ": " + what + " " + Verdict.names(sim.holders(v))
          + " for " + (now - s) / 1_000_000 + " ms > allowed " + allowed / 1_000_000 + " ms");
    }
  }
}
