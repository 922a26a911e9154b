package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.internal.heartbeat.HeartbeatCodec;
import io.vipha.internal.heartbeat.HeartbeatView;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Switchover requests travel in heartbeats: a request made on a node goes out at once, a peer's
 * newer request is taken and passed on at once, an older or equally old one is not, and clearing
 * makes a request newer than the one it clears. n1 is real; n2 is played by the test and reads
 * what n1 sends.
 */
class SwitchoverPinsTest {
  /** Three nodes, n1 (200) over n2 (150) over n3 (100), no preemption, no hold-down. */
  static VipGroup group() {
    return VipGroup.builder().name("web").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1").priority(200))
        .node(n -> n.id("n2").heartbeat("198.51.100.2").priority(150))
        .node(n -> n.id("n3").heartbeat("198.51.100.3").priority(100))
        .policy(p -> p.preempt(false).holdDown(Duration.ZERO))
        .build();
  }

  private static TestCluster running(ScriptedPeer[] n2) {
    TestCluster c = new TestCluster(group());
    n2[0] = ScriptedPeer.onNetwork(c, "n2").every(c.time, Duration.ofMillis(100));
    ScriptedPeer n3 = ScriptedPeer.onNetwork(c, "n3");
    n3.priority = 100;
    n3.every(c.time, Duration.ofMillis(100));
    c.start("n1");
    c.run(Duration.ofMillis(650));
    return c;
  }

  @Test
  void aRequestMadeOnANodeGoesOutAtOnceAndOnlyANewerOneReplacesIt() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = running(p);
    long epoch = c.time.wallMillis();
    c.agent("n1").switchover("n2");
    c.agent("n1").switchover("n3"); // the same millisecond: not newer
    c.run(Duration.ofMillis(1));
    HeartbeatView hb = p[0].lastFrom("n1");
    assertThat(hb.pinCount()).isEqualTo(1);
    assertThat(hb.pinVip(0)).isEqualTo(HeartbeatCodec.PIN_GROUP);
    assertThat(hb.pinTarget(0)).isEqualTo(1);
    assertThat(hb.pinEpoch(0)).isEqualTo(epoch);
    c.run(Duration.ofMillis(5));
    c.agent("n1").switchover("n3");
    c.run(Duration.ofMillis(1));
    assertThat(p[0].lastFrom("n1").pinTarget(0)).isEqualTo(2);
  }

  @Test
  void aPeersNewerRequestIsTakenAndPassedOnAtOnceAnOlderOneIsNot() {
    ScriptedPeer[] p = new ScriptedPeer[1];
    TestCluster c = running(p);
    ScriptedPeer n2 = p[0];
    long epoch = c.time.wallMillis() + 3_600_000; // a peer whose clock is an hour ahead
    n2.pin(HeartbeatCodec.PIN_GROUP, 1, epoch).send();
    c.run(Duration.ofMillis(1));
    HeartbeatView hb = n2.lastFrom("n1");
    assertThat(hb.pinCount()).isEqualTo(1);
    assertThat(hb.pinTarget(0)).isEqualTo(1);
    assertThat(hb.pinEpoch(0)).isEqualTo(epoch);
    // The same epoch with another target is not newer: n1 keeps what it has.
    n2.pinCount = 0;
    n2.pin(HeartbeatCodec.PIN_GROUP, 2, epoch).send();
    c.run(Duration.ofMillis(150));
    assertThat(n2.lastFrom("n1").pinTarget(0)).isEqualTo(1);
    // A request made on n1 with its own (older) clock does not replace the peer's.
    c.agent("n1").switchover("n3");
    c.run(Duration.ofMillis(150));
    assertThat(n2.lastFrom("n1").pinTarget(0)).isEqualTo(1);
    // News without newer requests sends nothing before the next tick.
    c.run(Duration.ofMillis(50));
    long sent = c.coordinator("n1").sent();
    n2.priority = 151;
    n2.send();
    c.run(Duration.ofMillis(1));
    assertThat(c.coordinator("n1").sent()).isEqualTo(sent);
    // Clearing makes a request newer than the one it clears, whatever n1's clock says.
    c.agent("n1").clearSwitchover();
    c.run(Duration.ofMillis(1));
    hb = n2.lastFrom("n1");
    assertThat(hb.pinTarget(0)).isEqualTo(HeartbeatCodec.PIN_CLEARED);
    assertThat(hb.pinEpoch(0)).isEqualTo(epoch + 1);
  }
}
