package io.vipha.agent;

import static io.vipha.agent.AgentFailoverTest.threeNodes;
import static io.vipha.agent.AgentFailoverTest.vip4;
import static io.vipha.agent.ReconfigureTest.edit;
import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.spi.BackendException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** What each part does with a changed group: retries, timers, stopping. */
class ReconfigurePartsTest {
  private static TestCluster running(VipGroup g) {
    TestCluster c = new TestCluster(g);
    c.startAll();
    c.run(Duration.ofSeconds(1));
    return c;
  }

  private static long announcements(TestCluster c, String id, VirtualIp v) {
    return c.host(id).announcements().stream().filter(a -> a.vip().equals(v)).count();
  }

  /** The IPv6 VIP of {@code three} removed on n1 while n1's backend fails. */
  private static VipGroup removedWhileFailing(TestCluster c, VipGroup three) {
    VipGroup fewer = edit(three, vs -> vs.remove(three.vips().get(1)), n -> { }, p -> { });
    c.host("n1").failWith(new BackendException(BackendException.Kind.TRANSIENT, "busy"));
    CompletableFuture<Void> done = c.agent("n1").reconfigure(fewer, List.of());
    c.time.runDue();
    assertThat(done).isCompleted();
    return fewer;
  }

  @Test
  void aRemovedVipTheBackendCannotReleaseIsRetriedUntilItGoes() {
    VipGroup three = threeNodes(true);
    TestCluster c = running(three);
    VirtualIp removed = three.vips().get(1);
    VipGroup fewer = removedWhileFailing(c, three);
    for (String id : List.of("n2", "n3")) {
      c.agent(id).reconfigure(fewer, List.of());
    }
    c.time.runDue();
    assertThat(c.holders(removed)).containsExactly("n1");
    assertThat(c.agent("n1").state().held()).contains(removed);
    c.run(Duration.ofMillis(500));
    assertThat(c.holders(removed)).containsExactly("n1");
    c.host("n1").heal();
    c.run(Duration.ofSeconds(2));
    assertThat(c.holders(removed)).isEmpty();
    assertThat(c.agent("n1").state().held()).doesNotContain(removed);
    // (The failing backend disqualified n1, so the group moved too, as it would anyway.)
    assertThat(c.events(AgentEvent.Released.class, "n1")).extracting(AgentEvent.Released::vip,
        AgentEvent.Released::reason).contains(org.assertj.core.groups.Tuple.tuple(
        removed, "REMOVED")).extracting(t -> t.toList().get(0)).containsOnlyOnce(removed);
  }

  @Test
  void aVipRemovedAndAddedBackIsNotReleasedAgain() {
    VipGroup three = threeNodes(true);
    TestCluster c = running(three);
    VirtualIp v = three.vips().get(1);
    removedWhileFailing(c, three);
    c.host("n1").heal();
    c.agent("n1").reconfigure(three, List.of()); // back before the retry
    c.run(Duration.ofSeconds(2));
    assertThat(c.holders(v)).containsExactly("n1");
    assertThat(c.events(AgentEvent.Released.class, "n1")).isEmpty();
  }

  @Test
  void anAnnounceRefreshSetOnARunningAgentStartsAndOneRemovedStops() {
    VipGroup three = threeNodes(true);
    TestCluster c = running(three);
    VirtualIp v = vip4(c);
    long before = announcements(c, "n1", v);
    c.run(Duration.ofSeconds(3));
    assertThat(announcements(c, "n1", v)).isEqualTo(before); // no refresh configured
    VipGroup refreshing = three.toBuilder().policy(p -> p.announceRefresh(
        Duration.ofSeconds(2))).build();
    c.agent("n1").reconfigure(refreshing, List.of());
    c.run(Duration.ofMillis(6500));
    assertThat(announcements(c, "n1", v) - before).isEqualTo(3);
    VipGroup faster = three.toBuilder().policy(p -> p.announceRefresh(
        Duration.ofSeconds(1))).build();
    c.agent("n1").reconfigure(faster, List.of());
    c.time.runDue();
    long mid = announcements(c, "n1", v);
    c.run(Duration.ofMillis(4500));
    assertThat(announcements(c, "n1", v) - mid).isEqualTo(4);
    c.agent("n1").reconfigure(three, List.of());
    long last = announcements(c, "n1", v);
    c.run(Duration.ofSeconds(3));
    assertThat(announcements(c, "n1", v)).isEqualTo(last);
  }

  @Test
  void aStoppingAgentRefusesAndStopsAsItWould() {
    VipGroup three = threeNodes(true);
    TestCluster c = running(three);
    CompletableFuture<Void> stopped = c.agent("n1").stop();
    CompletableFuture<Void> f = c.agent("n1").reconfigure(three, List.of());
    c.time.runDue();
    assertThat(c.agent("n1").state().phase()).isEqualTo(VipAgent.Phase.STOPPING);
    assertThat(f).isCompletedExceptionally();
    assertThat(f).failsWithin(Duration.ZERO).withThrowableOfType(
        java.util.concurrent.ExecutionException.class).withMessageContaining("stopping");
    c.run(Duration.ofSeconds(2));
    assertThat(stopped).isCompleted();
    assertThat(c.holders(vip4(c))).containsExactly("n2");
  }

