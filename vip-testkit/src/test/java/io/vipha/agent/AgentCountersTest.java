package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.spi.BackendException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The counters and the recent events an agent's state carries agree with the events it emitted
 * and the announcements its host sent, whatever happened.
 */
class AgentCountersTest {
  /** The counters and recent events of {@code id} against what its listener and host saw. */
  private static void agree(TestCluster c, String id) {
    java.util.concurrent.CompletableFuture<AgentState> fresh = c.agent(id).freshState();
    c.time.runDue();
    AgentState s = fresh.join();
    AgentCounters k = s.counters();
    assertThat(k.acquired()).isEqualTo(c.events(AgentEvent.Acquired.class, id).size());
    assertThat(k.released()).isEqualTo(c.events(AgentEvent.Released.class, id).size());
    assertThat(k.driftRepairs()).isEqualTo(c.events(AgentEvent.DriftRepaired.class, id).size());
    assertThat(k.conflicts()).isEqualTo(c.events(AgentEvent.Conflict.class, id).size());
    assertThat(k.backendErrors()).isEqualTo(c.events(AgentEvent.BackendError.class, id).size());
    assertThat(k.stalls()).isEqualTo(c.events(AgentEvent.Stalled.class, id).size());
    assertThat(k.flapSuspensions())
        .isEqualTo(c.events(AgentEvent.FlapSuspended.class, id).size());
    assertThat(k.quorumLosses()).isEqualTo(c.events(AgentEvent.QuorumLost.class, id).size());
    assertThat(k.announcements()).isEqualTo(c.host(id).announcements().size());
    List<AgentEvent> all = c.events(AgentEvent.class, id);
    assertThat(s.recentEvents()).containsExactlyElementsOf(
        all.subList(Math.max(0, all.size() - 64), all.size()));
  }

  @Test
  void countersAgreeWithTheEventsOfAFailoverADriftAndFailingCalls() {
    TestCluster c = new TestCluster(AgentFailoverTest.threeNodes(false));
    c.startAll();
    c.run(Duration.ofSeconds(1));
    c.host("n1").removeByHand(AgentFailoverTest.vip4(c));
    c.run(Duration.ofMillis(1100));
    c.host("n2").failWith(new BackendException(BackendException.Kind.TRANSIENT, "busy"));
    c.run(Duration.ofMillis(1100));
    c.host("n2").heal();
    c.crashProcess("n1");
    c.run(Duration.ofSeconds(1));
    assertThat(c.events(AgentEvent.DriftRepaired.class, "n1")).isNotEmpty();
    assertThat(c.events(AgentEvent.BackendError.class, "n2")).isNotEmpty();
    assertThat(c.events(AgentEvent.Acquired.class, "n2")).isNotEmpty();
    for (String id : new String[] {"n2", "n3"}) {
      agree(c, id);
    }
  }

  @Test
  void countersAgreeAfterQuorumLossesAndStalls() {
    TestCluster c = new TestCluster(AgentOperationsTest.quorumGroup(
        io.vipha.NoQuorumAction.RELEASE));
    c.startAll();
    c.run(Duration.ofSeconds(1));
    for (int i = 0; i < 12; i++) {
      c.isolate("n1");
      c.run(Duration.ofMillis(400));
      c.network.heal();
      c.run(Duration.ofMillis(700));
      c.loop("n3").pause();
      c.run(Duration.ofMillis(400));
      c.loop("n3").resume();
      c.run(Duration.ofMillis(700));
    }
    assertThat(c.events(AgentEvent.QuorumLost.class, "n1")).hasSize(12);
    assertThat(c.events(AgentEvent.Stalled.class, "n3")).hasSize(12);
    for (String id : new String[] {"n1", "n2", "n3"}) {
      agree(c, id);
    }
    // Only the latest 64 events are kept.
    assertThat(c.events(AgentEvent.class, "n2")).hasSizeGreaterThan(64);
    assertThat(c.agent("n2").state().recentEvents()).hasSize(64);
  }

  @Test
  void countersAgreeAfterAConflictAndAnEchoedSuspension() {
    io.vipha.VipGroup g = io.vipha.VipGroup.builder().name("web").mode(io.vipha.Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1").priority(200))
        .node(n -> n.id("n2").heartbeat("198.51.100.2").priority(150))
        .policy(p -> p.preempt(false).holdDown(Duration.ZERO))
        .build();
    TestCluster c = new TestCluster(g);
    ScriptedPeer n2 = ScriptedPeer.onNetwork(c, "n2");
    n2.suspension(0, 60_000); // n1's suspension, as n2 remembers it from n1's last process
    n2.every(c.time, Duration.ofMillis(100));
    c.start("n1");
    c.run(Duration.ofMillis(50));
    assertThat(c.events(AgentEvent.FlapSuspended.class, "n1")).singleElement()
        .satisfies(e -> assertThat(e.nodeId()).isEqualTo("n1"));
    agree(c, "n1");
    // Suspended, n1 takes nothing; n2 claims the VIP, n1 has nothing to answer with.
    c.run(Duration.ofSeconds(1));
    assertThat(c.holders(g.vips().get(0))).isEmpty();
    agree(c, "n1");
  }
}
