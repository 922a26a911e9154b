package io.vipha.plan;

import static io.vipha.plan.Fixtures.allAlive;
import static io.vipha.plan.Fixtures.live;
import static io.vipha.plan.Fixtures.loads;
import static io.vipha.plan.Fixtures.owners;
import static io.vipha.plan.Fixtures.sec;
import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.FlapLimit;
import io.vipha.Mode;
import io.vipha.Node;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Active/Active: weighted rendezvous hashing with stickiness and bounded load. */
class ActiveActivePlannerTest {
  private static final long T0 = sec(100);

  /** {@code nodes} nodes n00.. and {@code vips} IPv6 VIPs. */
  private static VipGroup big(int nodes, int vips, boolean preempt) {
    return big(nodes, vips, preempt, Duration.ofSeconds(10), Duration.ofSeconds(5));
  }

  private static VipGroup big(int nodes, int vips, boolean preempt, Duration delay,
      Duration hold) {
    VipGroup.Builder b = VipGroup.builder().name("big").mode(Mode.ACTIVE_ACTIVE);
    for (int i = 0; i < nodes; i++) {
      int k = i;
      b.node(n -> n.id(String.format("n%02d", k)).heartbeat("198.51.100." + (k + 1)));
    }
    for (int i = 0; i < vips; i++) {
      int k = i;
      b.vip(v -> v.address("2001:db8::" + Integer.toHexString(k + 1) + "/64")
          .interfaceName("eth0"));
    }
    b.policy(p -> p.preempt(preempt).preemptDelay(delay).holdDown(hold)
        .flapLimit(FlapLimit.OFF));
    return b.build();
  }

  private static VipGroup small(int vips, boolean preempt) {
    return Fixtures.group(Mode.ACTIVE_ACTIVE, vips, new String[] {"n1", "n2", "n3"},
        new int[] {100, 100, 100}, p -> p.preempt(preempt).preemptDelay(Duration.ofSeconds(10))
            .holdDown(Duration.ZERO).flapLimit(FlapLimit.OFF));
  }

  private static double maxOverAvg(Map<String, Integer> loads, int vips, int alive) {
    return Collections.max(loads.values()) / ((double) vips / alive);
  }

  @Test
  void vipsBeyondTheSharesGoToTheLeastLoadedReceivers() {
    // Two suspect nodes count in the shares (ceil(12 / 4) = 3 each) but take nothing new: the
    // other six VIPs must still be spread evenly over the two receivers, not by score alone.
    VipGroup g = Fixtures.group(Mode.ACTIVE_ACTIVE, 12, new String[] {"n1", "n2", "n3", "n4"},
        new int[] {100, 100, 100, 100}, p -> p.preempt(false).flapLimit(FlapLimit.OFF));
    ClusterView v = live(live(allAlive(g, 0).build(), "n3", Liveness.SUSPECT, 0), "n4",
        Liveness.SUSPECT, 0);
    Plan p = Planner.plan(g, v, Plan.initial(g), T0);
    assertThat(p.assignment().unowned()).isZero();
    assertThat(loads(g, p)).containsEntry("n1", 6).containsEntry("n2", 6);
  }

  @Test
  void everyVipGetsOneOwnerAndTheLoadIsEven() {
    VipGroup g = small(30, false);
    Plan p = Planner.plan(g, allAlive(g, 0).build(), Plan.initial(g), T0);
    assertThat(p.assignment().unowned()).isZero();
    assertThat(loads(g, p)).containsOnly(Map.entry("n1", 10), Map.entry("n2", 10),
        Map.entry("n3", 10));
    assertThat(p.moves()).hasSize(30).allSatisfy(m -> {
      assertThat(m.from()).isNull();
      assertThat(m.reason()).isEqualTo(MoveReason.ELECTED);
      assertThat(m.makeBeforeBreak()).isFalse();
    });
  }

