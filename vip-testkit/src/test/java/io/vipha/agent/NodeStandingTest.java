package io.vipha.agent;

import static io.vipha.agent.AgentFailoverTest.threeNodes;
import static io.vipha.agent.AgentFailoverTest.vip4;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.health.Effect;
import io.vipha.health.HealthCheck;
import io.vipha.plan.Eligibility;
import io.vipha.spi.BackendException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * How a node stands: its effective priority from its checks and links, its eligibility as the
 * backend fails and recovers, and what its peers see of both, at once.
 */
class NodeStandingTest {
  @Test
  void twoHealthChecksOfOneNameAreRefused() {
    TestCluster c = new TestCluster(threeNodes(false));
    HealthCheck a = HealthCheck.custom("app", () -> true).build();
    HealthCheck b = HealthCheck.custom("app", () -> false).build();
    assertThatThrownBy(() -> c.builder("n1").healthCheck(a).healthCheck(b).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("app");
  }

  @Test
  void probesRunOnADaemonThreadUnlessAnExecutorIsGiven() throws Exception {
    TestCluster c = new TestCluster(threeNodes(false));
    CompletableFuture<Thread> probe = new CompletableFuture<>();
    VipAgent a = c.create("n1", c.builder("n1").healthCheck(HealthCheck.custom("app", () -> {
      probe.complete(Thread.currentThread());
      return true;
    }).interval(Duration.ofMillis(200)).timeout(Duration.ofMillis(100)).build()));
    c.start(a);
    c.run(Duration.ofMillis(500));
    Thread t = probe.get(10, TimeUnit.SECONDS);
    assertThat(t.getName()).isEqualTo("vipha-health-probe");
    assertThat(t.isDaemon()).isTrue();
  }

  @Test
  void aFailingWeightedCheckLowersThePriorityByItsWeight() {
    AtomicBoolean healthy = new AtomicBoolean(true);
    TestCluster c = new TestCluster(threeNodes(false));
    VipAgent a = c.create("n1", c.builder("n1").healthCheck(HealthCheck.custom("app",
        healthy::get).interval(Duration.ofMillis(200)).timeout(Duration.ofMillis(100)).rise(1)
        .fall(1).effect(Effect.weight(-30)).build()).healthExecutor(Runnable::run));
    c.start(a);
    c.start("n2");
    c.start("n3");
    c.run(Duration.ofSeconds(1));
    assertThat(a.state().effectivePriority()).isEqualTo(200);
    healthy.set(false);
    c.run(Duration.ofMillis(300));
    assertThat(a.state().effectivePriority()).isEqualTo(170);
    assertThat(a.state().eligibility()).isEqualTo(Eligibility.ELIGIBLE);
    assertThat(c.agent("n2").state().peers().get("n1")).satisfies(
        p -> assertThat(java.util.Objects.requireNonNull(p).effectivePriority()).isEqualTo(170));
  }

  @Test
  void aLinkOfAnotherInterfaceOrTheSameNewsTwiceChangesNothing() {
    TestCluster c = new TestCluster(threeNodes(false));
    c.startAll();
    c.run(Duration.ofSeconds(1));
    c.host("n1").setLink("eth9", false);
    c.run(Duration.ofMillis(10));
    assertThat(c.events(AgentEvent.HealthChanged.class, "n1")).isEmpty();
    c.host("n1").setLink("eth0", false);
    c.run(Duration.ofMillis(2));
    // Disqualified at once: the snapshot says so, the peers hear it, the VIP moves.
    assertThat(c.agent("n1").state().eligibility()).isEqualTo(Eligibility.DISQUALIFIED);
    assertThat(c.holders(vip4(c))).contains("n2");
    c.host("n1").setLink("eth0", false);
    c.run(Duration.ofMillis(10));
    assertThat(c.events(AgentEvent.HealthChanged.class, "n1")).singleElement()
        .satisfies(e -> {
          assertThat(e.check()).isEqualTo("link eth0");
          assertThat(e.healthy()).isFalse();
          assertThat(e.disqualified()).isTrue();
          assertThat(e.detail()).isEqualTo("link eth0 is down");
        });
    c.host("n1").setLink("eth0", true);
    c.run(Duration.ofMillis(2));
    assertThat(c.agent("n1").state().eligibility()).isEqualTo(Eligibility.ELIGIBLE);
    assertThat(c.events(AgentEvent.HealthChanged.class, "n1")).last()
        .satisfies(e -> assertThat(e.detail()).isEqualTo("link eth0 is up"));
  }

  @Test
  void aNodeWhoseBackendFailsIsDisqualifiedAtOnceAndEligibleOnceACallWorks() {
    TestCluster c = new TestCluster(threeNodes(false));
    c.startAll();
    c.run(Duration.ofSeconds(1));
    c.host("n3").failWith(new BackendException(BackendException.Kind.TRANSIENT, "busy"));
    c.run(Duration.ofMillis(1001)); // the next periodic reconcile fails
    long failed = c.events(AgentEvent.BackendError.class, "n3").get(0).at();
    c.time.runUntil(failed + 200_000); // its peers hear of it at once
    assertThat(java.util.Objects.requireNonNull(c.agent("n1").state().peers().get("n3"))
        .eligibility()).isEqualTo(Eligibility.DISQUALIFIED);
    c.host("n3").heal();
    c.run(Duration.ofMillis(101)); // it tries every interval while failing
    assertThat(java.util.Objects.requireNonNull(c.agent("n1").state().peers().get("n3"))
        .eligibility()).isEqualTo(Eligibility.ELIGIBLE);
    assertThat(c.agent("n3").state().eligibility()).isEqualTo(Eligibility.ELIGIBLE);
  }

  @Test
  void aBackendFailingOrWorkingAgainBetweenTwoHeartbeatsIsHeardAtOnce() {
    TestCluster c = new TestCluster(threeNodes(false));
    c.startAll();
    c.run(Duration.ofMillis(1037)); // between two of n3's heartbeats (every 100 ms)
    c.host("n3").failWith(new BackendException(BackendException.Kind.TRANSIENT, "busy"));
    c.host("n3").removeByHand(vip4(c)); // an address change: n3 reconciles (and lists) at once
    long failed = c.time.nanoTime();
    c.time.runUntil(failed + 200_000);
    assertThat(c.events(AgentEvent.BackendError.class, "n3")).isNotEmpty()
        .allSatisfy(e -> assertThat(e.at()).isEqualTo(failed));
    assertThat(java.util.Objects.requireNonNull(c.agent("n1").state().peers().get("n3"))
        .eligibility()).isEqualTo(Eligibility.DISQUALIFIED);
    c.run(Duration.ofMillis(20)); // (n3's retries fall on its heartbeat instants)
    c.host("n3").heal();
    c.host("n3").removeByHand(vip4(c));
    long healed = c.time.nanoTime();
    c.time.runUntil(healed + 200_000);
    assertThat(java.util.Objects.requireNonNull(c.agent("n1").state().peers().get("n3"))
        .eligibility()).isEqualTo(Eligibility.ELIGIBLE);
  }
  @Test
  void aNodeStartedLateTakesItsVipAsSoonAsAnEarlyJoinEnds() {
    TestCluster c = new TestCluster(TwoNodes.group());
    ScriptedPeer n2 = ScriptedPeer.onNetwork(c, "n2");
    c.run(Duration.ofSeconds(5));
    c.start("n1");
    long started = c.time.nanoTime();
    n2.every(c.time, Duration.ofMillis(100)); // every peer heard: the join ends on arrival
    c.run(Duration.ofMillis(200));
    // The join waited for every peer's news: no election wait after it.
    assertThat(c.events(AgentEvent.Acquired.class, "n1")).singleElement()
        .satisfies(e -> assertThat(e.at()).isEqualTo(started + 100_000));
  }

  @Test
  void aWeightedLinkEffectLeavesTheEligibilityClockAlone() {
    io.vipha.VipGroup g = TwoNodes.group(p -> p.preempt(true).preemptDelay(Duration.ofSeconds(1)));
    TestCluster c = new TestCluster(g);
    ScriptedPeer.onNetwork(c, "n2").holds(0).every(c.time, Duration.ofMillis(100));
    c.start(c.create("n1", c.builder("n1").linkDown(Effect.weight(-10))));
    c.run(Duration.ofMillis(500));
    c.host("n1").setLink("eth0", false); // 190, still above n2 and still eligible
    c.run(Duration.ofSeconds(2));
    assertThat(c.agent("n1").state().effectivePriority()).isEqualTo(190);
    // n1 preempts n2 one preempt delay after its start, when it became eligible.
    assertThat(c.events(AgentEvent.Acquired.class, "n1")).singleElement()
        .satisfies(e -> assertThat(e.at()).isEqualTo(1_000_000_000L));
  }
}
