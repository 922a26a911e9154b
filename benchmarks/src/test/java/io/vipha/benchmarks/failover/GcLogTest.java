package io.vipha.benchmarks.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link GcLog} on lines as JDK 17 and JDK 25 write them. */
class GcLogTest {
  private static final String LOG = """
      [2026-11-26T11:59:43.100+0000][0.500s][info][gc,start    ] GC(0) Pause Young (Normal) \
      (G1 Evacuation Pause)
      [2026-11-26T11:59:43.285+0000][0.714s][info][gc          ] GC(0) Pause Young (Normal) \
      (G1 Evacuation Pause) 6M->3M(64M) 11.966ms
      [2026-11-26T11:59:43.285+0000][0.714s][info][safepoint   ] Safepoint \
      "G1CollectForAllocation", Time since last: 672875993 ns, Reaching safepoint: 2956 ns, \
      Cleanup: 147775 ns, At safepoint: 12027004 ns, Total: 12177735 ns
      [2026-11-26T11:59:44.000+0000][1.4s][info][gc] GC(1) Pause Young (Concurrent Start) \
      (G1 Evacuation Pause) 40M->30M(64M) 3.5ms
      [2026-11-26T11:59:44.100+0000][1.5s][info][gc] GC(2) Concurrent Mark Cycle 80.1ms
      [2026-11-26T11:59:44.200+0000][1.6s][info][gc] GC(2) Pause Remark 35M->35M(64M) 1.2ms
      [2026-11-26T11:59:44.300+0000][1.7s][info][gc] GC(2) Pause Cleanup 35M->35M(64M) 0.1ms
      [2026-11-26T11:59:44.400+0000][1.8s][info][gc] GC(3) Pause Young (Prepare Mixed) \
      (G1 Evacuation Pause) 50M->40M(64M) 4.0ms
      [2026-11-26T11:59:44.500+0000][1.9s][info][gc] GC(4) Pause Young (Mixed) \
      (G1 Evacuation Pause) 50M->20M(64M) 6.0ms
      [2026-11-26T11:59:44.600+0000][2.0s][info][gc] GC(5) Pause Full (G1 Compaction Pause) \
      60M->20M(64M) 50.25ms
      [2026-11-26T11:59:47.951+0000][1.208s][info][safepoint] Safepoint \
      "G1CollectForAllocation", Time since last: 1148969765 ns, Reaching safepoint: 4799 ns, \
      At safepoint: 11689615 ns, Leaving safepoint: 2004 ns, Total: 11696418 ns, Threads: 0 \
      runnable, 10 total
      [2026-11-26T11:59:48.000+0000][1.3s][info][gc,phases] GC(6)   Evacuate Collection Set: 5.9ms
      """;

  @Test
  void readsEveryKindOfPauseAndNothingElse() {
    List<GcLog.Pause> pauses = GcLog.gcPauses(LOG);
    assertThat(pauses).extracting(GcLog.Pause::kind)
        .containsExactly("young", "young", "remark", "cleanup", "young", "mixed", "full");
    assertThat(pauses).extracting(GcLog.Pause::ms)
        .containsExactly(11.966, 3.5, 1.2, 0.1, 4.0, 6.0, 50.25);
    assertThat(pauses.get(0).at()).isEqualTo(Instant.parse("2026-11-26T11:59:43.285Z"));
  }

  @Test
  void readsZgcPausesOfJdk17AndGenerationalZgcOfJdk25() {
    String zgc = """
        [2026-12-06T07:36:17.309+0000][0.930s][info][gc,phases   ] GC(0) Pause Mark Start \
        0.013ms
        [2026-12-06T07:36:17.310+0000][0.931s][info][gc,phases   ] GC(0) Concurrent Mark 1.2ms
        [2026-12-06T07:36:17.312+0000][0.934s][info][gc,phases   ] GC(0) Pause Mark End 0.010ms
        [2026-12-06T07:39:02.915+0000][0.300s][info][gc,phases   ] GC(1) Y: Pause Mark Start \
        0.012ms
        [2026-12-06T07:39:02.920+0000][0.304s][info][gc,phases   ] GC(1) Y: Pause Relocate Start \
        0.010ms
        [2026-12-06T07:39:02.930+0000][0.314s][info][gc          ] GC(1) Garbage Collection \
        (System.gc()) 8M(12%)->6M(9%)
        """;
    assertThat(GcLog.gcPauses(zgc)).extracting(GcLog.Pause::kind).containsOnly("zgc");
    assertThat(GcLog.gcPauses(zgc)).extracting(GcLog.Pause::ms)
        .containsExactly(0.013, 0.010, 0.012, 0.010);
  }

  @Test
  void readsSafepointsOfJdk17AndJdk25() {
    List<GcLog.Pause> safepoints = GcLog.safepoints(LOG);
    assertThat(safepoints).extracting(GcLog.Pause::kind)
        .containsExactly("G1CollectForAllocation", "G1CollectForAllocation");
    assertThat(safepoints).extracting(GcLog.Pause::ms).containsExactly(12.177735, 11.696418);
  }

  @Test
  void tellsTheCauseOfYoungPausesOfG1AndSerial() {
    List<GcLog.Pause> pauses = GcLog.gcPauses(LOG + """
        [2026-12-06T19:52:18.901+0000][0.225s][info][gc] GC(0) Pause Young (Allocation Failure) \
        1M->0M(15M) 4.480ms
        """);
    assertThat(pauses).extracting(GcLog::cause).containsExactly("G1 Evacuation Pause",
        "G1 Evacuation Pause", "?", "?", "G1 Evacuation Pause", "G1 Evacuation Pause", "?",
        "Allocation Failure");
    assertThat(Soak.youngCauses(pauses)).isEqualTo("Allocation Failure 1, G1 Evacuation Pause 4");
    assertThat(Soak.youngCauses(List.of())).isEqualTo("none");
  }

  @Test
  void summarisesWithNearestRankPercentile() {
    GcLog.Summary s = GcLog.Summary.of(GcLog.gcPauses(LOG));
    assertThat(s.count()).isEqualTo(7);
    assertThat(s.median()).isEqualTo(4.0);
    assertThat(s.p99()).isEqualTo(50.25);
    assertThat(s.max()).isEqualTo(50.25);
    assertThat(s.total()).isCloseTo(77.016, org.assertj.core.api.Assertions.within(1e-9));
    assertThat(GcLog.Summary.of(List.of()).count()).isZero();
  }
}