  @Test
  void aWeightTwoNodeGetsTwiceTheVips() {
    VipGroup g = VipGroup.builder().name("w").mode(Mode.ACTIVE_ACTIVE)
        .node(n -> n.id("big").heartbeat("198.51.100.1").weight(2))
        .node(n -> n.id("s1").heartbeat("198.51.100.2"))
        .node(n -> n.id("s2").heartbeat("198.51.100.3"))
        .vip(v -> v.address("192.0.2.1/24").interfaceName("eth0"))
        .build();
    VipGroup.Builder b = g.toBuilder();
    for (int i = 2; i <= 200; i++) {
      int k = i;
      b.vip(v -> v.address("2001:db8::" + Integer.toHexString(k) + "/64").interfaceName("eth0"));
    }
    VipGroup g200 = b.build();
    Plan p = Planner.plan(g200, allAlive(g200, 0).build(), Plan.initial(g200), T0);
    // Shares ceil(200 × 2/4) = 100 and ceil(200 × 1/4) = 50 add up to 200, so all are exact.
    assertThat(loads(g200, p)).containsOnly(Map.entry("big", 100), Map.entry("s1", 50),
        Map.entry("s2", 50));
  }

  @Test
  void theWeightInTheViewIsTheOneThatCounts() {
    VipGroup g = small(40, false);
    ClusterView v = allAlive(g, 0).node("n1", NodeStatus.alive(0, 100, 2)).build();
    Plan p = Planner.plan(g, v, Plan.initial(g), T0);
    assertThat(loads(g, p)).containsOnly(Map.entry("n1", 20), Map.entry("n2", 10),
        Map.entry("n3", 10));
  }

  @Test
  void aNodeNeverHoldsMoreThanItsCapacity() {
    VipGroup g = VipGroup.builder().name("cap").mode(Mode.ACTIVE_ACTIVE)
        .node(n -> n.id("n1").heartbeat("198.51.100.1").capacity(2))
        .node(n -> n.id("n2").heartbeat("198.51.100.2").capacity(4))
        .node(n -> n.id("n3").heartbeat("198.51.100.3").capacity(4))
        .vip(v -> v.address("192.0.2.1/24").interfaceName("eth0"))
        .vip(v -> v.address("192.0.2.2/24").interfaceName("eth0"))
        .vip(v -> v.address("192.0.2.3/24").interfaceName("eth0"))
        .vip(v -> v.address("192.0.2.4/24").interfaceName("eth0"))
        .vip(v -> v.address("192.0.2.5/24").interfaceName("eth0"))
        .vip(v -> v.address("192.0.2.6/24").interfaceName("eth0"))
        .vip(v -> v.address("192.0.2.7/24").interfaceName("eth0"))
        .vip(v -> v.address("192.0.2.8/24").interfaceName("eth0"))
        .vip(v -> v.address("192.0.2.9/24").interfaceName("eth0"))
        .build();
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p1 = planner.plan(v, planner.initial(), T0);
    // Shares are ceil(9/3) = 3, capped at 2 for n1 (8 in all); the ninth goes below capacity.
    Map<String, Integer> l1 = loads(g, p1);
    assertThat(l1.get("n1")).isEqualTo(2);
    assertThat(l1.getOrDefault("n2", 0) + l1.getOrDefault("n3", 0)).isEqualTo(7);
    assertThat(l1.values()).allSatisfy(l -> assertThat(l).isBetween(2, 4));
    assertThat(p1.assignment().unowned()).isZero();
    // n3 dies: n1 and n2 can hold 2 + 4 of the 9 VIPs, so 3 have no owner.
    Plan p2 = planner.plan(live(v, "n3", Liveness.DEAD, T0 + 1), p1, T0 + 1);
    assertThat(loads(g, p2)).containsOnly(Map.entry("n1", 2), Map.entry("n2", 4),
        Map.entry("n3", 0));
    assertThat(p2.assignment().unowned()).isEqualTo(3);
    assertThat(p2.moves()).hasSize(l1.getOrDefault("n3", 0)).allSatisfy(m -> {
      assertThat(m.from()).isEqualTo("n3");
      assertThat(m.reason()).isEqualTo(MoveReason.OWNER_DEAD);
    });
    // n3 comes back: the VIPs without owner go to it at once.
    Plan p3 = planner.plan(live(v, "n3", Liveness.ALIVE, T0 + 2), p2, T0 + 2);
    assertThat(p3.assignment().unowned()).isZero();
    assertThat(p3.moves()).hasSize(3).allSatisfy(m -> {
      assertThat(m.to()).isEqualTo("n3");
      assertThat(m.reason()).isEqualTo(MoveReason.ELECTED);
    });
  }

