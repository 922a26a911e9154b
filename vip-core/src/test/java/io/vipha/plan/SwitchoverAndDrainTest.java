package io.vipha.plan;

import static io.vipha.plan.Fixtures.allAlive;
import static io.vipha.plan.Fixtures.elig;
import static io.vipha.plan.Fixtures.live;
import static io.vipha.plan.Fixtures.ownerSet;
import static io.vipha.plan.Fixtures.owners;
import static io.vipha.plan.Fixtures.sec;
import static io.vipha.plan.Fixtures.vip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.FlapLimit;
import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Planned moves: switchover pins and draining; and inputs that do not belong to the group. */
class SwitchoverAndDrainTest {
  private static final String[] IDS = {"n1", "n2", "n3"};
  private static final long T0 = sec(100);

  private static VipGroup group(Mode mode) {
    return Fixtures.group(mode, 6, IDS, new int[] {200, 100, 150},
        p -> p.preempt(true).preemptDelay(Duration.ofSeconds(10)).holdDown(Duration.ZERO)
            .flapLimit(FlapLimit.OFF));
  }

  // --- Active/Passive ----------------------------------------------------------------------------

  @Test
  void activePassivePinMovesTheGroupToTheNamedNodeMakeBeforeBreak() {
    VipGroup g = group(Mode.ACTIVE_PASSIVE);
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p1 = planner.plan(v, planner.initial(), T0);
    ClusterView pinned = v.toBuilder().pin("n2").build();
    Plan p2 = planner.plan(pinned, p1, T0 + 1);
    assertThat(ownerSet(p2)).containsExactly("n2");
    assertThat(p2.moves()).hasSize(6).allSatisfy(m -> {
      assertThat(m.from()).isEqualTo("n1");
      assertThat(m.to()).isEqualTo("n2");
      assertThat(m.reason()).isEqualTo(MoveReason.SWITCHOVER);
      assertThat(m.makeBeforeBreak()).isTrue();
    });
    // n1 is better and ready, but the pin holds.
    Plan p3 = planner.plan(pinned, p2, T0 + sec(3600));
    assertThat(p3.moves()).isEmpty();
    assertThat(p3.nextChangeAt()).isEqualTo(Plan.NEVER);
    // Unpinned, the best node takes the group back by preemption.
    Plan p4 = planner.plan(v, p3, T0 + sec(3601));
    assertThat(ownerSet(p4)).containsExactly("n1");
    assertThat(Fixtures.reasons(p4)).containsOnly(MoveReason.PREEMPTED);
  }

  @Test
  void activePassivePinToANodeThatCannotReceiveIsIgnored() {
    VipGroup g = group(Mode.ACTIVE_PASSIVE);
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p1 = planner.plan(v, planner.initial(), T0);
    ClusterView pinnedToSuspect = live(v, "n2", Liveness.SUSPECT, T0).toBuilder().pin("n2")
        .build();
    Plan p2 = planner.plan(pinnedToSuspect, p1, T0 + 1);
    assertThat(p2.moves()).isEmpty();
    assertThat(ownerSet(p2)).containsExactly("n1");
  }

  @Test
  void activePassiveDrainMovesTheGroupMakeBeforeBreak() {
    VipGroup g = group(Mode.ACTIVE_PASSIVE);
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p1 = planner.plan(v, planner.initial(), T0);
    ClusterView draining = elig(v, "n1", Eligibility.DRAINING, T0 + 1);
    Plan p2 = planner.plan(draining, p1, T0 + 1);
    assertThat(ownerSet(p2)).containsExactly("n3");
    assertThat(p2.moves()).hasSize(6).allSatisfy(m -> {
      assertThat(m.reason()).isEqualTo(MoveReason.DRAINED);
      assertThat(m.makeBeforeBreak()).isTrue();
    });
    // Eligible again, n1 preempts once it has been ready for the delay.
    ClusterView done = elig(draining, "n1", Eligibility.ELIGIBLE, T0 + sec(60));
    Plan p3 = planner.plan(done, p2, T0 + sec(60));
    assertThat(p3.moves()).isEmpty();
    assertThat(p3.nextChangeAt()).isEqualTo(T0 + sec(70));
    assertThat(ownerSet(planner.plan(done, p3, T0 + sec(70)))).containsExactly("n1");
  }

  // --- Active/Active -----------------------------------------------------------------------------

