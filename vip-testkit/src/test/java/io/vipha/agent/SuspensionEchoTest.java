package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.internal.heartbeat.HeartbeatView;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A process that lost its flap record takes its suspension back from a peer's echo while it is
 * joining, says so at once in its own heartbeat, and takes nothing while suspended; once running
 * its own record is the truth and an echo changes nothing.
 */
class SuspensionEchoTest {

  @Test
  void aJoiningNodeTakesBackItsEchoedSuspensionAndSaysSoAtOnce() {
    TestCluster c = new TestCluster(TwoNodes.group());
    ScriptedPeer n2 = ScriptedPeer.onNetwork(c, "n2");
    n2.suspension(0, 60_000);
    c.start("n1");
    c.run(Duration.ofMillis(30)); // n1's first heartbeats went out without a suspension
    n2.send();
    long echoed = c.time.nanoTime();
    c.run(Duration.ofMillis(1));
    assertThat(c.events(AgentEvent.FlapSuspended.class, "n1")).singleElement()
        .satisfies(e -> assertThat(e.at()).isEqualTo(echoed + 100_000));
    HeartbeatView hb = n2.lastFrom("n1");
    assertThat(hb.suspensionCount()).isEqualTo(1);
    assertThat(hb.suspensionNode(0)).isZero();
    assertThat(hb.suspensionMillis(0)).isBetween(59_990L, 60_000L);
    n2.every(c.time, Duration.ofMillis(100));
    c.run(Duration.ofSeconds(2));
    assertThat(c.holders(TwoNodes.group().vips().get(0))).isEmpty();
    assertThat(c.agent("n1").state().eligibility()).isEqualTo(io.vipha.plan.Eligibility.SUSPENDED);
    // The same echo again and again changes nothing.
    assertThat(c.events(AgentEvent.FlapSuspended.class, "n1")).hasSize(1);
  }

  @Test
  void anEchoAfterTheFirstHeartbeatIsAlsoToldAtOnce() {
    TestCluster c = new TestCluster(SwitchoverPinsTest.group()); // n3 silent: n1 keeps joining
    ScriptedPeer n2 = ScriptedPeer.onNetwork(c, "n2");
    c.start("n1");
    n2.send(); // first contact, no echo: n1 greets it
    c.run(Duration.ofMillis(30));
    n2.suspension(0, 60_000).send();
    c.run(Duration.ofMillis(1));
    assertThat(c.events(AgentEvent.FlapSuspended.class, "n1")).hasSize(1);
    assertThat(n2.lastFrom("n1").suspensionCount()).isEqualTo(1);
  }

  @Test
  void aRunningNodeIgnoresAnEcho() {
    TestCluster c = new TestCluster(TwoNodes.group());
    ScriptedPeer n2 = ScriptedPeer.onNetwork(c, "n2").every(c.time, Duration.ofMillis(100));
    c.start("n1");
    c.run(Duration.ofSeconds(1));
    assertThat(c.agent("n1").state().phase()).isEqualTo(VipAgent.Phase.RUNNING);
    n2.suspension(0, 60_000);
    c.run(Duration.ofSeconds(1));
    assertThat(c.events(AgentEvent.FlapSuspended.class, "n1")).isEmpty();
    assertThat(c.holders(TwoNodes.group().vips().get(0))).containsExactly("n1");
  }
  @Test
  void theSameEchoAgainWhileJoiningIsNotToldAgain() {
    TestCluster c = new TestCluster(SwitchoverPinsTest.group()); // n3 silent: n1 keeps joining
    ScriptedPeer n2 = ScriptedPeer.onNetwork(c, "n2");
    c.start("n1");
    n2.suspension(0, 60_000).send();
    c.run(Duration.ofMillis(50));
    n2.suspensionCount = 0;
    n2.suspension(0, 59_950).send(); // the same end, 50 ms on
    c.run(Duration.ofMillis(50));
    assertThat(c.agent("n1").state().phase()).isEqualTo(VipAgent.Phase.JOINING);
    assertThat(c.events(AgentEvent.FlapSuspended.class, "n1")).hasSize(1);
  }
  @Test
  void anEchoIsCappedByTheSuspensionOfAChangedFlapLimit() {
    TestCluster c = new TestCluster(SwitchoverPinsTest.group()); // n3 silent: n1 keeps joining
    ScriptedPeer n2 = ScriptedPeer.onNetwork(c, "n2");
    c.start("n1");
    VipGroup g = ReconfigureTest.policy(c.group,
        p -> p.flapLimit(4, Duration.ofMinutes(1), Duration.ofMinutes(1)));
    c.agent("n1").reconfigure(g, java.util.List.of());
    c.time.runDue();
    n2.digest = HeartbeatCoordinator.digest(g);
    n2.suspension(0, 240_000).send(); // four minutes, from a peer that kept an older record
    c.run(Duration.ofMillis(1));
    HeartbeatView hb = n2.lastFrom("n1");
    assertThat(hb.suspensionCount()).isEqualTo(1);
    assertThat(hb.suspensionMillis(0)).isBetween(59_990L, 60_000L);
  }
}
