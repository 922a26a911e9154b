package io.vipha.agent;

import static io.vipha.agent.CoordinatorRig.MS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.VirtualIp;
import io.vipha.internal.heartbeat.HeartbeatCodec;
import io.vipha.internal.heartbeat.HeartbeatKeys;
import io.vipha.internal.heartbeat.HeartbeatView;
import io.vipha.internal.heartbeat.MessageType;
import io.vipha.internal.heartbeat.Rejection;
import io.vipha.plan.Eligibility;
import io.vipha.spi.Coordinator.LocalState;
import io.vipha.spi.Coordinator.Pin;
import io.vipha.spi.Coordinator.PeerState;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a heartbeat carries both ways: this node's state in what it sends (to whom, how often),
 * and a peer's state as the coordinator reports it from what the peer sends.
 */
class HeartbeatNewsTest {
  @TempDir Path dir;

  @Test
  void everyIntervalAHeartbeatGoesToEveryAddressOfEveryPeer() {
    CoordinatorRig r = new CoordinatorRig().start();
    List<InetSocketAddress> peers = List.of(new InetSocketAddress("198.51.100.2", 7405),
        new InetSocketAddress("198.51.100.12", 7405), new InetSocketAddress("198.51.100.3", 7405));
    assertThat(r.sentTo).containsExactlyInAnyOrderElementsOf(peers);
    assertThat(r.coordinator.sent()).isEqualTo(3);
    r.advance(100 * MS - 1);
    assertThat(r.sent).hasSize(3);
    r.advance(1);
    assertThat(r.sent).hasSize(6);
    r.advanceMs(1000);
    assertThat(r.sent).hasSize(36);
    assertThat(r.coordinator.sent()).isEqualTo(36);
    long previous = 0;
    for (int i = 0; i < r.sent.size(); i += 3) {
      long seq = r.decode(r.sent.get(i)).sequence();
      assertThat(seq).isGreaterThan(previous);
      previous = seq;
    }
    assertThat(r.lastSent().incarnation()).isEqualTo(77);
    assertThat(r.coordinator.incarnation()).isEqualTo(77);
    assertThat(r.lastSent().type()).isEqualTo(MessageType.HEARTBEAT);
    assertThat(r.lastSent().configDigest()).isEqualTo(HeartbeatCoordinator.digest(r.group));
  }

  @Test
  void withMulticastEachHeartbeatAlsoGoesToTheGroup() {
    InetSocketAddress m = new InetSocketAddress("239.255.86.1", 7405);
    CoordinatorRig r = new CoordinatorRig(3, HeartbeatCoordinator.builder().multicast(m, "lo"))
        .start();
    assertThat(r.sentTo).hasSize(4).contains(m);
  }

  @Test
  void theHeartbeatSaysWhatThisNodeHoldsItsPriorityQuorumAndEligibility() {
    CoordinatorRig r = new CoordinatorRig();
    VirtualIp stranger = VirtualIp.builder().address("203.0.113.9/24").interfaceName("eth0")
        .build();
    r.local = new LocalState(180, Eligibility.ELIGIBLE, true, Set.of(r.vips[2], stranger),
        List.of());
    r.start();
    HeartbeatView hb = r.lastSent();
    assertThat(hb.priority()).isEqualTo(180);
    assertThat(hb.hasQuorum()).isTrue();
    assertThat(hb.eligible()).isTrue();
    assertThat(hb.draining()).isFalse();
    assertThat(hb.suspended()).isFalse();
    assertThat(hb.owns(0)).isFalse();
    assertThat(hb.owns(1)).isFalse();
    assertThat(hb.owns(2)).isTrue();
    assertThat(hb.hears(0)).isTrue(); // itself
    assertThat(hb.hears(1)).isFalse(); // not heard yet
    r.local = new LocalState(180, Eligibility.DRAINING, false, Set.of(), List.of());
    r.coordinator.publishNow();
    hb = r.lastSent();
    assertThat(hb.draining()).isTrue();
    assertThat(hb.eligible()).isFalse();
    assertThat(hb.hasQuorum()).isFalse();
    assertThat(hb.owns(2)).isFalse(); // the bitmap is rebuilt, not added to
    r.local = new LocalState(180, Eligibility.SUSPENDED, false, Set.of(), List.of());
    r.coordinator.publishNow();
    assertThat(r.lastSent().suspended()).isTrue();
    assertThat(r.lastSent().eligible()).isFalse();
    r.local = new LocalState(180, Eligibility.DISQUALIFIED, false, Set.of(), List.of());
    r.coordinator.publishNow();
    assertThat(r.lastSent().flags()).isZero();
  }

