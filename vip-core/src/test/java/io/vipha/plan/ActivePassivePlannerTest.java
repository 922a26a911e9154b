package io.vipha.plan;

import static io.vipha.plan.Fixtures.allAlive;
import static io.vipha.plan.Fixtures.elig;
import static io.vipha.plan.Fixtures.live;
import static io.vipha.plan.Fixtures.moveSet;
import static io.vipha.plan.Fixtures.ownerSet;
import static io.vipha.plan.Fixtures.owners;
import static io.vipha.plan.Fixtures.reasons;
import static io.vipha.plan.Fixtures.sec;
import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.FlapLimit;
import io.vipha.Mode;
import io.vipha.Node;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Active/Passive: one owner for every VIP, chosen by effective priority. */
class ActivePassivePlannerTest {
  private static final String[] IDS = {"n1", "n2", "n3"};
  private static final long T0 = sec(100);

  /** n1 200, n2 100, n3 150; preempt off, no hold-down, no flap limit. */
  private static VipGroup group(boolean preempt, Duration delay) {
    return Fixtures.group(Mode.ACTIVE_PASSIVE, 3, IDS, new int[] {200, 100, 150},
        p -> p.preempt(preempt).preemptDelay(delay).holdDown(Duration.ZERO)
            .flapLimit(FlapLimit.OFF));
  }

  private static String owner(Plan p) {
    Set<String> o = ownerSet(p);
    assertThat(o).as("one owner for all VIPs").hasSize(1);
    return o.iterator().next();
  }

  @Test
  void electsTheHighestPriorityAndEveryVipMovesWithIt() {
    VipGroup g = group(false, Duration.ZERO);
    Planner planner = Planner.of(g);
    Plan p = planner.plan(allAlive(g, 0).build(), planner.initial(), T0);
    assertThat(owner(p)).isEqualTo("n1");
    assertThat(p.moves()).hasSize(3).allSatisfy(m -> {
      assertThat(m.from()).isNull();
      assertThat(m.to()).isEqualTo("n1");
      assertThat(m.reason()).isEqualTo(MoveReason.ELECTED);
      assertThat(m.makeBeforeBreak()).isFalse();
    });
    assertThat(p.hasQuorum()).isTrue();
    assertThat(p.nextChangeAt()).isEqualTo(Plan.NEVER);
  }

  @Test
  void aSettledPlanComesBackAsItIsUntilItsNextChangeAndThenTheAnswerMoves() {
    VipGroup g = group(true, Duration.ofSeconds(10));
    Planner planner = Planner.of(g);
    ClusterView n1Dead = live(allAlive(g, 0).build(), "n1", Liveness.DEAD, 0);
    Plan p1 = planner.plan(n1Dead, planner.initial(), T0);
    assertThat(owner(p1)).isEqualTo("n3");
    long back = T0 + sec(1);
    ClusterView view = live(n1Dead, "n1", Liveness.ALIVE, back);
    Plan settled = planner.plan(view, p1, back);
    assertThat(settled.moves()).isEmpty();
    assertThat(settled.nextChangeAt()).isEqualTo(back + sec(10));
    // Same view, same plan: the planner answers with the same object until the next change...
    assertThat(planner.plan(view, settled, back + sec(5))).isSameAs(settled);
    assertThat(planner.plan(view, settled, back + sec(10) - 1)).isSameAs(settled);
    // ...and a fresh planner, which cannot take that shortcut, agrees.
    assertThat(Planner.of(g).plan(view, settled, back + sec(10) - 1).moves()).isEmpty();
    // At the next change n1 preempts.
    Plan preempted = planner.plan(view, settled, back + sec(10));
    assertThat(owner(preempted)).isEqualTo("n1");
    assertThat(reasons(preempted)).containsOnly(MoveReason.PREEMPTED);
  }

  @Test
  void aTieGoesToTheLowestId() {
    VipGroup g = Fixtures.group(Mode.ACTIVE_PASSIVE, 1, new String[] {"b", "a10", "a9"},
        new int[] {150, 150, 150}, p -> {});
    Plan p = Planner.plan(g, allAlive(g, 0).build(), Plan.initial(g), T0);
    assertThat(owner(p)).as("\"a10\" < \"a9\" < \"b\"").isEqualTo("a10");
  }

  @Test
  void effectivePriorityFromTheViewDecidesNotTheConfiguredOne() {
    VipGroup g = group(false, Duration.ZERO);
    ClusterView v = allAlive(g, 0).node("n2", NodeStatus.alive(0, 250, 1)).build();
    assertThat(owner(Planner.plan(g, v, Plan.initial(g), T0))).isEqualTo("n2");
  }

