package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Make-before-break: a node that no longer owns a VIP keeps it until its successor says it holds
 * it, or for at most the handover timeout. n1 is a real agent; its successor n2 is played by the
 * test, so when n2 claims the VIP is up to the test.
 */
class HandoverTest {
  private static final long MS = 1_000_000L;


  private static VirtualIp vip(TestCluster c) {
    return c.group.vips().get(0);
  }

  private static long released(TestCluster c) {
    return c.events(AgentEvent.Released.class, "n1").get(0).at();
  }

  @Test
  void aSuccessorThatNeverClaimsGetsTheVipAfterTheDefaultTimeout() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = TwoNodes.holding(TwoNodes.group(), p, 650, b -> b);
    c.agent("n1").drain();
    c.time.runDue();
    long drained = c.time.nanoTime();
    c.run(Duration.ofMillis(699));
    assertThat(c.host("n1").holds(vip(c))).isTrue();
    c.run(Duration.ofSeconds(1));
    // Twice the detection time plus one interval.
    assertThat(released(c)).isEqualTo(drained + 700 * MS);
    assertThat(c.host("n1").holds(vip(c))).isFalse();
  }

  @Test
  void theHandoverTimeoutCanBeSet() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = holdingWith(Duration.ofMillis(250), p);
    c.agent("n1").drain();
    c.time.runDue();
    long drained = c.time.nanoTime();
    c.run(Duration.ofSeconds(1));
    assertThat(released(c)).isEqualTo(drained + 250 * MS);
  }

  private static TestCluster holdingWith(Duration timeout, ScriptedPeer[] n2) {
    return TwoNodes.holding(TwoNodes.group(), n2, 650, b -> b.handoverTimeout(timeout));
  }

  @Test
  void theVipIsReleasedAsSoonAsTheSuccessorSaysItHoldsIt() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = holdingWith(Duration.ofSeconds(5), p);
    c.agent("n1").drain();
    c.run(Duration.ofMillis(130));
    assertThat(c.host("n1").holds(vip(c))).isTrue();
    p[0].holds(0).send();
    long claimed = c.time.nanoTime();
    c.run(Duration.ofMillis(1));
    assertThat(c.host("n1").holds(vip(c))).isFalse();
    assertThat(released(c) - claimed).isLessThan(MS);
  }

  @Test
  void aDeadSuccessorIsNotWaitedFor() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = holdingWith(Duration.ofSeconds(5), p);
    p[0].silent = true;
    c.run(Duration.ofMillis(500)); // n2 is dead to n1
    c.agent("n1").drain();
    c.time.runDue();
    long drained = c.time.nanoTime();
    c.run(Duration.ofSeconds(3));
    assertThat(c.events(AgentEvent.Released.class, "n1")).singleElement()
        .satisfies(e -> assertThat(e.at()).isEqualTo(drained));
  }

  @Test
  void aStopWaitsForTheSuccessorAtMostTheTimeoutAndThenLeaves() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = holdingWith(Duration.ofMillis(300), p);
    var stopped = c.agent("n1").stop();
    c.time.runDue();
    long stop = c.time.nanoTime();
    c.run(Duration.ofMillis(299));
    assertThat(stopped).isNotDone();
    c.run(Duration.ofMillis(1));
    assertThat(stopped).isDone();
    assertThat(released(c)).isEqualTo(stop + 300 * MS);
  }
  @Test
  void aStopEndsAsSoonAsTheSuccessorHoldsTheVip() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = holdingWith(Duration.ofSeconds(5), p);
    var stopped = c.agent("n1").stop();
    c.run(Duration.ofMillis(130));
    assertThat(stopped).isNotDone();
    p[0].holds(0).send();
    c.run(Duration.ofMillis(1));
    assertThat(stopped).isDone();
    assertThat(c.events(AgentEvent.Released.class, "n1")).extracting(AgentEvent.Released::reason)
        .containsExactly("DRAINED");
  }
}
