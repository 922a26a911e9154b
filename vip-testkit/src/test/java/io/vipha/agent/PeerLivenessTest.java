package io.vipha.agent;

import static io.vipha.agent.CoordinatorRig.MS;
import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.internal.heartbeat.MessageType;
import io.vipha.plan.Liveness;
import io.vipha.spi.Coordinator.PeerState;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How the heartbeat coordinator judges a peer by its heartbeats and its silence: suspect just past
 * 1.5 intervals of silence, lapsed one interval short of detection, dead at the detection time,
 * each timed to the nanosecond of the last heartbeat; a peer that does not hear this node counts
 * as dead; a peer that leaves is dead at once.
 */
class PeerLivenessTest {
  /** The liveness and lapse of each report of {@code id} since report {@code from}. */
  private static List<String> steps(CoordinatorRig r, String id, int from) {
    return r.reportsOf(id, from).stream().map(s -> s.liveness() + (s.lapsed() ? "+lapsed" : ""))
        .toList();
  }

  @Test
  void aSilentPeerTurnsSuspectLapsedAndDeadAtItsOwnInstants() {
    CoordinatorRig r = new CoordinatorRig().start();
    r.advanceMs(30); // off the tick grid: only the peer's own timers can be on time
    ScriptedPeer n2 = r.peer("n2").send();
    long heard = r.time.nanoTime();
    assertThat(r.lastOf("n2").liveness()).isEqualTo(Liveness.ALIVE);
    int from = r.reports.size();
    r.advance(150 * MS);
    assertThat(steps(r, "n2", from)).isEmpty(); // 1.5 intervals: not suspect yet
    r.advance(1);
    assertThat(steps(r, "n2", from)).containsExactly("SUSPECT");
    r.advance(50 * MS - 2);
    assertThat(steps(r, "n2", from)).containsExactly("SUSPECT");
    r.advance(1);
    assertThat(steps(r, "n2", from)).containsExactly("SUSPECT", "SUSPECT+lapsed");
    r.advance(100 * MS - 1);
    assertThat(steps(r, "n2", from)).hasSize(2);
    r.advance(1);
    assertThat(steps(r, "n2", from)).containsExactly("SUSPECT", "SUSPECT+lapsed", "DEAD");
    assertThat(r.reportTimesOf("n2", from)).containsExactly(heard + 150 * MS + 1,
        heard + 200 * MS, heard + 300 * MS);
    PeerState dead = r.lastOf("n2");
    assertThat(dead.since()).isEqualTo(heard + 300 * MS);
    assertThat(dead.lapsed()).isFalse(); // a dead peer is not reported lapsed
    assertThat(dead.left()).isFalse();
    r.advanceMs(1000);
    assertThat(steps(r, "n2", from)).hasSize(3); // dead stays dead, reported once
    // It comes back: alive at once, eligible from now, and greeted with a heartbeat at once.
    int sentBefore = r.sent.size();
    r.advanceMs(7);
    n2.send();
    long back = r.time.nanoTime();
    assertThat(r.lastOf("n2").liveness()).isEqualTo(Liveness.ALIVE);
    assertThat(r.lastOf("n2").since()).isEqualTo(back);
    assertThat(r.lastOf("n2").eligibilitySince()).isEqualTo(back);
    assertThat(r.sentAt.subList(sentBefore, r.sentAt.size())).contains(back);
  }

  @Test
  void withTwoIntervalsToDetectionAPeerLapsesBeforeItIsSuspect() {
    CoordinatorRig r = new CoordinatorRig(2).start();
    r.advanceMs(30);
    r.peer("n2").send();
    long heard = r.time.nanoTime();
    int from = r.reports.size();
    r.advanceMs(400);
    assertThat(steps(r, "n2", from)).containsExactly("ALIVE+lapsed", "SUSPECT+lapsed", "DEAD");
    assertThat(r.reportTimesOf("n2", from)).containsExactly(heard + 100 * MS,
        heard + 150 * MS + 1, heard + 200 * MS);
  }