  @Test
  void withoutPreemptionAHealthyOwnerKeepsTheGroup() {
    VipGroup g = group(false, Duration.ZERO);
    Planner planner = Planner.of(g);
    ClusterView n1Dead = live(allAlive(g, 0).build(), "n1", Liveness.DEAD, 0);
    Plan p1 = planner.plan(n1Dead, planner.initial(), T0);
    assertThat(owner(p1)).isEqualTo("n3");
    ClusterView back = live(n1Dead, "n1", Liveness.ALIVE, T0);
    Plan p2 = planner.plan(back, p1, T0 + sec(3600));
    assertThat(p2.moves()).isEmpty();
    assertThat(owner(p2)).isEqualTo("n3");
    assertThat(p2.nextChangeAt()).isEqualTo(Plan.NEVER);
  }

  @Test
  void preemptionHappensExactlyWhenTheBetterNodeHasBeenReadyForTheDelay() {
    VipGroup g = group(true, Duration.ofSeconds(10));
    Planner planner = Planner.of(g);
    ClusterView n1Dead = live(allAlive(g, 0).build(), "n1", Liveness.DEAD, 0);
    Plan p1 = planner.plan(n1Dead, planner.initial(), T0);
    assertThat(owner(p1)).isEqualTo("n3");

    long back = T0 + sec(1);
    long at = back + sec(10);
    ClusterView v = live(n1Dead, "n1", Liveness.ALIVE, back);
    Plan p2 = planner.plan(v, p1, back);
    assertThat(p2.moves()).isEmpty();
    assertThat(p2.nextChangeAt()).isEqualTo(at);

    Plan before = planner.plan(v, p2, at - 1);
    assertThat(before.moves()).as("one nanosecond before").isEmpty();
    assertThat(before.nextChangeAt()).isEqualTo(at);
    assertThat(owner(before)).isEqualTo("n3");

    Plan p3 = planner.plan(v, before, at);
    assertThat(owner(p3)).isEqualTo("n1");
    assertThat(p3.moves()).hasSize(3).allSatisfy(m -> {
      assertThat(m.from()).isEqualTo("n3");
      assertThat(m.to()).isEqualTo("n1");
      assertThat(m.reason()).isEqualTo(MoveReason.PREEMPTED);
      assertThat(m.makeBeforeBreak()).as("n3 is alive: add on n1 first").isTrue();
    });
    assertThat(p3.lostOwnershipAt("n3")).isEqualTo(at);
    assertThat(p3.nextChangeAt()).isEqualTo(Plan.NEVER);
  }

  @Test
  void readinessCountsFromTheLaterOfLivenessAndEligibility() {
    VipGroup g = group(true, Duration.ofSeconds(10));
    Planner planner = Planner.of(g);
    // n1 has been alive for long but became eligible again only at T0 + 5s.
    ClusterView v1 = elig(allAlive(g, 0).build(), "n1", Eligibility.DISQUALIFIED, 0);
    Plan p1 = planner.plan(v1, planner.initial(), T0);
    assertThat(owner(p1)).isEqualTo("n3");
    ClusterView v2 = elig(v1, "n1", Eligibility.ELIGIBLE, T0 + sec(5));
    Plan p2 = planner.plan(v2, p1, T0 + sec(5));
    assertThat(p2.nextChangeAt()).isEqualTo(T0 + sec(15));
    assertThat(planner.plan(v2, p2, T0 + sec(15) - 1).moves()).isEmpty();
    assertThat(Fixtures.reasons(planner.plan(v2, p2, T0 + sec(15))))
        .containsOnly(MoveReason.PREEMPTED);
  }

  @Test
  void aReadyBetterNodePreemptsWhileAnEvenBetterOneIsStillInItsDelay() {
    VipGroup g = group(true, Duration.ofSeconds(10));
    Planner planner = Planner.of(g);
    ClusterView v1 = live(live(allAlive(g, 0).build(), "n1", Liveness.DEAD, 0), "n3",
        Liveness.DEAD, 0);
    Plan p1 = planner.plan(v1, planner.initial(), T0);
    assertThat(owner(p1)).isEqualTo("n2");
    // n3 (150) comes back first, n1 (200) five seconds later.
    ClusterView v2 = live(v1, "n3", Liveness.ALIVE, T0);
    Plan p2 = planner.plan(v2, p1, T0);
    ClusterView v3 = live(v2, "n1", Liveness.ALIVE, T0 + sec(5));
    Plan p3 = planner.plan(v3, p2, T0 + sec(5));
    assertThat(p3.moves()).isEmpty();
    assertThat(p3.nextChangeAt()).isEqualTo(T0 + sec(10));
    Plan p4 = planner.plan(v3, p3, T0 + sec(10));
    assertThat(owner(p4)).as("n3 has been ready for the delay").isEqualTo("n3");
    assertThat(Fixtures.reasons(p4)).containsOnly(MoveReason.PREEMPTED);
    assertThat(p4.nextChangeAt()).as("n1 is ready then").isEqualTo(T0 + sec(15));
    Plan p5 = planner.plan(v3, p4, T0 + sec(15));
    assertThat(owner(p5)).isEqualTo("n1");
    assertThat(p5.moves()).allSatisfy(m -> assertThat(m.from()).isEqualTo("n3"));
  }

