package io.vipha.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Ranking allocation samples by site. */
class AllocationSitesTest {
  private static final String TASK = "io.vipha.testing.VirtualScheduler$Task";

  @Test
  void theSiteIsTheInnermostFrameOfViphaOutsideTheHarnessAndTheTestKit() {
    assertThat(AllocationSites.site(List.of("java.util.HashMap.resize",
        "io.vipha.testing.VirtualScheduler.schedule", "io.vipha.agent.Reconciler.reconcile",
        "io.vipha.agent.Lifecycle.start"))).isEqualTo("io.vipha.agent.Reconciler.reconcile");
    assertThat(AllocationSites.site(List.of("java.util.ArrayList.iterator",
        "io.vipha.benchmarks.SteadyStateGroup.interval")))
        .isEqualTo("java.util.ArrayList.iterator");
    assertThat(AllocationSites.site(List.of())).isEqualTo("(no stack)");
  }

  @Test
  void rankSumsBytesBySiteAndClassLargestFirstPerUnit() {
    List<String> tick = List.of("io.vipha.testing.VirtualScheduler.schedule",
        "io.vipha.agent.HeartbeatCoordinator.tick");
    List<String> send = List.of("java.util.ArrayList.iterator",
        "io.vipha.agent.HeartbeatCoordinator.send");
    List<AllocationSites.Row> rows = AllocationSites.rank(List.of(
        new AllocationSites.Sample(TASK, tick, 40),
        new AllocationSites.Sample("java.util.ArrayList$Itr", send, 32),
        new AllocationSites.Sample(TASK, tick, 40),
        new AllocationSites.Sample("java.util.ArrayList$Itr", send, 32),
        new AllocationSites.Sample("java.util.ArrayList$Itr", send, 32),
        new AllocationSites.Sample(TASK, List.of("io.vipha.agent.Reconciler.reconcile"), 24)),
        2);
    assertThat(rows).containsExactly(
        new AllocationSites.Row("io.vipha.agent.HeartbeatCoordinator.send",
            "java.util.ArrayList$Itr", "java.util.ArrayList.iterator", 48, 96.0 / 200),
        new AllocationSites.Row("io.vipha.agent.HeartbeatCoordinator.tick", TASK,
            "io.vipha.testing.VirtualScheduler.schedule", 40, 80.0 / 200),
        new AllocationSites.Row("io.vipha.agent.Reconciler.reconcile", TASK,
            "io.vipha.agent.Reconciler.reconcile", 12, 24.0 / 200));
  }

  @Test
  void aLambdasClassLosesItsRunSpecificSuffix() {
    AllocationSites.Sample s = new AllocationSites.Sample(
        "io.vipha.agent.HeartbeatCoordinator$$Lambda$37+0x00007fb6cc036c50.897913732",
        List.of(), 16);
    assertThat(s.type()).isEqualTo("io.vipha.agent.HeartbeatCoordinator$$Lambda");
    AllocationSites.Sample jdk25 = new AllocationSites.Sample(
        "io.vipha.agent.HeartbeatCoordinator$$Lambda.0x000000007005f8b8", List.of(), 16);
    assertThat(jdk25.type()).isEqualTo("io.vipha.agent.HeartbeatCoordinator$$Lambda");
  }

  @Test
  void theTableLeavesOutRowsUnderTheShare() {
    List<AllocationSites.Row> rows = List.of(
        new AllocationSites.Row("a.B.c", "java.util.HashMap", "java.util.HashSet.<init>", 144,
            0.9),
        new AllocationSites.Row("a.B.d", "java.lang.Object", "a.B.d", 16, 0.1));
    assertThat(AllocationSites.table(rows, 0.5)).contains("| `a.B.c` | `java.util.HashMap` |"
        + " `java.util.HashSet.<init>` | 144.0 | 90.0 % |").doesNotContain("a.B.d");
  }

  @Test
  void badArgumentsAreRefused() {
    assertThatThrownBy(() -> AllocationSites.rank(List.of(), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("units must be positive: 0");
    assertThatThrownBy(() -> new AllocationSites.Sample("X", List.of(), -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("negative weight -1");
  }
}
