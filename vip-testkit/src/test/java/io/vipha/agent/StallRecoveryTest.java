package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.internal.heartbeat.MessageType;
import java.time.Duration;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * What a node does after its loop ran nothing for longer than the detection time: it steps down
 * at once when it holds nothing, and when it holds VIPs it keeps them for half an interval while
 * its peers' news arrives, letting go only if a peer acted on its silence.
 */
class StallRecoveryTest {
  private static final long MS = 1_000_000L;


  /** n1 real and holding the VIP, n2 played by the test and heard every interval. */
  private static TestCluster holding(ScriptedPeer[] n2) {
    return TwoNodes.holding(TwoNodes.group(), n2, 650, b -> b);
  }

  private static io.vipha.spi.Coordinator.PeerState peer(TestCluster c, String at, String id) {
    return Objects.requireNonNull(c.agent(at).state().peers().get(id), id);
  }

  private static VirtualIp vip(TestCluster c) {
    return c.group.vips().get(0);
  }

  /** Pauses n1's loop for {@code ms}, resumes it, runs what fell due; returns the resume time. */
  private static long stall(TestCluster c, long ms) {
    c.loop("n1").pause();
    c.run(Duration.ofMillis(ms));
    c.loop("n1").resume();
    c.time.runDue();
    return c.time.nanoTime();
  }