  @Test
  void activeActivePinMovesOneVipToTheNamedNode() {
    VipGroup g = group(Mode.ACTIVE_ACTIVE);
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p1 = planner.plan(v, planner.initial(), T0);
    VirtualIp x = vip(g, 1);
    String from = p1.assignment().owner(x);
    String to = "n1".equals(from) ? "n2" : "n1";
    ClusterView pinned = v.toBuilder().pin(x, to).build();
    Plan p2 = planner.plan(pinned, p1, T0 + 1);
    assertThat(p2.moves()).contains(new Move(x, from, to, MoveReason.SWITCHOVER, true));
    // Preemption is on: the pin put the target above its share, so it hands another VIP (never
    // the pinned one) to the node below its share.
    assertThat(p2.moves()).filteredOn(m -> !m.vip().equals(x)).allSatisfy(m -> {
      assertThat(m.from()).isEqualTo(to);
      assertThat(m.reason()).isEqualTo(MoveReason.REBALANCED);
    });
    assertThat(p2.assignment().owner(x)).isEqualTo(to);
    assertThat(Fixtures.loads(g, p2).values()).containsOnly(2);
    assertThat(planner.plan(pinned, p2, T0 + sec(3600)).moves()).isEmpty();
    // Unpinned, it stays where it is (sticky).
    assertThat(planner.plan(v, p2, T0 + sec(3601)).moves()).isEmpty();
  }

  @Test
  void activeActivePinsRespectCapacityInAddressOrder() {
    VipGroup g = VipGroup.builder().name("g").mode(Mode.ACTIVE_ACTIVE)
        .node(n -> n.id("n1").heartbeat("198.51.100.1").capacity(1))
        .node(n -> n.id("n2").heartbeat("198.51.100.2"))
        .vip(v -> v.address("192.0.2.1/24").interfaceName("eth0"))
        .vip(v -> v.address("192.0.2.2/24").interfaceName("eth0"))
        .policy(p -> p.preempt(false))
        .build();
    Planner planner = Planner.of(g);
    VirtualIp one = vip(g, 1);
    VirtualIp two = vip(g, 2);
    ClusterView v = allAlive(g, 0).build();
    Plan p1 = planner.plan(live(v, "n1", Liveness.DEAD, 0), planner.initial(), T0);
    assertThat(p1.assignment().count("n2")).isEqualTo(2);
    Plan p2 = planner.plan(v.toBuilder().pin(two, "n1").build(), p1, T0 + 1);
    assertThat(p2.moves()).containsExactly(new Move(two, "n2", "n1", MoveReason.SWITCHOVER, true));
    // Both pinned to n1, which has room for one: the first in address order wins, and n1's
    // other VIP moves away for lack of capacity.
    Plan p3 = planner.plan(v.toBuilder().pin(one, "n1").pin(two, "n1").build(), p2, T0 + 2);
    assertThat(p3.moves()).containsExactlyInAnyOrder(
        new Move(one, "n2", "n1", MoveReason.SWITCHOVER, true),
        new Move(two, "n1", "n2", MoveReason.NO_CAPACITY, true));
    assertThat(p3.assignment().count("n1")).isEqualTo(1);
  }

  @Test
  void activeActiveDrainMovesOnlyTheDrainedNodesVips() {
    VipGroup g = group(Mode.ACTIVE_ACTIVE);
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p1 = planner.plan(v, planner.initial(), T0);
    Plan p2 = planner.plan(elig(v, "n2", Eligibility.DRAINING, T0 + 1), p1, T0 + 1);
    assertThat(p2.moves()).hasSize(p1.assignment().count("n2")).allSatisfy(m -> {
      assertThat(m.from()).isEqualTo("n2");
      assertThat(m.reason()).isEqualTo(MoveReason.DRAINED);
      assertThat(m.makeBeforeBreak()).isTrue();
    });
    assertThat(p2.assignment().count("n2")).isZero();
    assertThat(p2.assignment().unowned()).isZero();
  }

  @Test
  void activeActiveDisqualifiedNodesVipsMoveAsIneligible() {
    VipGroup g = group(Mode.ACTIVE_ACTIVE);
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p1 = planner.plan(v, planner.initial(), T0);
    Plan p2 = planner.plan(elig(v, "n3", Eligibility.DISQUALIFIED, T0 + 1), p1, T0 + 1);
    assertThat(p2.moves()).hasSize(p1.assignment().count("n3")).allSatisfy(m -> {
      assertThat(m.from()).isEqualTo("n3");
      assertThat(m.reason()).isEqualTo(MoveReason.OWNER_INELIGIBLE);
      assertThat(m.makeBeforeBreak()).isTrue();
    });
    assertThat(p2.lostOwnershipAt("n3")).isEqualTo(T0 + 1);
  }

  // --- Inputs from another group -----------------------------------------------------------------

