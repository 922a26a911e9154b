package io.vipha.agent;

import static io.vipha.agent.AgentFailoverTest.threeNodes;
import static io.vipha.agent.AgentFailoverTest.vip4;
import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.VirtualIp;
import io.vipha.health.Effect;
import io.vipha.plan.Eligibility;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The agent reacts to what its backend's watch reports at once, not at its next periodic
 * reconcile (every second here): an address removed behind its back is re-added, a link that
 * carries its VIPs going down disqualifies the node.
 */
class HostWatchTest {
  @Test
  void aVipRemovedBehindTheAgentsBackIsReAddedAtOnce() {
    TestCluster c = new TestCluster(threeNodes(false));
    c.startAll();
    c.run(Duration.ofSeconds(1));
    assertThat(c.holders(vip4(c))).containsExactly("n1");
    c.host("n1").removeByHand(vip4(c));
    c.run(Duration.ofMillis(1));
    assertThat(c.holders(vip4(c))).containsExactly("n1");
    assertThat(c.events(AgentEvent.DriftRepaired.class, "n1"))
        .extracting(AgentEvent.DriftRepaired::vip).containsExactly(vip4(c));
  }

  @Test
  void aLeftoverAddedOnANonOwnerIsRemovedAtOnce() {
    TestCluster c = new TestCluster(threeNodes(false));
    c.startAll();
    c.run(Duration.ofSeconds(1));
    c.host("n2").addByHand(vip4(c));
    c.run(Duration.ofMillis(1));
    assertThat(c.holders(vip4(c))).containsExactly("n1");
    assertThat(c.events(AgentEvent.DriftRepaired.class, "n2")).singleElement().satisfies(e -> {
      assertThat(e.vip()).isEqualTo(vip4(c));
      assertThat(e.what()).isEqualTo("removed a leftover this node does not own");
    });
  }

  @Test
  void aLinkGoingDownDisqualifiesTheNodeAndItsVipsMoveAtOnce() {
    TestCluster c = new TestCluster(threeNodes(true));
    c.startAll();
    c.run(Duration.ofSeconds(1));
    assertThat(c.holders(vip4(c))).containsExactly("n1");
    long down = c.time.nanoTime();
    c.host("n1").setLink("eth0", false);
    c.run(Duration.ofMillis(200));
    for (VirtualIp v : c.group.vips()) {
      assertThat(c.holders(v)).as("holders of %s", v).containsExactly("n2");
    }
    assertThat(c.agent("n1").state().eligibility()).isEqualTo(Eligibility.DISQUALIFIED);
    AgentEvent.HealthChanged h = c.events(AgentEvent.HealthChanged.class, "n1").get(0);
    assertThat(h.check()).isEqualTo("link eth0");
    assertThat(h.healthy()).isFalse();
    assertThat(h.disqualified()).isTrue();
    assertThat(h.at()).isEqualTo(down);
    assertThat(c.events(AgentEvent.Acquired.class, "n2")).isNotEmpty()
        .allSatisfy(a -> assertThat(a.at() - down).isLessThan(Duration.ofMillis(200).toNanos()));

    c.host("n1").setLink("eth0", true);
    c.run(Duration.ofMillis(1));
    assertThat(c.agent("n1").state().eligibility()).isEqualTo(Eligibility.ELIGIBLE);
    // Preemption (delay 2 s) brings the VIPs back once the link has been up long enough.
    c.run(Duration.ofSeconds(3));
    assertThat(c.holders(vip4(c))).containsExactly("n1");
  }

