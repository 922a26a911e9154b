package io.vipha.plan;

import static io.vipha.plan.Fixtures.allAlive;
import static io.vipha.plan.Fixtures.live;
import static io.vipha.plan.Fixtures.ownerSet;
import static io.vipha.plan.Fixtures.owners;
import static io.vipha.plan.Fixtures.sec;
import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.FlapLimit;
import io.vipha.Mode;
import io.vipha.NoQuorumAction;
import io.vipha.Quorum;
import io.vipha.VipGroup;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Quorum: reachable (alive or suspect) nodes at least group.quorumSize(). */
class QuorumPlannerTest {
  private static final String[] IDS = {"n1", "n2", "n3"};
  private static final long T0 = sec(100);

  private static VipGroup group(Mode mode, NoQuorumAction action, Duration hold) {
    return Fixtures.group(mode, 6, IDS, new int[] {200, 100, 150},
        p -> p.quorum(Quorum.majority()).noQuorum(action).preempt(true)
            .preemptDelay(Duration.ZERO).holdDown(hold).flapLimit(FlapLimit.OFF));
  }

  /** n2 and n3 dead: one reachable node of three, below the majority of two. */
  private static ClusterView alone(ClusterView v, long t) {
    return live(live(v, "n2", Liveness.DEAD, t), "n3", Liveness.DEAD, t);
  }

  @Test
  void majorityOfThreeIsTwo() {
    assertThat(group(Mode.ACTIVE_PASSIVE, NoQuorumAction.RELEASE, Duration.ZERO).quorumSize())
        .isEqualTo(2);
  }

  @Test
  void withoutQuorumReleaseLetsEveryVipGo() {
    VipGroup g = group(Mode.ACTIVE_PASSIVE, NoQuorumAction.RELEASE, Duration.ZERO);
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p1 = planner.plan(v, planner.initial(), T0);
    assertThat(ownerSet(p1)).containsExactly("n1");
    Plan p2 = planner.plan(alone(v, T0 + 1), p1, T0 + 1);
    assertThat(p2.hasQuorum()).isFalse();
    assertThat(p2.assignment().unowned()).isEqualTo(6);
    assertThat(p2.moves()).hasSize(6).allSatisfy(m -> {
      assertThat(m.from()).isEqualTo("n1");
      assertThat(m.to()).isNull();
      assertThat(m.reason()).isEqualTo(MoveReason.QUORUM_LOST);
      assertThat(m.makeBeforeBreak()).isFalse();
    });
    // Still without quorum: nothing more happens.
    Plan p3 = planner.plan(alone(v, T0 + 1), p2, T0 + 2);
    assertThat(p3.moves()).isEmpty();
    assertThat(p3.hasQuorum()).isFalse();
  }

  @Test
  void withoutQuorumKeepLeavesTheAssignmentAlone() {
    VipGroup g = group(Mode.ACTIVE_PASSIVE, NoQuorumAction.KEEP, Duration.ZERO);
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p1 = planner.plan(v, planner.initial(), T0);
    Plan p2 = planner.plan(alone(v, T0 + 1), p1, T0 + 1);
    assertThat(p2.hasQuorum()).isFalse();
    assertThat(p2.moves()).isEmpty();
    assertThat(owners(p2)).isEqualTo(owners(p1));
    // KEEP keeps even what a dead node owned: without quorum the observer decides nothing.
    ClusterView n1Dead = live(live(v, "n1", Liveness.DEAD, T0 + 2), "n2", Liveness.DEAD,
        T0 + 2);
    Plan p3 = planner.plan(n1Dead, p1, T0 + 2);
    assertThat(p3.hasQuorum()).isFalse();
    assertThat(ownerSet(p3)).containsExactly("n1");
  }

  @Test
  void suspectNodesCountTowardsQuorum() {
    VipGroup g = group(Mode.ACTIVE_PASSIVE, NoQuorumAction.RELEASE, Duration.ZERO);
    ClusterView v = live(live(allAlive(g, 0).build(), "n2", Liveness.SUSPECT, 0), "n3",
        Liveness.DEAD, 0);
    Plan p = Planner.plan(g, v, Plan.initial(g), T0);
    assertThat(p.hasQuorum()).isTrue();
    assertThat(ownerSet(p)).containsExactly("n1");
  }

