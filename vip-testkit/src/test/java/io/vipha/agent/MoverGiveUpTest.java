package io.vipha.agent;

import static io.vipha.agent.MoversTest.BUSY;
import static io.vipha.agent.MoversTest.assertReleasedUnderTheClaimsEpoch;
import static io.vipha.agent.MoversTest.callsOf;
import static io.vipha.agent.MoversTest.newerOwner;
import static io.vipha.agent.MoversTest.start;
import static io.vipha.agent.MoversTest.startN1;
import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Mode;
import io.vipha.Quorum;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.plan.Eligibility;
import io.vipha.spi.AddressBackend;
import io.vipha.spi.MoverResult;
import io.vipha.spi.MoverResult.Outcome;
import io.vipha.testing.FakeCloud;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The agent giving up a claim in progress, or a fence, with an address mover: when the VIP
 * leaves the group, when the quorum lease ends, when the plan names another node, at a stop.
 */
class MoverGiveUpTest {
  /** n1's claim of {@code vip} given up: released under its epoch, never reported claimed. */
  private static void assertGivenUp(TestCluster c, FakeCloud cloud, VirtualIp vip) {
    assertReleasedUnderTheClaimsEpoch(cloud, vip);
    assertThat(c.events(AgentEvent.MoverClaimed.class, "n1")).isEmpty();
  }

  /**
   * A held VIP whose claim is being retried, at a stop that cannot remove the address (the
   * backend fails): the stop ends the retries; no claim goes out after it.
   */
  @Test
  void aStopEndsTheRetriesOfAHeldVipsClaim() {
    VipGroup g = TwoNodes.group();
    VirtualIp vip = g.vips().get(0);
    TestCluster c = new TestCluster(g);
    FakeCloud cloud = new FakeCloud(c.time);
    for (int i = 0; i < 10; i++) {
      cloud.inject(MoverResult.failed("InternalError"));
    }
    c.host("n1").addByHand(vip); // a leftover: held from the start, claimed once owned
    startN1(c, cloud, Duration.ofSeconds(9));
    c.run(Duration.ofSeconds(2));
    assertThat(cloud.calls("claim")).hasSize(2); // at about 0.7 s and 1.7 s, the next at 3.7 s
    c.host("n1").failWith(BUSY);
    c.agent("n1").stop();
    c.run(Duration.ofMillis(1500));
    assertThat(c.agent("n1").state().phase()).isEqualTo(VipAgent.Phase.STOPPED);
    int atStop = cloud.calls("claim").size();
    c.run(Duration.ofSeconds(60));
    assertThat(cloud.calls("claim")).hasSize(atStop);
    assertThat(c.holders(vip)).containsExactly("n1"); // (the backend never came back)
  }

  /** A claim in progress of a VIP the group no longer has: address removed, provider let go. */
  @Test
  void aClaimOfAVipRemovedFromTheGroupIsGivenUp() {
    VipGroup both = twoVips(true);
    VirtualIp kept = both.vips().get(0);
    VirtualIp removed = both.vips().get(1);
    TestCluster c = new TestCluster(both);
    FakeCloud cloud = new FakeCloud(c.time).latency(Duration.ofSeconds(4), Duration.ofSeconds(4));
    startMoving(c, removed, cloud, c.host("n1"));
    c.run(Duration.ofSeconds(2));
    assertThat(c.host("n1").holds(removed)).isTrue();
    c.agent("n1").reconfigure(twoVips(false), List.of());
    c.run(Duration.ofMillis(1));
    assertThat(c.host("n1").holds(removed)).isFalse();
    assertThat(c.host("n1").holds(kept)).isTrue();
    c.run(Duration.ofSeconds(10));
    assertGivenUp(c, cloud, removed);
    assertThat(c.host("n1").holds(removed)).isFalse();
    assertThat(c.agent("n1").state().held()).containsExactly(kept);
  }

