package io.vipha.plan;

import static io.vipha.plan.Fixtures.group;
import static io.vipha.plan.Fixtures.owners;
import static io.vipha.plan.Fixtures.sec;
import static io.vipha.plan.Fixtures.vip;
import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Mode;
import io.vipha.VipGroup;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A plan carried over to a changed configuration of its group. */
class PlanCarryTest {
  private static final VipGroup OLD = group(Mode.ACTIVE_ACTIVE, 3,
      new String[] {"a", "b", "c"}, new int[] {100, 100, 100}, p -> { });
  /** VIP .3 and node c gone, VIP .9 and node d new, timers and priorities changed. */
  private static final VipGroup NEW = VipGroup.builder().name("g").mode(Mode.ACTIVE_ACTIVE)
      .vip(v -> v.address("192.0.2.1/24").interfaceName("eth0"))
      .vip(v -> v.address("192.0.2.2/24").interfaceName("eth0"))
      .vip(v -> v.address("192.0.2.9/24").interfaceName("eth0"))
      .node(n -> n.id("d").heartbeat("198.51.100.4"))
      .node(n -> n.id("b").heartbeat("198.51.100.2").priority(50))
      .node(n -> n.id("a").heartbeat("198.51.100.1"))
      .policy(p -> p.heartbeatInterval(Duration.ofMillis(200))).build();

  @Test
  void ownersOfVipsAndRecordsOfNodesThatStayComeAlong() {
    Plan old = Plan.initial(OLD).withOwners(Map.of(vip(OLD, 1), "b", vip(OLD, 2), "c",
        vip(OLD, 3), "a"));
    old = old.withOwners(Map.of(vip(OLD, 1), "a", vip(OLD, 2), "c", vip(OLD, 3), "a"),
        Map.of(vip(OLD, 1), "b"), sec(5)); // (A/A: no hold-down from observation)
    old = old.withFlapRecord("b", new FlapRecord(List.of(sec(1), sec(2)), sec(60), true))
        .withFlapRecord("c", new FlapRecord(List.of(sec(3)), Plan.NEVER, false));
    Plan carried = Planner.of(NEW).carry(old);
    assertThat(carried.moves()).isEmpty();
    assertThat(carried.hasQuorum()).isEqualTo(old.hasQuorum());
    assertThat(owners(carried)).containsOnlyKeys(vip(NEW, 1).address(), vip(NEW, 2).address(),
        vip(NEW, 9).address());
    assertThat(owners(carried)).containsEntry(vip(NEW, 1).address(), "a")
        .containsEntry(vip(NEW, 2).address(), "-") // its owner c left
        .containsEntry(vip(NEW, 9).address(), "-"); // new
    assertThat(carried.flapRecord("b")).isEqualTo(old.flapRecord("b"));
    assertThat(carried.flapRecord("d")).isEqualTo(new FlapRecord(List.of(), Plan.NONE, false));
    assertThat(carried.flapRecord("a")).isEqualTo(old.flapRecord("a"));
    assertThat(carried.lostOwnershipAt("d")).isEqualTo(Long.MIN_VALUE);
    assertThat(carried.isSuspended("b", sec(10))).isTrue();
    assertThat(carried.isSuspended("c", sec(10))).isFalse(); // gone
    assertThat(carried.nextChangeAt()).isEqualTo(old.nextChangeAt());
    // The new planner takes it as its previous plan.
    Plan next = Planner.of(NEW).plan(Fixtures.allAlive(NEW, 0).build(), carried, sec(20));
    assertThat(next.assignment().owner(vip(NEW, 1))).isEqualTo("a");
    assertThat(next.assignment().unowned()).isZero();
  }

  @Test
  void aHoldDownOfANodeThatStaysIsKept() {
    VipGroup ap = group(Mode.ACTIVE_PASSIVE, 1, new String[] {"a", "b"}, new int[] {200, 100},
        p -> p.holdDown(Duration.ofSeconds(30)));
    Plan old = Plan.initial(ap).withOwners(Map.of(vip(ap, 1), "a"));
    old = old.withOwners(Map.of(vip(ap, 1), "b"), Map.of(vip(ap, 1), "a"), sec(5));
    VipGroup raised = group(Mode.ACTIVE_PASSIVE, 1, new String[] {"a", "b"},
        new int[] {250, 100}, p -> p.holdDown(Duration.ofSeconds(30)));
    Plan carried = Planner.of(raised).carry(old);
    assertThat(carried.lostOwnershipAt("a")).isEqualTo(sec(5));
    assertThat(carried.assignment().owner(vip(raised, 1))).isEqualTo("b");
    // Same members: the carried plan is the same state under the new group.
    assertThat(carried.flapRecord("b")).isEqualTo(old.flapRecord("b"));
    assertThat(carried.assignment().owners()).isEqualTo(old.assignment().owners());
  }
}
