package io.vipha.sim;

import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The explorer's first invariant, checked at every step: no lasting dual ownership. Two running,
 * mutually reachable holders of one VIP with working backends for at most {@link
 * Bounds#dualRunning()}; each pair of holders on the segment that cannot hear each other for
 * {@link Bounds#dualCutOff()} (a heartbeat's flight under the quorum lease) when the second
 * took the VIP well after the cut, else {@link Bounds#dualCut()} or, cut one way, {@link
 * Bounds#dualOneWay()}; and a pair of which one cannot
 * act (its process dead or paused, or its backend failing) for {@link Bounds#dualStranded()}.
 */
final class DualOwnerCheck {
  private final Simulation sim;
  private final VipGroup group;
  private final Bounds bounds;
  private final Verdict verdict;
  /** Whether any pair bound applies (a quorum lease or a kernel lease). */
  private final boolean pairBounds;
  private final Map<VirtualIp, Long> dualRunningSince = new HashMap<>();
  private final Map<VirtualIp, Map<String, Pair>> overlaps = new HashMap<>();
  /** Per ordered pair of nodes, since when the first's heartbeats to the second are blocked. */
  private final long[][] blockedSince;

  DualOwnerCheck(Simulation sim, Bounds bounds, Verdict verdict) {
    this.sim = sim;
    this.group = sim.group();
    this.bounds = bounds;
    this.verdict = verdict;
    this.pairBounds = bounds.dualCutOff() != null || bounds.dualStranded() != null;
    int n = sim.nodes().size();
    this.blockedSince = new long[n][n];
    for (long[] row : blockedSince) {
      java.util.Arrays.fill(row, Long.MAX_VALUE);
    }
    if (bounds.dualCutOff() != null) {
      sim.addListener(this::onEvent);
    }
  }

  /**
   * A node added a VIP: when another holder on the segment is running with a working backend
   * and cannot hear it, the overlap began cut off and is judged from this instant to the one a
   * holder lets go (a bound shorter than the step would otherwise go unseen).
   */
  private void onEvent(SimEvent e) {
    if (e.type() == SimEvent.Type.REMOVED) {
      ended(e);
      return;
    }
    if (e.type() != SimEvent.Type.ADDED) {
      return;
    }
    List<VirtualIp> vips = group.vips();
    for (int k = 0; k < vips.size(); k++) {
      VirtualIp v = vips.get(k);
      if (!v.cidr().equals(e.vip())) {
        continue;
      }
      SimNode taker = sim.node(e.node());
      for (SimNode held : sim.holders(k)) {
        if (held == taker || stranded(held) || stranded(taker)
            || !(sim.blocked(held.id(), taker.id()) || sim.blocked(taker.id(), held.id()))) {
          continue;
        }
        boolean takerFirst = taker.index() < held.index();
        String key = takerFirst ? taker.id() + "+" + held.id() : held.id() + "+" + taker.id();
        Pair pair = new Pair(PairState.CUT, e.at());
        boolean there = sim.blocked(taker.id(), held.id());
        boolean back = sim.blocked(held.id(), taker.id());
        pair.oneWay = there != back;
        long cut = Math.max(there ? cutSince(taker, held, e.at()) : Long.MIN_VALUE,
            back ? cutSince(held, taker, e.at()) : Long.MIN_VALUE);
        pair.early = e.at() - cut <= bounds.cutNoticed().toNanos();
        overlaps.computeIfAbsent(v, x -> new HashMap<>()).put(key, pair);
        judge(v, key, pair, e.at());
      }
    }
  }

  /** A holder let go: a cut-off overlap it ends is judged at this instant, not the next step. */
  private void ended(SimEvent e) {
    for (VirtualIp v : group.vips()) {
      Map<String, Pair> pairs = overlaps.get(v);
      if (pairs == null || !v.cidr().equals(e.vip())) {
        continue;
      }
      for (Map.Entry<String, Pair> p : pairs.entrySet()) {
        List<String> ids = List.of(p.getKey().split("\\+", -1));
        if (p.getValue().state == PairState.CUT && ids.contains(e.node())) {
          judge(v, p.getKey(), p.getValue(), e.at());
        }
      }
    }
  }

  /** Since when {@code from}'s heartbeats to {@code to} are blocked, as last polled. */
  private long cutSince(SimNode from, SimNode to, long now) {
    long since = blockedSince[from.index()][to.index()];
    return since == Long.MAX_VALUE ? now : since; // blocked since the last poll
  }

  /** Notes since when each pair is blocked; only {@link #cutSince} reads it. */
  private void pollBlocks(long now) {
    List<SimNode> nodes = sim.nodes();
    Net net = sim.net();
    for (SimNode a : nodes) {
      for (SimNode b : nodes) {
        long[] row = blockedSince[a.index()];
        if (a == b || !net.blocked(a, b)) {
          row[b.index()] = Long.MAX_VALUE;
        } else if (row[b.index()] == Long.MAX_VALUE) {
          row[b.index()] = now;
        }
      }
    }
  }

  /** Checks every VIP's holders at {@code now}. */
  void check(long now) {
    if (bounds.dualCutOff() != null) { // as onEvent, the only reader, is then listening
      pollBlocks(now);
    }
    List<VirtualIp> vips = group.vips();
    for (int k = 0; k < vips.size(); k++) {
      VirtualIp v = vips.get(k);
      List<SimNode> holders = sim.holders(k);
      boolean any = holders.size() >= 2;
      boolean running = any && runningPair(holders);
      window(v, running, dualRunningSince, now, bounds.dualRunning().toNanos(),
          "two running, mutually reachable holders", "dual owner (running)");
      if (pairBounds) {
        pairWindows(v, holders, now);
      }
    }
  }

  /**
   * Each pair of holders on the segment, by what its two nodes can do: cut off from each other
   * ({@link Bounds#dualCutOff()} when the overlap began so, else {@link Bounds#dualCut()} from
   * the cut) or one of them unable to act ({@link Bounds#dualStranded()}); a reachable running
   * pair is the per-VIP window's.
   */
  private void pairWindows(VirtualIp v, List<SimNode> holders, long now) {
    Map<String, Pair> pairs = overlaps.get(v);
    if (holders.size() < 2 && (pairs == null || pairs.isEmpty())) {
      return; // the common case, without allocating
    }
    if (pairs == null) {
      pairs = new HashMap<>();
      overlaps.put(v, pairs);
    }
    List<String> current = new ArrayList<>();
    for (int i = 0; i < holders.size(); i++) {
      for (int j = i + 1; j < holders.size(); j++) {
        SimNode a = holders.get(i);
        SimNode b = holders.get(j);
        String key = a.id() + "+" + b.id();
        current.add(key);
        PairState state = stranded(a) || stranded(b) ? PairState.STRANDED
            : sim.blocked(a.id(), b.id()) || sim.blocked(b.id(), a.id()) ? PairState.CUT
            : PairState.REACHABLE;
        Pair pair = pairs.get(key);
        if (pair == null) {
          pair = new Pair(state, now);
          pairs.put(key, pair);
        } else if (pair.state != state) {
          verdict.stats.max("dual owner (" + pair.state.stat + ")", now - pair.since);
          pair.state = state;
          pair.since = now;
        }
        judge(v, key, pair, now);
      }
    }
    for (Map.Entry<String, Pair> e : pairs.entrySet()) {
      if (!current.contains(e.getKey())) {
        Pair gone = e.getValue();
        verdict.stats.max("dual owner (" + gone.state.stat + ")", now - gone.since);
      }
    }
    pairs.keySet().retainAll(current);
  }

  private void judge(VirtualIp v, String key, Pair pair, long now) {
    @Nullable Duration allowed = switch (pair.state) {
      case REACHABLE -> null;
      case CUT -> pair.oneWay ? bounds.dualOneWay()
          : !pair.bornCut || pair.early ? bounds.dualCut() : bounds.dualCutOff();
      case STRANDED -> bounds.dualStranded();
    };
    String bound = switch (pair.state) {
      case REACHABLE -> "reachable";
      case STRANDED -> "stranded";
      case CUT -> pair.oneWay ? "cut one way" : !pair.bornCut ? "cut during the overlap"
          : pair.early ? "cut just before taking" : "cut before taking";
    };
    verdict.stats.max("dual owner (" + bound + ")", now - pair.since);
    if (allowed != null && now - pair.since > allowed.toNanos()) {
      verdict.fail("DUAL_OWNER", v.cidr() + ": two holders on the segment (" + key + ", "
          + pair.state.what + (pair.state == PairState.CUT && pair.bornCut
          ? ", the second took it while cut off" + (pair.oneWay ? " one way" : "")
          + (pair.early ? " just after the cut" : "") : "")
          + ") for "
          + (now - pair.since) / 1_000_000 + " ms > allowed " + allowed.toMillis() + " ms");
    }
  }

  /** Whether {@code n} cannot act: its process is dead or paused, or its backend fails. */
  private static boolean stranded(SimNode n) {
    return !n.running() || n.backendFailing();
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

  /** What the two holders of a pair can do. */
  private enum PairState {
    REACHABLE("reachable", "both running and reachable"),
    CUT("cut off", "both running, cut off from each other"),
    STRANDED("stranded", "one cannot act: process dead or paused, or backend failing");

    final String stat;
    final String what;

    PairState(String stat, String what) {
      this.stat = stat;
      this.what = what;
    }
  }

  /** One pair's overlap: its state and since when, and whether it began cut off. */
  private static final class Pair {
    final boolean bornCut;
    /** Born cut one way only. */
    boolean oneWay;
    /** Born cut less than {@link Bounds#cutNoticed()} after the cut. */
    boolean early;
    PairState state;
    long since;

    Pair(PairState state, long since) {
      this.bornCut = state == PairState.CUT;
      this.state = state;
      this.since = since;
    }
  }
}