  @Test
  void aSuspectOwnerKeepsTheGroupAndASuspectNodeTakesNothing() {
    VipGroup g = group(true, Duration.ZERO);
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p1 = planner.plan(v, planner.initial(), T0);
    ClusterView suspect = live(v, "n1", Liveness.SUSPECT, T0 + 1);
    Plan p2 = planner.plan(suspect, p1, T0 + 1);
    assertThat(p2.moves()).isEmpty();
    assertThat(owner(p2)).isEqualTo("n1");
    // A suspect node is not elected even with the best priority.
    ClusterView dead = live(suspect, "n1", Liveness.DEAD, T0 + 2);
    ClusterView n2Best = dead.toBuilder().node("n2", NodeStatus.alive(0, 250, 1)
        .withLiveness(Liveness.SUSPECT, T0 + 2)).build();
    Plan p3 = planner.plan(n2Best, p2, T0 + 2);
    assertThat(owner(p3)).isEqualTo("n3");
  }

  @Test
  void aDeadOwnerIsReplacedWithoutMakeBeforeBreak() {
    VipGroup g = group(false, Duration.ZERO);
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p1 = planner.plan(v, planner.initial(), T0);
    Plan p2 = planner.plan(live(v, "n1", Liveness.DEAD, T0 + 1), p1, T0 + 1);
    assertThat(owner(p2)).isEqualTo("n3");
    assertThat(p2.moves()).hasSize(3).allSatisfy(m -> {
      assertThat(m.reason()).isEqualTo(MoveReason.OWNER_DEAD);
      assertThat(m.makeBeforeBreak()).as("nobody left to break").isFalse();
    });
    assertThat(p2.lostOwnershipAt("n1")).isEqualTo(T0 + 1);
  }

  @Test
  void aDisqualifiedOwnerLosesTheGroupAsIneligible() {
    VipGroup g = group(false, Duration.ZERO);
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p1 = planner.plan(v, planner.initial(), T0);
    Plan p2 = planner.plan(elig(v, "n1", Eligibility.DISQUALIFIED, T0 + 1), p1, T0 + 1);
    assertThat(owner(p2)).isEqualTo("n3");
    assertThat(p2.moves()).allSatisfy(m -> {
      assertThat(m.reason()).isEqualTo(MoveReason.OWNER_INELIGIBLE);
      assertThat(m.makeBeforeBreak()).as("n1 is still reachable").isTrue();
    });
  }

  @Test
  void anOperatorSuspendedOwnerLosesTheGroupAsFlapSuspended() {
    VipGroup g = group(false, Duration.ZERO);
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p1 = planner.plan(v, planner.initial(), T0);
    Plan p2 = planner.plan(elig(v, "n1", Eligibility.SUSPENDED, T0 + 1), p1, T0 + 1);
    assertThat(Fixtures.reasons(p2)).containsOnly(MoveReason.FLAP_SUSPENDED);
    assertThat(p2.moves()).allSatisfy(m -> assertThat(m.makeBeforeBreak()).isTrue());
  }

  @Test
  void withNoReceiverLeftTheVipsHaveNoOwner() {
    VipGroup g = group(false, Duration.ZERO);
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p1 = planner.plan(v, planner.initial(), T0);
    ClusterView others = elig(live(v, "n2", Liveness.SUSPECT, T0), "n3", Eligibility.DRAINING,
        T0);
    Plan p2 = planner.plan(live(others, "n1", Liveness.DEAD, T0 + 1), p1, T0 + 1);
    assertThat(p2.assignment().unowned()).isEqualTo(3);
    assertThat(p2.moves()).allSatisfy(m -> {
      assertThat(m.to()).isNull();
      assertThat(m.reason()).isEqualTo(MoveReason.OWNER_DEAD);
      assertThat(m.makeBeforeBreak()).isFalse();
    });
  }

