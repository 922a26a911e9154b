package io.vipha.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.VipGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Seeded random fault schedules over both modes, checked against the invariants of {@link
 * Explorer}. {@code -Dvipha.sim.seeds=N} runs N seeds per mode (default 2,000); {@code
 * -Dvipha.sim.seed=S} replays one seed, with {@code -Dvipha.sim.faults=i,j,…} only those faults
 * of it (as a shrunk failure's report prints); {@code -Dvipha.sim.threads=T} sets the threads.
 */
class ExplorerTest {
  static final long AP_BASE = 1;
  static final long AA_BASE = 1_000_000_001L;

  /**
   * Invariant breaks the explorer still finds and the runtime does not fix yet; the README's
   * "Known open findings" explains them. A failure of any other kind fails the test, and so does
   * a failure rate above {@link #MAX_OPEN_PERCENT} for the mode. None is open: over 10,000
   * seeds per mode no schedule fails (the last open class, an Active/Active switchover during a
   * flap suspension, went when planned moves stopped counting toward the flap limit).
   */
  static final Set<String> OPEN_AP = Set.of();
  static final Set<String> OPEN_AA = Set.of();
  /** Most schedules, in percent, that may fail in an open category. */
  static final Map<String, Double> MAX_OPEN_PERCENT = Map.of("AP", 0.0, "AA", 0.0);

  @Test
  void activePassiveHoldsTheInvariants() {
    explore("AP", SimGroups.activePassive(), AP_BASE, OPEN_AP);
  }

  @Test
  void activeActiveHoldsTheInvariants() {
    explore("AA", SimGroups.activeActive(), AA_BASE, OPEN_AA);
  }

  static Explorer explorer(VipGroup group) {
    return Explorer.builder().group(group)
        .replayCommand("mvn -B -q -pl vip-testkit -am verify -Dtest=ExplorerTest"
            + " -Dsurefire.failIfNoSpecifiedTests=false")
        .build();
  }

  private static void explore(String mode, VipGroup group, long base, Set<String> open) {
    Explorer explorer = explorer(group);
    String one = System.getProperty("vipha.sim.seed");
    if (one != null && !one.isBlank()) {
      long seed = Long.parseLong(one.trim());
      if ((seed >= AA_BASE) != mode.equals("AA")) {
        return; // the seed belongs to the other mode
      }
      String faults = System.getProperty("vipha.sim.faults");
      Explorer.Result r;
      if (faults == null || faults.isBlank()) {
        r = explorer.run(seed);
      } else {
        List<Integer> kept = new ArrayList<>();
        if (!faults.trim().equals("none")) {
          for (String s : faults.split(",", -1)) {
            kept.add(Integer.parseInt(s.trim()));
          }
        }
        r = explorer.run(seed, kept);
      }
      System.out.println(r.report());
      assertThat(r.passed()).as(r.report()).isTrue();
      return;
    }
    int seeds = Integer.getInteger("vipha.sim.seeds", 2_000);
    int threads = Integer.getInteger("vipha.sim.threads",
        Runtime.getRuntime().availableProcessors());
    Explorer.Summary s = explorer.explore(base, seeds, threads);
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%s: %d schedules, %d failed, %.1f s, %.0f schedules/minute on %d"
        + " threads%n", mode, s.runs(), s.failed(), s.elapsedNanos() / 1e9, s.perMinute(),
        threads));
    for (Map.Entry<String, Long> e : new java.util.TreeMap<>(s.stats().worst()).entrySet()) {
      sb.append(String.format("  worst %s: %.1f ms%n", e.getKey(), e.getValue() / 1e6));
    }
    s.failedSeeds().forEach((k, v) -> sb.append(String.format("  failed %s: %d, seeds %s%n", k,
        v.size(), v.subList(0, Math.min(8, v.size())))));
    System.out.println(sb);
    StringBuilder failures = new StringBuilder();
    for (Explorer.Result r : s.shrunk()) {
      failures.append(r.report()).append('\n');
    }
    Set<String> unexpected = new java.util.TreeSet<>(s.failedSeeds().keySet());
    unexpected.removeAll(open);
    assertThat(unexpected).as("%d of %d %s schedules failed; shrunk:%n%s", s.failed(), s.runs(),
        mode, failures).isEmpty();
    assertThat(s.runs()).isEqualTo(seeds);
    assertThat(100.0 * s.failed() / s.runs()).as("percent of %s schedules failing in open"
        + " categories", mode).isLessThanOrEqualTo(java.util.Objects.requireNonNull(MAX_OPEN_PERCENT.get(mode)));
  }
}
