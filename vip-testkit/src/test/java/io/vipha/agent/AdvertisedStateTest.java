package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Quorum;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.health.Effect;
import io.vipha.internal.heartbeat.HeartbeatCodec;
import io.vipha.internal.heartbeat.HeartbeatView;
import io.vipha.spi.Coordinator;
import io.vipha.spi.Coordinator.LocalState;
import io.vipha.spi.Coordinator.Pin;
import io.vipha.testing.InMemoryBackend;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * What a node advertises follows every change of its state: the agent hands its coordinator the
 * same {@link LocalState} from one heartbeat to the next, and a new one once the held VIPs, the
 * switchover requests, the effective priority, the eligibility (also when a suspension ends by
 * time alone) or the quorum changed. n1 is real and holds the VIP; n2 is played by the test
 * and reads n1's heartbeats.
 */
class AdvertisedStateTest {
  private static final Duration INTERVAL = Duration.ofMillis(100);

  private final ScriptedPeer[] n2 = new ScriptedPeer[1];

  private TestCluster holding(UnaryOperator<VipAgent.Builder> n1) {
    return TwoNodes.holding(TwoNodes.group(), n2, 2_000, n1);
  }

  /** The heartbeat n1 sent last after one more interval. */
  private HeartbeatView next(TestCluster c) {
    c.run(INTERVAL);
    return n2[0].lastFrom("n1");
  }

  @Test
  void theSameLocalStateGoesOutUntilSomethingChanges() {
    TestCluster c = new TestCluster(TwoNodes.group());
    n2[0] = ScriptedPeer.onNetwork(c, "n2").every(c.time, INTERVAL);
    VipAgent.Builder b = c.builder("n1");
    WrappingCoordinator capture = new WrappingCoordinator(c.coordinator("n1"));
    c.start(c.create("n1", b.coordinator(capture)));
    c.run(Duration.ofSeconds(2));
    Coordinator.Context ctx = Objects.requireNonNull(capture.context);
    LocalState first = ctx.local();
    c.run(Duration.ofSeconds(3)); // heartbeats, reconciles, lease renewals
    assertThat(ctx.local()).isSameAs(first);
    assertThat(first.held()).containsExactlyElementsOf(TwoNodes.group().vips());
    c.agent("n1").drain();
    c.run(Duration.ofMillis(1));
    LocalState drained = ctx.local();
    assertThat(drained).isNotSameAs(first);
    assertThat(drained.eligibility()).isEqualTo(io.vipha.plan.Eligibility.DRAINING);
    c.run(INTERVAL);
    assertThat(ctx.local()).isSameAs(drained);
  }

  @Test
  void heldVipsAndQuorumGoOutAsTheyChange() {
    VipGroup g = TwoNodes.group(p -> p.quorum(Quorum.majority())); // both nodes needed
    TestCluster c = TwoNodes.holding(g, n2, 2_000, UnaryOperator.identity());
    HeartbeatView hb = next(c);
    assertThat(hb.owns(0)).isTrue();
    assertThat(hb.hasQuorum()).isTrue();
    n2[0].silent = true;
    c.run(Duration.ofSeconds(1));
    hb = next(c);
    assertThat(hb.hasQuorum()).isFalse();
    assertThat(c.holders(g.vips().get(0))).isEmpty();
    assertThat(hb.owns(0)).isFalse();
    n2[0].silent = false;
    n2[0].every(c.time, INTERVAL);
    c.run(Duration.ofSeconds(2));
    hb = next(c);
    assertThat(hb.hasQuorum()).isTrue();
    assertThat(c.holders(g.vips().get(0))).containsExactly("n1");
    assertThat(hb.owns(0)).isTrue();
  }

  @Test
  void healthChangesPriorityAndEligibility() {
    TestCluster c = holding(UnaryOperator.identity());
    assertThat(next(c).priority()).isEqualTo(200);
    c.agent("n1").health("db", false, -30, false, "slow");
    HeartbeatView hb = next(c);
    assertThat(hb.priority()).isEqualTo(170);
    assertThat(hb.eligible()).isTrue();
    c.agent("n1").health("db", false, -30, true, "down");
    hb = next(c);
    assertThat(hb.eligible()).isFalse();
    assertThat(hb.draining()).isFalse();
    c.agent("n1").health("db", true, 0, false, "up");
    hb = next(c);
    assertThat(hb.priority()).isEqualTo(200);
    assertThat(hb.eligible()).isTrue();
  }

  @Test
  void aLinkDownLowersThePriorityUntilItIsUp() {
    TestCluster c = holding(b -> b.linkDown(Effect.weight(-40)));
    c.host("n1").setLink("eth0", false);
    assertThat(next(c).priority()).isEqualTo(160);
    c.host("n1").setLink("eth0", true);
    assertThat(next(c).priority()).isEqualTo(200);
  }

