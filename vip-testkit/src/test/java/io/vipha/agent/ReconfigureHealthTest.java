package io.vipha.agent;

import static io.vipha.agent.AgentFailoverTest.threeNodes;
import static io.vipha.agent.AgentFailoverTest.vip4;
import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.health.HealthCheck;
import io.vipha.health.HealthMonitor;
import io.vipha.health.HealthStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Health checks replaced on a running agent: kept, added and removed. */
class ReconfigureHealthTest {
  private final AtomicBoolean dbUp = new AtomicBoolean(true);
  private final AtomicBoolean goneUp = new AtomicBoolean(true);
  private final AtomicBoolean freshUp = new AtomicBoolean(false);

  private static HealthCheck.Builder check(String name, AtomicBoolean up) {
    return HealthCheck.custom(name, up::get).interval(Duration.ofMillis(200))
        .timeout(Duration.ofMillis(100)).rise(2).fall(3);
  }

  private final HealthCheck db = check("db", dbUp).rise(1).weight(-30).build();
  private final HealthCheck gone = check("gone", goneUp).rise(1).weight(-60).build();
  private final HealthCheck fresh = check("fresh", freshUp).disqualify().build();

  private TestCluster cluster(List<HealthCheck> n1Checks) {
    return cluster(threeNodes(false), n1Checks);
  }

  private TestCluster cluster(io.vipha.VipGroup g, List<HealthCheck> n1Checks) {
    TestCluster c = new TestCluster(g);
    for (String id : new String[] {"n1", "n2", "n3"}) {
      VipAgent.Builder b = c.builder(id);
      if (id.equals("n1")) {
        b.healthChecks(n1Checks).healthExecutor(Runnable::run);
      }
      c.start(c.create(id, b));
    }
    c.run(Duration.ofSeconds(2));
    return c;
  }

  private static HealthMonitor monitor(VipAgent a) {
    return a.healthMonitor().orElseThrow();
  }

  /** A fresh snapshot: the virtual loop runs the request. */
  private static io.vipha.agent.AgentState fresh(TestCluster c, VipAgent a) {
    java.util.concurrent.CompletableFuture<AgentState> f = a.freshState();
    c.time.runDue();
    return f.join();
  }

  private static HealthStatus status(VipAgent a, String check) {
    HealthStatus s = monitor(a).status(check);
    assertThat(s).as(check).isNotNull();
    return java.util.Objects.requireNonNull(s);
  }

  @Test
  void aKeptCheckKeepsItsStateARemovedOneItsEffectAndAnAddedOneStartsWithoutEffect() {
    TestCluster c = cluster(List.of(db, gone));
    VipAgent n1 = c.agent("n1");
    goneUp.set(false);
    c.run(Duration.ofSeconds(1));
    assertThat(c.holders(vip4(c))).containsExactly("n1"); // no preemption: 140 keeps it
    assertThat(n1.state().effectivePriority()).isEqualTo(140);
    HealthStatus dbBefore = status(n1, "db");
    long probes = monitor(n1).probeCount("db", true);
    int mark = c.events.size();
    n1.reconfigure(n1.group(), List.of(db, fresh));
    c.time.runDue();
    // The removed check's -60 is lifted at once; the added one counts as healthy so far.
    assertThat(fresh(c, n1).effectivePriority()).isEqualTo(200);
    assertThat(n1.state().eligibility()).isEqualTo(io.vipha.plan.Eligibility.ELIGIBLE);
    assertThat(c.coordinator("n2").incarnation()).isPositive();
    c.run(Duration.ofMillis(10));
    assertThat(c.agent("n2").state().peers()).hasEntrySatisfying("n1",
        p -> assertThat(p.effectivePriority()).isEqualTo(200));
    HealthStatus dbAfter = status(n1, "db");
    assertThat(dbAfter.healthy()).isTrue();
    assertThat(dbAfter.consecutiveSuccesses()).isGreaterThanOrEqualTo(
        dbBefore.consecutiveSuccesses());
    assertThat(monitor(n1).probeCount("db", true)).isGreaterThanOrEqualTo(probes);
    assertThat(monitor(n1).checks()).containsExactly(db, fresh);
    assertThat(monitor(n1).status("gone")).isNull();
    assertThat(c.events.subList(mark, c.events.size()))
        .noneMatch(e -> e instanceof AgentEvent.HealthChanged);
    // The added check fails: it needs `fall` (3) failures, then it disqualifies as it should.
    c.run(Duration.ofMillis(300));
    assertThat(c.holders(vip4(c))).containsExactly("n1");
    c.run(Duration.ofSeconds(1));
    assertThat(c.holders(vip4(c))).containsExactly("n2");
    assertThat(c.events(AgentEvent.HealthChanged.class, "n1")).last().satisfies(e -> {
      assertThat(e.check()).isEqualTo("fresh");
      assertThat(e.disqualified()).isTrue();
    });
    // The kept check went on counting all along, one probe per interval.
    assertThat(monitor(n1).probeCount("db", true)).isGreaterThanOrEqualTo(probes + 6);
    assertThat(monitor(n1).status("gone")).isNull();
  }