  /**
   * A backend whose listing fails, then works again while a claim is in flight: the removal of
   * the claim's address as the node is fenced out is the first call that works, and the node is
   * qualified again at that instant, not at the next reconcile that calls the backend.
   */
  @Test
  void aFencedOutClaimsRemovalRequalifiesANodeWhoseBackendWorksAgain() {
    TestCluster c = new TestCluster(twoVips(true));
    FakeCloud cloud = new FakeCloud(c.time).latency(Duration.ofMillis(3050),
        Duration.ofMillis(3050));
    VirtualIp moved = c.group.vips().get(1);
    cloud.mover("ext").claim(moved, c.time.wallMillis() + 3_600_000, null, Duration.ofSeconds(9));
    c.run(Duration.ofMillis(3100));
    RecordingHost host = new RecordingHost(c, c.host("n1"));
    startMoving(c, moved, cloud, host);
    c.run(Duration.ofSeconds(2)); // claimed at 3.5 s, refused at 6.55 s
    VirtualIp plain = c.group.vips().get(0);
    assertThat(c.agent("n1").state().held()).containsExactly(plain);
    host.listFails = true; // the reconcile at 6.1 s fails, then one every 100 ms
    c.run(Duration.ofMillis(1440));
    assertThat(c.agent("n1").state().eligibility()).isEqualTo(Eligibility.DISQUALIFIED);
    assertThat(c.events(AgentEvent.BackendError.class, "n1")).isNotEmpty();
    host.listFails = false; // at 6.54 s, the next reconcile at 6.6 s
    int healed = host.calls.size();
    c.run(Duration.ofMillis(10));
    long refused = c.time.nanoTime();
    assertThat(callsOf(cloud, "n1")).singleElement().satisfies(k -> {
      assertThat(k.result().outcome()).isEqualTo(Outcome.STALE_EPOCH);
      assertThat(k.answeredAt()).isEqualTo(refused);
    });
    assertThat(host.calls.get(healed)).isEqualTo(refused / 1_000_000 + " release");
    assertThat(c.host("n1").holds(moved)).isFalse();
    c.run(Duration.ofMillis(1));
    AgentState s = c.agent("n1").state();
    assertThat(s.eligibility()).isEqualTo(Eligibility.ELIGIBLE);
    assertThat(s.owners().get(plain)).isEqualTo("n1");
  }

  /** Starts n1 of {@code c} on {@code backend}, {@code vip} moved by {@code cloud} (9 s). */
  private static void startMoving(TestCluster c, VirtualIp vip, FakeCloud cloud,
      AddressBackend backend) {
    c.start(c.create("n1", c.builder("n1").backend(backend).mover(vip, cloud.mover("n1"),
        Duration.ofSeconds(9))));
  }

  /** The group of {@link TwoNodes} with a second VIP, 192.0.2.11, {@code withSecond}. */
  private static VipGroup twoVips(boolean withSecond) {
    VipGroup.Builder b = VipGroup.builder().name("web").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"));
    if (withSecond) {
      b.vip(v -> v.address("192.0.2.11/24").interfaceName("eth0"));
    }
    return b.node(n -> n.id("n1").heartbeat("198.51.100.1").priority(200))
        .node(n -> n.id("n2").heartbeat("198.51.100.2").priority(150))
        .policy(p -> p.preempt(false).holdDown(Duration.ZERO))
        .build();
  }

  /**
   * A claim in progress when the quorum lease ends (cut off from both peers): given up as the
   * peers lapse, before they are declared dead, as a held VIP would be released.
   */
  @Test
  void aClaimIsGivenUpWhenTheQuorumLeaseEnds() {
    VipGroup g = VipGroup.builder().name("web").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1").priority(200))
        .node(n -> n.id("n2").heartbeat("198.51.100.2").priority(150))
        .node(n -> n.id("n3").heartbeat("198.51.100.3").priority(100))
        .policy(p -> p.quorum(Quorum.majority()).holdDown(Duration.ZERO))
        .build();
    VirtualIp vip = g.vips().get(0);
    TestCluster c = new TestCluster(g);
    FakeCloud cloud = new FakeCloud(c.time).latency(Duration.ofSeconds(5), Duration.ofSeconds(5));
    startN1(c, cloud, Duration.ofSeconds(9));
    c.start("n2");
    c.start("n3");
    c.run(Duration.ofSeconds(2));
    assertThat(c.host("n1").holds(vip)).isTrue();
    assertThat(c.agent("n1").state().held()).doesNotContain(vip);
    c.isolate("n1");
    long[] removedAt = {-1};
    c.runChecking(Duration.ofSeconds(2), Duration.ofMillis(1), () -> {
      if (removedAt[0] < 0 && !c.host("n1").holds(vip)) {
        removedAt[0] = c.time.nanoTime();
      }
    });
    List<AgentEvent.PeerDown> down = c.events(AgentEvent.PeerDown.class, "n1");
    assertThat(down).isNotEmpty();
    assertThat(removedAt[0]).isPositive().isLessThan(down.get(0).at());
    c.run(Duration.ofSeconds(10));
    List<FakeCloud.Call> n1 = callsOf(cloud, "n1");
    assertThat(n1).extracting(FakeCloud.Call::operation).containsExactly("claim", "release");
    assertThat(n1.get(1).sentAt()).isLessThan(down.get(0).at());
    assertThat(n1.get(1).epoch()).isEqualTo(n1.get(0).epoch());
  }

