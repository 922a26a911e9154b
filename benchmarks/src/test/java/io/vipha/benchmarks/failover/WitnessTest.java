package io.vipha.benchmarks.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Witness}'s log and the steal time, and the soak report's pieces made of them. */
class WitnessTest {
  /** Started at 1 s; on time but for a 2.5 ms and a 31 ms late wake-up; a torn last line. */
  private static final String LOG = """
      S 1000000000 1 99
      N 2000000000 950
      G 2500000000 3500000
      N 3000000000 1890
      G 3400000000 32000000
      N 4000000000 2800
      G 4000000100 21""";

  @Test
  void parsesStartGapsAndCountsLeavingOutATornLine() {
    Witness.Log log = Witness.parse(LOG);
    assertThat(log.started()).isEqualTo(1_000_000_000L);
    assertThat(log.scheduling()).isEqualTo("SCHED_FIFO 99");
    assertThat(log.gaps()).extracting(Witness.Gap::nanos)
        .containsExactly(2_500_000_000L, 3_400_000_000L);
    assertThat(log.gaps().get(0).lateMs()).isEqualTo(2.5);
    assertThat(log.gaps(3_000_000_000L, 5_000_000_000L)).extracting(Witness.Gap::lateMs)
        .containsExactly(31.0);
    assertThat(log.wakeups(1_500_000_000L, 4_500_000_000L)).isEqualTo(2800 - 950);
    assertThat(log.wakeups(4_500_000_000L, 5_000_000_000L)).isZero();
  }

  @Test
  void aLogNotYetWrittenHasNoPolicy() {
    Witness.Log log = Witness.parse("");
    assertThat(log.policy()).isEqualTo(-1);
    assertThat(log.gaps()).isEmpty();
    assertThat(Witness.parse("S 5 0 0\n").scheduling()).isEqualTo("SCHED_OTHER");
    assertThat(Witness.parse("S 5 2 5\n").scheduling()).isEqualTo("SCHED_RR 5");
  }

  @Test
  void stealIsTheEighthFieldOfTheCpuLine() {
    assertThat(Witness.stealOf("""
        cpu  10132153 290696 3084719 46828483 16683 0 25195 1234 0 0
        cpu0 1393280 32966 572056 13343292 6130 0 17875 600 0 0
        """)).isEqualTo(1234);
    assertThatThrownBy(() -> Witness.stealOf("intr 1 2\n"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no cpu line");
  }

  @Test
  void histogramBucketsPutABoundInTheBucketAboveIt() {
    assertThat(Histogram.counts(new double[] {0.2, 0.99, 1, 1.5, 2, 4.9, 5, 10, 19.9, 20, 300}))
        .containsExactly(2, 2, 2, 1, 2, 2);
    assertThat(Histogram.cells(new long[] {1, 0, 0, 0, 0, 7}))
        .isEqualTo("| 1 | 0 | 0 | 0 | 0 | 7 |");
  }

  @Test
  void theWitnessRowCountsOnTimeWakeUpsInTheFirstBucket() {
    Witness.Log log = Witness.parse(LOG + "\n");
    // In [1.5 s, 3.9 s]: the counts at 2 s and 3 s, 940 wake-ups, two of them late (2.5, 31 ms).
    assertThat(Soak.witnessCounts(log, 1_500_000_000L, 3_900_000_000L))
        .containsExactly(938, 0, 1, 0, 0, 1);
  }

  @Test
  void anIncidentListsTheWitnessGapsNearItOrSaysTheMachineRan() {
    Witness.Log log = Witness.parse(LOG);
    long t0 = 1_000_000_000L;
    assertThat(Soak.witnessAround(log, 3_450_000_000L, 3_460_000_000L, t0))
        .isEqualTo("   - (witness: woke 31.0 ms late at +2.400 s)\n");
    assertThat(Soak.witnessAround(log, 3_550_000_000L, 3_600_000_000L, t0))
        .contains("no wake-up more than 1.0 ms late within ±100 ms");
  }

  @Test
  void theReportSectionsShowHistogramsAndLongestGaps() {
    Witness.Log log = Witness.parse(LOG);
    Soak.NodeResult node = new Soak.NodeResult(VipdLog.parse("""
        2026-11-26T11:02:13.000Z WARN vipd - event loop stalled for 45 ms; peers may have \
        declared this node dead
        2026-11-26T11:02:13.030Z DEBUG vipd - peer n1 suspect: a heartbeat is late
        2026-11-26T11:02:13.034Z DEBUG vipd - peer n1 up (incarnation 3)
        """), List.of(), List.of(), 0, 0, List.of(), null);
    StringBuilder sb = new StringBuilder();
    Soak.histograms(sb, List.of(node), log, 1_500_000_000L, 3_900_000_000L);
    Soak.witness(sb, new Soak.Machine("client probe SCHED_RR 5",
        "SCHED_FIFO 99 (its one thread)", log, 12.5), 1_000_000_000L, 4_000_000_000L);
    assertThat(sb.toString())
        .contains("| n1 | event loop stalls (vipd's `stalled` lines) | 1 "
            + "| 0 | 0 | 0 | 0 | 0 | 1 |")
        .contains("| n1 | late heartbeats (a peer suspect until heard again) | 1 "
            + "| 0 | 0 | 1 | 0 | 0 | 0 |")
        .contains("| host | witness wake-ups by lateness | 940 | 938 | 0 | 1 | 0 | 0 | 1 |")
        .contains("time in the window (`/proc/stat`, summed over the CPUs): 12.5 ms")
        .contains("Longest gaps: 31.0 ms late at +2.400 s; 2.5 ms late at +1.500 s.");
  }
}
