package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.internal.heartbeat.HeartbeatCodec;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Two holders of one VIP (after a partition heals, say): the one that keeps it is the live one,
 * then the eligible one, then the higher priority, then the lower id, as two VRRP masters resolve
 * it. Node {@code self} is a real agent; the other holder is played by the test.
 */
class ConflictRuleTest {
  private static VipGroup group(String self, String other) {
    return VipGroup.builder().name("web").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .node(n -> n.id(self).heartbeat("198.51.100.1").priority(200))
        .node(n -> n.id(other).heartbeat("198.51.100.2").priority(150))
        .node(n -> n.id("z3").heartbeat("198.51.100.3").priority(100))
        .policy(p -> p.preempt(false).holdDown(Duration.ZERO))
        .build();
  }

  /** Whether {@code self} still holds the VIP after {@code other} claims it as set up. */
  private static boolean keeps(String self, String other, java.util.function.Consumer<ScriptedPeer>
      claim) {
    return keeps(self, other, claim, b -> b);
  }

  private static boolean keeps(String self, String other, java.util.function.Consumer<ScriptedPeer>
      claim, java.util.function.UnaryOperator<VipAgent.Builder> agent) {
    VipGroup g = group(self, other);
    TestCluster c = new TestCluster(g);
    ScriptedPeer peer = ScriptedPeer.onNetwork(c, other).every(c.time, Duration.ofMillis(100));
    ScriptedPeer z3 = ScriptedPeer.onNetwork(c, "z3");
    z3.priority = 100;
    z3.every(c.time, Duration.ofMillis(100));
    c.start(c.create(self, agent.apply(c.builder(self))));
    c.run(Duration.ofMillis(700));
    VirtualIp vip = g.vips().get(0);
    assertThat(c.host(self).holds(vip)).isTrue();
    claim.accept(peer);
    peer.holds(0);
    c.run(Duration.ofSeconds(2));
    return c.host(self).holds(vip);
  }

  @Test
  void aHigherPriorityHolderKeepsIt() {
    assertThat(keeps("n1", "n2", p -> p.priority = 250)).isFalse();
    assertThat(keeps("n1", "n2", p -> p.priority = 150)).isTrue();
  }

  @Test
  void atEqualPriorityTheLowerIdKeepsIt() {
    assertThat(keeps("n1", "n2", p -> p.priority = 200)).isTrue();
    assertThat(keeps("n2", "n1", p -> p.priority = 200)).isFalse();
  }

  @Test
  void anIneligibleHolderGivesWayWhateverItsPriority() {
    assertThat(keeps("n1", "n2", p -> {
      p.priority = 250;
      p.flags = HeartbeatCodec.FLAG_DRAINING;
    })).isTrue();
    assertThat(keeps("n1", "n2", p -> {
      p.priority = 250;
      p.flags = 0;
    })).isTrue();
  }

  @Test
  void aDeadHoldersLastReportDoesNotCountAgainstALiveOne() {
    assertThat(keeps("n1", "n2", p -> {
      p.priority = 250;
      p.holds(0).send();
      p.silent = true; // it claimed, then died: n1 hears nothing more of it
    })).isTrue();
  }

  @Test
  void withTheRuleSwitchedOffAHolderKeepsItsVipAgainstEveryOther() {
    // (the simulator's self-test switches the rule off and expects two holders to stay)
    assertThat(keeps("n1", "n2", p -> p.priority = 250, b -> b.breakage(Breakage.CONFLICT_RULE)))
        .isTrue();
  }

  @Test
  void aLiveHolderKeepsTheVipAgainstTheLastReportOfADeadOne() {
    VipGroup g = group("n1", "n2");
    TestCluster c = new TestCluster(g);
    ScriptedPeer n2 = ScriptedPeer.onNetwork(c, "n2");
    ScriptedPeer z3 = ScriptedPeer.onNetwork(c, "z3");
    z3.priority = 100;
    z3.holds(0).every(c.time, Duration.ofMillis(100));
    c.start("n1");
    n2.holds(0).send(); // it claims too, once, then dies: the VIP stays with z3, the live holder
    c.run(Duration.ofSeconds(2));
    assertThat(c.agent("n1").state().peers().get("n2")).satisfies(p -> assertThat(
        java.util.Objects.requireNonNull(p).liveness()).isEqualTo(io.vipha.plan.Liveness.DEAD));
    assertThat(c.agent("n1").state().owners()).containsEntry(g.vips().get(0), "z3");
    assertThat(c.host("n1").holds(g.vips().get(0))).isFalse();
  }

  @Test
  void aHolderThatGivesWayReleasesAsNoLongerTheOwner() {
    VipGroup g = group("n1", "n2");
    TestCluster c = new TestCluster(g);
    ScriptedPeer n2 = ScriptedPeer.onNetwork(c, "n2").every(c.time, Duration.ofMillis(100));
    ScriptedPeer.onNetwork(c, "z3").every(c.time, Duration.ofMillis(100));
    c.start("n1");
    c.run(Duration.ofMillis(700));
    n2.priority = 250;
    n2.holds(0); // a second holder that outranks n1: no move of the plan gives n1 a reason
    c.run(Duration.ofSeconds(1));
    assertThat(c.events(AgentEvent.Released.class, "n1")).extracting(AgentEvent.Released::reason)
        .containsExactly("NOT_OWNER");
    assertThat(c.host("n1").holds(g.vips().get(0))).isFalse();
  }
}
