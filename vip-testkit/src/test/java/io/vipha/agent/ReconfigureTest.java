package io.vipha.agent;

import static io.vipha.agent.AgentFailoverTest.threeNodes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.vipha.FailoverPolicy;
import io.vipha.Mode;
import io.vipha.Node;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.testing.InMemoryBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** A running group takes a changed configuration, one node at a time, and keeps its roles. */
class ReconfigureTest {
  /** {@code g} with its VIPs, nodes and policy edited. */
  static VipGroup edit(VipGroup g, Consumer<List<VirtualIp>> vips, Consumer<List<Node>> nodes,
      Consumer<FailoverPolicy.Builder> policy) {
    List<VirtualIp> vs = new ArrayList<>(g.vips());
    List<Node> ns = new ArrayList<>(g.nodes());
    vips.accept(vs);
    nodes.accept(ns);
    VipGroup.Builder b = VipGroup.builder().name(g.name()).mode(g.mode()).policy(g.policy())
        .policy(policy);
    vs.forEach(b::vip);
    ns.forEach(b::node);
    return b.build();
  }

  static VipGroup policy(VipGroup g, Consumer<FailoverPolicy.Builder> policy) {
    return edit(g, v -> { }, n -> { }, policy);
  }

  static VipGroup priority(VipGroup g, String id, int priority) {
    return edit(g, v -> { }, ns -> ns.replaceAll(n -> n.id().equals(id)
        ? n.toBuilder().priority(priority).build() : n), p -> { });
  }

  static VirtualIp vip(String cidr) {
    return VirtualIp.builder().address(cidr).interfaceName("eth0").build();
  }

  static Node node(String id, String heartbeat, int priority) {
    return Node.builder().id(id).heartbeat(heartbeat).priority(priority).build();
  }

  /** Reconfigures each node in turn, {@code gap} apart; every change applies. */
  static void roll(TestCluster c, VipGroup g, Duration gap, String... ids) {
    for (String id : ids) {
      CompletableFuture<Void> done = c.agent(id).reconfigure(g, List.of());
      c.time.runDue();
      assertThat(done).as("reconfigure of %s", id).isCompleted();
      done.join();
      c.run(gap);
    }
  }

  /** Who holds each VIP of the cluster's group. */
  static Map<VirtualIp, List<String>> holders(TestCluster c, List<VirtualIp> vips) {
    Map<VirtualIp, List<String>> out = new HashMap<>();
    for (VirtualIp v : vips) {
      out.put(v, c.holders(v).stream().sorted().toList());
    }
    return out;
  }

  /** The events of kinds a reconfiguration that keeps every role must not cause. */
  static List<AgentEvent> disturbances(TestCluster c, int from, String... nodes) {
    List<AgentEvent> out = new ArrayList<>();
    for (AgentEvent e : c.events.subList(from, c.events.size())) {
      if (nodes.length > 0 && !List.of(nodes).contains(c.eventNode.get(e))) {
        continue;
      }
      if (e instanceof AgentEvent.Acquired || e instanceof AgentEvent.Released
          || e instanceof AgentEvent.PeerDown || e instanceof AgentEvent.PeerSuspect
          || e instanceof AgentEvent.PeerUp || e instanceof AgentEvent.QuorumLost
          || e instanceof AgentEvent.Conflict || e instanceof AgentEvent.Stalled
          || e instanceof AgentEvent.DriftRepaired || e instanceof AgentEvent.HealthChanged) {
        out.add(e);
      }
    }
    return out;
  }

  /**
   * Rolls {@code to} over a started cluster of {@code from}, node by node {@code gap} apart,
   * and checks at every millisecond that every VIP keeps its holders, and that no event of a
   * role change, a peer's liveness or a conflict happens.
   */
  static TestCluster rollsWithoutDisturbance(VipGroup from, VipGroup to, Duration gap,
      String... order) {
    TestCluster c = new TestCluster(from);
    c.startAll();
    c.run(Duration.ofSeconds(2));
    Map<VirtualIp, List<String>> before = holders(c, from.vips());
    assertThat(before.values()).allSatisfy(h -> assertThat(h).hasSize(1));
    int mark = c.events.size();
    for (String id : order) {
      CompletableFuture<Void> done = c.agent(id).reconfigure(to, List.of());
      c.runChecking(gap, Duration.ofMillis(1), () -> assertThat(holders(c, from.vips()))
          .isEqualTo(before));
      assertThat(done).isCompleted();
    }
    c.runChecking(Duration.ofSeconds(5), Duration.ofMillis(1),
        () -> assertThat(holders(c, from.vips())).isEqualTo(before));
    assertThat(disturbances(c, mark)).isEmpty();
    for (String id : order) {
      assertThat(c.agent(id).group()).isEqualTo(to);
    }
    return c;
  }

