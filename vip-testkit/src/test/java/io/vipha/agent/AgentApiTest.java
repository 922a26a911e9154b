package io.vipha.agent;

import static io.vipha.agent.AgentFailoverTest.threeNodes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.health.HealthCheck;
import io.vipha.testing.InMemoryBackend;
import io.vipha.testing.InMemoryNetwork;
import io.vipha.testing.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The agent's public surface: its id, listeners, health monitor, builder checks, own loop. */
class AgentApiTest {
  @Test
  void anAgentKnowsItsNodeAndStopsTellingARemovedListener() {
    TestCluster c = new TestCluster(threeNodes(false));
    VipAgent a = c.create("n1");
    assertThat(a.nodeId()).isEqualTo("n1");
    assertThat(a.healthMonitor()).isEmpty();
    List<AgentEvent> heard = new ArrayList<>();
    AgentListener l = heard::add;
    a.addListener(l);
    c.start(a);
    c.start("n2");
    c.run(Duration.ofMillis(100));
    assertThat(heard).isNotEmpty();
    a.removeListener(l);
    int before = heard.size();
    c.start("n3");
    c.run(Duration.ofSeconds(1));
    assertThat(c.events(AgentEvent.PeerUp.class, "n1")).hasSizeGreaterThan(1);
    assertThat(heard).hasSize(before);
  }

  /** The coordinator's own status is the agent's to show; a coordinator without one shows none. */
  @Test
  void theCoordinatorsStatusIsReadableThroughTheAgent() {
    TestCluster c = new TestCluster(threeNodes(false));
    io.vipha.spi.Coordinator.Status status = new io.vipha.spi.Coordinator.Status("vrrp",
        "MASTER", List.of("BACKUP", "MASTER"), java.util.Map.of("priority", 200L),
        java.util.Map.of("master", "198.51.100.1"), java.util.Map.of("adverts", 7L),
        java.util.Map.of());
    VipAgent shows = c.create("n1", c.builder("n1").coordinator(
        new WrappingCoordinator(c.coordinator("n1")) {
          @Override
          public java.util.Optional<Status> status() {
            return java.util.Optional.of(status);
          }
        }));
    assertThat(shows.coordinatorStatus()).containsSame(status);
    assertThat(c.create("n2").coordinatorStatus()).isEmpty();
  }

  @Test
  void theHealthMonitorOfTheBuildersChecksIsReadable() {
    TestCluster c = new TestCluster(threeNodes(false));
    VipAgent a = c.create("n1", c.builder("n1").healthCheck(HealthCheck.custom("app", () -> true)
        .interval(Duration.ofMillis(200)).timeout(Duration.ofMillis(100)).build())
        .healthExecutor(Runnable::run));
    assertThat(a.healthMonitor()).hasValueSatisfying(m -> assertThat(m).isNotNull());
  }

  @Test
  void freshStateTakesASnapshotNow() {
    TestCluster c = new TestCluster(threeNodes(false));
    c.startAll();
    c.run(Duration.ofMillis(50));
    AgentState old = c.agent("n1").state();
    c.run(Duration.ofMillis(300)); // the burst's last announcements: counted, not snapshotted
    CompletableFuture<AgentState> fresh = c.agent("n1").freshState();
    c.time.runDue();
    assertThat(fresh.join().takenAt()).isEqualTo(c.time.nanoTime());
    assertThat(c.agent("n1").state()).isSameAs(fresh.join());
    assertThat(fresh.join().counters().announcements())
        .isGreaterThan(old.counters().announcements());
  }

  @Test
  void aSwitchoverToAStrangerOrOfAStrangerIsRefused() {
    TestCluster c = new TestCluster(threeNodes(false));
    VipAgent a = c.create("n1");
    assertThatThrownBy(() -> a.switchover("n9")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("n9");
    io.vipha.VirtualIp stranger = io.vipha.VirtualIp.builder().address("203.0.113.5/24")
        .interfaceName("eth0").build();
    assertThatThrownBy(() -> a.switchover(stranger, "n2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("203.0.113.5/24 is not a VIP of group web");
    assertThatThrownBy(() -> a.switchover(c.group.vips().get(0), "n9"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n9");
  }

  @Test
  void theBuilderRefusesIntervalsThatCannotWork() {
    VipAgent.Builder b = VipAgent.builder();
    assertThatThrownBy(() -> b.reconcileInterval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("reconcileInterval must be positive, got PT0S");
    assertThatThrownBy(() -> b.reconcileInterval(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(b.reconcileInterval(Duration.ofMillis(1))).isSameAs(b);
    assertThatThrownBy(() -> b.handoverTimeout(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("handoverTimeout must not be negative, got PT-0.001S");
    assertThat(b.handoverTimeout(Duration.ZERO)).isSameAs(b);
  }

  @Test
  void withoutASchedulerTheAgentRunsOnItsOwnLoopAndStopEndsIt() throws Exception {
    VirtualScheduler unused = new VirtualScheduler();
    InMemoryNetwork net = new InMemoryNetwork(unused, 1);
    io.vipha.VipGroup g = io.vipha.VipGroup.builder().name("solo")
        .mode(io.vipha.Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1"))
        .build();
    VipAgent a = VipAgent.builder().group(g).nodeId("n1")
        .backend(new InMemoryBackend(new EventLoopScheduler("clock")))
        .coordinator(HeartbeatCoordinator.builder().key(1, TestCluster.KEY)
            .transport(net::transport).build()).build();
    assertThat(a.scheduler()).isInstanceOf(EventLoopScheduler.class);
    CompletableFuture<Thread> thread = new CompletableFuture<>();
    a.scheduler().execute(() -> thread.complete(Thread.currentThread()));
    Thread t = thread.get(10, TimeUnit.SECONDS);
    assertThat(t.getName()).isEqualTo("vipha-solo-n1");
    a.start().get(10, TimeUnit.SECONDS);
    a.stop().get(10, TimeUnit.SECONDS);
    t.join(10_000);
    assertThat(t.isAlive()).isFalse();
  }
}