  @Test
  void theSameViewAgainMovesNothingAndReturnsTheSamePlan() {
    VipGroup g = group(true, Duration.ofSeconds(10));
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p1 = planner.plan(v, planner.initial(), T0);
    Plan p2 = planner.plan(v, p1, T0 + 1);
    assertThat(p2.moves()).isEmpty();
    assertThat(owners(p2)).isEqualTo(owners(p1));
    assertThat(planner.plan(v, p2, T0 + 2)).isSameAs(p2);
    assertThat(planner.plan(v, p2, T0 + sec(86_400))).isSameAs(p2);
  }

  @Test
  void theAnswerDoesNotDependOnTheOrderOfNodesAndVips() {
    VipGroup g = group(true, Duration.ofSeconds(10));
    List<Node> nodes = new ArrayList<>(g.nodes());
    List<VirtualIp> vips = new ArrayList<>(g.vips());
    Collections.reverse(nodes);
    Collections.reverse(vips);
    VipGroup.Builder b = VipGroup.builder().name("g").mode(g.mode()).policy(g.policy());
    nodes.forEach(b::node);
    vips.forEach(b::vip);
    VipGroup reversed = b.build();
    ClusterView v = live(allAlive(g, 0).build(), "n1", Liveness.DEAD, 0);
    Plan a = Planner.plan(g, v, Plan.initial(g), T0);
    Plan c = Planner.plan(reversed, v, Plan.initial(reversed), T0);
    assertThat(owners(c)).isEqualTo(owners(a));
    assertThat(moveSet(c)).isEqualTo(moveSet(a));
    // Plans pass between planners of the same members.
    ClusterView back = live(v, "n1", Liveness.ALIVE, T0);
    assertThat(owners(Planner.plan(reversed, back, a, T0 + sec(10))))
        .isEqualTo(owners(Planner.plan(g, back, c, T0 + sec(10))));
  }

  @Test
  void negativeInstantsOfTheMonotonicClockDelayPreemptionAsAnyOthers() {
    // System.nanoTime() may be negative: readiness plus the delay must not be taken for an
    // overflow.
    VipGroup g = group(true, Duration.ofSeconds(10));
    Planner planner = Planner.of(g);
    long t = -sec(1_000);
    ClusterView n1Dead = live(allAlive(g, t - sec(60)).build(), "n1", Liveness.DEAD, t);
    Plan p = planner.plan(n1Dead, planner.initial(), t);
    assertThat(owner(p)).isEqualTo("n3");
    ClusterView back = live(n1Dead, "n1", Liveness.ALIVE, t + sec(1));
    p = planner.plan(back, p, t + sec(1));
    assertThat(p.nextChangeAt()).isEqualTo(t + sec(11));
    assertThat(planner.plan(back, p, t + sec(11) - 1).moves()).isEmpty();
    assertThat(owner(planner.plan(back, p, t + sec(11)))).isEqualTo("n1");

    // At the far end of the clock the delay runs past the last instant: n1 never preempts.
    long end = Long.MAX_VALUE - sec(5);
    Plan q = planner.plan(n1Dead, planner.initial(), end - sec(1));
    ClusterView late = live(n1Dead, "n1", Liveness.ALIVE, end);
    q = planner.plan(late, q, end);
    assertThat(q.moves()).isEmpty();
    assertThat(q.nextChangeAt()).isEqualTo(Plan.NEVER);
    assertThat(owner(planner.plan(late, q, Long.MAX_VALUE - 1))).isEqualTo("n3");
  }

  @Test
  void onlyAStrictlyBetterNodeStillInItsDelayAsksForACallBack() {
    VipGroup g = group(true, Duration.ofSeconds(10));
    Planner planner = Planner.of(g);
    // n3 (150) owns; n2 comes back with the same priority 150: it will never preempt.
    ClusterView v = live(allAlive(g, 0).build(), "n1", Liveness.DEAD, 0);
    Plan p = planner.plan(v, planner.initial(), T0);
    assertThat(owner(p)).isEqualTo("n3");
    ClusterView equal = v.toBuilder().node("n2", NodeStatus.alive(T0, 150, 1)).build();
    p = planner.plan(equal, p, T0);
    assertThat(p.moves()).isEmpty();
    assertThat(p.nextChangeAt()).isEqualTo(Plan.NEVER);

    // n1 (200) preempts n3; n2 returning at 180 would not preempt n1, so it asks for nothing.
    ClusterView n1Ready = live(v, "n1", Liveness.ALIVE, T0 - sec(20));
    ClusterView both = n1Ready.toBuilder().node("n2", NodeStatus.alive(T0, 180, 1)).build();
    Plan q = planner.plan(both, planner.plan(v, planner.initial(), T0), T0);
    assertThat(owner(q)).isEqualTo("n1");
    assertThat(q.nextChangeAt()).isEqualTo(Plan.NEVER);
  }
}