  @Test
  void shorterTimersRollOverATwoNodeGroupWithoutMovingOrKillingAnything() {
    VipGroup two = edit(threeNodes(true), v -> { }, ns -> ns.removeIf(n -> n.id().equals("n3")),
        p -> p.heartbeatInterval(Duration.ofMillis(500)).deadAfter(3));
    VipGroup fast = policy(two, p -> p.heartbeatInterval(Duration.ofMillis(50)).deadAfter(2)
        .holdDown(Duration.ofSeconds(1)).preemptDelay(Duration.ofMillis(500)));
    // n2 judges n1 by 100 ms of silence while n1 still sends every 500 ms, for 3 s.
    TestCluster c = rollsWithoutDisturbance(two, fast, Duration.ofSeconds(3), "n2", "n1");
    assertThat(c.agent("n1").policy).isEqualTo(fast.policy());
    // The new timers rule once both run them: a dead owner is noticed within 100 ms.
    long before = c.time.nanoTime();
    c.powerOff("n1");
    c.run(Duration.ofMillis(150));
    assertThat(c.holders(two.vips().get(0))).containsExactly("n2");
    assertThat(c.events(AgentEvent.PeerDown.class, "n2")).singleElement()
        .satisfies(e -> assertThat(e.at() - before).isLessThanOrEqualTo(
            Duration.ofMillis(101).toNanos()));
  }

  @Test
  void longerTimersRollOverAThreeNodeGroupWithoutMovingOrKillingAnything() {
    VipGroup three = threeNodes(true);
    VipGroup slow = policy(three, p -> p.heartbeatInterval(Duration.ofSeconds(1)).deadAfter(4)
        .holdDown(Duration.ofSeconds(5)).preemptDelay(Duration.ofSeconds(10)));
    // n1 (the owner) goes first: it keeps sending every 100 ms until the others run the slow
    // timers, or they would judge it dead after 300 ms.
    TestCluster c = rollsWithoutDisturbance(three, slow, Duration.ofSeconds(2), "n1", "n3", "n2");
    // Settled: heartbeats every second now.
    long sent = c.coordinator("n1").sent();
    c.run(Duration.ofSeconds(10));
    assertThat(c.coordinator("n1").sent() - sent).isBetween(2L * 9, 2L * 11);
    c.powerOff("n1");
    // Dead 4 s after its last heartbeat, which left at most 1 s before.
    c.run(Duration.ofMillis(2900));
    assertThat(c.holders(three.vips().get(0))).isEmpty();
    c.run(Duration.ofMillis(1200));
    assertThat(c.holders(three.vips().get(0))).containsExactly("n2");
  }

  @Test
  void prioritiesThatKeepTheOwnerChangeNothingButWhatIsAdvertised() {
    VipGroup three = threeNodes(true);
    VipGroup changed = priority(priority(three, "n2", 190), "n1", 210);
    TestCluster c = rollsWithoutDisturbance(three, changed, Duration.ofMillis(700), "n3", "n2",
        "n1");
    assertThat(c.agent("n1").state().effectivePriority()).isEqualTo(210);
    assertThat(c.agent("n3").state().peers()).hasEntrySatisfying("n1",
        p -> assertThat(p.effectivePriority()).isEqualTo(210));
    assertThat(c.agent("n3").state().peers()).hasEntrySatisfying("n2",
        p -> assertThat(p.effectivePriority()).isEqualTo(190));
  }

  static VipGroup activeActive() {
    VipGroup.Builder b = VipGroup.builder().name("aa").mode(Mode.ACTIVE_ACTIVE)
        .policy(p -> p.preempt(false));
    for (int i = 1; i <= 3; i++) {
      int k = i;
      b.node(n -> n.id("n" + k).heartbeat("198.51.100." + k));
    }
    for (int i = 1; i <= 9; i++) {
      int k = i;
      b.vip(v -> v.address("192.0.2." + (10 + k) + "/24").interfaceName("eth0"));
    }
    return b.build();
  }

