package io.vipha.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The planner's values as callers see them: equality, text forms, carried flap records. */
class PlanValuesTest {
  private static final VipGroup GROUP = VipGroup.builder().name("g").mode(Mode.ACTIVE_ACTIVE)
      .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
      .vip(v -> v.address("192.0.2.11/24").interfaceName("eth0"))
      .node(n -> n.id("n1").heartbeat("198.51.100.1"))
      .node(n -> n.id("n2").heartbeat("198.51.100.2"))
      .build();
  private static final VirtualIp A = GROUP.vips().get(0);
  private static final VirtualIp B = GROUP.vips().get(1);

  @Test
  void assignmentsWithTheSameOwnersAreEqualWhateverPlanMadeThem() {
    Plan initial = Plan.initial(GROUP);
    Assignment ab = initial.withOwners(Map.of(A, "n1", B, "n2")).assignment();
    Assignment again = Plan.initial(GROUP).withOwners(Map.of(B, "n2", A, "n1")).assignment();
    Assignment swapped = initial.withOwners(Map.of(A, "n2", B, "n1")).assignment();
    Assignment half = initial.withOwners(Map.of(A, "n1")).assignment();

    assertThat(ab).isEqualTo(again).hasSameHashCodeAs(again);
    assertThat(ab).isNotEqualTo(swapped).isNotEqualTo(half).isNotEqualTo("n1");
    assertThat(ab).hasToString("{" + A + "=n1, " + B + "=n2}");
    assertThat(half.toString()).endsWith(B + "=null}");
    assertThat(initial.assignment()).isEqualTo(Plan.initial(GROUP).assignment());
  }

  @Test
  void theSameOwnersGiveBackTheSamePlan() {
    Plan initial = Plan.initial(GROUP);
    assertThat(initial.withOwners(Map.of())).isSameAs(initial);
    Plan p = initial.withOwners(Map.of(A, "n1", B, "n2"));
    assertThat(p.withOwners(Map.of(B, "n2", A, "n1"))).isSameAs(p);
    assertThat(p.withOwners(Map.of(A, "n1"))).isNotSameAs(p);
  }

  @Test
  void aVipOutsideTheGroupHasNoOwner() {
    VirtualIp other = VipGroup.builder().name("o").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.99/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1")).build().vips().get(0);
    Assignment a = Plan.initial(GROUP).withOwners(Map.of(A, "n1", B, "n1")).assignment();
    assertThat(a.owner(other)).isNull();
    assertThat(a.owner(A)).isEqualTo("n1");
  }

  @Test
  void aMoveReadsAsVipSourceTargetAndReason() {
    assertThat(new Move(A, null, "n1", MoveReason.ELECTED, false))
        .hasToString("192.0.2.10/24: - -> n1 (ELECTED)");
    assertThat(new Move(A, "n1", null, MoveReason.QUORUM_LOST, false))
        .hasToString("192.0.2.10/24: n1 -> - (QUORUM_LOST)");
    assertThat(new Move(A, "n1", "n2", MoveReason.SWITCHOVER, true))
        .hasToString("192.0.2.10/24: n1 -> n2 (SWITCHOVER, make-before-break)");
  }

  @Test
  void aViewListsItsNodesByIdAndKeepsItsPinsThroughToBuilder() {
    ClusterView v = ClusterView.builder()
        .node("n2", NodeStatus.alive(0, 100, 1))
        .node("n1", NodeStatus.dead(5, 200, 1))
        .pin(A, "n2")
        .build();
    assertThat(v.statuses()).containsExactly(
        Map.entry("n1", NodeStatus.dead(5, 200, 1)), Map.entry("n2", NodeStatus.alive(0, 100, 1)));
    assertThat(v.toBuilder().build().pins()).isEqualTo(v.pins()).containsEntry(A.address(), "n2");
    assertThat(v.toString()).startsWith("ClusterView{n1=").contains(" pins {")
        .doesNotContain("pinned to");
    ClusterView pinned = ClusterView.builder().node("n1", NodeStatus.alive(0, 100, 1))
        .pin("n1").build();
    assertThat(pinned.toString()).endsWith(" pinned to n1").doesNotContain("pins");
    assertThat(pinned.pinnedOwner()).isEqualTo("n1");
    assertThat(v.pinnedOwner()).isNull();
  }

  @Test
  void aPlanSaysWhenItHasNoQuorumOrANextChange() {
    Plan initial = Plan.initial(GROUP);
    assertThat(initial.toString()).startsWith("Plan{{").endsWith("moves=[]}");
    Plan suspended = initial.withFlapRecord("n1", new FlapRecord(List.of(1L, 2L), 500, false));
    assertThat(suspended.toString()).endsWith(", next change at 500}");
  }

  @Test
  void aCarriedFlapRecordComesBackAndBoundsTheNextChange() {
    FlapRecord r = new FlapRecord(List.of(10L, 20L, 30L), 1_000, true);
    Plan p = Plan.initial(GROUP).withFlapRecord("n2", r);
    assertThat(p.flapRecord("n2")).isEqualTo(r);
    assertThat(p.suspendedUntil("n2")).isEqualTo(1_000);
    assertThat(p.suspendedUntil("n1")).isEqualTo(Long.MIN_VALUE);
    assertThat(p.nextChangeAt()).isEqualTo(1_000);
    assertThat(p.isSuspended("n2", 999)).isTrue();
    assertThat(p.isSuspended("n2", 1_000)).isFalse();

    // Neither "no suspension" nor "until cleared" is an instant to plan again at.
    Plan none = Plan.initial(GROUP).withFlapRecord("n2", FlapRecord.NONE);
    assertThat(none.nextChangeAt()).isEqualTo(Plan.NEVER);
    Plan forever = Plan.initial(GROUP)
        .withFlapRecord("n2", new FlapRecord(List.of(), Plan.NEVER, false));
    assertThat(forever.nextChangeAt()).isEqualTo(Plan.NEVER);
    assertThat(forever.isSuspended("n2", Long.MAX_VALUE - 1)).isTrue();
  }
}
