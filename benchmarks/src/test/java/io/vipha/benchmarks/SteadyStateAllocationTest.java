package io.vipha.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The guard of the steady state: once warmed up, the {@link SteadyStateGroup}'s heartbeat
 * intervals (every node's heartbeat sent and received, death timers, periodic reconciles, lease
 * renewals) allocate nothing on the thread that runs them, with escape analysis off (see {@link
 * AllocationGuard}). {@code -Dvipha.alloc.check=N}: N intervals in a row must allocate nothing
 * (default 12,000, one minute of virtual time).
 */
class SteadyStateAllocationTest {
  /** Intervals per window: 10 s of virtual time, 10 periodic reconciles and 3 lease renewals. */
  static final int WINDOW = 2_000;
  static final int CLEAN = Math.max(1, Integer.getInteger("vipha.alloc.check", 12_000) / WINDOW);

  @BeforeAll
  static void flags() {
    assertThat(AllocationGuard.flagProblems()).as("JVM flags of the allocation guard (the"
        + " benchmarks module's surefire argLine sets them)").isEmpty();
  }

  @Test
  void afterAWarmUpTheGroupsIntervalsAllocateNothing() throws IOException {
    SteadyStateGroup group = new SteadyStateGroup();
    AllocationGuard guard = new AllocationGuard(group::interval, WINDOW);
    guard.warmUp(30); // 300 s of virtual time; a window takes milliseconds once compiled
    group.mark();
    // A one-off may spoil a window after the warm-up: while the JIT still compiles and
    // deoptimizes (later on a busy machine), a method entered in new code sometimes allocates a
    // short String on the thread (JDK 17: a few hundred bytes in one window of twenty or so,
    // then none), as may a table grown late. A steady allocation spoils every window.
    long[] windows = guard.untilClean(CLEAN, 10 * CLEAN);
    group.check();
    if (!AllocationGuard.clean(windows, CLEAN)) {
      throw new AssertionError("the steady state allocates: bytes per window of " + WINDOW
          + " intervals " + Arrays.toString(windows) + "; one window's sites, in bytes per"
          + " interval:\n" + guard.sites());
    }
  }

  private static Object sink = new Object();

  @Test
  void theGuardCatchesASmallSteadyAllocationAndNamesItsSite() throws IOException {
    int[] steps = {0};
    AllocationGuard guard = new AllocationGuard(() -> {
      if (++steps[0] % 1_000 == 0) {
        sink = new long[2]; // 32 B every 1,000 steps
      }
    }, WINDOW);
    guard.warmUp(2);
    long[] windows = guard.untilClean(2, 4);
    assertThat(windows).hasSize(4).containsOnly(64L);
    assertThat(AllocationGuard.clean(windows, 2)).isFalse();
    assertThat(guard.sites()).contains("`[J`").contains("SteadyStateAllocationTest.lambda$");
    assertThat(sink).isInstanceOf(long[].class);
  }
}
