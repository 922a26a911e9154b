package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AgentFailoverTest {
  static VipGroup threeNodes(boolean preempt) {
    return VipGroup.builder().name("web").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .vip(v -> v.address("2001:db8::10/64").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1").priority(200))
        .node(n -> n.id("n2").heartbeat("198.51.100.2").priority(150))
        .node(n -> n.id("n3").heartbeat("198.51.100.3").priority(100))
        .policy(p -> p.preempt(preempt).preemptDelay(Duration.ofSeconds(2))
            .holdDown(Duration.ZERO))
        .build();
  }

  static VirtualIp vip4(TestCluster c) {
    return c.group.vips().get(0);
  }

  @Test
  void electsTheHighestPriorityAfterHearingEveryPeer() {
    TestCluster c = new TestCluster(threeNodes(true));
    c.startAll();
    c.run(Duration.ofMillis(50));
    for (VirtualIp v : c.group.vips()) {
      assertThat(c.holders(v)).containsExactly("n1");
    }
    assertThat(c.agent("n2").state().owners().values()).containsOnly("n1");
    assertThat(c.agent("n1").state().phase()).isEqualTo(VipAgent.Phase.RUNNING);
    assertThat(c.host("n1").announcements()).hasSize(2 * 3 - 4); // first announcement of each
    c.run(Duration.ofMillis(500));
    assertThat(c.host("n1").announcements()).hasSize(2 * 3);
  }

  @Test
  void failsOverWhenTheOwnersHostDiesWithinTheDetectionTime() {
    TestCluster c = new TestCluster(threeNodes(true));
    c.startAll();
    c.run(Duration.ofSeconds(1));
    long crash = c.time.nanoTime();
    c.powerOff("n1");
    // 100 ms heartbeats, dead after 3: n2 owns 300 ms after n1's last heartbeat arrived.
    c.run(Duration.ofMillis(250));
    assertThat(c.holders(vip4(c))).isEmpty();
    c.run(Duration.ofMillis(60));
    assertThat(c.holders(vip4(c))).containsExactly("n2");
    AgentEvent.Acquired acquired = c.events(AgentEvent.Acquired.class, "n2").get(0);
    assertThat(acquired.reason()).isEqualTo("OWNER_DEAD");
    long delay = Duration.ofNanos(100_000).toNanos(); // the network's one-way delay
    assertThat(acquired.at() - crash).isLessThanOrEqualTo(Duration.ofMillis(300).toNanos()
        + delay);
    assertThat(c.events(AgentEvent.PeerDown.class, "n3")).singleElement().satisfies(e -> {
      assertThat(e.nodeId()).isEqualTo("n1");
      assertThat(e.left()).as("a dead host does not say goodbye").isFalse();
    });
  }

  @Test
  void gracefulStopHandsOverWithoutAGap() {
    TestCluster c = new TestCluster(threeNodes(false));
    c.startAll();
    c.run(Duration.ofSeconds(1));
    c.agent("n1").stop();
    c.runChecking(Duration.ofSeconds(2), Duration.ofMillis(1), () -> {
      for (VirtualIp v : c.group.vips()) {
        assertThat(c.holders(v)).as("holders of %s at %d", v, c.time.nanoTime()).isNotEmpty();
      }
    });
    assertThat(c.agent("n1").state().phase()).isEqualTo(VipAgent.Phase.STOPPED);
    assertThat(c.holders(vip4(c))).containsExactly("n2");
    long acquired = c.events(AgentEvent.Acquired.class, "n2").get(0).at();
    long released = c.events(AgentEvent.Released.class, "n1").get(0).at();
    assertThat(acquired).isLessThan(released);
    assertThat(c.events(AgentEvent.PeerDown.class, "n2").get(0).left()).isTrue();
  }

  @Test
  void preemptsAfterTheDelayWhenTheBetterNodeReturns() {
    TestCluster c = new TestCluster(threeNodes(true));
    c.startAll();
    c.run(Duration.ofSeconds(1));
    c.powerOff("n1");
    c.reap("n1");
    c.run(Duration.ofSeconds(1));
    assertThat(c.holders(vip4(c))).containsExactly("n2");
    long restart = c.time.nanoTime();
    c.start("n1");
    c.run(Duration.ofMillis(1900));
    assertThat(c.holders(vip4(c))).containsExactly("n2");
    c.runChecking(Duration.ofSeconds(1), Duration.ofMillis(1), () ->
        assertThat(c.holders(vip4(c))).isNotEmpty());
    assertThat(c.holders(vip4(c))).containsExactly("n1");
    java.util.List<AgentEvent.Acquired> acquiredByN1 = c.events(AgentEvent.Acquired.class, "n1");
    AgentEvent.Acquired back = acquiredByN1.get(acquiredByN1.size() - 1);
    assertThat(back.reason()).isEqualTo("PREEMPTED");
    assertThat(back.at() - restart).isGreaterThanOrEqualTo(Duration.ofSeconds(2).toNanos());
    assertThat(c.events(AgentEvent.PeerUp.class, "n2").stream()
        .filter(e -> e.nodeId().equals("n1")).map(AgentEvent.PeerUp::incarnation).distinct())
        .hasSize(2);
  }
}