  @Test
  void aViewWithOtherNodesIsRejected() {
    VipGroup g = group(Mode.ACTIVE_PASSIVE);
    Planner planner = Planner.of(g);
    ClusterView missing = ClusterView.builder().node("n1", NodeStatus.alive(0, 200, 1))
        .node("n2", NodeStatus.alive(0, 100, 1)).build();
    assertThatThrownBy(() -> planner.plan(missing, planner.initial(), T0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n3");
    ClusterView extra = allAlive(g, 0).node("n4", NodeStatus.alive(0, 100, 1)).build();
    assertThatThrownBy(() -> planner.plan(extra, planner.initial(), T0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n4");
  }

  @Test
  void aPinOfAnAddressOutsideTheGroupNamesItInTheOneTextForm() {
    VipGroup g = group(Mode.ACTIVE_ACTIVE);
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).pin(VirtualIp.of("2001:db8:0:0:0:0:0:99/64", "eth0"), "n2")
        .build();
    assertThatThrownBy(() -> planner.plan(v, planner.initial(), T0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("switchover of 2001:db8::99 to n2: not a VIP of group");
  }

  @Test
  void aPlanOfAnotherGroupIsRejected() {
    VipGroup g = group(Mode.ACTIVE_PASSIVE);
    VipGroup other = Fixtures.group(Mode.ACTIVE_PASSIVE, 6, new String[] {"n1", "n2", "x3"},
        new int[] {200, 100, 150}, p -> {});
    VipGroup otherVips = Fixtures.group(Mode.ACTIVE_PASSIVE, 5, IDS, new int[] {200, 100, 150},
        p -> {});
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    assertThatThrownBy(() -> planner.plan(v, Plan.initial(other), T0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> planner.plan(v, Plan.initial(otherVips), T0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void pinsToUnknownNodesOrVipsAreRejected() {
    VipGroup g = group(Mode.ACTIVE_ACTIVE);
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    assertThatThrownBy(() -> planner.plan(v.toBuilder().pin(vip(g, 1), "n9").build(),
        planner.initial(), T0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("n9");
    VirtualIp foreign = VirtualIp.of("192.0.2.99/24", "eth0");
    assertThatThrownBy(() -> planner.plan(v.toBuilder().pin(foreign, "n1").build(),
        planner.initial(), T0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("192.0.2.99");
    Planner ap = Planner.of(group(Mode.ACTIVE_PASSIVE));
    assertThatThrownBy(() -> ap.plan(v.toBuilder().pin("n9").build(), ap.initial(), T0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n9");
  }

  @Test
  void theSameMembersInAnotherOrderAreNotAnotherGroup() {
    VipGroup g = group(Mode.ACTIVE_ACTIVE);
    VipGroup.Builder b = VipGroup.builder().name("g").mode(g.mode()).policy(g.policy());
    for (int i = g.nodes().size() - 1; i >= 0; i--) {
      b.node(g.nodes().get(i));
    }
    for (int i = g.vips().size() - 1; i >= 0; i--) {
      b.vip(g.vips().get(i));
    }
    VipGroup reversed = b.build();
    ClusterView v = allAlive(g, 0).build();
    Plan p = Planner.plan(reversed, v, Plan.initial(g), T0);
    assertThat(owners(p)).hasSize(6)
        .isEqualTo(owners(Planner.plan(g, v, Plan.initial(g), T0)));
  }

  @Test
  void aViewCheckedForOneGroupIsCheckedAgainForAnother() {
    VipGroup g = group(Mode.ACTIVE_PASSIVE);
    ClusterView v = allAlive(g, 0).build();
    Planner planner = Planner.of(g);
    planner.plan(v, planner.initial(), T0);
    VipGroup other = Fixtures.group(Mode.ACTIVE_PASSIVE, 1, new String[] {"n1", "n2"},
        new int[] {200, 100}, p -> { });
    Planner otherPlanner = Planner.of(other);
    assertThatThrownBy(() -> otherPlanner.plan(v, otherPlanner.initial(), T0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n3");
    // A group with the same members in another order takes the view as it is.
    VipGroup same = Fixtures.group(Mode.ACTIVE_PASSIVE, 3, new String[] {"n3", "n2", "n1"},
        new int[] {150, 100, 200}, p -> { });
    assertThat(Planner.plan(same, v, Plan.initial(same), T0).assignment().count("n1"))
        .isEqualTo(3);
  }

  @Test
  void activePassivePinsToTheFirstNodeAndToASuspectOwnerHold() {
    VipGroup g = group(Mode.ACTIVE_PASSIVE);
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p = planner.plan(v.toBuilder().pin("n2").build(), planner.initial(), T0);
    assertThat(ownerSet(p)).containsExactly("n2");
    // The pinned owner turns suspect: it keeps the group, and the pin keeps n1 from preempting.
    ClusterView suspect = live(v, "n2", Liveness.SUSPECT, T0 + sec(1)).toBuilder().pin("n2")
        .build();
    Plan kept = planner.plan(suspect, p, T0 + sec(60));
    assertThat(kept.moves()).isEmpty();
    assertThat(ownerSet(kept)).containsExactly("n2");
    // A pin to n1, the first node in id order, moves the group as a switchover.
    Plan toN1 = planner.plan(v.toBuilder().pin("n1").build(), p, T0 + sec(61));
    assertThat(ownerSet(toN1)).containsExactly("n1");
    assertThat(Fixtures.reasons(toN1)).containsOnly(MoveReason.SWITCHOVER);
  }
}