  @Test
  void anActiveActiveGroupTakesTimersAndWeightsWithoutMovingAVip() {
    VipGroup aa = activeActive();
    VipGroup changed = edit(aa, v -> { }, ns -> ns.replaceAll(n -> n.toBuilder()
        .priority(n.priority() + 10).capacity(9).build()),
        p -> p.heartbeatInterval(Duration.ofMillis(60)).deadAfter(4));
    rollsWithoutDisturbance(aa, changed, Duration.ofMillis(400), "n2", "n3", "n1");
  }

  @Test
  void anAddedVipIsAcquiredByTheOwnerAndARemovedOneReleasedAndLeftAlone() {
    VipGroup three = threeNodes(true).toBuilder().policy(p -> p.announceRefresh(
        Duration.ofSeconds(1))).build();
    TestCluster c = new TestCluster(three);
    c.startAll();
    c.run(Duration.ofSeconds(1));
    VirtualIp added = vip("192.0.2.20/24");
    VirtualIp removed = three.vips().get(1);
    VipGroup changed = edit(three, vs -> {
      vs.remove(removed);
      vs.add(added);
    }, n -> { }, p -> { });
    int mark = c.events.size();
    roll(c, changed, Duration.ofMillis(300), "n3", "n2", "n1");
    c.run(Duration.ofSeconds(1));
    assertThat(c.holders(added)).containsExactly("n1");
    assertThat(c.holders(removed)).isEmpty();
    assertThat(c.holders(three.vips().get(0))).containsExactly("n1");
    assertThat(c.events(AgentEvent.Acquired.class, "n1")).extracting(AgentEvent.Acquired::vip)
        .containsOnlyOnce(added);
    assertThat(c.events(AgentEvent.Released.class, "n1")).singleElement()
        .satisfies(e -> {
          assertThat(e.vip()).isEqualTo(removed);
          assertThat(e.reason()).isEqualTo("REMOVED");
        });
    // Each node says it took the change, before it acquires or releases what the change moves.
    for (String id : List.of("n1", "n2", "n3")) {
      assertThat(c.events(AgentEvent.Reconfigured.class, id)).singleElement()
          .extracting(AgentEvent.Reconfigured::nodes, AgentEvent.Reconfigured::vips,
              AgentEvent.Reconfigured::checks).containsExactly(3, 2, 0);
    }
    List<AgentEvent> n1 = c.events.stream().filter(e -> "n1".equals(c.eventNode.get(e)))
        .toList();
    assertThat(n1.stream().filter(e -> e instanceof AgentEvent.Reconfigured
        || e instanceof AgentEvent.Acquired a && a.vip().equals(added)
        || e instanceof AgentEvent.Released r && r.vip().equals(removed)).map(e -> e.getClass()
        .getSimpleName())).containsExactly("Reconfigured", "Released", "Acquired");
    assertThat(c.agent("n1").state().owners()).containsOnlyKeys(three.vips().get(0), added);
    assertThat(disturbances(c, mark)).allSatisfy(e -> assertThat(e)
        .isInstanceOfAny(AgentEvent.Acquired.class, AgentEvent.Released.class));
    // No longer reconciled: put back by hand, it is neither removed nor repaired, nor announced.
    long announced = c.host("n1").announcements().stream().filter(a -> a.vip().equals(removed))
        .count();
    c.host("n1").addByHand(removed);
    c.run(Duration.ofSeconds(3));
    assertThat(c.holders(removed)).containsExactly("n1");
    c.host("n1").removeByHand(removed);
    c.run(Duration.ofSeconds(3));
    assertThat(c.holders(removed)).isEmpty();
    assertThat(c.host("n1").announcements().stream().filter(a -> a.vip().equals(removed))
        .count()).isEqualTo(announced);
    assertThat(c.events(AgentEvent.DriftRepaired.class, "n1")).isEmpty();
    // The added VIP is reconciled: removed by hand, it comes back.
    c.host("n1").removeByHand(added);
    c.run(Duration.ofSeconds(2));
    assertThat(c.holders(added)).containsExactly("n1");
  }

