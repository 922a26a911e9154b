package io.vipha.benchmarks.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reload scenario's pure parts: its steps, the log parsers and the table. */
class ReloadTest {
  private static final String KEEPALIVED = """
      Sun Dec  6 04:07:23 2026: Starting VRRP child process, pid=11116
      Sun Dec  6 04:07:23 2026: (bench) Entering BACKUP STATE (init)
      Sun Dec  6 04:07:23 2026: Startup complete
      Sun Dec  6 04:07:23 2026: (bench) Entering MASTER STATE
      Sun Dec  6 04:07:25 2026: Reloading ...
      Sun Dec  6 04:07:25 2026: Configuration file /tmp/kt.conf
      Sun Dec  6 04:07:25 2026: Reloading
      Sun Dec  6 04:07:25 2026: Reload complete
      Sun Dec  6 04:07:26 2026: (bench) Master received advert from 198.51.100.2 with higher \
      priority 160, ours 150
      Sun Dec  6 04:07:26 2026: (bench) Entering BACKUP STATE
      Sun Dec  6 04:07:27 2026: Reload complete
      """;

  @Test
  void oddStepsToggleTheIntervalAndEvenStepsThePriorities() {
    int[][] expected = {{100, 0}, {150, 0}, {150, 10}, {100, 10}, {100, 0}, {150, 0}};
    for (int s = 0; s < expected.length; s++) {
      assertThat(new int[] {Reload.interval(s, 100), Reload.raise(s)}).as("step %d", s)
          .containsExactly(expected[s]);
    }
    assertThat(Reload.interval(1, 1000)).isEqualTo(1500);
    assertThat(Reload.interval(1, 10))
        .as("15 ms is no whole centisecond (VRRPv3's unit): twice instead").isEqualTo(20);
    assertThat(FailoverBench.leaseSeconds(100) * 1000).as("vipd's lease, above detection")
        .isGreaterThan(3 * Reload.slower(100));
    assertThat(FailoverBench.leaseSeconds(1000) * 1000).isGreaterThan(3 * Reload.slower(1000));
  }

  @Test
  void keepalivedsReloadsAndStateChangesAreReadFromItsLog() {
    KeepalivedLauncher k = new KeepalivedLauncher();
    assertThat(KeepalivedLauncher.reloadsIn(KEEPALIVED)).isEqualTo(2);
    assertThat(KeepalivedLauncher.reloadsIn("Sun Dec  6 04:07:25 2026: Reloading ...\n")).isZero();
    assertThat(k.transitions(KEEPALIVED)).containsExactly(
        "(bench) Entering BACKUP STATE (init)", "(bench) Entering MASTER STATE",
        "(bench) Entering BACKUP STATE");
    assertThat(k.transitions("Sun Dec  6 04:07:25 2026: Reload complete\n")).isEmpty();
  }

  @Test
  void vipdsStateChangesAreItsAcquiredAndReleasedLines() {
    ViphaLauncher v = new ViphaLauncher("java", Path.of("vipd.jar"), null);
    String log = """
        2026-12-06T04:07:23.100Z INFO vipd - acquired 192.0.2.10/24 on eth0 (elected)
        2026-12-06T04:07:24.000Z INFO vipd - reload 1 applied: heartbeatInterval 100ms -> 150ms
        2026-12-06T04:07:24.500Z DEBUG vipd - peer n2 suspect (heartbeat 310 ms late)
        2026-12-06T04:07:25.000Z INFO vipd - released 192.0.2.10/24 on eth0 (preempted)
        """;
    assertThat(v.transitions(log)).containsExactly(
        "2026-12-06T04:07:23.100Z INFO vipd - acquired 192.0.2.10/24 on eth0 (elected)",
        "2026-12-06T04:07:25.000Z INFO vipd - released 192.0.2.10/24 on eth0 (preempted)");
  }

  @Test
  void theTableHasARowPerRunWithTheErrorInPlace() {
    Reload.Result ok = new Reload.Result("keepalived", 100, false, 21.04, 40, 40, 6900, 3, 15.2,
        1, 1,
        List.of("n1: (bench) Entering BACKUP STATE", "n1: (bench) Entering MASTER STATE"),
        List.of("IPv4 15.2 ms, 3.0 ms after SIGHUP 1 of n1"), "n1", null);
    Reload.Result control = new Reload.Result("keepalived", 100, true, 21.0, 0, 0, 4200, 0, 0.0,
        0, 0, List.of(), List.of(), "n1", null);
    Reload.Result failed = new Reload.Result("vipha", 1000, false, 0, 3, 2, 0, 0, Double.NaN, 0, 0,
        List.of(), List.of(), null, "n2 did not report reload 2 applied | within 10 s");
    String table = Reload.table(List.of(ok, control, failed));
    assertThat(table.lines()).hasSize(5);
    assertThat(table.lines().toList().get(2)).isEqualTo("| keepalived | 100 ms ↔ 150 ms | 21.0 |"
        + " 40 (40)"
        + " | 6900 | 3 | 15.2 | 1 / 1 | 2: n1: (bench) Entering BACKUP STATE; n1: (bench)"
        + " Entering MASTER STATE | n1 | IPv4 15.2 ms, 3.0 ms after SIGHUP 1 of n1 |");
    assertThat(table.lines().toList().get(3)).isEqualTo("| keepalived (control: no reload) |"
        + " 100 ms | 21.0 | 0 (0) | 4200 | 0 | 0.0 | 0 / 0 | none | n1 | none |");
    assertThat(table.lines().toList().get(4)).isEqualTo("| vipha | 1000 ms ↔ 1500 ms | 0.0 |"
        + " 3 (2) | failed: n2 did not report reload 2 applied / within 10 s | | | | | | |");
    assertThat(Reload.describe(ok)).contains("RELOAD  21.0 s SIGHUPs 40", "lost 3",
        "VIP removed 1 added 1",
        "loss runs [IPv4 15.2 ms, 3.0 ms after SIGHUP 1 of n1]");
  }

  @Test
  void anIgnoredSighupIsReadFromTheSigIgnMask() {
    assertThat(Reload.hangupIgnored("Name:\tjava\nSigIgn:\t0000000000000003\n")).isTrue();
    assertThat(Reload.hangupIgnored("SigIgn:\t0000000000000002\n")).isFalse();
    assertThat(Reload.hangupIgnored("SigIgn:\t0000000000001001\n")).isTrue();
    assertThat(Reload.hangupIgnored("Name:\tjava\n")).isFalse();
  }

  @Test
  void aRunOfLostProbesIsToldByTheSighupBeforeIt() {
    long ms = FailoverBench.MS;
    List<long[]> hups = List.of(new long[] {1000 * ms, 0, 1}, new long[] {1200 * ms, 1, 1},
        new long[] {2000 * ms, 0, 2});
    assertThat(Reload.attribute(new long[] {1250 * ms, 15 * ms}, hups))
        .isEqualTo("15.0 ms, 50.0 ms after SIGHUP 1 of n2");
    assertThat(Reload.attribute(new long[] {2000 * ms, 300 * ms}, hups))
        .isEqualTo("300 ms, 0.0 ms after SIGHUP 2 of n1");
    assertThat(Reload.attribute(new long[] {500 * ms, 5 * ms}, hups))
        .isEqualTo("5.0 ms, before the first SIGHUP");
  }
}