  @Test
  void theHeartbeatCarriesThePinsOfKnownVipsAndNodesUpToTheLimit() {
    CoordinatorRig r = new CoordinatorRig();
    VirtualIp stranger = VirtualIp.builder().address("203.0.113.9/24").interfaceName("eth0")
        .build();
    List<Pin> pins = new ArrayList<>();
    pins.add(new Pin(null, "n2", 5)); // the whole group to n2
    pins.add(new Pin(r.vips[1], null, 6)); // cleared
    pins.add(new Pin(stranger, "n2", 7)); // not in the group: left out
    pins.add(new Pin(r.vips[0], "n9", 8)); // no such node: left out
    for (int i = 0; i < 70; i++) {
      pins.add(new Pin(r.vips[2], "n3", 100 + i));
    }
    r.local = new LocalState(200, Eligibility.ELIGIBLE, false, Set.of(), pins);
    r.start();
    HeartbeatView hb = r.lastSent();
    // The two it cannot name are left out; of the rest, the first 64 go out.
    assertThat(hb.pinCount()).isEqualTo(HeartbeatCodec.MAX_PINS);
    assertThat(hb.pinVip(0)).isEqualTo(HeartbeatCodec.PIN_GROUP);
    assertThat(hb.pinTarget(0)).isEqualTo(1);
    assertThat(hb.pinEpoch(0)).isEqualTo(5);
    assertThat(hb.pinVip(1)).isEqualTo(1);
    assertThat(hb.pinTarget(1)).isEqualTo(HeartbeatCodec.PIN_CLEARED);
    assertThat(hb.pinEpoch(1)).isEqualTo(6);
    assertThat(hb.pinVip(2)).isEqualTo(2);
    assertThat(hb.pinTarget(2)).isEqualTo(2);
    assertThat(hb.pinEpoch(2)).isEqualTo(100);
    assertThat(hb.pinEpoch(hb.pinCount() - 1)).isEqualTo(161);
  }