  /**
   * A fenced-out node whose plan names another node lifts the fence and stops watching; when the
   * plan names it again that is a new decision: it claims at once, above the epoch it was shown.
   */
  @Test
  void aFenceIsLiftedWhenThePlanMovesTheVipAwayAndTheNodeClaimsWhenItComesBack() {
    VipGroup g = TwoNodes.group();
    VirtualIp vip = g.vips().get(0);
    TestCluster c = new TestCluster(g);
    FakeCloud cloud = new FakeCloud(c.time);
    long newer = newerOwner(c, cloud, vip);
    start(c, cloud, "n1", "n2");
    c.run(Duration.ofMillis(2500));
    assertThat(callsOf(cloud, "n1")).extracting(FakeCloud.Call::operation)
        .containsExactly("claim", "observe"); // refused, watched: the next observe 2 s later
    c.agent("n1").switchover("n2");
    c.run(Duration.ofSeconds(6));
    assertThat(c.agent("n1").state().owners().get(vip)).isEqualTo("n2");
    assertThat(callsOf(cloud, "n2")).isNotEmpty();
    assertThat(callsOf(cloud, "n1")).as("no watch while another node is named").hasSize(2);
    c.agent("n1").switchover("n1");
    c.run(Duration.ofMillis(1));
    long back = c.time.nanoTime();
    c.run(Duration.ofMillis(500));
    assertThat(c.agent("n1").state().owners().get(vip)).isEqualTo("n1");
    List<FakeCloud.Call> n1 = callsOf(cloud, "n1");
    assertThat(n1).hasSize(3);
    assertThat(n1.get(2).operation()).isEqualTo("claim");
    assertThat(n1.get(2).sentAt()).isLessThan(back);
    assertThat(n1.get(2).epoch()).isEqualTo(newer + 1);
    assertThat(n1.get(2).result().outcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(c.holders(vip)).containsExactly("n1");
  }

  /**
   * A node fenced out of a VIP it still holds (the backend failed to remove the address), whose
   * plan then names another node (the failed removal disqualifies it): the fence is lifted and the
   * watch ends while it keeps trying to remove the address.
   */
  @Test
  void aFenceIsLiftedWhenThePlanMovesAwayAVipTheNodeCouldNotRemove() {
    VipGroup g = TwoNodes.group();
    VirtualIp vip = g.vips().get(0);
    TestCluster c = new TestCluster(g);
    FakeCloud cloud = new FakeCloud(c.time).latency(Duration.ofMillis(30), Duration.ofMillis(30));
    ScriptedPeer n2 = ScriptedPeer.onNetwork(c, "n2").every(c.time, Duration.ofMillis(100));
    RecordingHost host = new RecordingHost(c, c.host("n1"));
    c.start(c.create("n1", c.builder("n1").backend(host).mover(vip, cloud.mover("n1"))));
    c.run(Duration.ofSeconds(1));
    assertThat(c.holders(vip)).containsExactly("n1");
    newerOwner(c, cloud, vip);
    c.run(Duration.ofMillis(30));
    host.releaseFails = true;
    n2.holds(0).send(); // n2 took it after n1: n1 claims again 25 ms later, refused at 55 ms
    c.run(Duration.ofMillis(60));
    assertThat(callsOf(cloud, "n1")).extracting(k -> k.result().outcome())
        .containsExactly(Outcome.ACCEPTED, Outcome.STALE_EPOCH);
    assertThat(c.events(AgentEvent.BackendError.class, "n1")).isNotEmpty()
        .allSatisfy(e -> assertThat(e.operation()).isEqualTo("release"));
    c.run(Duration.ofSeconds(8));
    assertThat(c.agent("n1").state().owners().get(vip)).isEqualTo("n2");
    assertThat(c.holders(vip)).containsExactly("n1"); // (the removal keeps failing)
    assertThat(callsOf(cloud, "n1")).as("no watch once the plan names n2").hasSize(2);
  }
}
