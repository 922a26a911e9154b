package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.internal.heartbeat.HeartbeatView;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A node that keeps taking its VIP back (a link that goes down and up) is suspended at its flap
 * limit: it reports it, tells its peers at once, and takes nothing until the suspension ends.
 */
class FlapSuspensionTest {
  /** Preemption without delay or hold-down; suspended for 5 minutes at 3 changes a minute. */
  private static VipGroup group() {
    return VipGroup.builder().name("web").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1").priority(200))
        .node(n -> n.id("n2").heartbeat("198.51.100.2").priority(150))
        .policy(p -> p.preempt(true).preemptDelay(Duration.ZERO).holdDown(Duration.ZERO)
            .flapLimit(3, Duration.ofMinutes(1), Duration.ofMinutes(5)))
        .build();
  }

  private static void startN1(TestCluster c) {
    c.start(c.create("n1", c.builder("n1").handoverTimeout(Duration.ZERO)));
    c.run(Duration.ofSeconds(1));
  }

  @Test
  void aNodeAtItsFlapLimitIsSuspendedAndSaysSoAtOnce() {
    VipGroup g = group();
    TestCluster c = new TestCluster(g);
    ScriptedPeer n2 = ScriptedPeer.onNetwork(c, "n2").every(c.time, Duration.ofMillis(100));
    startN1(c);
    for (int i = 0; i < 4 && c.events(AgentEvent.FlapSuspended.class, "n1").isEmpty(); i++) {
      c.host("n1").setLink("eth0", false);
      c.run(Duration.ofMillis(500));
      c.host("n1").setLink("eth0", true);
      c.run(Duration.ofMillis(500));
    }
    AgentEvent.FlapSuspended s = c.events(AgentEvent.FlapSuspended.class, "n1").get(0);
    assertThat(s.nodeId()).isEqualTo("n1");
    c.time.runUntil(s.at() + 200_000);
    HeartbeatView hb = n2.lastFrom("n1");
    assertThat(hb.suspended()).isTrue();
    assertThat(hb.suspensionCount()).isEqualTo(1);
    assertThat(hb.suspensionMillis(0)).isBetween(299_000L, 300_000L);
    c.run(Duration.ofSeconds(10));
    assertThat(c.host("n1").holds(g.vips().get(0))).isFalse();
  }
  @Test
  void aNodeSuspendedInsteadOfPreemptingSaysSoAtOnce() {
    VipGroup g = group();
    TestCluster c = new TestCluster(g);
    // n2 always claims the VIP: each time n1 takes it back, it preempts n2.
    ScriptedPeer n2 = ScriptedPeer.onNetwork(c, "n2").holds(0).every(c.time,
        Duration.ofMillis(100));
    startN1(c);
    for (int i = 0; i < 4 && c.events(AgentEvent.FlapSuspended.class, "n1").isEmpty(); i++) {
      c.host("n1").setLink("eth0", false);
      c.run(Duration.ofMillis(500));
      c.host("n1").setLink("eth0", true);
      long up = c.time.nanoTime();
      c.time.runUntil(up + 200_000); // a heartbeat sent at once has arrived by then
      if (c.events(AgentEvent.FlapSuspended.class, "n1").isEmpty()) {
        c.run(Duration.ofMillis(500));
      }
    }
    // Back up, n1 would preempt n2 a last time: it is suspended instead, lets go of nothing
    // and tells its peers at once.
    assertThat(c.events(AgentEvent.FlapSuspended.class, "n1")).singleElement()
        .satisfies(e -> assertThat(e.at()).isEqualTo(c.time.nanoTime() - 200_000));
    assertThat(c.host("n1").holds(g.vips().get(0))).isFalse();
    assertThat(n2.lastFrom("n1").suspended()).isTrue();
  }
}
