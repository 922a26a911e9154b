package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The events and the snapshot a peer's news makes: up (again), suspect, down. */
class PeerEventsTest {
  @Test
  void aPeerRestartedWhileAliveIsUpAgainAndASilentOneSuspectThenDown() {
    TestCluster c = new TestCluster(SwitchoverPinsTest.group());
    ScriptedPeer n2 = ScriptedPeer.onNetwork(c, "n2").every(c.time, Duration.ofMillis(100));
    ScriptedPeer n3 = ScriptedPeer.onNetwork(c, "n3");
    c.start("n1");
    c.run(Duration.ofMillis(50));
    // While n1 still joins (n3 not heard yet), its snapshot already shows the peer it heard.
    assertThat(c.agent("n1").state().phase()).isEqualTo(VipAgent.Phase.JOINING);
    assertThat(c.agent("n1").state().peers()).containsOnlyKeys("n2");
    n3.every(c.time, Duration.ofMillis(100));
    c.run(Duration.ofSeconds(1));
    n2.incarnation = 5000;
    n2.sequence = 0;
    c.run(Duration.ofMillis(100));
    assertThat(c.events(AgentEvent.PeerUp.class, "n1")).filteredOn(e -> e.nodeId().equals("n2"))
        .extracting(AgentEvent.PeerUp::incarnation).containsExactly(1000L, 5000L);
    n3.silent = true;
    c.run(Duration.ofMillis(400));
    assertThat(c.events(AgentEvent.PeerSuspect.class, "n1")).extracting(
        AgentEvent.PeerSuspect::nodeId).containsExactly("n3");
    assertThat(c.events(AgentEvent.PeerDown.class, "n1")).singleElement()
        .satisfies(e -> assertThat(e.nodeId()).isEqualTo("n3"));
  }
}