  @Test
  void aHeartbeatResetsTheSilenceAndClearsTheLapse() {
    CoordinatorRig r = new CoordinatorRig().start();
    r.advanceMs(30);
    ScriptedPeer n2 = r.peer("n2").send();
    r.advanceMs(250);
    assertThat(r.lastOf("n2").lapsed()).isTrue();
    int from = r.reports.size();
    n2.send();
    assertThat(steps(r, "n2", from)).containsExactly("ALIVE");
    long heard = r.time.nanoTime();
    r.advanceMs(299);
    assertThat(steps(r, "n2", from)).containsExactly("ALIVE", "SUSPECT", "SUSPECT+lapsed");
    r.advanceMs(1);
    assertThat(r.lastOf("n2").liveness()).isEqualTo(Liveness.DEAD);
    assertThat(r.lastOf("n2").since()).isEqualTo(heard + 300 * MS);
  }

  @Test
  void aPeerNeverHeardIsNeverJudged() {
    CoordinatorRig r = new CoordinatorRig().start();
    r.advanceMs(2000);
    assertThat(r.reports).isEmpty();
  }

  @Test
  void aPeerThatDoesNotHearThisNodeIsCutOffAndCountsAsDead() {
    CoordinatorRig r = new CoordinatorRig().start();
    r.advanceMs(30);
    ScriptedPeer n2 = r.peer("n2").send();
    long first = r.time.nanoTime();
    assertThat(r.lastOf("n2").cutOff()).isFalse();
    r.advanceMs(50);
    n2.hears(1, 2).send(); // n2 hears itself and n3, not n1
    long cut = r.time.nanoTime();
    PeerState s = r.lastOf("n2");
    assertThat(s.liveness()).isEqualTo(Liveness.DEAD);
    assertThat(s.cutOff()).isTrue();
    assertThat(s.lapsed()).isFalse();
    assertThat(s.since()).isEqualTo(cut); // dead (to this node) since it stopped hearing it
    assertThat(s.eligibilitySince()).isEqualTo(first);
    r.advanceMs(50);
    n2.hears(0, 1, 2).send();
    long again = r.time.nanoTime();
    s = r.lastOf("n2");
    assertThat(s.liveness()).isEqualTo(Liveness.ALIVE);
    assertThat(s.cutOff()).isFalse();
    assertThat(s.since()).isEqualTo(first); // alive all along
    assertThat(s.eligibilitySince()).isEqualTo(again); // eligible from when both hear again
    // Silent and not hearing this node: dead, not cut off (it is silent, not one-way).
    n2.hears(1).send();
    r.advanceMs(400);
    assertThat(r.lastOf("n2").liveness()).isEqualTo(Liveness.DEAD);
    assertThat(r.lastOf("n2").cutOff()).isFalse();
  }

  @Test
  void aLeavingPeerIsDeadAtOnceAndAnEchoOfItsNoticeChangesNothing() {
    CoordinatorRig r = new CoordinatorRig().start();
    r.advanceMs(30);
    ScriptedPeer n2 = r.peer("n2").send();
    r.advanceMs(20);
    n2.type = MessageType.LEAVING;
    n2.send();
    long left = r.time.nanoTime();
    PeerState s = r.lastOf("n2");
    assertThat(s.liveness()).isEqualTo(Liveness.DEAD);
    assertThat(s.left()).isTrue();
    assertThat(s.since()).isEqualTo(left);
    int from = r.reports.size();
    n2.send(); // a second notice
    r.advanceMs(1000);
    assertThat(r.reportsOf("n2", from)).isEmpty();
    // What this node sends no longer says it hears n2.
    assertThat(r.lastSent().hears(1)).isFalse();
    assertThat(r.lastSent().hears(0)).isTrue();
    n2.type = MessageType.HEARTBEAT;
    n2.send();
    assertThat(r.lastOf("n2").left()).isFalse();
    assertThat(r.lastOf("n2").liveness()).isEqualTo(Liveness.ALIVE);
    assertThat(r.lastSent().hears(1)).isTrue();
  }

