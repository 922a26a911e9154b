package io.vipha.benchmarks.failover;

import io.vipha.testkit.Privileged;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The CI short run of the failover harness: one round of each scenario for vipha (vipd.jar, which
 * the reactor builds before this module) at a 100 ms heartbeat (dead-after 3, lease 2 s), in
 * namespaces made for this class. It asserts correctness, not timings: the VIP fails over, nobody
 * holds it twice beyond the detection window, a killed node's VIP leaves its host within the
 * kernel lease, a graceful stop and a preemption lose no probe, and after a partition heals the
 * client reaches the rightful owner without loss; and in a VRRP pair of vipd and keepalived, the
 * backup of either kind takes over from a crashed master of the other (when keepalived is
 * installed). The timing comparison with keepalived is {@code benchmarks/failover-bench.sh}.
 * Needs root.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverHarnessTest {
  private static final int INTERVAL_MS = 100;
  /** Failure detection: interval × dead-after. */
  private static final double DETECTION_MS = INTERVAL_MS * 3;
  /** Lease + the kernel's whole-second expiry timer + slack for a loaded machine. */
  private static final double LEASE_BOUND_MS = FailoverBench.leaseSeconds(INTERVAL_MS) * 1000
      + 1500;
  private static final List<Round> ROUNDS = new ArrayList<>();
  private static FailoverBench bench;
  private static NodeLauncher vipha;

  @BeforeAll
  static void network() throws Exception {
    Privileged.requireNetworkNamespaces();
    bench = new FailoverBench(Path.of(System.getProperty("basedir", "."), "..", "vipd", "target",
        "vipd.jar").normalize());
    vipha = bench.vipha().launcher;
  }

  @AfterAll
  static void report() {
    ROUNDS.forEach(r -> System.out.println(Results.describe(r)));
    if (bench != null) {
      bench.close();
    }
  }

  /** A check's description that tells, only when it fails, what the round left to explain it. */
  private static Supplier<String> why(String what) {
    return () -> what + bench.evidence();
  }

  private static Round run(Scenario sc) throws Exception {
    Round r = bench.round(vipha, INTERVAL_MS, sc);
    ROUNDS.add(r);
    assertThat(r.error()).as("round error (node logs in %s)", bench.dir()).isNull();
    return r;
  }

  @Test
  @Order(0)
  void theInstrumentsRunAtRealTimePriority() {
    Privileged.gate(Realtime.missing(), Privileged.required(System.getenv()));
    assertThat(bench.instruments()).matches("client probe SCHED_RR 5 \\(all \\d+ threads\\)"
        + "(; responder of n[123] SCHED_RR 5 \\(all \\d+ threads\\)){3}");
  }

  @Test
  @Order(1)
  void hostCrashFailsOver() throws Exception {
    Round r = run(Scenario.CRASH);
    assertThat(r.owner()).as(why("answers after the crash")).isEqualTo("n2");
  }

  @Test
  @Order(2)
  void killedProcessLeavesNoOrphanAfterTheLease() throws Exception {
    Round r = run(Scenario.KILL9);
    assertThat(r.owner()).isEqualTo("n2");
    assertThat(r.leftMs()).as(why("ms until the VIP left the killed node's host"))
        .isBetween(0.0, LEASE_BOUND_MS);
    assertThat(r.dualMs()).as(why("ms two hosts held the VIP")).isLessThanOrEqualTo(LEASE_BOUND_MS);
  }

  @Test
  @Order(3)
  void gracefulStopLosesNothing() throws Exception {
    Round r = run(Scenario.GRACEFUL);
    assertThat(r.owner()).isEqualTo("n2");
    assertThat(r.outageMs()).as(why("longest run of lost probes, ms")).isZero();
    assertThat(r.dualMs()).as(why("make-before-break overlap, ms")).isLessThan(DETECTION_MS);
  }

  @Test
  @Order(4)
  void preemptionLosesNothing() throws Exception {
    Round r = run(Scenario.PREEMPT);
    assertThat(r.owner()).isEqualTo("n1");
    assertThat(r.outageMs()).as(why("longest run of lost probes, ms")).isZero();
    assertThat(r.dualMs()).as(why("make-before-break overlap, ms")).isLessThan(DETECTION_MS);
  }

  @Test
  @Order(5)
  void ownerLinkDownFailsOver() throws Exception {
    Round r = run(Scenario.LINK_DOWN);
    assertThat(r.owner()).isEqualTo("n2");
    assertThat(r.dualMs()).isLessThan(DETECTION_MS);
  }

  @Test
  @Order(6)
  void partitionedOwnerStepsDownAndTheHealLosesNothing() throws Exception {
    Privileged.requireTool("nft");
    Round r = run(Scenario.PARTITION);
    assertThat(r.dualMs()).as(why("ms two hosts held the VIP during the partition"))
        .isLessThan(DETECTION_MS);
    assertThat(r.owner()).as(why("the rightful owner after the heal")).isEqualTo("n1");
    assertThat(r.healMs()).as(why("longest run of lost probes after the heal, ms")).isZero();
  }

  @Test
  @Order(7)
  void ipv6HostCrashFailsOver() throws Exception {
    Round r = run(Scenario.CRASH_V6);
    assertThat(r.owner()).isEqualTo("n2");
  }

  @Test
  @Order(8)
  void aVrrpBackupTakesOverFromACrashedMasterOfTheOtherKind() throws Exception {
    Privileged.requireTool("keepalived");
    for (String[] pair : new String[][] {{"keepalived", "vipha-vrrp"},
        {"vipha-vrrp", "keepalived"}}) {
      Round r = bench.round(bench.pair(pair[0], pair[1]).launcher, INTERVAL_MS, Scenario.CRASH);
      ROUNDS.add(r);
      assertThat(r.error()).as("%s (node logs in %s)", r.impl(), bench.dir()).isNull();
      assertThat(r.owner()).as("%s: answers after the crash", r.impl()).isEqualTo("n2");
    }
  }
}
