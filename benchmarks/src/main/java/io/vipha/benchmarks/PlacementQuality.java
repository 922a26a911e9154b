package io.vipha.benchmarks;

import static io.vipha.benchmarks.Fixtures.T_FAIL;
import static io.vipha.benchmarks.Fixtures.T_RETURN;

import io.vipha.VipGroup;
import io.vipha.plan.Assignment;
import io.vipha.plan.ClusterView;
import io.vipha.plan.Plan;
import io.vipha.plan.Planner;
import java.util.Arrays;
import java.util.IntSummaryStatistics;
import java.util.Locale;

/**
 * Placement quality of the planner against hash mod n and plain rendezvous hashing, 64 nodes and
 * 4,096 VIPs: VIPs moved when one node fails and when it comes back, and the max/avg load before,
 * after the failure and after the return. Prints Markdown tables; exits non-zero if the planner
 * moved any VIP that the failed node did not own.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.vipha.benchmarks.PlacementQuality}
 */
public final class PlacementQuality {
  private PlacementQuality() {}

  /** One scenario's numbers for one strategy. */
  private static final class Run {
    final int failedOwned;
    final int movedOnFailure;
    final int movedOnReturn;
    final int returnedToFailed;
    final int[] before;
    final int[] afterFailure;
    final int[] afterReturn;

    Run(int failed, int[] before, int[] afterFailure, int[] afterReturn) {
      this.failedOwned = count(before, failed);
      this.movedOnFailure = moved(before, afterFailure);
      this.movedOnReturn = moved(afterFailure, afterReturn);
      this.returnedToFailed = movedTo(afterFailure, afterReturn, failed);
      this.before = before;
      this.afterFailure = afterFailure;
      this.afterReturn = afterReturn;
    }
  }

  /** Prints the tables; see the class comment. */
  public static void main(String[] args) {
    VipGroup group = Fixtures.activeActiveGroup();
    Baselines base = new Baselines(group);
    Planner planner = Planner.of(group);
    ClusterView all = Fixtures.allAlive(group);
    Plan balanced = Fixtures.settled(planner, all);
    int failed = base.nodeIndex(Fixtures.AA_FAILED);
    int n = base.ids.length;

    System.out.printf(Locale.ROOT, "%d nodes, %d VIPs; node %s fails, then comes back%n%n", n,
        base.vips.length, Fixtures.AA_FAILED);
    Run ours = ours(base, planner, all, balanced, failed);
    Run mod = baseline(base, failed, true);
    Run hrw = baseline(base, failed, false);
    System.out.println("| strategy | moved on failure (failed node held) | max/avg before"
        + " | max/avg after failure | moved on return (to the returning node) | max/avg after"
        + " return |");
    System.out.println("|---|---|---|---|---|---|");
    row("vipha planner", ours, n, failed);
    row("hash mod n", mod, n, failed);
    row("plain rendezvous", hrw, n, failed);

    System.out.printf(Locale.ROOT, "%nOver all %d choices of the failed node: VIPs moved on"
        + " failure / on return, min–mean–max%n%n", n);
    System.out.println("| strategy | moved on failure | moved on return | extra moves beyond"
        + " the failed node's VIPs (failure) |");
    System.out.println("|---|---|---|---|");
    int[][] o = new int[3][];
    int[][] r = new int[3][];
    int[][] x = new int[3][];
    for (int k = 0; k < 3; k++) {
      o[k] = new int[n];
      r[k] = new int[n];
      x[k] = new int[n];
    }
    for (int f = 0; f < n; f++) {
      Run[] runs = {ours(base, planner, all, balanced, f), baseline(base, f, true),
          baseline(base, f, false)};
      for (int k = 0; k < 3; k++) {
        o[k][f] = runs[k].movedOnFailure;
        r[k][f] = runs[k].movedOnReturn;
        x[k][f] = runs[k].movedOnFailure - runs[k].failedOwned;
      }
    }
    String[] names = {"vipha planner", "hash mod n", "plain rendezvous"};
    for (int k = 0; k < 3; k++) {
      System.out.printf(Locale.ROOT, "| %s | %s | %s | %s |%n", names[k], range(o[k]),
          range(r[k]), range(x[k]));
    }
    if (Arrays.stream(x[0]).anyMatch(e -> e != 0)) {
      System.err.println("the planner moved VIPs that the failed node did not own");
      System.exit(1);
    }
  }