  @Test
  void aJoiningAgentReleasesARemovedLeftoverAtOnce() {
    VipGroup three = threeNodes(true);
    TestCluster c = new TestCluster(three);
    VirtualIp removed = three.vips().get(1);
    c.host("n3").addByHand(removed);
    VipAgent n3 = c.start("n3"); // joining: it waits for its peers
    assertThat(n3.state().phase()).isEqualTo(VipAgent.Phase.JOINING);
    assertThat(n3.state().held()).contains(removed);
    n3.reconfigure(edit(three, vs -> vs.remove(removed), n -> { }, p -> { }), List.of());
    c.time.runDue();
    assertThat(c.holders(removed)).isEmpty();
    assertThat(n3.state().held()).doesNotContain(removed);
  }

  @Test
  void theHandoverTimeoutFollowsTheDetectionTimeUnlessTheBuilderSetIt() {
    VipGroup three = threeNodes(true);
    TestCluster c = new TestCluster(three);
    VipAgent derived = c.create("n1");
    VipAgent set = c.create("n2", c.builder("n2").handoverTimeout(Duration.ofSeconds(7)));
    VipGroup slow = three.toBuilder().policy(p -> p.heartbeatInterval(Duration.ofSeconds(1))
        .deadAfter(5)).build();
    derived.reconfigure(slow, List.of());
    set.reconfigure(slow, List.of());
    c.time.runDue();
    assertThat(derived.handoverTimeout).isEqualTo(Duration.ofSeconds(11).toNanos());
    assertThat(derived.joinTime).isEqualTo(Duration.ofSeconds(6).toNanos());
    assertThat(set.handoverTimeout).isEqualTo(Duration.ofSeconds(7).toNanos());
    assertThat(derived.planner.group()).isEqualTo(slow);
  }

  @Test
  void switchoverRequestsNamingAVipOrANodeThatLeftTheGroupAreDropped() {
    VipGroup three = threeNodes(false);
    TestCluster c = running(three);
    VirtualIp v6 = three.vips().get(1);
    VipAgent n1 = c.agent("n1");
    n1.switchover("n2"); // stays: the whole group, to a node that stays
    n1.switchover(v6, "n2"); // a VIP that leaves
    n1.switchover(vip4(c), "n3"); // a node that leaves
    c.run(Duration.ofMillis(10));
    assertThat(n1.planning.pins()).hasSize(3);
    assertThat(java.util.Objects.requireNonNull(n1.state().peers().get("n2")).pins()).hasSize(3);
    VipGroup fewer = edit(three, vs -> vs.remove(v6), ns -> ns.removeIf(n -> n.id().equals("n3")),
        p -> { });
    n1.reconfigure(fewer, List.of());
    c.time.runDue();
    assertThat(n1.planning.pins()).singleElement().satisfies(p -> {
      assertThat(p.vip()).isNull();
      assertThat(p.target()).isEqualTo("n2");
    });
    // What n1 knows of its peers follows too, before their next heartbeats.
    assertThat(n1.state().peers()).containsOnlyKeys("n2");
    assertThat(java.util.Objects.requireNonNull(n1.state().peers().get("n2")).pins())
        .singleElement().satisfies(p -> assertThat(p.vip()).isNull());
  }
  /** n1 started on a group of two VIPs, n2 played by the test; {@code n2} sets its heartbeats. */
  private static TestCluster withScriptedN2(VipGroup g,
      java.util.function.Consumer<ScriptedPeer> n2) {
    TestCluster c = new TestCluster(g);
    ScriptedPeer p = ScriptedPeer.onNetwork(c, "n2");
    n2.accept(p);
    p.every(c.time, Duration.ofMillis(100));
    c.start("n1");
    c.run(Duration.ofSeconds(1));
    return c;
  }

  private static VipGroup twoVips() {
    return VipGroup.builder().name("web").mode(io.vipha.Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .vip(v -> v.address("192.0.2.11/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1").priority(200))
        .node(n -> n.id("n2").heartbeat("198.51.100.2").priority(150))
        .policy(p -> p.preempt(false).holdDown(Duration.ZERO)).build();
  }

  /** Its index in heartbeats. */
  private static int index(VipGroup g, VirtualIp v) {
    return java.util.Arrays.asList(io.vipha.internal.VipOrder.of(g)).indexOf(v);
  }

  private static io.vipha.spi.Coordinator.PeerState n2(TestCluster c) {
    return java.util.Objects.requireNonNull(c.agent("n1").state().peers().get("n2"));
  }

  @Test
  void aPeersClaimOfARemovedVipIsForgottenAtOnce() {
    VipGroup g = twoVips();
    VirtualIp gone = g.vips().get(1);
    TestCluster c = withScriptedN2(g, p -> p.holds(index(g, gone)));
    assertThat(n2(c).held()).containsExactly(gone);
    c.agent("n1").reconfigure(edit(g, vs -> vs.remove(gone), n -> { }, p -> { }), List.of());
    c.time.runDue();
    assertThat(n2(c).held()).isEmpty(); // (n2 still runs the old group: no news of it yet)
  }

  @Test
  void aPeersSwitchoverRequestForARemovedVipIsForgottenAtOnce() {
    VipGroup g = twoVips();
    VirtualIp gone = g.vips().get(1);
    TestCluster c = withScriptedN2(g, p -> p.pin(index(g, gone), 0, 5)); // gone to n1
    assertThat(n2(c).pins()).hasSize(1);
    c.agent("n1").reconfigure(edit(g, vs -> vs.remove(gone), n -> { }, p -> { }), List.of());
    c.time.runDue();
    assertThat(n2(c).pins()).isEmpty();
  }
}
