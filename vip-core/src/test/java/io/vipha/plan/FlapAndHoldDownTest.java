package io.vipha.plan;

import static io.vipha.plan.Fixtures.allAlive;
import static io.vipha.plan.Fixtures.elig;
import static io.vipha.plan.Fixtures.live;
import static io.vipha.plan.Fixtures.loads;
import static io.vipha.plan.Fixtures.ownerSet;
import static io.vipha.plan.Fixtures.sec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.FailoverPolicy;
import io.vipha.FlapLimit;
import io.vipha.Mode;
import io.vipha.VipGroup;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Hold-down after a loss, and suspension of nodes whose ownership flaps. */
class FlapAndHoldDownTest {
  private static final long T0 = sec(100);

  private static VipGroup pair(Consumer<FailoverPolicy.Builder> policy) {
    return Fixtures.group(Mode.ACTIVE_PASSIVE, 2, new String[] {"n1", "n2"},
        new int[] {200, 100}, p -> {
          p.preempt(true).preemptDelay(Duration.ZERO).holdDown(Duration.ZERO);
          policy.accept(p);
        });
  }

  private static VipGroup trio(Mode mode, Consumer<FailoverPolicy.Builder> policy) {
    return Fixtures.group(mode, 6, new String[] {"n1", "n2", "n3"}, new int[] {200, 150, 100},
        p -> {
          p.preempt(true).preemptDelay(Duration.ZERO).flapLimit(FlapLimit.OFF);
          policy.accept(p);
        });
  }

  private static String owner(Plan p) {
    assertThat(ownerSet(p)).hasSize(1);
    return ownerSet(p).iterator().next();
  }

  // --- Hold-down ---------------------------------------------------------------------------------

