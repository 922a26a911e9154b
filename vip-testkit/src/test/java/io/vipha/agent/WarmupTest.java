package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.plan.Eligibility;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A freshly started node warms up before it preempts, and never when it is needed. */
class WarmupTest {
  private static final Duration WARMUP = Duration.ofSeconds(1);

  /** n1 (200) outranks n2 (150) and n3 (100); preemption at once, no hold-down, no quorum. */
  private static VipGroup group() {
    return VipGroup.builder().name("web").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1").priority(200))
        .node(n -> n.id("n2").heartbeat("198.51.100.2").priority(150))
        .node(n -> n.id("n3").heartbeat("198.51.100.3").priority(100))
        .policy(p -> p.preempt(true).preemptDelay(Duration.ZERO).holdDown(Duration.ZERO)
            .heartbeatInterval(Duration.ofMillis(10)).deadAfter(3))
        .build();
  }

  private static VirtualIp vip(TestCluster c) {
    return c.group.vips().get(0);
  }

  private static VipAgent startWarming(TestCluster c, String id, Duration warmup) {
    return c.start(c.create(id, c.builder(id).warmup(warmup)));
  }

  /** n2 and n3 run, n2 serves; then n1 starts with a warm-up. */
  private static TestCluster n2Serving() {
    TestCluster c = new TestCluster(group());
    c.start("n2");
    c.start("n3");
    c.run(Duration.ofSeconds(1));
    assertThat(c.holders(vip(c))).containsExactly("n2");
    return c;
  }

  @Test
  void aWarmingNodeDoesNotPreemptUntilWarm() {
    TestCluster c = n2Serving();
    long start = c.time.nanoTime();
    startWarming(c, "n1", WARMUP);
    c.runChecking(Duration.ofMillis(950), Duration.ofMillis(1), () ->
        assertThat(c.holders(vip(c))).containsExactly("n2"));
    // Its peers see it not eligible, so none plans to hand it the VIP.
    assertThat(c.agent("n2").state().peers()).hasEntrySatisfying("n1", p ->
        assertThat(p.eligibility()).isEqualTo(Eligibility.DISQUALIFIED));
    assertThat(c.agent("n1").state().eligibility()).isEqualTo(Eligibility.DISQUALIFIED);
    c.runChecking(Duration.ofMillis(200), Duration.ofMillis(1), () ->
        assertThat(c.holders(vip(c))).isNotEmpty());
    assertThat(c.holders(vip(c))).containsExactly("n1");
    AgentEvent.Acquired took = c.events(AgentEvent.Acquired.class, "n1").get(0);
    assertThat(took.reason()).isEqualTo("PREEMPTED");
    assertThat(took.at() - start).isGreaterThanOrEqualTo(WARMUP.toNanos());
    List<AgentEvent.HealthChanged> warm = c.events(AgentEvent.HealthChanged.class, "n1");
    assertThat(warm).hasSize(1);
    assertThat(warm.get(0).check()).isEqualTo("warm-up");
    assertThat(warm.get(0).detail()).isEqualTo("warm after 1000 ms (0 stalls)");
  }

  @Test
  void aStallStartsTheWarmUpOver() {
    TestCluster c = n2Serving();
    startWarming(c, "n1", WARMUP);
    c.run(Duration.ofMillis(600));
    c.loop("n1").pause();
    c.run(Duration.ofMillis(50));
    c.loop("n1").resume();
    c.time.runDue();
    long resumed = c.time.nanoTime();
    // 1 s after the start n1 would have been warm; the stall began the second anew.
    c.runChecking(Duration.ofMillis(900), Duration.ofMillis(1), () ->
        assertThat(c.holders(vip(c))).containsExactly("n2"));
    c.runChecking(Duration.ofMillis(200), Duration.ofMillis(1), () ->
        assertThat(c.holders(vip(c))).isNotEmpty());
    assertThat(c.holders(vip(c))).containsExactly("n1");
    assertThat(c.events(AgentEvent.Acquired.class, "n1").get(0).at() - resumed)
        .isGreaterThanOrEqualTo(WARMUP.toNanos() - Duration.ofMillis(10).toNanos());
    assertThat(c.events(AgentEvent.HealthChanged.class, "n1").get(0).detail())
        .contains("(1 stall)");
  }

  @Test
  void aMachineThatNeverSettlesIsWarmAfterFiveWarmUpTimes() {
    TestCluster c = n2Serving();
    long start = c.time.nanoTime();
    startWarming(c, "n1", Duration.ofMillis(200));
    // A 25 ms stall every 150 ms: never 200 ms without one.
    for (int i = 0; i < 8; i++) {
      c.run(Duration.ofMillis(125));
      c.loop("n1").pause();
      c.run(Duration.ofMillis(25));
      c.loop("n1").resume();
      c.time.runDue();
    }
    c.run(Duration.ofMillis(100));
    assertThat(c.holders(vip(c))).containsExactly("n1");
    long warm = c.events(AgentEvent.HealthChanged.class, "n1").get(0).at();
    assertThat(warm - start).isEqualTo(Duration.ofMillis(1000).toNanos()); // a tick then
  }