  @Test
  void anExplicitQuorumSizeCounts() {
    VipGroup g = Fixtures.group(Mode.ACTIVE_PASSIVE, 1, IDS, new int[] {200, 100, 150},
        p -> p.quorumSize(3));
    ClusterView v = live(allAlive(g, 0).build(), "n3", Liveness.DEAD, 0);
    Plan p = Planner.plan(g, v, Plan.initial(g), T0);
    assertThat(p.hasQuorum()).isFalse();
    assertThat(p.assignment().unowned()).isEqualTo(1);
    assertThat(p.moves()).isEmpty();
  }

  @Test
  void whenQuorumReturnsTheVipsAreElectedAgain() {
    VipGroup g = group(Mode.ACTIVE_PASSIVE, NoQuorumAction.RELEASE, Duration.ZERO);
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p1 = planner.plan(v, planner.initial(), T0);
    Plan p2 = planner.plan(alone(v, T0 + 1), p1, T0 + 1);
    ClusterView back = live(alone(v, T0 + 1), "n2", Liveness.ALIVE, T0 + 2);
    Plan p3 = planner.plan(back, p2, T0 + 2);
    assertThat(p3.hasQuorum()).isTrue();
    assertThat(ownerSet(p3)).containsExactly("n1");
    assertThat(p3.moves()).hasSize(6).allSatisfy(m -> {
      assertThat(m.from()).isNull();
      assertThat(m.reason()).isEqualTo(MoveReason.ELECTED);
      assertThat(m.makeBeforeBreak()).isFalse();
    });
  }

  @Test
  void activePassiveReleaseOnQuorumLossCountsAsALossForHoldDown() {
    // Hold-down in A/P follows any loss, so a short loss of quorum hands the group to another
    // node when quorum returns within the hold-down; the owner preempts back when it ends.
    VipGroup g = group(Mode.ACTIVE_PASSIVE, NoQuorumAction.RELEASE, Duration.ofSeconds(5));
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p1 = planner.plan(v, planner.initial(), T0);
    Plan p2 = planner.plan(alone(v, T0 + 1), p1, T0 + 1);
    assertThat(p2.lostOwnershipAt("n1")).isEqualTo(T0 + 1);
    Plan p3 = planner.plan(v, p2, T0 + sec(1));
    assertThat(ownerSet(p3)).containsExactly("n3");
    assertThat(p3.nextChangeAt()).isEqualTo(T0 + 1 + sec(5));
    Plan p4 = planner.plan(v, p3, T0 + 1 + sec(5));
    assertThat(ownerSet(p4)).containsExactly("n1");
    assertThat(Fixtures.reasons(p4)).containsOnly(MoveReason.PREEMPTED);
  }

  @Test
  void activeActiveReleasesAndElectsTheSameSpreadAgain() {
    VipGroup g = group(Mode.ACTIVE_ACTIVE, NoQuorumAction.RELEASE, Duration.ofSeconds(5));
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p1 = planner.plan(v, planner.initial(), T0);
    assertThat(ownerSet(p1)).isEqualTo(Set.of("n1", "n2", "n3"));
    Plan p2 = planner.plan(alone(v, T0 + 1), p1, T0 + 1);
    assertThat(p2.assignment().unowned()).isEqualTo(6);
    assertThat(Fixtures.reasons(p2)).containsOnly(MoveReason.QUORUM_LOST);
    // A/A hold-down follows only a node's own failures, not a loss of quorum.
    assertThat(p2.lostOwnershipAt("n1")).isEqualTo(Long.MIN_VALUE);
    Plan p3 = planner.plan(v, p2, T0 + 2);
    assertThat(owners(p3)).isEqualTo(owners(p1));
    assertThat(Fixtures.reasons(p3)).containsOnly(MoveReason.ELECTED);
  }
}
