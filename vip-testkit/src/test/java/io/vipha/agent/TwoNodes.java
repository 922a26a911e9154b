package io.vipha.agent;

import io.vipha.FailoverPolicy;
import io.vipha.Mode;
import io.vipha.VipGroup;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/** The group of the tests that play n2 to a real n1: one VIP, n1 (200) outranks n2 (150). */
final class TwoNodes {
  private TwoNodes() {}

  /** The group, no preemption, no hold-down, then {@code policy}. */
  static VipGroup group(Consumer<FailoverPolicy.Builder> policy) {
    return VipGroup.builder().name("web").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1").priority(200))
        .node(n -> n.id("n2").heartbeat("198.51.100.2").priority(150))
        .policy(p -> policy.accept(p.preempt(false).holdDown(Duration.ZERO)))
        .build();
  }

  /**
   * n1 started on {@code g} with {@code n1}'s settings, n2 played by the test and heard every
   * interval, run for {@code ms} until n1 holds the VIP.
   */
  static TestCluster holding(VipGroup g, ScriptedPeer[] n2, long ms,
      UnaryOperator<VipAgent.Builder> n1) {
    TestCluster c = new TestCluster(g);
    n2[0] = ScriptedPeer.onNetwork(c, "n2").every(c.time, Duration.ofMillis(100));
    c.start(c.create("n1", n1.apply(c.builder("n1"))));
    c.run(Duration.ofMillis(ms));
    if (!c.holders(g.vips().get(0)).equals(java.util.Set.of("n1"))) {
      throw new AssertionError("n1 does not hold the VIP alone: " + c.holders(g.vips().get(0)));
    }
    return c;
  }

  static VipGroup group() {
    return group(p -> { });
  }
}
