package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.VipGroup;
import io.vipha.internal.heartbeat.HeartbeatKeys;
import io.vipha.plan.Liveness;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The coordinator's timers across a changed configuration
 * ({@link HeartbeatCoordinator#reconfigure}) and new keys: until every peer heard runs the new configuration, heartbeats go out at the
 * shorter interval and a peer on another configuration is judged by the longer timers and the
 * old lapse; then only the new timers count. Played on one coordinator with hand-made packets.
 */
class RollingTimersTest {
  private static final long MS = CoordinatorRig.MS;

  private static List<String> steps(CoordinatorRig r, String id, int from) {
    return r.reportsOf(id, from).stream().map(s -> s.liveness() + (s.lapsed() ? "+lapsed" : ""))
        .toList();
  }

  private static VipGroup timers(VipGroup g, long intervalMs, int deadAfter) {
    return g.toBuilder().policy(p -> p.heartbeatInterval(Duration.ofMillis(intervalMs))
        .deadAfter(deadAfter)).build();
  }

  /** The distinct instants at which heartbeats went out from {@code fromMs} on. */
  private static List<Long> sendTimes(CoordinatorRig r, long fromMs) {
    return r.sentAt.stream().filter(t -> t >= fromMs * MS).distinct().map(t -> t / MS).toList();
  }

  @Test
  void aPeerOnAnotherConfigurationIsJudgedByThisNodesTimers() {
    CoordinatorRig r = new CoordinatorRig().start();
    r.advanceMs(30);
    ScriptedPeer n2 = r.peer("n2");
    n2.digest = 42;
    int from = r.reports.size();
    n2.send();
    long heard = r.time.nanoTime();
    r.advanceMs(500);
    assertThat(steps(r, "n2", from)).containsExactly("ALIVE", "SUSPECT", "SUSPECT+lapsed",
        "DEAD");
    assertThat(r.reportTimesOf("n2", from)).containsExactly(heard, heard + 150 * MS + 1,
        heard + 200 * MS, heard + 300 * MS);
  }

  @Test
  void aPeerStillOnTheOldTimersIsDeadByTheLongerOnesAndLapsesByItsOwn() {
    CoordinatorRig r = new CoordinatorRig().start();
    ScriptedPeer n2 = r.peer("n2"); // on the running configuration
    r.advanceMs(30);
    r.coordinator.reconfigure(timers(r.group, 100, 5)); // detection 300 ms -> 500 ms
    r.advanceMs(20);
    int from = r.reports.size();
    n2.send();
    long heard = r.time.nanoTime();
    r.advanceMs(700);
    // n2 still gives this node up after 300 ms of silence: it stops vouching at 200 ms.
    assertThat(steps(r, "n2", from)).containsExactly("ALIVE", "SUSPECT", "SUSPECT+lapsed",
        "DEAD");
    assertThat(r.reportTimesOf("n2", from)).containsExactly(heard, heard + 150 * MS + 1,
        heard + 200 * MS, heard + 500 * MS);
  }

  @Test
  void onceEveryPeerRunsTheNewTimersOnlyTheyCount() {
    CoordinatorRig r = new CoordinatorRig().start();
    r.advanceMs(30);
    VipGroup longer = timers(r.group, 100, 5);
    r.coordinator.reconfigure(longer);
    ScriptedPeer n2 = r.peer("n2");
    n2.digest = HeartbeatCoordinator.digest(longer);
    n2.send(); // n2 runs it too (n3 is unheard): the next tick forgets the old timers
    r.advanceMs(100);
    movesOnAndIsJudged(r, n2, 150, 400, 500);
  }

  /**
   * n2 moves on to yet another configuration and falls silent: it must be suspect, lapsed and
   * dead these many milliseconds after it was last heard.
   */
  private static void movesOnAndIsJudged(CoordinatorRig r, ScriptedPeer n2, long suspectMs,
      long lapsedMs, long deadMs) {
    n2.digest = 99;
    int from = r.reports.size();
    n2.send();
    long heard = r.time.nanoTime();
    r.advanceMs(deadMs + 200);
    assertThat(steps(r, "n2", from)).containsExactly("SUSPECT", "SUSPECT+lapsed", "DEAD");
    assertThat(r.reportTimesOf("n2", from)).containsExactly(heard + suspectMs * MS + 1,
        heard + lapsedMs * MS, heard + deadMs * MS);
  }

  /**
   * n2 heard, the group changed to {@code g} at 30 ms and at 50 ms again in a way that keeps its
   * timers (another hold-down), and n2 catching up with the second change at once; returns n2.
   */
  private static ScriptedPeer changedTwice(CoordinatorRig r, VipGroup g) {
    r.advanceMs(30);
    ScriptedPeer n2 = r.peer("n2").send(); // on the running configuration
    r.coordinator.reconfigure(g);
    r.advanceMs(20);
    VipGroup again = g.toBuilder().policy(p -> p.holdDown(Duration.ofSeconds(9))).build();
    r.coordinator.reconfigure(again);
    n2.digest = HeartbeatCoordinator.digest(again);
    return n2.send();
  }

  @Test
  void aShorterIntervalIsTheOnlyOneOnceEveryPeerRunsTheChangeThatFollowedIt() {
    CoordinatorRig r = new CoordinatorRig().start();
    ScriptedPeer n2 = changedTwice(r, timers(r.group, 50, 6)); // detection stays 300 ms
    r.advanceMs(60); // the tick at 80 ms finds n2 on this node's configuration
    movesOnAndIsJudged(r, n2, 75, 250, 300);
  }

  @Test
  void aShorterDetectionTimeIsTheOnlyOneOnceEveryPeerRunsTheChangeThatFollowedIt() {
    CoordinatorRig r = new CoordinatorRig(6).start(); // detection 600 ms
    ScriptedPeer n2 = changedTwice(r, timers(r.group, 100, 4)); // then 400 ms
    r.advanceMs(100); // the tick at 100 ms finds n2 on this node's configuration
    movesOnAndIsJudged(r, n2, 150, 300, 400);
  }

  @Test
  void aLongerIntervalIsSentOnlyOnceEveryPeerRunsIt() {
    CoordinatorRig r = new CoordinatorRig().start();
    r.advanceMs(30);
    ScriptedPeer n2 = r.peer("n2").send();
    VipGroup slower = timers(r.group, 200, 2); // the same lapse (200 ms), detection 400 ms
    r.coordinator.reconfigure(slower);
    r.advanceMs(100);
    n2.send(); // still on the old configuration
    r.advanceMs(100);
    assertThat(sendTimes(r, 31)).containsExactly(100L, 200L); // the shorter interval
    n2.digest = HeartbeatCoordinator.digest(slower);
    n2.send();
    r.advanceMs(900);
    // The tick at 300 ms finds every peer on the new configuration.
    assertThat(sendTimes(r, 230)).containsExactly(300L, 500L, 700L, 900L, 1100L);
    assertThat(r.lastOf("n2").liveness()).isEqualTo(Liveness.DEAD);
  }

  @Test
  void aShorterIntervalStartsANewTickAtOnceAndEndsTheOldOne() {
    CoordinatorRig r = new CoordinatorRig().start();
    r.advanceMs(30);
    r.coordinator.reconfigure(timers(r.group, 50, 3));
    r.advanceMs(200);
    assertThat(sendTimes(r, 1)).containsExactly(30L, 80L, 130L, 180L, 230L);
  }

  @Test
  void newKeysSignTheNextHeartbeatThoughNothingWasReceived() {
    CoordinatorRig r = new CoordinatorRig().start();
    r.advanceMs(30);
    r.coordinator.rekey(2, RekeyTest.NEW);
    r.advanceMs(70);
    assertThat(r.sentAt).last().isEqualTo(100 * MS);
    byte[] last = r.sent.get(r.sent.size() - 1);
    io.vipha.internal.heartbeat.HeartbeatDecoder d = new io.vipha.internal.heartbeat
        .HeartbeatDecoder(HeartbeatKeys.of(2, RekeyTest.NEW), io.vipha.internal.heartbeat
        .ReplayGuard.forNodes(List.of(r.ids)));
    assertThat(d.decode(last, 0, last.length, "web"))
        .isInstanceOf(io.vipha.internal.heartbeat.HeartbeatView.class);
  }

  @Test
  void newKeysCheckTheNextPacketThoughNothingWasSent() {
    CoordinatorRig r = new CoordinatorRig().start();
    r.advanceMs(30);
    ScriptedPeer n2 = r.peer("n2");
    n2.keys = HeartbeatKeys.of(2, RekeyTest.NEW);
    r.coordinator.rekey(2, RekeyTest.NEW);
    n2.send();
    assertThat(r.last("n2")).isNotNull();
  }
}
