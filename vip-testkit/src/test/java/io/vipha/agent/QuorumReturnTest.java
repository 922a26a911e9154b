package io.vipha.agent;

import static io.vipha.agent.AgentFailoverTest.vip4;
import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Mode;
import io.vipha.NoQuorumAction;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A node back from isolation listens before it takes anything, and a node never takes a VIP
 * that a peer which cannot hear it still serves.
 */
class QuorumReturnTest {
  private static final long MS = 1_000_000L;

  @Test
  void aNodeThatRegainsQuorumWithoutHearingEveryPeerTakesNothingForAJoinTime() {
    TestCluster c = new TestCluster(AgentOperationsTest.quorumGroup(NoQuorumAction.RELEASE));
    c.startAll();
    c.run(Duration.ofSeconds(1));
    assertThat(c.holders(vip4(c))).containsExactly("n1");
    c.crashProcess("n3");
    c.network.block(c.heartbeatHost("n1"), c.heartbeatHost("n2"));
    c.network.block(c.heartbeatHost("n2"), c.heartbeatHost("n1"));
    c.run(Duration.ofSeconds(1));
    assertThat(c.holders(vip4(c))).isEmpty(); // nobody has a majority
    c.network.heal();
    c.run(Duration.ofSeconds(1));
    AgentEvent.QuorumRegained back = c.events(AgentEvent.QuorumRegained.class, "n1").get(0);
    AgentEvent.Acquired took = c.events(AgentEvent.Acquired.class, "n1").stream()
        .filter(e -> e.at() >= back.at()).findFirst().orElseThrow();
    // n3 is still dead: n1 waits a full join time (detection plus one interval).
    assertThat(took.at()).isEqualTo(back.at() + 400 * MS);
    assertThat(c.holders(vip4(c))).containsExactly("n1");
  }

  @Test
  void aVipThatAPeerWhichCannotHearThisNodeServesIsNotTaken() {
    VipGroup g = VipGroup.builder().name("web").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1").priority(150))
        .node(n -> n.id("n2").heartbeat("198.51.100.2").priority(200))
        .policy(p -> p.preempt(false).holdDown(Duration.ZERO))
        .build();
    TestCluster c = new TestCluster(g);
    ScriptedPeer n2 = ScriptedPeer.onNetwork(c, "n2");
    n2.priority = 200;
    n2.holds(0).every(c.time, Duration.ofMillis(100));
    c.start("n1");
    c.run(Duration.ofSeconds(1));
    VirtualIp vip = g.vips().get(0);
    assertThat(c.host("n1").holds(vip)).isFalse();
    n2.hears(1); // n2 no longer hears n1, and still serves the VIP
    c.run(Duration.ofSeconds(2));
    assertThat(c.host("n1").holds(vip)).isFalse();
    n2.silent = true; // now n2 is gone: n1 takes over once it is dead
    c.run(Duration.ofSeconds(1));
    assertThat(c.host("n1").holds(vip)).isTrue();
  }
  @Test
  void aNodeBackFromIsolationCountsItsEligibilityFromItsReturn() {
    VipGroup g = AgentFailoverTest.threeNodes(true).toBuilder() // preempt delay 2 s
        .policy(p -> p.quorum(io.vipha.Quorum.majority()).noQuorum(NoQuorumAction.RELEASE))
        .build();
    TestCluster c = new TestCluster(g);
    c.startAll();
    c.run(Duration.ofSeconds(3));
    assertThat(c.holders(vip4(c))).containsExactly("n1");
    c.isolate("n1");
    c.run(Duration.ofSeconds(1));
    assertThat(c.holders(vip4(c))).containsExactly("n2");
    c.network.heal();
    c.run(Duration.ofSeconds(4));
    AgentEvent.QuorumRegained back = c.events(AgentEvent.QuorumRegained.class, "n1").get(0);
    // n1 outranks n2 and takes the VIPs back after the preempt delay from its return, as its
    // peers count it, not at the end of the join that follows the return.
    assertThat(c.events(AgentEvent.Acquired.class, "n1")).filteredOn(e -> e.at() >= back.at())
        .isNotEmpty().allSatisfy(e -> assertThat(e.at()).isEqualTo(back.at() + 2000 * MS));
    assertThat(c.holders(vip4(c))).containsExactly("n1");
  }
}
