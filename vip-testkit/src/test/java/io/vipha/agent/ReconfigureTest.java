package io.vipha.agent;

import static io.vipha.agent.AgentFailoverTest.threeNodes;
import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.FailoverPolicy;
import io.vipha.Mode;
import io.vipha.Node;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.health.HealthCheck;
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
  static List<AgentEvent> disturbances(TestCluster c, int from) {
    List<AgentEvent> out = new ArrayList<>();
    for (AgentEvent e : c.events.subList(from, c.events.size())) {
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
}