  @Test
  void anActiveActiveGroupPlacesAnAddedVipWhereThePlanSaysAndReleasesARemovedOne() {
    VipGroup aa = activeActive();
    TestCluster c = new TestCluster(aa);
    c.startAll();
    c.run(Duration.ofSeconds(1));
    Map<VirtualIp, List<String>> before = holders(c, aa.vips());
    VirtualIp removed = aa.vips().get(4);
    String removedFrom = c.holders(removed).iterator().next();
    VirtualIp added = vip("192.0.2.40/24");
    VipGroup changed = edit(aa, vs -> {
      vs.remove(removed);
      vs.add(added);
    }, n -> { }, p -> { });
    roll(c, changed, Duration.ofMillis(250), "n1", "n2", "n3");
    c.run(Duration.ofSeconds(1));
    String planned = c.agent("n1").state().owners().get(added);
    assertThat(planned).isNotNull();
    assertThat(c.holders(added)).containsExactly(planned);
    for (String id : List.of("n2", "n3")) {
      assertThat(c.agent(id).state().owners()).containsEntry(added, planned);
    }
    assertThat(c.holders(removed)).isEmpty();
    assertThat(c.events(AgentEvent.Released.class, removedFrom)).extracting(
        AgentEvent.Released::reason).containsExactly("REMOVED");
    for (VirtualIp v : aa.vips()) {
      if (!v.equals(removed)) {
        assertThat(holders(c, List.of(v))).as("%s stays", v).containsEntry(v, before.get(v));
      }
    }
  }

  @Test
  void aChangedInterfaceIsARemovedAndAnAddedVip() {
    VipGroup three = threeNodes(true);
    TestCluster c = new TestCluster(three);
    for (Node n : three.nodes()) {
      c.hosts.put(n.id(), new InMemoryBackend(c.time, java.util.Set.of("eth0", "eth1")));
    }
    c.startAll();
    c.run(Duration.ofSeconds(1));
    VirtualIp old = three.vips().get(0);
    VirtualIp moved = old.toBuilder().interfaceName("eth1").build();
    VipGroup changed = edit(three, vs -> vs.set(0, moved), n -> { }, p -> { });
    roll(c, changed, Duration.ofMillis(300), "n1", "n2", "n3");
    c.run(Duration.ofSeconds(1));
    assertThat(c.host("n1").addresses()).anySatisfy(a -> assertThat(a.matches(moved)).isTrue());
    assertThat(c.agent("n1").state().held()).contains(moved).doesNotContain(old);
    assertThat(c.events(AgentEvent.Released.class, "n1")).extracting(AgentEvent.Released::vip)
        .containsExactly(old);
  }

  @Test
  void aPeerAddedToARunningGroupJoinsItAndTheQuorumFollowsTheGroup() {
    VipGroup two = edit(threeNodes(false), v -> { }, ns -> ns.removeIf(n -> n.id().equals("n3")),
        p -> p.quorum(io.vipha.Quorum.majority()).noQuorum(io.vipha.NoQuorumAction.RELEASE));
    VipGroup three = edit(two, v -> { }, ns -> ns.add(node("n3", "198.51.100.3", 100)), p -> { });
    TestCluster c = new TestCluster(three); // hosts for all three
    c.start(c.create("n1", c.builder("n1").group(two)));
    c.start(c.create("n2", c.builder("n2").group(two)));
    c.run(Duration.ofSeconds(1));
    assertThat(c.agent("n1").group().quorumSize()).isEqualTo(2);
    int mark = c.events.size();
    roll(c, three, Duration.ofMillis(300), "n2", "n1");
    assertThat(c.agent("n1").group().quorumSize()).isEqualTo(2);
    assertThat(c.agent("n1").state().quorum()).isTrue();
    c.start("n3");
    c.run(Duration.ofSeconds(1));
    assertThat(c.holders(two.vips().get(0))).containsExactly("n1");
    assertThat(c.agent("n1").state().peers()).containsKeys("n2", "n3");
    assertThat(c.agent("n3").state().owners()).containsValue("n1");
    assertThat(disturbances(c, mark)).allSatisfy(e -> assertThat(e)
        .isInstanceOf(AgentEvent.PeerUp.class));
    // Three nodes, majority 2: n1 with n3 keeps quorum when n2 dies; alone it would not.
    c.powerOff("n2");
    c.run(Duration.ofSeconds(1));
    assertThat(c.agent("n1").state().quorum()).isTrue();
    assertThat(c.holders(two.vips().get(0))).containsExactly("n1");
  }