  @Test
  void aHolderWhosePeerActedNotKeepsItsVipsAndGoesOnAfterHalfAnInterval() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = holding(p);
    long resumed = stall(c, 500);
    assertThat(c.events(AgentEvent.Stalled.class, "n1")).singleElement()
        .satisfies(e -> assertThat(e.at()).isEqualTo(resumed));
    assertThat(c.agent("n1").state().phase()).isEqualTo(VipAgent.Phase.JOINING);
    assertThat(c.holders(vip(c))).containsExactly("n1");
    c.run(Duration.ofNanos(50 * MS - 1));
    assertThat(c.agent("n1").state().phase()).isEqualTo(VipAgent.Phase.JOINING);
    c.run(Duration.ofNanos(1));
    assertThat(c.agent("n1").state().phase()).isEqualTo(VipAgent.Phase.RUNNING);
    assertThat(c.holders(vip(c))).containsExactly("n1");
    assertThat(c.events(AgentEvent.Released.class, "n1")).isEmpty();
    c.run(Duration.ofSeconds(1));
    assertThat(c.holders(vip(c))).containsExactly("n1");
  }

  @Test
  void duringTheCheckTheHolderClaimsNothingAndClaimsAgainAtOnceAfterIt() {
    TestCluster c = new TestCluster(AgentFailoverTest.threeNodes(false));
    c.startAll();
    c.run(Duration.ofSeconds(1));
    c.stallAll(Duration.ofMillis(500));
    long resumed = c.time.nanoTime();
    c.run(Duration.ofMillis(30));
    assertThat(peer(c, "n2", "n1").held()).isEmpty();
    c.time.runUntil(resumed + 50 * MS + 200_000); // the check's end, and the network's delay
    assertThat(peer(c, "n2", "n1").held()).contains(vip(c));
  }

  @Test
  void aPeerThatTookTheVipDuringTheStallMakesTheHolderLetGo() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = holding(p);
    ScriptedPeer n2 = p[0];
    stall(c, 500);
    n2.holds(0).send(); // it took the VIP, and still hears n1 (n1's heartbeats reached it late)
    c.run(Duration.ofMillis(40));
    assertThat(c.events(AgentEvent.Released.class, "n1")).singleElement()
        .satisfies(e -> assertThat(e.reason()).isEqualTo("STALLED"));
    assertThat(c.host("n1").holds(vip(c))).isFalse();
    // It plans afresh, as a node that has heard nobody: no owner yet.
    assertThat(c.agent("n1").state().owners().values()).containsOnlyNulls();
    // It listens for a full join time before it plans again.
    c.run(Duration.ofMillis(300));
    assertThat(c.agent("n1").state().phase()).isEqualTo(VipAgent.Phase.JOINING);
  }

  @Test
  void aPeerThatStoppedHearingTheHolderMakesItLetGo() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = holding(p);
    ScriptedPeer n2 = p[0];
    stall(c, 500);
    n2.hears(1).send();
    c.run(Duration.ofMillis(40));
    assertThat(c.events(AgentEvent.Released.class, "n1")).extracting(AgentEvent.Released::reason)
        .containsExactly("STALLED");
  }

  /**
   * After a stall: {@code n2} sends news that is nothing it did about n1's silence, and n1,
   * which caught one stall, keeps its VIP and runs on.
   */
  private static void newsShowsNoAction(TestCluster c, ScriptedPeer n2) {
    n2.priority = 151;
    n2.send();
    c.run(Duration.ofMillis(100));
    assertThat(c.events(AgentEvent.Stalled.class, "n1")).hasSize(1);
    assertThat(c.events(AgentEvent.Released.class, "n1")).isEmpty();
    assertThat(c.agent("n1").state().phase()).isEqualTo(VipAgent.Phase.RUNNING);
  }

  @Test
  void aPeerThatHeldTheVipBeforeTheStallIsNoSignOfAction() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = holding(p);
    ScriptedPeer n2 = p[0];
    n2.holds(0); // a claim n1 already knew of (n1 outranks it and keeps the VIP)
    c.run(Duration.ofMillis(200));
    stall(c, 500);
    newsShowsNoAction(c, n2);
  }

  @Test
  void aPeerLeavingDuringTheCheckIsNoSignOfAction() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = holding(p);
    ScriptedPeer n2 = p[0];
    n2.silent = true; // (from the end of the stall)
    stall(c, 500);
    n2.type = MessageType.LEAVING;
    n2.send();
    c.run(Duration.ofMillis(100));
    assertThat(c.events(AgentEvent.Released.class, "n1")).isEmpty();
    assertThat(c.holders(vip(c))).containsExactly("n1");
    assertThat(c.agent("n1").state().phase()).isEqualTo(VipAgent.Phase.RUNNING);
  }

  @Test
  void aNodeHoldingNothingStepsDownAtOnceAndListensAFullJoinTime() {
    TestCluster c = new TestCluster(AgentFailoverTest.threeNodes(false));
    c.startAll();
    c.run(Duration.ofSeconds(1));
    c.loop("n3").pause();
    c.run(Duration.ofMillis(500));
    c.loop("n3").resume();
    c.time.runDue();
    long resumed = c.time.nanoTime();
    assertThat(c.events(AgentEvent.Stalled.class, "n3")).hasSize(1);
    assertThat(c.agent("n3").state().phase()).isEqualTo(VipAgent.Phase.JOINING);
    // Its peers hear it again at once: it said so as soon as it stepped down.
    c.time.runUntil(resumed + 200_000);
    assertThat(peer(c, "n1", "n3").liveness())
        .isNotEqualTo(io.vipha.plan.Liveness.DEAD);
    c.time.runUntil(resumed + 400 * MS - 1); // the join time: detection plus one interval
    assertThat(c.agent("n3").state().phase()).isEqualTo(VipAgent.Phase.JOINING);
    c.time.runUntil(resumed + 400 * MS);
    assertThat(c.agent("n3").state().phase()).isEqualTo(VipAgent.Phase.RUNNING);
    assertThat(c.holders(vip(c))).containsExactly("n1");
  }

  private static VipGroup solo() {
    return VipGroup.builder().name("solo").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1").priority(200))
        .build();
  }

  @Test
  void aNodeAloneInItsGroupCarriesOnAfterAStall() {
    TestCluster c = new TestCluster(solo());
    c.start("n1");
    c.run(Duration.ofSeconds(1));
    assertThat(c.holders(vip(c))).containsExactly("n1");
    stall(c, 500);
    assertThat(c.events(AgentEvent.Stalled.class, "n1")).hasSize(1);
    assertThat(c.agent("n1").state().phase()).isEqualTo(VipAgent.Phase.RUNNING);
    c.run(Duration.ofSeconds(1));
    assertThat(c.holders(vip(c))).containsExactly("n1");
    assertThat(c.events(AgentEvent.Released.class, "n1")).isEmpty();
  }

  @Test
  void aPauseShorterThanTheDetectionTimeIsNoStall() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = holding(p);
    stall(c, 250);
    c.run(Duration.ofSeconds(1));
    assertThat(c.events(AgentEvent.Stalled.class, "n1")).isEmpty();
    assertThat(c.agent("n1").state().phase()).isEqualTo(VipAgent.Phase.RUNNING);
  }
  @Test
  void theStallIsTheTimeTheLoopRanNothingAndIsCaughtByTheFirstTaskAfterIt() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = holding(p);
    c.time.runUntil(1000 * MS); // n1's tick at 1 s has run; n2's heartbeat is still on its way
    c.loop("n1").pause();
    p[0].priority = 151;
    p[0].incarnation++; // n2 restarted: news that waits behind the pause
    p[0].send();
    c.run(Duration.ofMillis(500));
    c.loop("n1").resume();
    c.time.runDue();
    assertThat(c.events(AgentEvent.Stalled.class, "n1")).singleElement()
        .satisfies(e -> assertThat(e.nanos()).isEqualTo(500 * MS));
    // That news caught the stall: it is not acted on (no event tells of n2's restart).
    assertThat(c.events(AgentEvent.PeerUp.class, "n1"))
        .noneMatch(e -> e.incarnation() == p[0].incarnation);
  }

  @Test
  void aPauseOfExactlyTheDetectionTimeIsNoStall() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = holding(p);
    c.time.runUntil(1000 * MS);
    c.loop("n1").pause();
    p[0].priority = 151;
    p[0].send();
    c.run(Duration.ofMillis(300));
    c.loop("n1").resume();
    c.run(Duration.ofSeconds(1));
    assertThat(c.events(AgentEvent.Stalled.class, "n1")).isEmpty();
    assertThat(c.holders(vip(c))).containsExactly("n1");
  }
  @Test
  void aStallSoonAfterTheStartIsNotCutShortByTheStartsJoinTimer() {
    TestCluster c = new TestCluster(AgentFailoverTest.threeNodes(false));
    c.startAll(); // every peer heard at once: the join ends early, its timer (400 ms) is moot
    c.run(Duration.ofMillis(50));
    assertThat(c.agent("n3").state().phase()).isEqualTo(VipAgent.Phase.RUNNING);
    c.loop("n3").pause();
    c.run(Duration.ofMillis(330));
    c.loop("n3").resume();
    c.time.runDue();
    long resumed = c.time.nanoTime();
    assertThat(c.events(AgentEvent.Stalled.class, "n3")).hasSize(1);
    c.time.runUntil(resumed + 399 * MS); // past 400 ms from the start
    assertThat(c.agent("n3").state().phase()).isEqualTo(VipAgent.Phase.JOINING);
    c.time.runUntil(resumed + 400 * MS);
    assertThat(c.agent("n3").state().phase()).isEqualTo(VipAgent.Phase.RUNNING);
  }

  @Test
  void newsQueuedDuringTheStallIsNotActedOnButShowsThePeerActed() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = holding(p);
    c.time.runUntil(1000 * MS); // n1's tick at 1 s has run
    c.loop("n1").pause();
    p[0].priority = 250; // n2 outranks n1 now and took the VIP while n1 was silent
    p[0].holds(0).send(); // the first task n1 runs after the stall
    c.run(Duration.ofMillis(500));
    c.loop("n1").resume();
    c.time.runDue();
    c.run(Duration.ofMillis(40));
    // The first of n2's queued heartbeats catches the stall and is not acted on (a node that
    // acted on it would give the VIP up to the higher priority at once); the next shows n2 took
    // the VIP during the stall, and n1 steps down.
    assertThat(c.events(AgentEvent.Released.class, "n1")).extracting(AgentEvent.Released::reason)
        .containsExactly("STALLED");
    assertThat(c.agent("n1").state().phase()).isEqualTo(VipAgent.Phase.JOINING);
  }
  @Test
  void aHolderStallingSoonAfterAnEarlyJoinChecksForAWholeHalfInterval() {
    TestCluster c = new TestCluster(TwoNodes.group());
    c.start("n1");
    // n2 is heard at once: the join ends early, and its timer (400 ms from the start) is moot.
    ScriptedPeer.onNetwork(c, "n2").every(c.time, Duration.ofMillis(100));
    c.run(Duration.ofMillis(20));
    assertThat(c.holders(vip(c))).containsExactly("n1");
    long resumed = stall(c, 360); // the check runs from 380 to 430 ms
    assertThat(c.events(AgentEvent.Stalled.class, "n1")).hasSize(1);
    c.time.runUntil(resumed + 50 * MS - 1);
    assertThat(c.agent("n1").state().phase()).isEqualTo(VipAgent.Phase.JOINING);
    c.time.runUntil(resumed + 50 * MS);
    assertThat(c.agent("n1").state().phase()).isEqualTo(VipAgent.Phase.RUNNING);
    assertThat(c.holders(vip(c))).containsExactly("n1");
  }

  @Test
  void aHolderThatSteppedDownCountsItsEligibilityFromTheStallsEnd() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = TwoNodes.holding(TwoNodes.group(f -> f.preempt(true)
        .preemptDelay(Duration.ofSeconds(1))), p, 650, b -> b);
    long resumed = stall(c, 500);
    p[0].holds(0).send(); // n2 took the VIP while n1 was silent
    c.run(Duration.ofSeconds(3));
    assertThat(c.events(AgentEvent.Released.class, "n1")).extracting(AgentEvent.Released::reason)
        .containsExactly("STALLED");
    // n1 outranks n2 and takes the VIP back once eligible for the preempt delay, as its peers
    // count it: from its return, not from its start.
    assertThat(c.events(AgentEvent.Acquired.class, "n1")).hasSize(2)
        .last().satisfies(e -> assertThat(e.at()).isEqualTo(resumed + 1000 * MS));
  }
  @Test
  void aReleaseThatWorksWhenSteppingDownEndsABackendFailureAtOnce() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = holding(p);
    c.host("n1").failWith(new io.vipha.spi.BackendException(
        io.vipha.spi.BackendException.Kind.TRANSIENT, "busy"));
    c.run(Duration.ofMillis(400)); // the periodic reconcile at 1 s fails: n1 cannot let go
    assertThat(c.agent("n1").state().eligibility())
        .isEqualTo(io.vipha.plan.Eligibility.DISQUALIFIED);
    assertThat(c.host("n1").holds(vip(c))).isTrue();
    c.loop("n1").pause();
    c.host("n1").heal();
    p[0].holds(0); // n2 takes the VIP while n1 is silent
    c.run(Duration.ofMillis(500));
    c.loop("n1").resume();
    c.run(Duration.ofMillis(40));
    assertThat(c.events(AgentEvent.Released.class, "n1")).extracting(AgentEvent.Released::reason)
        .containsExactly("STALLED");
    // The release worked: the node no longer counts as failing, and says so while it listens.
    assertThat(c.agent("n1").state().phase()).isEqualTo(VipAgent.Phase.JOINING);
    assertThat(c.agent("n1").state().eligibility()).isEqualTo(io.vipha.plan.Eligibility.ELIGIBLE);
    assertThat(p[0].lastFrom("n1").eligible()).isTrue();
  }
  @Test
  void aReleaseThatFailsWhenSteppingDownIsReportedAndDisqualifies() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = holding(p);
    c.loop("n1").pause();
    c.host("n1").failWith(new io.vipha.spi.BackendException(
        io.vipha.spi.BackendException.Kind.TRANSIENT, "busy")); // nothing has tried it yet
    p[0].holds(0); // n2 takes the VIP while n1 is silent
    c.run(Duration.ofMillis(500));
    c.loop("n1").resume();
    c.run(Duration.ofMillis(40));
    assertThat(c.events(AgentEvent.BackendError.class, "n1")).singleElement().satisfies(e -> {
      assertThat(e.operation()).isEqualTo("release");
      assertThat(e.vip()).isEqualTo(vip(c));
    });
    assertThat(c.events(AgentEvent.Released.class, "n1")).isEmpty();
    // It could not let go: it says it cannot hold VIPs, while it listens.
    assertThat(c.agent("n1").state().phase()).isEqualTo(VipAgent.Phase.JOINING);
    assertThat(c.agent("n1").state().eligibility())
        .isEqualTo(io.vipha.plan.Eligibility.DISQUALIFIED);
    assertThat(p[0].lastFrom("n1").eligible()).isFalse();
  }
  @Test
  void aNodeAloneInItsGroupActsOnTheFirstTaskAfterAStall() {
    TestCluster c = new TestCluster(solo());
    c.start("n1");
    c.run(Duration.ofSeconds(1));
    c.loop("n1").pause();
    var announced = c.agent("n1").announce(); // the first task to run after the stall
    c.run(Duration.ofMillis(500));
    c.loop("n1").resume();
    c.time.runDue();
    assertThat(announced).isCompletedWithValue(java.util.List.of(vip(c)));
    assertThat(c.events(AgentEvent.Stalled.class, "n1")).hasSize(1);
  }

  @Test
  void aClaimSeenJustBeforeTheStallIsNoSignOfAction() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = holding(p);
    c.time.runUntil(950 * MS);
    p[0].holds(0); // its next heartbeat, at 1 s, claims the VIP n1 holds (n1 outranks it)
    c.time.runUntil(1000 * MS + 100_000); // ... and is the last thing n1 runs before the stall
    assertThat(c.host("n1").holds(vip(c))).isTrue();
    c.loop("n1").pause();
    c.run(Duration.ofMillis(500));
    c.loop("n1").resume();
    c.time.runDue();
    newsShowsNoAction(c, p[0]);
  }

  @Test
  void aClaimKnownBeforeAReconfigurationIsNoSignOfActionAfterIt() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = holding(p);
    p[0].holds(0); // a claim n1 already knew of (n1 outranks it and keeps the VIP)
    c.run(Duration.ofMillis(200));
    // n1 takes a changed group first; n2 still runs the old one (its claims stay as they were).
    c.agent("n1").reconfigure(ReconfigureTest.priority(c.group, "n1", 210), java.util.List.of());
    c.run(Duration.ofMillis(100));
    stall(c, 500);
    newsShowsNoAction(c, p[0]);
  }

  @Test
  void aPeerBackInTheGroupWhoseFirstClaimArrivesAfterAStallActedOnIt() {
    VipGroup g = SwitchoverPinsTest.group(); // n3 silent
    TestCluster c = new TestCluster(g);
    ScriptedPeer n2 = ScriptedPeer.onNetwork(c, "n2").every(c.time, Duration.ofMillis(100));
    c.start("n1");
    c.run(Duration.ofSeconds(1));
    assertThat(c.holders(vip(c))).containsExactly("n1");
    n2.holds(0); // from its heartbeat at 1.1 s on (n1 outranks it and keeps the VIP)
    c.run(Duration.ofMillis(150)); // n1 has seen that claim: it must forget it with n2
    c.agent("n1").reconfigure(ReconfigureTest.edit(g, v -> { },
        ns -> ns.removeIf(n -> n.id().equals("n2")), x -> { }), java.util.List.of());
    c.time.runUntil(1200 * MS + 200_000); // n2's heartbeat of 1.2 s is dropped: not a member
    c.agent("n1").reconfigure(g, java.util.List.of()); // n2 is back, not heard yet
    c.time.runDue();
    long resumed = stall(c, 500);
    c.run(Duration.ofMillis(40));
    // n2's first claim since it is back came after the stall: n1 cannot tell it is older.
    assertThat(c.events(AgentEvent.Stalled.class, "n1")).hasSize(1);
    assertThat(c.events(AgentEvent.Released.class, "n1")).singleElement()
        .satisfies(e -> {
          assertThat(e.reason()).isEqualTo("STALLED");
          assertThat(e.at()).isEqualTo(resumed);
        });
  }
}