  @Test
  void aPeersHoldingsPinsPriorityAndEligibilityAreReportedWhenTheyChange() {
    CoordinatorRig r = new CoordinatorRig().start();
    r.advanceMs(10);
    ScriptedPeer n2 = r.peer("n2").holds(0, 2).pin(HeartbeatCodec.PIN_GROUP, 2, 9)
        .pin(1, HeartbeatCodec.PIN_CLEARED, 10).send();
    long first = r.time.nanoTime();
    PeerState s = r.lastOf("n2");
    assertThat(s.held()).containsExactlyInAnyOrder(r.vips[0], r.vips[2]);
    assertThat(s.pins()).containsExactly(new Pin(null, "n3", 9), new Pin(r.vips[1], null, 10));
    assertThat(s.effectivePriority()).isEqualTo(150);
    assertThat(s.eligibility()).isEqualTo(Eligibility.ELIGIBLE);
    assertThat(s.eligibilitySince()).isEqualTo(first);
    int from = r.reports.size();
    r.advanceMs(10);
    n2.send();
    assertThat(r.reportsOf("n2", from)).isEmpty(); // nothing changed, nothing reported
    n2.holds(1).send();
    assertThat(r.reportsOf("n2", from)).singleElement()
        .satisfies(x -> assertThat(x.held()).containsExactly(r.vips[1]));
    n2.pinCount = 0;
    n2.pin(HeartbeatCodec.PIN_GROUP, 2, 11).pin(1, HeartbeatCodec.PIN_CLEARED, 10).send();
    assertThat(r.lastOf("n2").pins()).containsExactly(new Pin(null, "n3", 11),
        new Pin(r.vips[1], null, 10));
    n2.pinCount = 0;
    n2.pin(HeartbeatCodec.PIN_GROUP, 1, 11).pin(1, HeartbeatCodec.PIN_CLEARED, 10).send();
    assertThat(r.lastOf("n2").pins()).first().isEqualTo(new Pin(null, "n2", 11));
    n2.pinCount = 0;
    n2.pin(2, 1, 11).pin(1, HeartbeatCodec.PIN_CLEARED, 10).send();
    assertThat(r.lastOf("n2").pins()).first().isEqualTo(new Pin(r.vips[2], "n2", 11));
    n2.pinCount = 1; // one pin fewer
    n2.send();
    assertThat(r.lastOf("n2").pins()).containsExactly(new Pin(r.vips[2], "n2", 11));
    n2.pinCount = 0;
    n2.send();
    assertThat(r.lastOf("n2").pins()).isEmpty();
    int before = r.reports.size();
    n2.priority = 151;
    n2.send();
    assertThat(r.reportsOf("n2", before)).singleElement()
        .satisfies(x -> assertThat(x.effectivePriority()).isEqualTo(151));
    r.advanceMs(10);
    n2.flags = HeartbeatCodec.FLAG_DRAINING;
    n2.send();
    assertThat(r.lastOf("n2").eligibility()).isEqualTo(Eligibility.DRAINING);
    assertThat(r.lastOf("n2").eligibilitySince()).isEqualTo(r.time.nanoTime());
    n2.flags = HeartbeatCodec.FLAG_SUSPENDED | HeartbeatCodec.FLAG_ELIGIBLE;
    n2.send();
    assertThat(r.lastOf("n2").eligibility()).isEqualTo(Eligibility.SUSPENDED);
    n2.flags = 0;
    n2.send();
    assertThat(r.lastOf("n2").eligibility()).isEqualTo(Eligibility.DISQUALIFIED);
    long off = r.time.nanoTime();
    r.advanceMs(10);
    n2.flags = HeartbeatCodec.FLAG_HAS_QUORUM;
    n2.send(); // still disqualified: no report, the eligibility stays dated
    assertThat(r.lastOf("n2").eligibilitySince()).isEqualTo(off);
  }

  @Test
  void pinsOfVipsOrNodesThisConfigurationDoesNotKnowAreLeftOut() {
    CoordinatorRig r = new CoordinatorRig().start();
    r.peer("n2").pin(3, 1, 1).pin(0, 3, 2).pin(0, 2, 3).pin(2, 0, 4).send();
    assertThat(r.lastOf("n2").pins()).containsExactly(new Pin(r.vips[0], "n3", 3),
        new Pin(r.vips[2], "n1", 4));
  }

  @Test
  void anotherConfigurationsHoldingsAndPinsAreIgnoredButItsLivenessCounts() {
    CoordinatorRig r = new CoordinatorRig().start();
    ScriptedPeer n2 = r.peer("n2").holds(0).pin(HeartbeatCodec.PIN_GROUP, 1, 3).suspension(1, 5000);
    n2.digest = 12345;
    n2.send();
    PeerState s = r.lastOf("n2");
    assertThat(s.liveness()).isEqualTo(io.vipha.plan.Liveness.ALIVE);
    assertThat(s.held()).isEmpty();
    assertThat(s.pins()).isEmpty();
    r.coordinator.publishNow();
    assertThat(r.lastSent().suspensionCount()).isZero(); // its suspension is not echoed either
    n2.digest = HeartbeatCoordinator.digest(r.group);
    n2.send();
    assertThat(r.lastOf("n2").held()).containsExactly(r.vips[0]);
  }

