package io.vipha.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Mode;
import io.vipha.VipGroup;
import org.junit.jupiter.api.Test;

class PlannerSmokeTest {
  @Test
  void activeActiveSpreadsAndMovesOnlyFailedNodesVips() {
    VipGroup.Builder b = VipGroup.builder().name("g").mode(Mode.ACTIVE_ACTIVE);
    for (int i = 0; i < 64; i++) {
      int k = i;
      b.node(n -> n.id(String.format("n%02d", k)).heartbeat("198.51.100." + (k + 1)));
    }
    for (int i = 0; i < 4096; i++) {
      int k = i;
      b.vip(v -> v.address("2001:db8::" + Integer.toHexString(k + 1) + "/64").interfaceName("eth0"));
    }
    VipGroup g = b.build();
    Planner p = Planner.of(g);
    ClusterView.Builder vb = ClusterView.builder();
    for (int i = 0; i < 64; i++) {
      vb.node(String.format("n%02d", i), NodeStatus.alive(0, 100, 1));
    }
    ClusterView all = vb.build();
    Plan p1 = p.plan(all, p.initial(), 1_000);
    assertThat(p1.assignment().unowned()).isZero();
    int max = 0;
    for (int i = 0; i < 64; i++) {
      max = Math.max(max, p1.assignment().count(String.format("n%02d", i)));
    }
    assertThat(max).isEqualTo(64);
    Plan same = p.plan(all, p1, 2_000);
    assertThat(same.moves()).isEmpty();
    ClusterView failed = all.toBuilder().node("n07", NodeStatus.dead(3_000, 100, 1)).build();
    Plan p2 = p.plan(failed, same, 3_000);
    assertThat(p2.moves()).hasSize(64).allMatch(m -> "n07".equals(m.from()));
    System.out.println(p2.moves().get(0));
  }
}