  @Test
  void aPeerThatLeftMayComeBackWithALowerSequence() {
    CoordinatorRig r = new CoordinatorRig().start();
    r.advanceMs(30);
    ScriptedPeer n2 = r.peer("n2");
    n2.sequence = 100;
    n2.send();
    n2.type = MessageType.LEAVING;
    n2.send();
    // A new process of n2 whose clock stepped back: a lower incarnation, sequence from 1.
    ScriptedPeer again = r.peer("n2");
    again.incarnation = 500;
    again.send();
    PeerState s = r.lastOf("n2");
    assertThat(s.liveness()).isEqualTo(Liveness.ALIVE);
    assertThat(s.incarnation()).isEqualTo(500);
  }

  @Test
  void aDeadPeerMayComeBackWithALowerIncarnation() {
    CoordinatorRig r = new CoordinatorRig().start();
    r.advanceMs(30);
    r.peer("n2").send();
    r.advanceMs(400);
    assertThat(r.lastOf("n2").liveness()).isEqualTo(Liveness.DEAD);
    ScriptedPeer again = r.peer("n2");
    again.incarnation = 10;
    again.send();
    assertThat(r.lastOf("n2").liveness()).isEqualTo(Liveness.ALIVE);
    assertThat(r.lastOf("n2").incarnation()).isEqualTo(10);
  }

  @Test
  void aHeartbeatOvertakenByANewerOneIsIgnored() {
    CoordinatorRig r = new CoordinatorRig().start();
    r.advanceMs(30);
    ScriptedPeer n2 = r.peer("n2");
    byte[] older = n2.holds(0).packet();
    byte[] newer = n2.holds(1).packet();
    r.deliver(newer);
    int from = r.reports.size();
    r.deliver(older);
    assertThat(r.reportsOf("n2", from)).isEmpty();
    assertThat(r.lastOf("n2").held()).containsExactly(r.vips[1]);
    // Not replayed: the guard accepted it, the coordinator judged it stale.
    assertThat(r.coordinator.rejected()).isEmpty();
    assertThat(r.coordinator.accepted()).isEqualTo(2);
  }

  @Test
  void aNewIncarnationIsReportedEvenWhenNothingElseChanged() {
    CoordinatorRig r = new CoordinatorRig().start();
    r.advanceMs(30);
    ScriptedPeer n2 = r.peer("n2").send();
    int from = r.reports.size();
    n2.send();
    assertThat(r.reportsOf("n2", from)).isEmpty(); // the same state: no report
    n2.incarnation = 2000;
    n2.sequence = 0;
    n2.send();
    assertThat(r.reportsOf("n2", from)).singleElement()
        .satisfies(s -> assertThat(s.incarnation()).isEqualTo(2000));
  }

  @Test
  void ownHeartbeatsFromTheMulticastGroupAreIgnored() {
    CoordinatorRig r = new CoordinatorRig().start();
    r.peer("n1").send();
    assertThat(r.reports).isEmpty();
    assertThat(r.coordinator.accepted()).isEqualTo(1);
  }

  @Test
  void aPausedNodeReportsTheStallAndGivesItsPeersAFreshDetectionTime() {
    CoordinatorRig r = new CoordinatorRig().start();
    r.advanceMs(30);
    ScriptedPeer n2 = r.peer("n2").send();
    ScriptedPeer n3 = r.peer("n3").send();
    r.advanceMs(20); // the next tick is due at 100 ms
    r.loop.pause();
    r.advanceMs(480);
    r.sendThroughLoop(n2); // waits in the socket during the pause
    int from = r.reports.size();
    r.loop.resume();
    r.time.runDue();
    long resumed = r.time.nanoTime();
    assertThat(r.stalls).containsExactly(430 * MS); // due at 100 ms, ran at 530 ms
    // Neither n2 (whose heartbeat waited) nor n3 (silent) is judged by the pause.
    assertThat(r.reportsOf("n2", from)).allSatisfy(
        s -> assertThat(s.liveness()).isEqualTo(Liveness.ALIVE));
    assertThat(r.reportsOf("n3", from)).isEmpty();
    r.advanceMs(20); // past the grace a late death timer gives the receiver
    assertThat(r.reportsOf("n3", from)).isEmpty();
    // n3 stays silent: suspect, then dead, counted from the end of the pause.
    r.advance(280 * MS - 1);
    assertThat(r.lastOf("n3").liveness()).isEqualTo(Liveness.SUSPECT);
    r.advance(1);
    assertThat(r.lastOf("n3").liveness()).isEqualTo(Liveness.DEAD);
    assertThat(r.lastOf("n3").since()).isEqualTo(resumed + 300 * MS);
    assertThat(n3.id).isEqualTo("n3");
  }

