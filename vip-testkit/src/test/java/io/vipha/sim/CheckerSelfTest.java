package io.vipha.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.VipGroup;
import io.vipha.agent.Breakages;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The explorer's self-test: agents with one safety mechanism switched off (through the
 * package-private switches of {@code io.vipha.agent}, see {@link Breakages}) must break an
 * invariant within a stated number of seeds. A checker that lets such a build pass is too lax
 * for the promise the mechanism keeps. Each case runs seeds from the mode's first until the
 * first failure and states the most it may take.
 */
class CheckerSelfTest {
  /**
   * Heartbeats recorded and sent again up to 3 s later (one in two), so that the replay guard
   * has something to reject. Both the broken and the intact agents run with it.
   */
  static final Consumer<Simulation.Builder> REPLAYER = b -> b.replay(0.5, Duration.ofSeconds(3));

  /**
   * Each case: the mechanism, the mode, the most seeds it may take (about three times what the
   * build that added this test needed: 91, 22, 107, 35 and 70). Without the lease a cut-off owner
   * overlaps its successor only by the difference in their heartbeat phases, which are alike
   * until restarts and pauses shift them; Active/Active, with four nodes, shifts them sooner) and
   * the invariant that must break (blank: any).
   */
  @ParameterizedTest(name = "{0} off ({1}) is found within {2} seeds")
  @CsvSource({
      "QUORUM_LEASE, AA, 300, DUAL_OWNER",
      "CONFLICT_RULE, AA, 80, DUAL_OWNER",
      "MAKE_BEFORE_BREAK, AP, 320, OUTAGE",
      "LEASE_RENEWAL, AP, 120, ",
      "REPLAY_GUARD, AP, 220, ",
  })
  void eachBreakageIsFound(String mechanism, String mode, int within, String kind) {
    Consumer<Simulation.Builder> net = mechanism.equals("REPLAY_GUARD") ? REPLAYER : b -> { };
    Explorer explorer = Explorer.builder().group(group(mode))
        .simulation(Breakages.without(mechanism).andThen(net)).build();
    long base = mode.equals("AP") ? ExplorerTest.AP_BASE : ExplorerTest.AA_BASE;
    Explorer.Result found = null;
    int runs = 0;
    while (found == null && runs < within) {
      Explorer.Result r = explorer.run(base + runs++);
      if (!r.passed()) {
        found = r;
      }
    }
    System.out.printf("%s off (%s): found at seed %d after %d runs: %s%n", mechanism, mode,
        found == null ? -1 : found.seed(), runs, found == null ? "nothing" : found.violation());
    if (found == null) {
      throw new AssertionError(mechanism + " off: no invariant broke in " + within + " " + mode
          + " seeds");
    }
    if (kind != null) {
      assertThat(found.violationKind()).isEqualTo(kind);
    }
    Explorer intact = Explorer.builder().group(group(mode)).simulation(net).build();
    Explorer.Result control = intact.run(found.seed());
    assertThat(control.passed()).as("the same seed with every mechanism on:%n%s",
        control.report()).isTrue();
  }

  /**
   * The replaying attacker is one the intact runtime withstands: with every mechanism on, no
   * seed of the range the cases above use fails under it.
   */
  @Test
  void intactAgentsWithstandTheReplayer() {
    Explorer intact = Explorer.builder().group(SimGroups.activePassive()).simulation(REPLAYER)
        .build();
    Explorer.Summary s = intact.explore(ExplorerTest.AP_BASE, 220,
        Runtime.getRuntime().availableProcessors());
    assertThat(s.failedSeeds()).as("%s", s.shrunk()).isEmpty();
  }

  private static VipGroup group(String mode) {
    return mode.equals("AP") ? SimGroups.activePassive() : SimGroups.activeActive();
  }
}
