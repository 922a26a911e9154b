package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.internal.heartbeat.HeartbeatCodec;
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
  @Test
  void aHolderTakingTheVipBackWaitsAFullTimeoutAtItsNextHandover() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = holdingWith(Duration.ofMillis(300), p);
    c.agent("n1").drain();
    c.run(Duration.ofMillis(100));
    c.agent("n1").undrain(); // it owns the VIP again: the first handover is over
    c.run(Duration.ofMillis(300));
    assertThat(c.events(AgentEvent.Released.class, "n1")).isEmpty();
    c.agent("n1").drain();
    c.time.runDue();
    long drained = c.time.nanoTime();
    c.run(Duration.ofSeconds(1));
    assertThat(released(c)).isEqualTo(drained + 300 * MS);
  }

  @Test
  void afterAStallTheHandoverWaitsAFullTimeoutAgain() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = holdingWith(Duration.ofMillis(300), p);
    c.agent("n1").drain();
    c.run(Duration.ofMillis(100));
    c.loop("n1").pause(); // the handover's deadline passes during the stall
    c.run(Duration.ofMillis(500));
    c.loop("n1").resume();
    c.time.runDue();
    long resumed = c.time.nanoTime();
    c.run(Duration.ofSeconds(1));
    assertThat(c.events(AgentEvent.Stalled.class, "n1")).hasSize(1);
    // Half an interval of the stall check, then a handover timeout from when it runs again.
    assertThat(released(c)).isEqualTo(resumed + 50 * MS + 300 * MS);
  }
  /**
   * n1 standing by while n2 holds the VIP and is heard every interval; n2 then drains, and n1
   * takes the VIP over. Returns when n1 took it.
   */
  private static long takenFromDrainingN2(TestCluster c, ScriptedPeer[] n2) {
    n2[0] = ScriptedPeer.onNetwork(c, "n2").holds(0).every(c.time, Duration.ofMillis(100));
    c.start(c.create("n1", c.builder("n1").handoverTimeout(Duration.ofSeconds(5))));
    c.run(Duration.ofMillis(1050));
    assertThat(c.events(AgentEvent.Acquired.class, "n1")).isEmpty();
    n2[0].flags = HeartbeatCodec.FLAG_DRAINING;
    n2[0].send();
    c.run(Duration.ofMillis(1));
    return c.events(AgentEvent.Acquired.class, "n1").get(0).at();
  }

  /** n2 eligible again (still claiming the VIP) and n1 drained: the VIP goes back to n2. */
  private static void handBack(TestCluster c, ScriptedPeer n2) {
    n2.flags = HeartbeatCodec.FLAG_ELIGIBLE;
    n2.send();
    c.run(Duration.ofMillis(1)); // (n1, eligible and higher, keeps the VIP)
    c.agent("n1").drain();
    c.time.runDue();
  }

  @Test
  void aClaimSeenLateFromBeforeTheTakeCountsOnlyAnIntervalAfterIt() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = new TestCluster(TwoNodes.group());
    long took = takenFromDrainingN2(c, p);
    c.run(Duration.ofMillis(10));
    handBack(c, p[0]);
    c.time.runUntil(took + 100 * MS);
    // n2's claim dates from before n1 took the VIP: it may be n2's own hold, seen late, so it
    // shows n2 holds the VIP only one heartbeat interval after the take.
    assertThat(released(c)).isEqualTo(took + 100 * MS);
    assertThat(c.agent("n1").state().held()).isEmpty();
  }

  @Test
  void aClaimFirstSeenAtTheInstantOfTheTakeCountsAtOnce() {
    TestCluster c = new TestCluster(SwitchoverPinsTest.group()); // n3 silent: a full join
    ScriptedPeer n2 = ScriptedPeer.onNetwork(c, "n2");
    c.start(c.create("n1", c.builder("n1").handoverTimeout(Duration.ofSeconds(5))));
    c.time.runUntil(400 * MS - 100_000);
    n2.flags = HeartbeatCodec.FLAG_DRAINING;
    n2.holds(0).every(c.time, Duration.ofMillis(100)); // first heard at 400 ms, the join's end
    c.time.runUntil(400 * MS);
    assertThat(c.events(AgentEvent.Acquired.class, "n1")).singleElement()
        .satisfies(e -> assertThat(e.at()).isEqualTo(400 * MS));
    c.run(Duration.ofMillis(10));
    handBack(c, n2);
    long drained = c.time.nanoTime();
    c.run(Duration.ofMillis(1));
    assertThat(released(c)).isEqualTo(drained);
  }

  /**
   * Two VIPs n1 took from n2 at different instants, both handed back within their grace while
   * n2's claims from before the takes are all n1 has heard: each goes back one interval after
   * its own take, the earlier one first.
   */
  @Test
  void vipsTakenAtDifferentInstantsGoBackEachAnIntervalAfterItsTake() {
    VipGroup g = VipGroup.builder().name("aa").mode(Mode.ACTIVE_ACTIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .vip(v -> v.address("192.0.2.11/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1"))
        .node(n -> n.id("n2").heartbeat("198.51.100.2"))
        .policy(p -> p.preempt(false).holdDown(Duration.ZERO))
        .build();
    TestCluster c = new TestCluster(g);
    ScriptedPeer.onNetwork(c, "n2").holds(0, 1).every(c.time, Duration.ofMillis(100));
    c.start(c.create("n1", c.builder("n1").handoverTimeout(Duration.ofSeconds(5))));
    c.run(Duration.ofMillis(1100)); // n2 keeps both: no preemption
    assertThat(c.events(AgentEvent.Acquired.class, "n1")).isEmpty();
    VirtualIp first = g.vips().get(0);
    VirtualIp second = g.vips().get(1);
    c.agent("n1").switchover(first, "n1");
    c.time.runDue();
    long tookFirst = c.time.nanoTime();
    c.run(Duration.ofMillis(30));
    c.agent("n1").switchover(second, "n1");
    c.time.runDue();
    long tookSecond = c.time.nanoTime();
    assertThat(c.events(AgentEvent.Acquired.class, "n1")).extracting(AgentEvent.Acquired::vip,
        AgentEvent.Acquired::at).containsExactly(tuple(first, tookFirst),
        tuple(second, tookSecond));
    c.run(Duration.ofMillis(20));
    c.agent("n1").drain(); // both back to n2, whose claims date from before the takes
    c.run(Duration.ofMillis(200));
    assertThat(c.events(AgentEvent.Released.class, "n1")).extracting(AgentEvent.Released::vip,
        AgentEvent.Released::at).containsExactly(tuple(first, tookFirst + 100 * MS),
        tuple(second, tookSecond + 100 * MS));
  }
}
