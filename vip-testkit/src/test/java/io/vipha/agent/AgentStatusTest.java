package io.vipha.agent;

import static io.vipha.agent.AgentFailoverTest.threeNodes;
import static io.vipha.agent.AgentFailoverTest.vip4;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.VirtualIp;
import io.vipha.health.HealthCheck;
import io.vipha.health.HealthStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** What an agent's snapshot tells an operator, and the operator's announce. */
class AgentStatusTest {
  private static AgentState fresh(TestCluster c, String id) {
    CompletableFuture<AgentState> f = c.agent(id).freshState();
    c.time.runDue();
    return f.join();
  }

  @Test
  void eachHeldVipShowsSinceWhenAndWhyAndSwitchoverChangesTheReason() {
    TestCluster c = new TestCluster(threeNodes(false));
    c.startAll();
    c.run(Duration.ofSeconds(1));
    AgentState n1 = c.agent("n1").state();
    List<AgentEvent.Acquired> acquired = c.events(AgentEvent.Acquired.class, "n1");
    assertThat(acquired).hasSize(2);
    for (AgentEvent.Acquired e : acquired) {
      assertThat(n1.holdings()).containsEntry(e.vip(), new AgentState.Holding(e.at(),
          e.reason()));
    }
    assertThat(n1.holdings().keySet()).isEqualTo(n1.held());
    c.agent("n1").switchover("n2");
    c.run(Duration.ofSeconds(1));
    assertThat(c.agent("n1").state().holdings()).isEmpty();
    Map<VirtualIp, AgentState.Holding> n2 = c.agent("n2").state().holdings();
    assertThat(n2.keySet()).containsExactlyInAnyOrderElementsOf(c.group.vips());
    assertThat(n2.values()).extracting(AgentState.Holding::reason).containsOnly("SWITCHOVER");
    assertThat(java.util.Objects.requireNonNull(n2.get(vip4(c))).since()).isGreaterThan(
        java.util.Objects.requireNonNull(n1.holdings().get(vip4(c))).since());
  }

  @Test
  void aVipLeftOnTheHostIsHeldAsALeftoverFromTheStart() {
    TestCluster c = new TestCluster(threeNodes(false));
    c.host("n2").addByHand(vip4(c));
    c.time.advance(Duration.ofMillis(7));
    long start = c.time.nanoTime();
    c.start("n2");
    AgentState s = c.agent("n2").state();
    assertThat(s.phase()).isEqualTo(VipAgent.Phase.JOINING);
    assertThat(s.holdings()).containsExactly(Map.entry(vip4(c),
        new AgentState.Holding(start, "LEFTOVER")));
  }

  @Test
  void countersFollowTheEventsAndTheAnnouncementsSent() {
    TestCluster c = new TestCluster(threeNodes(false));
    c.startAll();
    c.run(Duration.ofSeconds(1));
    c.agent("n1").drain();
    c.run(Duration.ofSeconds(2));
    for (String id : List.of("n1", "n2")) {
      AgentCounters k = fresh(c, id).counters();
      assertThat(k.acquired()).isEqualTo(c.events(AgentEvent.Acquired.class, id).size());
      assertThat(k.released()).isEqualTo(c.events(AgentEvent.Released.class, id).size());
      assertThat(k.announcements()).isEqualTo(c.host(id).announcements().size());
    }
    AgentCounters n1 = c.agent("n1").state().counters();
    assertThat(n1.acquired()).isEqualTo(2);
    assertThat(n1.released()).isEqualTo(2);
    assertThat(n1.announcements()).isPositive();
    assertThat(n1.backendErrors()).isZero();
    assertThat(c.agent("n3").state().counters()).isEqualTo(AgentCounters.ZERO);
  }

  @Test
  void announceSendsABurstForEveryVipHeldAndOwnedAndNothingElsewhere() {
    TestCluster c = new TestCluster(threeNodes(false));
    c.startAll();
    c.run(Duration.ofSeconds(5));
    int before = c.host("n1").announcements().size();
    long at = c.time.nanoTime();
    CompletableFuture<List<VirtualIp>> n1 = c.agent("n1").announce();
    CompletableFuture<List<VirtualIp>> n2 = c.agent("n2").announce();
    c.run(Duration.ofSeconds(1));
    assertThat(n1).isCompletedWithValueMatching(l -> Set.copyOf(l).equals(
        Set.copyOf(c.group.vips())));
    assertThat(n2).isCompletedWithValue(List.of());
    int count = c.group.policy().announce().count();
    List<io.vipha.testing.InMemoryBackend.Announcement> sent = c.host("n1").announcements()
        .subList(before, c.host("n1").announcements().size());
    assertThat(sent).hasSize(count * c.group.vips().size());
    assertThat(sent.get(0).at()).isEqualTo(at);
    assertThat(c.host("n2").announcements()).isEmpty();
  }

  @Test
  void aJoiningAgentAnnouncesNothing() {
    TestCluster c = new TestCluster(threeNodes(false));
    c.host("n1").addByHand(vip4(c));
    c.start("n1");
    CompletableFuture<List<VirtualIp>> f = c.agent("n1").announce();
    c.time.runDue();
    assertThat(f).isCompletedWithValue(List.of());
    assertThat(c.host("n1").announcements()).isEmpty();
  }

  @Test
  void aFreshStateShowsEveryHealthChecksLastResult() {
    AtomicBoolean healthy = new AtomicBoolean(true);
    TestCluster c = new TestCluster(threeNodes(false));
    VipAgent.Builder b = c.builder("n1").healthCheck(HealthCheck.custom("app", healthy::get)
        .interval(Duration.ofMillis(200)).timeout(Duration.ofMillis(100)).rise(2).fall(2)
        .build()).healthExecutor(Runnable::run);
    c.start(c.create("n1", b));
    c.start("n2");
    c.start("n3");
    assertThat(c.agent("n2").state().health()).isEmpty();
    c.run(Duration.ofSeconds(2));
    CompletableFuture<AgentState> f = c.agent("n1").freshState();
    assertThat(f).isNotDone();
    c.time.runDue();
    HealthStatus app = f.join().health().get(0);
    assertThat(app.name()).isEqualTo("app");
    assertThat(app.healthy()).isTrue();
    assertThat(app.probes()).isGreaterThanOrEqualTo(9);
    assertThat(f.join().takenAt()).isEqualTo(c.time.nanoTime());
    assertThat(c.agent("n1").state()).isSameAs(f.join());
  }

  @Test
  void holdingsMustNameTheHeldVips() {
    TestCluster c = new TestCluster(threeNodes(false));
    AgentState s = c.create("n1").state();
    assertThatThrownBy(() -> new AgentState(s.nodeId(), s.phase(), s.quorum(),
        s.effectivePriority(), s.eligibility(), s.owners(), Set.of(vip4(c)), s.peers(),
        s.recentEvents(), Map.of(), s.health(), s.counters(), s.takenAt()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("differ");
  }
}