  @Test
  void suspensionsAreListedAndEchoedWhileTheyLast() {
    CoordinatorRig r = new CoordinatorRig();
    r.suspendedUntil = 5000 * MS; // this node's own, 5 s from the start
    r.start();
    HeartbeatView hb = r.lastSent();
    assertThat(hb.suspensionCount()).isEqualTo(1);
    assertThat(hb.suspensionNode(0)).isZero();
    assertThat(hb.suspensionMillis(0)).isEqualTo(5000);
    r.advanceMs(10);
    ScriptedPeer n2 = r.peer("n2").suspension(1, 3000).suspension(0, 4990).send();
    long heard = r.time.nanoTime();
    assertThat(r.echoes).containsExactly(heard + 4990 * MS); // this node's, as the peer echoes it
    r.advance(2500 * MS + 500_000);
    r.coordinator.publishNow();
    hb = r.lastSent();
    assertThat(hb.suspensionCount()).isEqualTo(2);
    assertThat(hb.suspensionNode(1)).isEqualTo(1);
    assertThat(hb.suspensionMillis(1)).isEqualTo(499); // n2's, echoed while it lasts
    // Less than a millisecond left: not listed.
    r.advance(499 * MS + 600_000);
    r.coordinator.publishNow();
    assertThat(r.lastSent().suspensionCount()).isEqualTo(1);
    // Until cleared: listed as such, whatever the clock.
    r.suspendedUntil = Long.MAX_VALUE;
    r.coordinator.publishNow();
    assertThat(r.lastSent().suspensionMillis(0)).isEqualTo(HeartbeatCodec.UNTIL_CLEARED);
    // A suspension longer than the field: capped one short of "until cleared".
    r.suspendedUntil = r.time.nanoTime() + 5_000_000_000L * MS;
    r.coordinator.publishNow();
    assertThat(r.lastSent().suspensionMillis(0)).isEqualTo(HeartbeatCodec.UNTIL_CLEARED - 1);
    r.suspendedUntil = r.time.nanoTime() + MS;
    r.coordinator.publishNow();
    assertThat(r.lastSent().suspensionMillis(0)).isEqualTo(1);
    assertThat(n2.id).isEqualTo("n2");
  }

  @Test
  void aPeerEndsItsOwnSuspensionAndANewProcessOfItIsRemindedOfOne() {
    CoordinatorRig r = new CoordinatorRig().start();
    ScriptedPeer n2 = r.peer("n2").suspension(1, 60_000).send();
    r.coordinator.publishNow();
    assertThat(r.lastSent().suspensionCount()).isEqualTo(1);
    // A new process of n2 that lists nothing does not erase it: it must be reminded.
    ScriptedPeer restarted = r.peer("n2");
    restarted.incarnation = 2000;
    restarted.send();
    r.coordinator.publishNow();
    assertThat(r.lastSent().suspensionCount()).isEqualTo(1);
    assertThat(r.lastSent().suspensionNode(0)).isEqualTo(1);
    // The process that listed it stops listing it: over.
    n2.incarnation = 3000;
    n2.suspensionCount = 0;
    n2.suspension(1, 60_000).send();
    n2.suspensionCount = 0;
    n2.send();
    r.coordinator.publishNow();
    assertThat(r.lastSent().suspensionCount()).isZero();
  }

  @Test
  void aSuspensionUntilClearedIsClearedByAStartWithoutIt() {
    CoordinatorRig r = new CoordinatorRig().start();
    r.peer("n2").suspension(1, HeartbeatCodec.UNTIL_CLEARED).send();
    r.advanceMs(10_000);
    r.coordinator.publishNow();
    assertThat(r.lastSent().suspensionMillis(0)).isEqualTo(HeartbeatCodec.UNTIL_CLEARED);
    ScriptedPeer restarted = r.peer("n2");
    restarted.incarnation = 2000;
    restarted.send();
    r.coordinator.publishNow();
    assertThat(r.lastSent().suspensionCount()).isZero();
  }