  @Test
  void oneFailureMovesExactlyTheFailedNodesVipsAndKeepsTheLoadWithinFivePercent() {
    VipGroup g = big(64, 4096, false);
    Planner planner = Planner.of(g);
    ClusterView all = allAlive(g, 0).build();
    Plan p1 = planner.plan(all, planner.initial(), T0);
    assertThat(maxOverAvg(loads(g, p1), 4096, 64)).isLessThanOrEqualTo(1.05);
    assertThat(Collections.max(loads(g, p1).values())).isEqualTo(64);

    Plan p2 = planner.plan(live(all, "n07", Liveness.DEAD, T0 + 1), p1, T0 + 1);
    Set<VirtualIp> lost = new HashSet<>(p1.assignment().vipsOf("n07"));
    assertThat(p2.moves()).hasSize(lost.size()).allSatisfy(m -> {
      assertThat(lost).contains(m.vip());
      assertThat(m.from()).isEqualTo("n07");
      assertThat(m.to()).isNotNull().isNotEqualTo("n07");
      assertThat(m.reason()).isEqualTo(MoveReason.OWNER_DEAD);
      assertThat(m.makeBeforeBreak()).isFalse();
    });
    Map<String, Integer> after = loads(g, p2);
    assertThat(Collections.max(after.values())).as("ceil(4096 / 63)").isLessThanOrEqualTo(66);
    assertThat(maxOverAvg(after, 4096, 63)).isLessThanOrEqualTo(1.05);
    assertThat(p2.assignment().unowned()).isZero();
  }

  @Test
  void withPreemptionAReturningNodeGetsItsShareBackAfterTheDelayAndOnlyThat() {
    VipGroup g = big(64, 4096, true, Duration.ofSeconds(10), Duration.ZERO);
    Planner planner = Planner.of(g);
    ClusterView all = allAlive(g, 0).build();
    Plan p1 = planner.plan(all, planner.initial(), T0);
    ClusterView down = live(all, "n07", Liveness.DEAD, T0 + 1);
    Plan p2 = planner.plan(down, p1, T0 + 1);
    Map<String, Integer> before = loads(g, p2);

    long back = T0 + sec(2);
    ClusterView up = live(down, "n07", Liveness.ALIVE, back);
    Plan p3 = planner.plan(up, p2, back);
    assertThat(p3.moves()).as("ready only after the delay").isEmpty();
    assertThat(p3.nextChangeAt()).isEqualTo(back + sec(10));
    assertThat(planner.plan(up, p3, back + sec(10) - 1).moves()).isEmpty();

    Plan p4 = planner.plan(up, p3, back + sec(10));
    int excess = 0;
    for (int load : before.values()) {
      excess += Math.max(0, load - 64);
    }
    assertThat(p4.moves()).hasSize(excess).allSatisfy(m -> {
      assertThat(m.to()).isEqualTo("n07");
      assertThat(before.get(m.from())).as("only nodes above their share give").isGreaterThan(64);
      assertThat(m.reason()).isEqualTo(MoveReason.REBALANCED);
      assertThat(m.makeBeforeBreak()).isTrue();
    });
    assertThat(loads(g, p4).values()).containsOnly(64);
    assertThat(planner.plan(up, p4, back + sec(11)).moves()).isEmpty();
  }

  @Test
  void aReturningNodeStaysOutOfHoldDownUntilItEnds() {
    VipGroup g = big(8, 64, true, Duration.ofSeconds(1), Duration.ofSeconds(5));
    Planner planner = Planner.of(g);
    ClusterView all = allAlive(g, 0).build();
    Plan p1 = planner.plan(all, planner.initial(), T0);
    ClusterView down = live(all, "n03", Liveness.DEAD, T0);
    Plan p2 = planner.plan(down, p1, T0);
    assertThat(p2.lostOwnershipAt("n03")).isEqualTo(T0);
    // Back at T0 + 1s and ready at T0 + 2s, but in hold-down until T0 + 5s.
    ClusterView up = live(down, "n03", Liveness.ALIVE, T0 + sec(1));
    Plan p3 = planner.plan(up, p2, T0 + sec(1));
    assertThat(p3.moves()).isEmpty();
    assertThat(p3.nextChangeAt()).isEqualTo(T0 + sec(5));
    assertThat(planner.plan(up, p3, T0 + sec(5) - 1).moves()).isEmpty();
    Plan p4 = planner.plan(up, p3, T0 + sec(5));
    assertThat(p4.moves()).isNotEmpty()
        .allSatisfy(m -> assertThat(m.reason()).isEqualTo(MoveReason.REBALANCED));
    assertThat(loads(g, p4).values()).containsOnly(8);
  }