  @Test
  void aLinkWeightCountsForEveryVipInterfaceFromTheStartAndAfterAChange() {
    VipGroup g = ReconfigureTest.edit(TwoNodes.group(), vs -> vs.add(VirtualIp.builder()
        .address("192.0.2.20/24").interfaceName("eth1").build()), ns -> { }, p -> { });
    TestCluster c = new TestCluster(g);
    c.hosts.put("n1", new InMemoryBackend(c.time, Set.of("eth0", "eth1")));
    n2[0] = ScriptedPeer.onNetwork(c, "n2").every(c.time, INTERVAL);
    c.start(c.create("n1", c.builder("n1").linkDown(Effect.weight(20))));
    c.run(Duration.ofSeconds(2));
    assertThat(next(c).priority()).isEqualTo(240); // both links up
    c.agent("n1").reconfigure(ReconfigureTest.edit(g, vs -> vs.remove(1), ns -> { }, p -> { }),
        List.of());
    assertThat(next(c).priority()).isEqualTo(220); // eth1 carries no VIP any more
  }

  @Test
  void aDrainAndItsEndGoOut() {
    TestCluster c = holding(UnaryOperator.identity());
    c.agent("n1").drain();
    HeartbeatView hb = next(c);
    assertThat(hb.draining()).isTrue();
    assertThat(hb.eligible()).isFalse();
    c.agent("n1").undrain();
    hb = next(c);
    assertThat(hb.draining()).isFalse();
    assertThat(hb.eligible()).isTrue();
  }

  @Test
  void aReconfiguredPriorityGoesOut() {
    TestCluster c = holding(UnaryOperator.identity());
    VipGroup g = TwoNodes.group();
    VipGroup higher = VipGroup.builder().name("web").mode(g.mode())
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1").priority(220))
        .node(n -> n.id("n2").heartbeat("198.51.100.2").priority(150))
        .policy(g.policy()).build();
    var unused = c.agent("n1").reconfigure(higher, List.of());
    assertThat(next(c).priority()).isEqualTo(220);
  }

  @Test
  void switchoverRequestsMadeTakenAndClearedGoOut() {
    TestCluster c = holding(UnaryOperator.identity());
    c.agent("n1").switchover("n2");
    HeartbeatView hb = next(c);
    assertThat(hb.pinCount()).isEqualTo(1);
    assertThat(hb.pinTarget(0)).isEqualTo(1);
    c.agent("n1").clearSwitchover();
    hb = next(c);
    assertThat(hb.pinCount()).isEqualTo(1);
    assertThat(hb.pinTarget(0)).isEqualTo(HeartbeatCodec.PIN_CLEARED);
    long later = c.time.wallMillis() + 60_000; // a peer's newer request
    n2[0].pin(HeartbeatCodec.PIN_GROUP, 0, later).send();
    hb = next(c);
    assertThat(hb.pinTarget(0)).isZero();
    assertThat(hb.pinEpoch(0)).isEqualTo(later);
  }

  @Test
  void aSwitchoverRequestForANodeThatLeftTheGroupIsNoLongerAdvertised() {
    VipGroup g = SwitchoverPinsTest.group(); // n3 silent: a request for it moves nothing
    TestCluster c = new TestCluster(g);
    n2[0] = ScriptedPeer.onNetwork(c, "n2").every(c.time, INTERVAL);
    VipAgent.Builder b = c.builder("n1");
    WrappingCoordinator capture = new WrappingCoordinator(c.coordinator("n1"));
    c.start(c.create("n1", b.coordinator(capture)));
    c.run(Duration.ofSeconds(1));
    n2[0].pin(HeartbeatCodec.PIN_GROUP, 2, c.time.wallMillis()).send();
    c.run(Duration.ofMillis(1));
    Coordinator.Context ctx = Objects.requireNonNull(capture.context);
    assertThat(ctx.local().pins()).extracting(Pin::target).containsExactly("n3");
    c.agent("n1").reconfigure(ReconfigureTest.edit(g, vs -> { },
        ns -> ns.removeIf(n -> n.id().equals("n3")), p -> { }), List.of());
    c.run(Duration.ofMillis(1));
    assertThat(ctx.local().pins()).isEmpty();
    assertThat(c.holders(g.vips().get(0))).containsExactly("n1");
  }

  @Test
  void theEndOfASuspensionGoesOutThoughNothingElseChanged() {
    TestCluster c = new TestCluster(TwoNodes.group());
    n2[0] = ScriptedPeer.onNetwork(c, "n2");
    n2[0].suspension(0, 3_000); // echoes n1's suspension for 3 s while n1 joins
    c.start("n1");
    n2[0].send();
    c.run(Duration.ofMillis(1));
    n2[0].suspensionCount = 0;
    n2[0].every(c.time, INTERVAL);
    HeartbeatView hb = next(c);
    assertThat(hb.suspended()).isTrue();
    assertThat(hb.eligible()).isFalse();
    c.run(Duration.ofSeconds(3));
    hb = next(c);
    assertThat(hb.suspended()).isFalse();
    assertThat(hb.eligible()).isTrue();
  }
}