  @Test
  void aWeightedLinkDownEffectLowersThePriorityInsteadAndPreemptionMovesTheVips() {
    TestCluster c = new TestCluster(threeNodes(true));
    c.start(c.create("n1", c.builder("n1").linkDown(Effect.weight(-150))));
    c.start("n2");
    c.start("n3");
    c.run(Duration.ofSeconds(1));
    assertThat(c.holders(vip4(c))).containsExactly("n1");
    c.host("n1").setLink("eth0", false);
    c.run(Duration.ofMillis(1));
    assertThat(c.agent("n1").state().eligibility()).isEqualTo(Eligibility.ELIGIBLE);
    assertThat(c.agent("n1").state().effectivePriority()).isEqualTo(50);
    AgentEvent.HealthChanged h = c.events(AgentEvent.HealthChanged.class, "n1").get(0);
    assertThat(h.disqualified()).isFalse();
    assertThat(h.effectivePriority()).isEqualTo(50);
    // n2 (150) now outranks n1 (50); it has been up longer than the preempt delay, so it takes
    // the VIPs, and n1 stays eligible as a standby.
    c.run(Duration.ofSeconds(1));
    assertThat(c.holders(vip4(c))).containsExactly("n2");
    assertThat(c.agent("n1").state().eligibility()).isEqualTo(Eligibility.ELIGIBLE);
    c.host("n1").setLink("eth0", true);
    c.run(Duration.ofMillis(1));
    assertThat(c.agent("n1").state().effectivePriority()).isEqualTo(200);
  }

  @Test
  void aLinkThatCarriesNoVipIsIgnored() {
    TestCluster c = new TestCluster(threeNodes(true));
    c.startAll();
    c.run(Duration.ofSeconds(1));
    c.host("n1").setLink("eth1", false);
    c.run(Duration.ofMillis(500));
    assertThat(c.holders(vip4(c))).containsExactly("n1");
    assertThat(c.events(AgentEvent.HealthChanged.class, "n1")).isEmpty();
  }

  @Test
  void aNodeWhoseLinkIsDownAtStartNeverTakesTheVips() {
    TestCluster c = new TestCluster(threeNodes(true));
    c.host("n1").setLink("eth0", false);
    c.startAll();
    c.run(Duration.ofSeconds(2));
    assertThat(c.holders(vip4(c))).containsExactly("n2");
    assertThat(c.agent("n1").state().eligibility()).isEqualTo(Eligibility.DISQUALIFIED);
  }
  @Test
  void anAddressLostUnseenIsReAddedByThePeriodicReconcileAndTheStateSaysSoAtOnce() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = TwoNodes.holding(TwoNodes.group(), p, 650, b -> b);
    VirtualIp v = c.group.vips().get(0);
    c.time.runUntil(1_500_000_000L);
    c.host("n1").clear(); // no watch event: only the periodic reconcile (every second) sees it
    c.time.runUntil(2_000_000_000L - 1);
    assertThat(c.host("n1").holds(v)).isFalse();
    c.time.runUntil(2_000_000_000L);
    assertThat(c.host("n1").holds(v)).isTrue();
    AgentState s = c.agent("n1").state();
    assertThat(s.counters().driftRepairs()).isEqualTo(1);
    assertThat(s.recentEvents()).last().isInstanceOf(AgentEvent.DriftRepaired.class);
  }
  @Test
  void aLeftoverThatCannotBeRemovedIsReported() {
    io.vipha.VipGroup g = io.vipha.VipGroup.builder().name("web")
        .mode(io.vipha.Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth1")) // n1's host lacks eth1
        .node(n -> n.id("n1").heartbeat("198.51.100.1").priority(200))
        .node(n -> n.id("n2").heartbeat("198.51.100.2").priority(150))
        .policy(p -> p.preempt(false)).build();
    TestCluster c = new TestCluster(g);
    ScriptedPeer.onNetwork(c, "n2").holds(0).every(c.time, Duration.ofMillis(100));
    c.start("n1");
    c.run(Duration.ofMillis(500));
    VirtualIp v = g.vips().get(0);
    c.host("n1").addByHand(v);
    long added = c.time.nanoTime();
    c.run(Duration.ofMillis(1));
    assertThat(c.events(AgentEvent.BackendError.class, "n1")).singleElement().satisfies(e -> {
      assertThat(e.at()).isEqualTo(added);
      assertThat(e.operation()).isEqualTo("release");
      assertThat(e.vip()).isEqualTo(v);
    });
    assertThat(c.events(AgentEvent.DriftRepaired.class, "n1")).isEmpty();
  }
}