  @Test
  void aTickExactlyOneIntervalLateIsNoStall() {
    TestCluster c = n2Serving();
    long start = c.time.nanoTime();
    startWarming(c, "n1", WARMUP);
    c.time.runUntil(start + Duration.ofMillis(595).toNanos());
    c.loop("n1").pause(); // the tick due at 600 ms runs at 610 ms: one interval late
    c.time.runUntil(start + Duration.ofMillis(610).toNanos());
    c.loop("n1").resume();
    c.time.runDue();
    c.run(Duration.ofMillis(500));
    assertThat(c.events(AgentEvent.HealthChanged.class, "n1").get(0).detail())
        .isEqualTo("warm after 1000 ms (0 stalls)");
  }

  @Test
  void aNodeAloneTakesItsVipsWithoutWaitingForTheWarmUp() {
    TestCluster c = new TestCluster(group());
    long start = c.time.nanoTime();
    startWarming(c, "n1", Duration.ofSeconds(30));
    c.run(Duration.ofMillis(100));
    assertThat(c.holders(vip(c))).containsExactly("n1");
    AgentEvent.HealthChanged warm = c.events(AgentEvent.HealthChanged.class, "n1").get(0);
    assertThat(warm.detail()).startsWith("needed: 192.0.2.10/24 has no other owner");
    assertThat(c.events(AgentEvent.Acquired.class, "n1").get(0).at() - start)
        .isLessThan(Duration.ofMillis(100).toNanos());
  }

  @Test
  void aSingleNodeGroupDoesNotWarmUp() {
    VipGroup one = VipGroup.builder().name("web").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1").priority(200)).build();
    TestCluster c = new TestCluster(one);
    startWarming(c, "n1", Duration.ofSeconds(30));
    c.run(Duration.ofMillis(500));
    assertThat(c.holders(one.vips().get(0))).containsExactly("n1");
    assertThat(c.events(AgentEvent.HealthChanged.class, "n1")).isEmpty();
  }

  /** n1 serves; then {@code standbys} start, each warming up for 30 s. */
  private static TestCluster n1ServingWithWarming(String... standbys) {
    TestCluster c = new TestCluster(group());
    c.start("n1");
    c.run(Duration.ofMillis(500));
    for (String id : standbys) {
      startWarming(c, id, Duration.ofSeconds(30));
    }
    c.run(Duration.ofMillis(500));
    assertThat(c.holders(vip(c))).containsExactly("n1");
    return c;
  }

  @Test
  void aWarmingStandbyTakesOverFromACrashedOwnerAtOnce() {
    TestCluster c = n1ServingWithWarming("n2", "n3");
    long crash = c.time.nanoTime();
    c.powerOff("n1");
    c.run(Duration.ofMillis(60));
    // Detection (30 ms), then one interval for the other warming standby's news: the best
    // warming standby, n2, took it, and n3 did not.
    assertThat(c.holders(vip(c))).containsExactly("n2");
    AgentEvent.Acquired took = c.events(AgentEvent.Acquired.class, "n2").get(0);
    assertThat(took.at() - crash).isLessThan(Duration.ofMillis(50).toNanos());
    assertThat(c.events(AgentEvent.Acquired.class, "n3")).isEmpty();
  }

  @Test
  void aWarmStandbyTakesOverWhileTheBetterOneWarms() {
    TestCluster c = new TestCluster(group());
    c.start("n1");
    c.start("n3");
    c.run(Duration.ofMillis(500));
    startWarming(c, "n2", WARMUP);
    c.run(Duration.ofMillis(200));
    long crash = c.time.nanoTime();
    c.powerOff("n1");
    c.run(Duration.ofMillis(60));
    // n3 can serve: n2 keeps warming, and takes over make-before-break once warm.
    assertThat(c.holders(vip(c))).containsExactly("n3");
    assertThat(c.events(AgentEvent.Acquired.class, "n3").get(0).at() - crash)
        .isLessThan(Duration.ofMillis(50).toNanos());
    c.runChecking(Duration.ofSeconds(1), Duration.ofMillis(1), () ->
        assertThat(c.holders(vip(c))).isNotEmpty());
    assertThat(c.holders(vip(c))).containsExactly("n2");
    assertThat(c.events(AgentEvent.Acquired.class, "n2").get(0).reason()).isEqualTo("PREEMPTED");
  }

  @Test
  void aGracefulStopHandsOverToAWarmingStandbyMakeBeforeBreak() {
    TestCluster c = n1ServingWithWarming("n2");
    c.agent("n1").stop();
    c.runChecking(Duration.ofMillis(500), Duration.ofMillis(1), () ->
        assertThat(c.holders(vip(c))).isNotEmpty());
    assertThat(c.holders(vip(c))).containsExactly("n2");
  }

  @Test
  void aNegativeWarmUpIsRefused() {
    assertThatThrownBy(() -> VipAgent.builder().warmup(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("warmup must not be negative, got PT-0.001S");
  }
}