  @Test
  void anAddedPositiveWeightCountsOnlyOnceItHasRisen() {
    TestCluster c = cluster(List.of());
    VipAgent n1 = c.agent("n1");
    assertThat(n1.healthMonitor()).isEmpty();
    AtomicBoolean up = new AtomicBoolean(true);
    HealthCheck bonus = check("bonus", up).weight(20).build();
    n1.reconfigure(n1.group(), List.of(bonus));
    c.time.runDue();
    assertThat(n1.healthMonitor()).isPresent();
    assertThat(fresh(c, n1).effectivePriority()).isEqualTo(200);
    c.run(Duration.ofMillis(250)); // the second success
    assertThat(fresh(c, n1).effectivePriority()).isEqualTo(220);
    n1.reconfigure(n1.group(), List.of());
    c.time.runDue();
    assertThat(fresh(c, n1).effectivePriority()).isEqualTo(200);
    assertThat(monitor(n1).checks()).isEmpty();
    assertThat(n1.state().health()).isEmpty();
  }

  @Test
  void aRemovedDisqualifyingCheckLiftsTheDisqualification() {
    HealthCheck gate = check("gate", freshUp).disqualify().build(); // failing
    TestCluster c = cluster(List.of(gate));
    VipAgent n1 = c.agent("n1");
    assertThat(c.holders(vip4(c))).containsExactly("n2");
    assertThat(n1.state().eligibility()).isEqualTo(io.vipha.plan.Eligibility.DISQUALIFIED);
    n1.reconfigure(n1.group(), List.of());
    c.time.runDue();
    assertThat(fresh(c, n1).eligibility())
        .isEqualTo(io.vipha.plan.Eligibility.ELIGIBLE);
    // Eligible again, n1 (200) takes the group back only by preemption, which is off here.
    c.run(Duration.ofSeconds(3));
    assertThat(c.holders(vip4(c))).containsExactly("n2");
  }

  @Test
  void beforeStartTheChecksReplaceTheBuildersAndStartUnhealthy() {
    TestCluster c = new TestCluster(threeNodes(false));
    VipAgent n1 = c.create("n1", c.builder("n1").healthCheck(gone).healthExecutor(Runnable::run));
    n1.reconfigure(n1.group(), List.of(fresh));
    c.time.runDue();
    assertThat(monitor(n1).checks()).containsExactly(fresh);
    HealthStatus s = status(n1, "fresh");
    assertThat(s.healthy()).isFalse();
    assertThat(n1.state().eligibility()).isEqualTo(io.vipha.plan.Eligibility.DISQUALIFIED);
  }
  @Test
  void aDisqualifyingCheckAddedToARunningAgentWithoutChecksStartsWithoutEffect() {
    TestCluster c = cluster(List.of());
    VipAgent n1 = c.agent("n1");
    n1.reconfigure(n1.group(), List.of(fresh)); // failing, but not yet `fall` times
    c.time.runDue();
    assertThat(fresh(c, n1).eligibility()).isEqualTo(io.vipha.plan.Eligibility.ELIGIBLE);
    c.run(Duration.ofMillis(10));
    assertThat(c.holders(vip4(c))).containsExactly("n1");
  }

  @Test
  void aNodeRequalifiedByAReconfigurationCountsItsEligibilityFromThen() {
    HealthCheck gate = check("gate", freshUp).disqualify().build(); // failing
    TestCluster c = cluster(threeNodes(true), List.of(gate)); // preempt delay 2 s
    VipAgent n1 = c.agent("n1");
    c.run(Duration.ofSeconds(3));
    assertThat(c.holders(vip4(c))).containsExactly("n2");
    n1.reconfigure(n1.group(), List.of());
    c.time.runDue();
    long requalified = c.time.nanoTime();
    c.run(Duration.ofSeconds(3));
    // n1 (200) preempts n2 once it has been eligible for the delay, counted from the change.
    assertThat(c.events(AgentEvent.Acquired.class, "n1")).isNotEmpty()
        .allSatisfy(e -> assertThat(e.at()).isEqualTo(requalified + 2_000_000_000L));
    assertThat(c.holders(vip4(c))).containsExactly("n1");
  }
}
