package io.vipha.benchmarks.failover;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link PressuredVipd.Pace}: the allocation rate, and no burst after a stall. */
class PressuredVipdTest {
  private static final long MB = 1L << 20;
  private static final long MS = 1_000_000L;

  @Test
  void keepsTheRateAndCatchesUpAtMost100MsAfterAStall() {
    PressuredVipd.Pace pace = new PressuredVipd.Pace(100 * MB, 0, 0);
    assertThat(pace.behind(0, 0)).isFalse();
    assertThat(pace.behind(500 * MS, 50 * MB)).as("on time").isFalse();
    assertThat(pace.behind(500 * MS, 49 * MB)).as("1 MB short").isTrue();
    // Stalled until 1 s with 50 MB allocated: 50 MB behind, of which 10 MB (100 ms) are owed.
    assertThat(pace.behind(1000 * MS, 50 * MB)).isTrue();
    assertThat(pace.behind(1000 * MS, 60 * MB)).as("caught up 100 ms, not the stall").isFalse();
    assertThat(pace.behind(1100 * MS, 65 * MB)).isTrue();
    assertThat(pace.behind(1100 * MS, 70 * MB)).isFalse();
  }
}