  @Test
  void forgedAndReplayedPacketsAreDroppedAndCountedByReason() {
    CoordinatorRig r = new CoordinatorRig();
    assertThat(r.coordinator.rejected()).isEmpty();
    assertThat(r.coordinator.rejected("BAD_MAC")).isZero();
    assertThat(r.coordinator.accepted()).isZero();
    assertThat(r.coordinator.incarnation()).isZero();
    r.start();
    ScriptedPeer n2 = r.peer("n2");
    byte[] good = n2.packet();
    r.deliver(good);
    r.deliver(good);
    ScriptedPeer forger = r.peer("n3");
    forger.keys = HeartbeatKeys.of(1, "another key of thirty-two bytes!".getBytes(
        StandardCharsets.US_ASCII));
    forger.send();
    forger.send();
    r.deliver(new byte[3]);
    assertThat(r.reportsOf("n3", 0)).isEmpty();
    assertThat(r.coordinator.accepted()).isEqualTo(1);
    assertThat(r.coordinator.rejected()).containsOnlyKeys(Rejection.REPLAYED, Rejection.BAD_MAC,
        Rejection.TOO_SHORT).containsEntry(Rejection.BAD_MAC, 2L)
        .containsEntry(Rejection.REPLAYED, 1L).containsEntry(Rejection.TOO_SHORT, 1L);
    assertThat(r.coordinator.rejected("BAD_MAC")).isEqualTo(2);
    assertThat(r.coordinator.rejected("REPLAYED")).isEqualTo(1);
    assertThat(r.coordinator.rejected("BAD_VERSION")).isZero();
    assertThat(HeartbeatCoordinator.rejectionReasons()).isEqualTo(
        Arrays.stream(Rejection.values()).map(Rejection::name).toList());
    assertThatThrownBy(() -> r.coordinator.rejected("NO_SUCH_REASON"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aPreviousKeyIsAcceptedDuringRotation() {
    byte[] old = "the previous key, thirty-two b!!".getBytes(StandardCharsets.US_ASCII);
    CoordinatorRig r = new CoordinatorRig(3, HeartbeatCoordinator.builder().acceptAlso(2, old))
        .start();
    ScriptedPeer n2 = r.peer("n2");
    n2.keys = HeartbeatKeys.of(2, old);
    n2.send();
    assertThat(r.last("n2")).isNotNull();
    assertThat(r.lastSent().keyId()).isEqualTo(1);
  }

  @Test
  void leavingSendsANoticeAndClosingStopsEverything() {
    CoordinatorRig r = new CoordinatorRig().start();
    r.coordinator.leave();
    assertThat(r.lastSent().type()).isEqualTo(MessageType.LEAVING);
    int sent = r.sent.size();
    r.coordinator.close();
    assertThat(r.transportClosed).isTrue();
    r.coordinator.publishNow();
    r.coordinator.leave();
    r.advanceMs(1000);
    r.peer("n2").send();
    assertThat(r.sent).hasSize(sent);
    assertThat(r.reports).isEmpty();
    assertThat(r.coordinator.accepted()).isZero();
  }

  @Test
  void aPeerHeardBeforeCloseIsNotJudgedAfterIt() {
    CoordinatorRig r = new CoordinatorRig().start();
    r.peer("n2").send();
    int from = r.reports.size();
    r.coordinator.close();
    r.advanceMs(1000);
    assertThat(r.reportsOf("n2", from)).isEmpty();
  }

  @Test
  void beforeStartNothingIsSent() {
    CoordinatorRig r = new CoordinatorRig();
    r.coordinator.publishNow();
    r.coordinator.leave();
    r.coordinator.close();
    assertThat(r.sent).isEmpty();
  }

  @Test
  void aKeyFileHoldsBase64TextOfAtLeast32Bytes() throws Exception {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) 7);
    Path good = dir.resolve("good.key");
    Files.writeString(good, Base64.getEncoder().encodeToString(key) + "\n");
    assertThat(HeartbeatCoordinator.Builder.readKey(good)).isEqualTo(key);
    Path missing = dir.resolve("missing.key");
    assertThatThrownBy(() -> HeartbeatCoordinator.Builder.readKey(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("cannot read heartbeat key file " + missing);
    Path text = dir.resolve("text.key");
    Files.writeString(text, "not base64 at all!");
    assertThatThrownBy(() -> HeartbeatCoordinator.Builder.readKey(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not hold base64 text")
        .hasMessageContaining("> text.key");
    Path shortKey = dir.resolve("short.key");
    Files.writeString(shortKey, Base64.getEncoder().encodeToString(new byte[31]));
    assertThatThrownBy(() -> HeartbeatCoordinator.Builder.readKey(shortKey))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("holds 31 bytes; a key needs at least 32");
    CoordinatorRig r = new CoordinatorRig(3, HeartbeatCoordinator.builder()
        .acceptAlsoFile(3, good));
    r.start();
    ScriptedPeer n2 = r.peer("n2");
    n2.keys = HeartbeatKeys.of(3, key);
    n2.send();
    assertThat(r.last("n2")).isNotNull();
  }
  @Test
  void everyChangeOfAPeersPinsIsReported() {
    CoordinatorRig r = new CoordinatorRig().start();
    ScriptedPeer n2 = r.peer("n2");
    long e = 1_767_225_600_000L;
    // A switchover of the group to n2, then (31 ms later) to n1: the new pin must be seen.
    n2.pin(HeartbeatCodec.PIN_GROUP, 1, e).send();
    n2.pinCount = 0;
    n2.pin(HeartbeatCodec.PIN_GROUP, 0, e + 31).send();
    assertThat(r.lastOf("n2").pins()).containsExactly(new Pin(null, "n1", e + 31));
    // Changes in one field at a time: the VIP, the target, the epoch.
    int[][] steps = {
        {0, 1, 1922}, {1, 1, 1922}, {1, 2, 1922}, {1, 2, 1923}, {0, 1, 62}, {0, 0, 31}};
    for (int[] st : steps) {
      n2.pinCount = 0;
      n2.pin(st[0], st[1], st[2]).send();
      assertThat(r.lastOf("n2").pins()).containsExactly(
          new Pin(r.vips[st[0]], r.ids[st[1]], st[2]));
    }
  }

  @Test
  void aPinForTheFirstNodeGoesOut() {
    CoordinatorRig r = new CoordinatorRig();
    r.local = new LocalState(200, Eligibility.ELIGIBLE, false, Set.of(),
        List.of(new Pin(r.vips[0], "n1", 3)));
    r.start();
    assertThat(r.lastSent().pinCount()).isEqualTo(1);
    assertThat(r.lastSent().pinTarget(0)).isZero();
  }

  @Test
  void bitsForVipsBeyondTheGroupAreIgnored() {
    CoordinatorRig r = new CoordinatorRig().start();
    r.peer("n2").holds(0, 3, 7).send();
    assertThat(r.lastOf("n2").held()).containsExactly(r.vips[0]);
  }

  @Test
  void theConfigurationDigestCoversTheNodesButNotTheirOrder() {
    CoordinatorRig r = new CoordinatorRig();
    io.vipha.VipGroup g = r.group;
    long d = HeartbeatCoordinator.digest(g);
    io.vipha.VipGroup reordered = io.vipha.VipGroup.builder().name("web")
        .mode(io.vipha.Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .vip(v -> v.address("192.0.2.11/24").interfaceName("eth0"))
        .vip(v -> v.address("2001:db8::10/64").interfaceName("eth0"))
        .node(n -> n.id("n3").heartbeat("198.51.100.3").priority(100))
        .node(n -> n.id("n2").heartbeat("198.51.100.2").heartbeat("198.51.100.12").priority(150))
        .node(n -> n.id("n1").heartbeat("198.51.100.1").priority(200))
        .policy(p -> p.heartbeatInterval(java.time.Duration.ofMillis(100)).deadAfter(3))
        .build();
    assertThat(HeartbeatCoordinator.digest(reordered)).isEqualTo(d);
    io.vipha.VipGroup otherPriority = io.vipha.VipGroup.builder().name("web")
        .mode(io.vipha.Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .vip(v -> v.address("192.0.2.11/24").interfaceName("eth0"))
        .vip(v -> v.address("2001:db8::10/64").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1").priority(200))
        .node(n -> n.id("n2").heartbeat("198.51.100.2").heartbeat("198.51.100.12").priority(151))
        .node(n -> n.id("n3").heartbeat("198.51.100.3").priority(100))
        .policy(p -> p.heartbeatInterval(java.time.Duration.ofMillis(100)).deadAfter(3))
        .build();
    assertThat(HeartbeatCoordinator.digest(otherPriority)).isNotEqualTo(d);
  }

  @Test
  void withMulticastOnTheDefaultTransportEveryHeartbeatPortMustBeTheGroups() {
    CoordinatorRig r = new CoordinatorRig();
    HeartbeatCoordinator c = HeartbeatCoordinator.builder().key(1, CoordinatorRig.KEY)
        .multicast(new InetSocketAddress("239.255.86.1", 7406), "lo").build();
    try {
      assertThatThrownBy(() -> c.start(r)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("node n1 has heartbeat address 198.51.100.1:7405 but the"
              + " multicast group is on port 7406");
    } finally {
      c.close();
    }
  }
}