  @Test
  void aPeerRemovedFromARunningGroupIsForgottenAndItsSilenceIsNoNews() {
    VipGroup three = threeNodes(false).toBuilder()
        .policy(p -> p.quorum(io.vipha.Quorum.majority())).build();
    VipGroup two = edit(three, v -> { }, ns -> ns.removeIf(n -> n.id().equals("n3")), p -> { });
    TestCluster c = new TestCluster(three);
    c.startAll();
    c.run(Duration.ofSeconds(1));
    int mark = c.events.size();
    roll(c, two, Duration.ofMillis(300), "n1", "n2");
    c.agent("n3").stop();
    c.run(Duration.ofSeconds(2));
    assertThat(c.agent("n1").group().quorumSize()).isEqualTo(2);
    assertThat(c.agent("n1").state().peers()).containsOnlyKeys("n2");
    assertThat(c.agent("n2").state().peers()).containsOnlyKeys("n1");
    assertThat(disturbances(c, mark, "n1", "n2")).isEmpty();
    assertThat(c.holders(three.vips().get(0))).containsExactly("n1");
    // Two nodes, majority 2: n1 alone has no quorum any more.
    c.powerOff("n2");
    c.run(Duration.ofSeconds(1));
    assertThat(c.agent("n1").state().quorum()).isFalse();
  }

  @Test
  void aPriorityThatOutranksTheOwnerPreemptsAfterTheDelayWhenPreemptionIsOn() {
    VipGroup three = threeNodes(true); // preempt delay 2 s
    TestCluster c = new TestCluster(three);
    c.startAll();
    c.run(Duration.ofSeconds(1));
    // n3 has been ready for longer than the preempt delay: once it advertises the higher
    // priority (its own reconfiguration), every node plans it as the owner, make-before-break.
    roll(c, priority(three, "n3", 250), Duration.ofMillis(500), "n1", "n2");
    assertThat(c.holders(three.vips().get(0))).containsExactly("n1");
    c.agent("n3").reconfigure(priority(three, "n3", 250), List.of());
    c.runChecking(Duration.ofMillis(500), Duration.ofMillis(1),
        () -> assertThat(c.holders(three.vips().get(0))).isNotEmpty());
    assertThat(c.holders(three.vips().get(0))).containsExactly("n3");
    assertThat(c.events(AgentEvent.Acquired.class, "n3")).extracting(AgentEvent.Acquired::reason)
        .containsOnly("PREEMPTED");
  }

  @Test
  void aPriorityThatOutranksTheOwnerMovesNothingWithoutPreemption() {
    VipGroup three = threeNodes(false);
    rollsWithoutDisturbance(three, priority(three, "n3", 250), Duration.ofMillis(100), "n1",
        "n2", "n3");
  }

  /**
   * A change of this node's own priority that makes a peer holding the same VIP the holder every
   * node picks is a loss of the group, as a preemption learnt from the holders is: its hold-down
   * starts then. n2, played by the test, claims n1's VIP too; n1 drops below it, hands the VIP
   * over, and raised again takes it back only once its hold-down has run out.
   */
  @Test
  void anOwnerThatAChangedPriorityPutsBelowAnotherHolderWaitsOutItsHoldDown() {
    VipGroup g = policy(TwoNodes.group(), p -> p.preempt(true).preemptDelay(Duration.ZERO)
        .holdDown(Duration.ofSeconds(2)));
    VirtualIp v = g.vips().get(0);
    ScriptedPeer[] n2 = new ScriptedPeer[1];
    TestCluster c = TwoNodes.holding(g, n2, 650, b -> b);
    n2[0].holds(0).send(); // n1, higher, stays the holder both pick
    c.run(Duration.ofMillis(100));
    assertThat(c.holders(v)).containsExactly("n1");
    c.agent("n1").reconfigure(priority(g, "n1", 100), List.of());
    c.time.runDue();
    long lowered = c.time.nanoTime();
    assertThat(c.events(AgentEvent.Released.class, "n1")).singleElement()
        .satisfies(e -> assertThat(e.at()).isEqualTo(lowered));
    c.run(Duration.ofMillis(300));
    c.agent("n1").reconfigure(g, List.of());
    c.run(Duration.ofSeconds(3));
    assertThat(c.events(AgentEvent.Acquired.class, "n1")).extracting(AgentEvent.Acquired::at,
        AgentEvent.Acquired::reason).last()
        .isEqualTo(tuple(lowered + Duration.ofSeconds(2).toNanos(), "PREEMPTED"));
  }
}