  @Test
  void aMoveLearnedFromTheHoldersStartsTheLosersHoldDownInActivePassiveOnly() {
    VipGroup g = trio(Mode.ACTIVE_PASSIVE, p -> p.holdDown(Duration.ofSeconds(5)));
    Planner planner = Planner.of(g);
    Plan p1 = planner.plan(allAlive(g, 0).build(), planner.initial(), T0);
    assertThat(owner(p1)).isEqualTo("n1");
    Map<io.vipha.VirtualIp, String> toN2 = new java.util.HashMap<>();
    g.vips().forEach(x -> toN2.put(x, "n2"));
    Map<io.vipha.VirtualIp, String> atN1 = new java.util.HashMap<>();
    g.vips().forEach(x -> atN1.put(x, "n1"));
    assertThat(p1.withOwners(toN2).lostOwnershipAt("n1")).isEqualTo(Long.MIN_VALUE);
    // n1 was only named owner, never seen holding: it loses nothing.
    assertThat(p1.withOwners(toN2, Map.of(), T0 + 5).lostOwnershipAt("n1"))
        .isEqualTo(Long.MIN_VALUE);
    Plan seen = p1.withOwners(toN2, atN1, T0 + 5);
    assertThat(seen.lostOwnershipAt("n1")).isEqualTo(T0 + 5);
    assertThat(seen.lostOwnershipAt("n2")).isEqualTo(Long.MIN_VALUE);
    assertThat(p1.lostOwnershipAt("n1")).as("the plan it came from is unchanged")
        .isEqualTo(Long.MIN_VALUE);
    // n2 now leaves: n1 is within its hold-down, so n3 gets the group.
    Plan p2 = planner.plan(elig(allAlive(g, 0).build(), "n2", Eligibility.DRAINING, T0 + 6), seen,
        T0 + 6);
    assertThat(owner(p2)).isEqualTo("n3");

    VipGroup aa = trio(Mode.ACTIVE_ACTIVE, p -> p.holdDown(Duration.ofSeconds(5)));
    Planner pa = Planner.of(aa);
    Plan q1 = pa.plan(allAlive(aa, 0).build(), pa.initial(), T0);
    Map<io.vipha.VirtualIp, String> all = new java.util.HashMap<>();
    aa.vips().forEach(x -> all.put(x, "n3"));
    Map<io.vipha.VirtualIp, String> before = new java.util.HashMap<>();
    aa.vips().forEach(x -> before.put(x, "n1"));
    assertThat(q1.withOwners(all, before, T0 + 5).lostOwnershipAt("n1"))
        .isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void aNodeThatLostTheGroupMayNotWinItBackBeforeTheHoldDownEnds() {
    VipGroup g = trio(Mode.ACTIVE_PASSIVE, p -> p.holdDown(Duration.ofSeconds(5)));
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p1 = planner.plan(v, planner.initial(), T0);
    Plan p2 = planner.plan(live(v, "n1", Liveness.DEAD, T0 + 1), p1, T0 + 1);
    assertThat(owner(p2)).isEqualTo("n2");
    assertThat(p2.lostOwnershipAt("n1")).isEqualTo(T0 + 1);
    long end = T0 + 1 + sec(5);

    ClusterView back = live(v, "n1", Liveness.ALIVE, T0 + 2);
    Plan p3 = planner.plan(back, p2, T0 + 2);
    assertThat(p3.moves()).isEmpty();
    assertThat(p3.nextChangeAt()).isEqualTo(end);
    Plan p4 = planner.plan(back, p3, end - 1);
    assertThat(p4.moves()).as("one nanosecond before the hold-down ends").isEmpty();
    Plan p5 = planner.plan(back, p4, end);
    assertThat(owner(p5)).isEqualTo("n1");
    assertThat(Fixtures.reasons(p5)).containsOnly(MoveReason.PREEMPTED);
    // In A/P any loss starts a hold-down, also being preempted.
    assertThat(p5.lostOwnershipAt("n2")).isEqualTo(end);
  }

  @Test
  void holdDownPrefersAnotherReceiver() {
    VipGroup g = trio(Mode.ACTIVE_PASSIVE, p -> p.preempt(false)
        .holdDown(Duration.ofSeconds(5)));
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p1 = planner.plan(v, planner.initial(), T0);
    Plan p2 = planner.plan(live(v, "n1", Liveness.DEAD, T0), p1, T0);
    assertThat(owner(p2)).isEqualTo("n2");
    ClusterView n1Back = live(v, "n1", Liveness.ALIVE, T0 + sec(1));
    Plan p3 = planner.plan(n1Back, p2, T0 + sec(1));
    // n2 dies within n1's hold-down: n3 wins although n1 has the higher priority.
    Plan p4 = planner.plan(live(n1Back, "n2", Liveness.DEAD, T0 + sec(2)), p3, T0 + sec(2));
    assertThat(owner(p4)).isEqualTo("n3");
    assertThat(Fixtures.reasons(p4)).containsOnly(MoveReason.OWNER_DEAD);
  }

  @Test
  void holdDownIsIgnoredWhenNoOtherReceiverIsLeft() {
    VipGroup g = pair(p -> p.preempt(false).holdDown(Duration.ofSeconds(5))
        .flapLimit(FlapLimit.OFF));
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p1 = planner.plan(v, planner.initial(), T0);
    Plan p2 = planner.plan(live(v, "n1", Liveness.DEAD, T0), p1, T0);
    ClusterView n1Back = live(v, "n1", Liveness.ALIVE, T0 + sec(1));
    Plan p3 = planner.plan(n1Back, p2, T0 + sec(1));
    Plan p4 = planner.plan(live(n1Back, "n2", Liveness.DEAD, T0 + sec(2)), p3, T0 + sec(2));
    assertThat(owner(p4)).as("never unowned because of hold-down").isEqualTo("n1");
    assertThat(p4.moves()).allSatisfy(m -> {
      assertThat(m.reason()).isEqualTo(MoveReason.OWNER_DEAD);
      assertThat(m.makeBeforeBreak()).isFalse();
    });
  }

  @Test
  void activeActiveHoldDownFollowsOwnFailuresOnly() {
    VipGroup g = trio(Mode.ACTIVE_ACTIVE, p -> p.preempt(false)
        .holdDown(Duration.ofSeconds(5)));
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p1 = planner.plan(v, planner.initial(), T0);
    // n1 dies and comes back: in hold-down, the VIPs of n2 (dying next) go to n3.
    Plan p2 = planner.plan(live(v, "n1", Liveness.DEAD, T0), p1, T0);
    assertThat(p2.lostOwnershipAt("n1")).isEqualTo(T0);
    ClusterView n1Back = live(v, "n1", Liveness.ALIVE, T0 + sec(1));
    Plan p3 = planner.plan(n1Back, p2, T0 + sec(1));
    Plan p4 = planner.plan(live(n1Back, "n2", Liveness.DEAD, T0 + sec(2)), p3, T0 + sec(2));
    assertThat(p4.moves()).isNotEmpty().allSatisfy(m -> assertThat(m.to()).isEqualTo("n3"));
    assertThat(p4.assignment().count("n1")).isZero();
    // A drained node is not in hold-down: draining is not a failure.
    Plan p5 = planner.plan(elig(v, "n3", Eligibility.DRAINING, T0), p1, T0);
    assertThat(Fixtures.reasons(p5)).containsOnly(MoveReason.DRAINED);
    assertThat(p5.lostOwnershipAt("n3")).isEqualTo(Long.MIN_VALUE);
  }

  // --- Flap limit --------------------------------------------------------------------------------

  @Test
  void theMaxChangesThOwnCausedChangeSuspendsTheNodeForSuspendFor() {
    VipGroup g = pair(p -> p.flapLimit(3, Duration.ofMinutes(1), Duration.ofMinutes(5)));
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p = planner.plan(v, planner.initial(), sec(1));
    assertThat(owner(p)).isEqualTo("n1");
    p = planner.plan(live(v, "n1", Liveness.DEAD, sec(2)), p, sec(2)); // change 1: lost, dead
    assertThat(owner(p)).isEqualTo("n2");
    p = planner.plan(live(v, "n1", Liveness.ALIVE, sec(3)), p, sec(3)); // change 2: preempts
    assertThat(owner(p)).isEqualTo("n1");
    assertThat(p.isSuspended("n1", sec(3))).isFalse();
    p = planner.plan(live(v, "n1", Liveness.DEAD, sec(4)), p, sec(4)); // change 3: suspended
    assertThat(owner(p)).isEqualTo("n2");
    long end = sec(4) + sec(300);
    assertThat(p.isSuspended("n1", sec(4))).isTrue();
    assertThat(p.isSuspended("n1", end - 1)).isTrue();
    assertThat(p.isSuspended("n1", end)).isFalse();
    assertThat(p.nextChangeAt()).isEqualTo(end);

    ClusterView back = live(v, "n1", Liveness.ALIVE, sec(5));
    p = planner.plan(back, p, sec(5));
    assertThat(p.moves()).as("suspended: no preemption").isEmpty();
    assertThat(p.nextChangeAt()).isEqualTo(end);
    assertThat(planner.plan(back, p, end - 1).moves()).isEmpty();
    p = planner.plan(back, p, end);
    assertThat(owner(p)).as("suspension over").isEqualTo("n1");
    assertThat(Fixtures.reasons(p)).containsOnly(MoveReason.PREEMPTED);
    assertThat(p.isSuspended("n1", end)).isFalse();
  }

  /** n1 owns a pair whose flap limit is 3 changes a minute; a planned move never counts. */
  @Nested
  class PlannedAgainstFailureDriven {
    private final VipGroup g = pair(p -> p.flapLimit(3, Duration.ofMinutes(1),
        Duration.ofMinutes(5)));
    private final Planner planner = Planner.forNode(g, "n1");
    private final ClusterView v = allAlive(g, 0).build();
    private Plan p = planner.plan(v, planner.initial(), sec(1));

    @Test
    void plannedMovesAndTheReturnsAfterThemNeverCountTowardTheLimit() {
      assertThat(owner(p)).isEqualTo("n1");
      long t = sec(2);
      // Four switchovers to n2 and back, then four drains and undrains: 16 moves of n1 in 16 s.
      for (int i = 0; i < 4; i++, t += sec(2)) {
        p = planner.plan(v.toBuilder().pin("n2").build(), p, t);
        assertThat(owner(p)).isEqualTo("n2");
        assertThat(Fixtures.reasons(p)).containsOnly(MoveReason.SWITCHOVER);
        p = planner.plan(v, p, t + sec(1)); // the switchover cleared: n1 returns
        assertThat(owner(p)).isEqualTo("n1");
        assertThat(Fixtures.reasons(p)).containsOnly(MoveReason.PREEMPTED);
      }
      for (int i = 0; i < 4; i++, t += sec(2)) {
        p = planner.plan(elig(v, "n1", Eligibility.DRAINING, t), p, t);
        assertThat(Fixtures.reasons(p)).containsOnly(MoveReason.DRAINED);
        p = planner.plan(elig(v, "n1", Eligibility.ELIGIBLE, t + sec(1)), p, t + sec(1));
        assertThat(owner(p)).as("undrained n1 returns").isEqualTo("n1");
        assertThat(p.isSuspended("n1", t + sec(1))).isFalse();
      }
      assertThat(p.isSuspended("n1", t)).isFalse();
      // Failures still count: n1 dies (1), returns (2) and dies again (3, the limit).
      p = planner.plan(live(v, "n1", Liveness.DEAD, t), p, t);
      p = planner.plan(live(v, "n1", Liveness.ALIVE, t + 1), p, t + 1);
      assertThat(owner(p)).isEqualTo("n1");
      p = planner.plan(live(v, "n1", Liveness.DEAD, t + 2), p, t + 2);
      assertThat(p.isSuspended("n1", t + 2)).isTrue();
    }

    @Test
    void theSameNumberOfFailureDrivenChangesSuspends() {
      // Health flapping: disqualified (a loss), healthy again (the preemption back), and so on.
      p = planner.plan(elig(v, "n1", Eligibility.DISQUALIFIED, sec(2)), p, sec(2));
      assertThat(Fixtures.reasons(p)).containsOnly(MoveReason.OWNER_INELIGIBLE);
      p = planner.plan(elig(v, "n1", Eligibility.ELIGIBLE, sec(3)), p, sec(3));
      assertThat(owner(p)).isEqualTo("n1");
      assertThat(p.isSuspended("n1", sec(3))).isFalse();
      p = planner.plan(elig(v, "n1", Eligibility.DISQUALIFIED, sec(4)), p, sec(4));
      assertThat(p.isSuspended("n1", sec(4))).as("the third failure-driven change").isTrue();
      p = planner.plan(elig(v, "n1", Eligibility.ELIGIBLE, sec(5)), p, sec(5));
      assertThat(owner(p)).as("suspended: no preemption").isEqualTo("n2");
      // A return after a failure counts even when a planned move came before the failure.
      Planner fresh = Planner.forNode(g, "n1");
      Plan q = fresh.plan(v, fresh.initial(), sec(1));
      q = fresh.plan(elig(v, "n1", Eligibility.DRAINING, sec(2)), q, sec(2));
      q = fresh.plan(live(v, "n1", Liveness.DEAD, sec(3)), q, sec(3)); // held nothing: no loss
      q = fresh.plan(live(v, "n1", Liveness.ALIVE, sec(4)), q, sec(4)); // planned return
      assertThat(owner(q)).isEqualTo("n1");
      q = fresh.plan(live(v, "n1", Liveness.DEAD, sec(5)), q, sec(5)); // 1
      q = fresh.plan(live(v, "n1", Liveness.ALIVE, sec(6)), q, sec(6)); // 2
      assertThat(q.isSuspended("n1", sec(6))).isFalse();
      q = fresh.plan(live(v, "n1", Liveness.DEAD, sec(7)), q, sec(7)); // 3
      assertThat(q.isSuspended("n1", sec(7))).isTrue();
    }
  }

  @Test
  void activeActiveSwitchoversAndTheRebalancesTheyCauseDoNotCount() {
    VipGroup g = Fixtures.group(Mode.ACTIVE_ACTIVE, 4, new String[] {"n1", "n2"},
        new int[] {100, 100}, p -> p.preempt(true).preemptDelay(Duration.ZERO)
            .holdDown(Duration.ZERO).flapLimit(2, Duration.ofMinutes(1), Duration.ofMinutes(5)));
    ClusterView v = allAlive(g, 0).build();
    for (String self : new String[] {"n1", "n2"}) {
      Planner planner = Planner.forNode(g, self);
      Plan p = planner.plan(v, planner.initial(), sec(1));
      assertThat(loads(g, p).values()).containsOnly(2);
      long t = sec(2);
      for (int i = 0; i < 6; i++, t += sec(1)) {
        // Pin one of the other node's VIPs here, then there, and clear: moves both ways.
        io.vipha.VirtualIp x = Fixtures.vip(g, 1 + i % 4);
        String owner = p.assignment().owner(x);
        String other = "n1".equals(owner) ? "n2" : "n1";
        p = planner.plan(v.toBuilder().pin(x, other).build(), p, t);
        assertThat(p.assignment().owner(x)).isEqualTo(other);
        p = planner.plan(v, p, t + sec(1) / 2);
        assertThat(p.isSuspended("n1", t)).isFalse();
        assertThat(p.isSuspended("n2", t)).isFalse();
      }
    }
  }

  @Test
  void aNodesPlannerSuspendsOnlyThatNodeAndHonoursPeersAdvertisedSuspension() {
    VipGroup g = pair(p -> p.flapLimit(3, Duration.ofMinutes(1), Duration.ofMinutes(5)));
    ClusterView v = allAlive(g, 0).build();
    // n2's planner watches n1 flap three times, as the test above does: it does not suspend n1.
    Planner seenByN2 = Planner.forNode(g, "n2");
    Plan p = seenByN2.plan(v, seenByN2.initial(), sec(1));
    p = seenByN2.plan(live(v, "n1", Liveness.DEAD, sec(2)), p, sec(2));
    p = seenByN2.plan(live(v, "n1", Liveness.ALIVE, sec(3)), p, sec(3));
    p = seenByN2.plan(live(v, "n1", Liveness.DEAD, sec(4)), p, sec(4));
    assertThat(p.isSuspended("n1", sec(4))).isFalse();
    p = seenByN2.plan(live(v, "n1", Liveness.ALIVE, sec(5)), p, sec(5));
    assertThat(owner(p)).as("n1 is not suspended in n2's plan: it preempts").isEqualTo("n1");
    // ...until n1 advertises its suspension, which n2's view then holds.
    p = seenByN2.plan(elig(v, "n1", Eligibility.SUSPENDED, sec(6)), p, sec(6));
    assertThat(owner(p)).isEqualTo("n2");
    assertThat(Fixtures.reasons(p)).containsOnly(MoveReason.FLAP_SUSPENDED);
    // n1's own planner counts n1's changes and suspends it.
    Planner own = Planner.forNode(g, "n1");
    Plan q = own.plan(v, own.initial(), sec(1));
    q = own.plan(live(v, "n1", Liveness.DEAD, sec(2)), q, sec(2));
    q = own.plan(live(v, "n1", Liveness.ALIVE, sec(3)), q, sec(3));
    q = own.plan(live(v, "n1", Liveness.DEAD, sec(4)), q, sec(4));
    assertThat(q.isSuspended("n1", sec(4))).isTrue();
    assertThatThrownBy(() -> Planner.forNode(g, "n9")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("n9");
  }

  @Test
  void aSuspensionCountsAsTheStartOfReadiness() {
    VipGroup g = pair(p -> p.preemptDelay(Duration.ofSeconds(10))
        .flapLimit(2, Duration.ofMinutes(1), Duration.ofSeconds(30)));
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p = planner.plan(v, planner.initial(), sec(1));
    p = planner.plan(live(v, "n1", Liveness.DEAD, sec(2)), p, sec(2));
    ClusterView back = live(v, "n1", Liveness.ALIVE, sec(3));
    p = planner.plan(back, p, sec(13)); // ready: the preemption would be change 2
    assertThat(p.moves()).isEmpty();
    assertThat(p.isSuspended("n1", sec(13))).isTrue();
    long end = sec(43);
    assertThat(p.nextChangeAt()).isEqualTo(end);
    p = planner.plan(back, p, end);
    assertThat(p.moves()).isEmpty();
    assertThat(p.nextChangeAt()).as("the preempt delay runs from the end").isEqualTo(end + sec(10));
    p = planner.plan(back, p, end + sec(10));
    assertThat(owner(p)).isEqualTo("n1");
  }

  @Test
  void aWouldBePreemptionThatReachesTheLimitSuspendsInstead() {
    VipGroup g = pair(p -> p.flapLimit(2, Duration.ofMinutes(1), Duration.ofMinutes(5)));
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p = planner.plan(v, planner.initial(), sec(1));
    p = planner.plan(live(v, "n1", Liveness.DEAD, sec(2)), p, sec(2));
    p = planner.plan(live(v, "n1", Liveness.ALIVE, sec(3)), p, sec(3));
    assertThat(p.moves()).isEmpty();
    assertThat(owner(p)).isEqualTo("n2");
    assertThat(p.isSuspended("n1", sec(3))).isTrue();
    assertThat(planner.plan(live(v, "n1", Liveness.ALIVE, sec(3)), p, sec(3))).isSameAs(p);
  }

  @Test
  void whenTheBestIsSuspendedInsteadTheNextReadyBetterNodePreemptsAtOnce() {
    // Regression: only the best candidate was looked at, so the runner-up preempted on the
    // next call with the same view (and its readyAt was missing from nextChangeAt).
    VipGroup g = trio(Mode.ACTIVE_PASSIVE, p -> p.holdDown(Duration.ZERO)
        .flapLimit(2, Duration.ofMinutes(1), Duration.ofMinutes(5)));
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p = planner.plan(v, planner.initial(), sec(1));
    ClusterView twoDown = live(live(v, "n1", Liveness.DEAD, sec(2)), "n2", Liveness.DEAD, sec(2));
    p = planner.plan(twoDown, p, sec(2)); // n1: change 1
    assertThat(owner(p)).isEqualTo("n3");
    ClusterView back = live(live(v, "n1", Liveness.ALIVE, sec(3)), "n2", Liveness.ALIVE, sec(3));
    p = planner.plan(back, p, sec(3));
    assertThat(p.isSuspended("n1", sec(3))).as("n1's preemption would be change 2").isTrue();
    assertThat(owner(p)).isEqualTo("n2");
    assertThat(Fixtures.reasons(p)).containsOnly(MoveReason.PREEMPTED);
    assertThat(planner.plan(back, p, sec(3)).moves()).isEmpty();
  }

  @Test
  void aWouldBeSuspensionStartsTheCountAfresh() {
    // Regression: the flap history survived a would-be suspension, so the same old change
    // suspended the node again the moment its suspension ended.
    VipGroup g = pair(p -> p.flapLimit(2, Duration.ofMinutes(1), Duration.ofSeconds(1)));
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p = planner.plan(v, planner.initial(), sec(1));
    p = planner.plan(live(v, "n1", Liveness.DEAD, sec(2)), p, sec(2)); // change 1
    ClusterView back = live(v, "n1", Liveness.ALIVE, sec(3));
    p = planner.plan(back, p, sec(3)); // would be change 2: suspended until 4s
    assertThat(p.isSuspended("n1", sec(3))).isTrue();
    p = planner.plan(back, p, sec(4));
    assertThat(owner(p)).as("a first change again").isEqualTo("n1");
    assertThat(p.isSuspended("n1", sec(4))).isFalse();
  }

  @Test
  void changesOutsideTheWindowDoNotCount() {
    VipGroup g = pair(p -> p.flapLimit(2, Duration.ofSeconds(10), Duration.ofMinutes(5)));
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p = planner.plan(v, planner.initial(), sec(1));
    p = planner.plan(live(v, "n1", Liveness.DEAD, sec(2)), p, sec(2));
    p = planner.plan(live(v, "n1", Liveness.ALIVE, sec(12)), p, sec(12));
    assertThat(owner(p)).as("the loss at 2s is out of the 10s window at 12s").isEqualTo("n1");
    assertThat(p.isSuspended("n1", sec(12))).isFalse();
  }

  @Test
  void withoutSuspendForTheNodeStaysSuspendedUntilCleared() {
    VipGroup g = pair(p -> p.flapLimit(2, Duration.ofMinutes(1), null));
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p = planner.plan(v, planner.initial(), sec(1));
    p = planner.plan(live(v, "n1", Liveness.DEAD, sec(2)), p, sec(2));
    ClusterView back = live(v, "n1", Liveness.ALIVE, sec(3));
    p = planner.plan(back, p, sec(3));
    assertThat(p.isSuspended("n1", sec(86_400 * 365))).isTrue();
    assertThat(p.nextChangeAt()).isEqualTo(Plan.NEVER);
    assertThat(planner.plan(back, p, sec(86_400)).moves()).isEmpty();

    Plan cleared = p.withSuspensionCleared("n1");
    assertThat(cleared.isSuspended("n1", sec(86_400))).isFalse();
    assertThat(cleared.moves()).isEmpty();
    Plan after = planner.plan(back, cleared, sec(86_400));
    assertThat(owner(after)).isEqualTo("n1");
    assertThat(after.isSuspended("n1", sec(86_400))).as("the history was cleared too").isFalse();
  }

  @Test
  void activeActiveANodeThatWouldTakeNothingIsNotSuspended() {
    // Regression: while any node was above its share, every ready node below its share counted
    // as a would-be taker, even when the excess was pinned and could not move.
    VipGroup g = Fixtures.group(Mode.ACTIVE_ACTIVE, 2, new String[] {"n1", "n2"},
        new int[] {100, 100}, p -> p.preempt(true).preemptDelay(Duration.ZERO)
            .holdDown(Duration.ZERO).flapLimit(2, Duration.ofMinutes(1), Duration.ofMinutes(5)));
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p = planner.plan(v, planner.initial(), sec(1));
    p = planner.plan(live(v, "n2", Liveness.DEAD, sec(2)), p, sec(2)); // n2: change 1
    assertThat(p.assignment().count("n1")).isEqualTo(2);
    ClusterView pinned = live(v, "n2", Liveness.ALIVE, sec(3)).toBuilder()
        .pin(Fixtures.vip(g, 1), "n1").pin(Fixtures.vip(g, 2), "n1").build();
    p = planner.plan(pinned, p, sec(3));
    assertThat(p.moves()).isEmpty();
    assertThat(p.isSuspended("n2", sec(3))).as("n1's excess is pinned: n2 takes nothing")
        .isFalse();
    assertThat(planner.plan(pinned, p, sec(3))).isSameAs(p);
  }

  @Test
  void activeActiveAWouldBeRebalanceAtTheLimitReleasesTheSuspendedNodesVips() {
    // Regression: the node was suspended but kept its VIPs (and its weight in the shares).
    VipGroup g = Fixtures.group(Mode.ACTIVE_ACTIVE, 6, new String[] {"n1", "n2", "n3"},
        new int[] {100, 100, 100}, p -> p.preempt(true).preemptDelay(Duration.ZERO)
            .holdDown(Duration.ZERO).flapLimit(2, Duration.ofMinutes(1), Duration.ofMinutes(5)));
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p = planner.plan(live(v, "n3", Liveness.DEAD, 0), planner.initial(), sec(1));
    assertThat(loads(g, p)).containsOnly(Map.entry("n1", 3), Map.entry("n2", 3),
        Map.entry("n3", 0));
    ClusterView up = live(v, "n3", Liveness.ALIVE, sec(2));
    p = planner.plan(up, p, sec(2)); // n3 takes 2 by rebalance: change 1
    assertThat(loads(g, p).values()).containsOnly(2);
    assertThat(Fixtures.reasons(p)).containsOnly(MoveReason.REBALANCED);
    // n3's weight goes up to 4: its share is 4, the others' 1; taking more would be change 2.
    ClusterView heavy = up.toBuilder().node("n3", NodeStatus.alive(sec(2), 100, 4)).build();
    p = planner.plan(heavy, p, sec(3));
    assertThat(p.isSuspended("n3", sec(3))).isTrue();
    assertThat(p.assignment().count("n3")).as("a suspended node holds nothing").isZero();
    assertThat(p.moves()).hasSize(2).allSatisfy(m -> {
      assertThat(m.from()).isEqualTo("n3");
      assertThat(m.reason()).isEqualTo(MoveReason.FLAP_SUSPENDED);
      assertThat(m.makeBeforeBreak()).isTrue();
    });
    assertThat(loads(g, p)).containsOnly(Map.entry("n1", 3), Map.entry("n2", 3),
        Map.entry("n3", 0));
    Plan again = planner.plan(heavy, p, sec(3));
    assertThat(again.moves()).isEmpty();
    assertThat(planner.plan(heavy, again, sec(3))).isSameAs(again);
  }

  @Test
  void theFirstNodesPlannerCountsOnlyThatNodesChanges() {
    // n2 owns (priority 200) and flaps three times; n1's planner (index 0) does not suspend it.
    VipGroup g = Fixtures.group(Mode.ACTIVE_PASSIVE, 2, new String[] {"n1", "n2"},
        new int[] {100, 200}, p -> p.preempt(true).preemptDelay(Duration.ZERO)
            .holdDown(Duration.ZERO).flapLimit(3, Duration.ofMinutes(1), Duration.ofMinutes(5)));
    ClusterView v = allAlive(g, 0).build();
    Planner seenByN1 = Planner.forNode(g, "n1");
    Plan p = seenByN1.plan(v, seenByN1.initial(), sec(1));
    p = seenByN1.plan(live(v, "n2", Liveness.DEAD, sec(2)), p, sec(2));
    p = seenByN1.plan(live(v, "n2", Liveness.ALIVE, sec(3)), p, sec(3));
    p = seenByN1.plan(live(v, "n2", Liveness.DEAD, sec(4)), p, sec(4));
    p = seenByN1.plan(live(v, "n2", Liveness.ALIVE, sec(5)), p, sec(5));
    assertThat(p.isSuspended("n2", sec(5))).isFalse();
    assertThat(owner(p)).isEqualTo("n2");
  }

  @Test
  void withTheLimitOffNoNumberOfFailuresSuspends() {
    VipGroup g = pair(p -> p.flapLimit(FlapLimit.OFF));
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p = planner.plan(v, planner.initial(), sec(1));
    for (int k = 0; k < 5; k++) {
      p = planner.plan(live(v, "n1", Liveness.DEAD, sec(2 + 2 * k)), p, sec(2 + 2 * k));
      p = planner.plan(live(v, "n1", Liveness.ALIVE, sec(3 + 2 * k)), p, sec(3 + 2 * k));
      assertThat(p.isSuspended("n1", sec(3 + 2 * k))).isFalse();
      assertThat(owner(p)).isEqualTo("n1");
    }
  }

  @Test
  void anElectionSkipsABetterNodeInHoldDownForTheFirstNode() {
    // n3 (200) owns, fails and returns within its hold-down; then n2 (150) fails too. n1 (100)
    // is the best receiver outside hold-down and wins; n3 must not.
    VipGroup g = Fixtures.group(Mode.ACTIVE_PASSIVE, 2, new String[] {"n1", "n2", "n3"},
        new int[] {100, 150, 200}, p -> p.preempt(false).holdDown(Duration.ofSeconds(30))
            .flapLimit(FlapLimit.OFF));
    Planner planner = Planner.of(g);
    ClusterView v = allAlive(g, 0).build();
    Plan p = planner.plan(v, planner.initial(), T0);
    p = planner.plan(live(v, "n3", Liveness.DEAD, T0), p, T0);
    assertThat(owner(p)).isEqualTo("n2");
    ClusterView n3Back = live(v, "n3", Liveness.ALIVE, T0 + sec(1));
    p = planner.plan(n3Back, p, T0 + sec(1));
    p = planner.plan(live(n3Back, "n2", Liveness.DEAD, T0 + sec(2)), p, T0 + sec(2));
    assertThat(owner(p)).isEqualTo("n1");
  }
}