  private static Run ours(Baselines base, Planner planner, ClusterView all, Plan balanced,
      int failed) {
    String id = base.ids[failed];
    ClusterView down = Fixtures.dead(all, id, T_FAIL);
    Plan afterFailure = planner.plan(down, balanced, T_FAIL);
    Plan back = planner.plan(Fixtures.alive(down, id, T_RETURN), afterFailure, T_RETURN);
    int[] before = owners(base, balanced.assignment());
    int[] mid = owners(base, afterFailure.assignment());
    int[] after = owners(base, back.assignment());
    Fixtures.check(moved(before, mid) == afterFailure.moves().size(), "move count");
    Fixtures.check(moved(mid, after) == back.moves().size(), "move count");
    return new Run(failed, before, mid, after);
  }

  private static Run baseline(Baselines base, int failed, boolean modN) {
    boolean[] alive = new boolean[base.ids.length];
    Arrays.fill(alive, true);
    int[] before = modN ? base.hashModN(alive) : base.rendezvous(alive);
    alive[failed] = false;
    int[] mid = modN ? base.hashModN(alive) : base.rendezvous(alive);
    alive[failed] = true;
    int[] after = modN ? base.hashModN(alive) : base.rendezvous(alive);
    return new Run(failed, before, mid, after);
  }

  private static void row(String name, Run r, int nodes, int failed) {
    System.out.printf(Locale.ROOT, "| %s | %d (%d) | %s | %s | %d (%d) | %s |%n", name,
        r.movedOnFailure, r.failedOwned, maxAvg(r.before, nodes, -1),
        maxAvg(r.afterFailure, nodes, failed), r.movedOnReturn, r.returnedToFailed,
        maxAvg(r.afterReturn, nodes, -1));
  }

  /** Owner index per canonical VIP index. */
  private static int[] owners(Baselines base, Assignment a) {
    int[] o = new int[base.vips.length];
    for (int v = 0; v < o.length; v++) {
      String id = a.owner(base.vips[v]);
      o[v] = id == null ? -1 : base.nodeIndex(id);
    }
    return o;
  }

  private static int moved(int[] a, int[] b) {
    int c = 0;
    for (int v = 0; v < a.length; v++) {
      if (a[v] != b[v]) {
        c++;
      }
    }
    return c;
  }

  private static int movedTo(int[] a, int[] b, int node) {
    int c = 0;
    for (int v = 0; v < a.length; v++) {
      if (a[v] != b[v] && b[v] == node) {
        c++;
      }
    }
    return c;
  }

  private static int count(int[] owners, int node) {
    int c = 0;
    for (int o : owners) {
      if (o == node) {
        c++;
      }
    }
    return c;
  }

  /** "max / avg" load over the {@code nodes} nodes that may hold VIPs (all but {@code down}). */
  private static String maxAvg(int[] owners, int nodes, int down) {
    int[] load = new int[nodes];
    for (int o : owners) {
      if (o >= 0) {
        load[o]++;
      }
    }
    int max = Arrays.stream(load).max().orElse(0);
    int holders = nodes - (down >= 0 ? 1 : 0);
    return String.format(Locale.ROOT, "%d / %.2f", max, (double) owners.length / holders);
  }

  private static String range(int[] xs) {
    IntSummaryStatistics s = Arrays.stream(xs).summaryStatistics();
    return String.format(Locale.ROOT, "%d – %.1f – %d", s.getMin(), s.getAverage(), s.getMax());
  }
}