  @Test
  void withoutPreemptionAReturningNodeWaitsForOrphans() {
    VipGroup g = small(30, false);
    Planner planner = Planner.of(g);
    ClusterView all = allAlive(g, 0).build();
    Plan p1 = planner.plan(all, planner.initial(), T0);
    Plan p2 = planner.plan(live(all, "n1", Liveness.DEAD, T0), p1, T0);
    assertThat(loads(g, p2)).containsEntry("n1", 0);
    Plan p3 = planner.plan(all, p2, T0 + sec(1));
    assertThat(p3.moves()).isEmpty();
    assertThat(planner.plan(all, p3, T0 + sec(3600)).moves()).isEmpty();
    // n2 dies: its VIPs are orphans and n1, below its share, takes them first.
    Plan p4 = planner.plan(live(all, "n2", Liveness.DEAD, T0 + sec(3600)), p3,
        T0 + sec(3600));
    assertThat(p4.moves()).allSatisfy(m -> assertThat(m.from()).isEqualTo("n2"));
    assertThat(p4.assignment().count("n1")).isPositive();
  }

  @Test
  void vipsStayWithTheirOwnerWhenANodeJoins() {
    VipGroup g = small(30, false);
    Planner planner = Planner.of(g);
    ClusterView twoUp = live(allAlive(g, 0).build(), "n3", Liveness.DEAD, 0);
    Plan p1 = planner.plan(twoUp, planner.initial(), T0);
    assertThat(loads(g, p1)).containsOnly(Map.entry("n1", 15), Map.entry("n2", 15),
        Map.entry("n3", 0));
    Plan p2 = planner.plan(live(twoUp, "n3", Liveness.ALIVE, T0), p1, T0);
    assertThat(p2.moves()).isEmpty();
    assertThat(owners(p2)).isEqualTo(owners(p1));
  }

  @Test
  void aSuspectNodeKeepsItsVipsButTakesNoNewOnes() {
    VipGroup g = small(30, false);
    Planner planner = Planner.of(g);
    ClusterView all = allAlive(g, 0).build();
    Plan p1 = planner.plan(all, planner.initial(), T0);
    ClusterView suspect = live(all, "n2", Liveness.SUSPECT, T0 + 1);
    Plan p2 = planner.plan(suspect, p1, T0 + 1);
    assertThat(p2.moves()).isEmpty();
    Plan p3 = planner.plan(live(suspect, "n1", Liveness.DEAD, T0 + 2), p2, T0 + 2);
    assertThat(p3.moves()).hasSize(10).allSatisfy(m -> assertThat(m.to()).isEqualTo("n3"));
    assertThat(p3.assignment().count("n2")).isEqualTo(10);
  }

  @Test
  void theSameViewAgainReturnsTheSamePlan() {
    VipGroup g = big(16, 256, true);
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p1 = planner.plan(v, planner.initial(), T0);
    Plan p2 = planner.plan(v, p1, T0 + 1);
    assertThat(p2.moves()).isEmpty();
    assertThat(planner.plan(v, p2, T0 + 2)).isSameAs(p2);
  }

  @Test
  void theAnswerDoesNotDependOnTheOrderOfNodesAndVips() {
    VipGroup g = big(16, 256, true);
    VipGroup.Builder b = VipGroup.builder().name("big").mode(g.mode()).policy(g.policy());
    for (int i = g.nodes().size() - 1; i >= 0; i--) {
      Node n = g.nodes().get(i);
      b.node(n);
    }
    for (int i = g.vips().size() - 1; i >= 0; i--) {
      b.vip(g.vips().get(i));
    }
    VipGroup reversed = b.build();
    ClusterView v = live(allAlive(g, 0).build(), "n05", Liveness.DEAD, 0);
    assertThat(owners(Planner.plan(reversed, v, Plan.initial(reversed), T0)))
        .isEqualTo(owners(Planner.plan(g, v, Plan.initial(g), T0)));
  }
}