  @Test
  void aTickLateByLessThanTheStallThresholdIsNoStall() {
    CoordinatorRig r = new CoordinatorRig().start();
    r.advanceMs(50);
    r.loop.pause();
    r.advanceMs(250); // the tick due at 100 ms runs at 300 ms: late by exactly 200 ms
    r.loop.resume();
    r.advanceMs(1000);
    assertThat(r.stalls).isEmpty();
  }

  @Test
  void aLateTickLeavesTheJudgementToThePeersOwnTimers() {
    CoordinatorRig r = new CoordinatorRig().start();
    r.advanceMs(10);
    ScriptedPeer n2 = r.peer("n2").send();
    r.advanceMs(40);
    r.loop.pause();
    r.advanceMs(140); // the tick due at 100 ms runs at 190 ms: late, but no stall
    r.sendThroughLoop(n2); // n2's heartbeat waits in the socket behind the late tick
    int from = r.reports.size();
    r.loop.resume();
    r.advanceMs(100);
    assertThat(r.stalls).isEmpty();
    assertThat(r.reportsOf("n2", from)).isEmpty(); // never judged by its silence in the pause
  }

  @Test
  void aLateDeathTimerWaitsAnEighthIntervalForHeartbeatsStillInTheSocket() {
    CoordinatorRig r = new CoordinatorRig().start();
    r.advanceMs(30);
    ScriptedPeer n2 = r.peer("n2").send();
    r.advanceMs(100);
    r.loop.pause();
    r.advanceMs(60); // the suspect timer (due at 180 ms) falls due while paused
    int from = r.reports.size();
    r.loop.resume(); // it runs 10 ms late, less than a quarter interval: judged at once
    assertThat(steps(r, "n2", from)).containsExactly("SUSPECT");
    n2.send();
    r.advanceMs(100);
    r.loop.pause();
    r.advanceMs(100); // the next suspect timer runs 50 ms late: it waits 12.5 ms
    int late = r.reports.size();
    r.loop.resume();
    assertThat(r.reportsOf("n2", late)).isEmpty();
    r.sendThroughLoop(n2);
    r.advance(12_500_000L);
    assertThat(r.reportsOf("n2", late)).isEmpty(); // the waiting heartbeat kept it alive
  }
  @Test
  void aTimerLateByAQuarterIntervalJudgesAtOnceAndLaterOnesAfterAnEighth() {
    for (long late : new long[] {25 * MS, 25 * MS + 1}) {
      CoordinatorRig r = new CoordinatorRig().start();
      r.advanceMs(60);
      r.peer("n2").send(); // its suspect timer is due at 210 ms + 1 ns
      r.advanceMs(141); // past the tick at 200 ms; the next is at 300 ms
      r.loop.pause();
      r.advance(9 * MS + 1 + late);
      int from = r.reports.size();
      r.loop.resume();
      long resumed = r.time.nanoTime();
      r.advanceMs(50);
      assertThat(r.reportTimesOf("n2", from)).first().as("%d ns late", late)
          .isEqualTo(late == 25 * MS ? resumed : resumed + 12_500_000L);
    }
  }

  @Test
  void onTheTickAPeerSilentExactlyOneAndAHalfIntervalsIsStillAlive() {
    CoordinatorRig r = new CoordinatorRig().start();
    r.advanceMs(50); // heard half-way between ticks: the tick at 200 ms sees 150 ms of silence
    r.peer("n2").send();
    long heard = r.time.nanoTime();
    int from = r.reports.size();
    r.advanceMs(200);
    assertThat(r.reportTimesOf("n2", from)).first().isEqualTo(heard + 150 * MS + 1);
  }
}
