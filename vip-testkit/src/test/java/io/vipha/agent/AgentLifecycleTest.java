package io.vipha.agent;

import static io.vipha.agent.AgentFailoverTest.threeNodes;
import static io.vipha.agent.AgentFailoverTest.vip4;
import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.VipGroup;
import io.vipha.health.HealthCheck;
import io.vipha.spi.BackendException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Starting and stopping an agent: what a start that fails leaves, and what a stop ends. */
class AgentLifecycleTest {
  @Test
  void aStoppedAgentSendsNothingTouchesNothingAndProbesNothing() {
    AtomicInteger probes = new AtomicInteger();
    TestCluster c = new TestCluster(threeNodes(false));
    for (String id : new String[] {"n1", "n2", "n3"}) {
      VipAgent.Builder b = c.builder(id);
      if (id.equals("n1")) {
        b.healthCheck(HealthCheck.custom("app", () -> {
          probes.incrementAndGet();
          return true;
        }).interval(Duration.ofMillis(200)).timeout(Duration.ofMillis(100)).build())
            .healthExecutor(Runnable::run);
      }
      c.start(c.create(id, b));
    }
    c.run(Duration.ofSeconds(1));
    assertThat(probes.get()).isPositive();
    CompletableFuture<Void> stopped = c.agent("n1").stop();
    c.run(Duration.ofSeconds(2));
    assertThat(stopped).isDone();
    assertThat(c.agent("n1").state().phase()).isEqualTo(VipAgent.Phase.STOPPED);
    assertThat(c.host("n1").holds(vip4(c))).isFalse();
    int calls = c.host("n1").calls();
    int probed = probes.get();
    long sent = c.coordinator("n1").sent();
    int events = c.events.size();
    c.host("n1").addByHand(vip4(c)); // a host change after the stop: nobody listens
    c.run(Duration.ofSeconds(30));
    assertThat(c.host("n1").calls()).isEqualTo(calls);
    assertThat(probes.get()).isEqualTo(probed);
    assertThat(c.coordinator("n1").sent()).isEqualTo(sent);
    assertThat(c.events(AgentEvent.class, "n1")).hasSize(
        (int) c.events.subList(0, events).stream().filter(e -> "n1".equals(c.eventNode.get(e)))
            .count());
    // Its peers heard it leave: not a death they had to detect.
    assertThat(c.events(AgentEvent.PeerDown.class, "n2")).singleElement()
        .satisfies(e -> assertThat(e.left()).isTrue());
  }

  /**
   * A stop saves the plan it stops with (its planned loss, for a node that gives up its VIP)
   * before it completes, also to a store written from a thread of its own, and nothing later.
   */
  @Test
  void aStopCompletesOnceTheStateItStopsWithIsSaved() throws Exception {
    NodeMemoryTest.SlowDisk disk = new NodeMemoryTest.SlowDisk();
    disk.disk.countDown();
    disk.writeMillis = 200;
    VipGroup g = TwoNodes.group();
    TestCluster c = new TestCluster(g);
    VipAgent n1 = c.start(c.create("n1", c.builder("n1").stateStore(disk)));
    c.run(Duration.ofSeconds(3));
    assertThat(c.host("n1").holds(g.vips().get(0))).as("alone, n1 took the VIP").isTrue();
    CompletableFuture<Void> stopped = n1.stop();
    c.run(Duration.ofSeconds(2));
    assertThat(stopped).isDone();
    String saved = new String(Objects.requireNonNull(disk.load()), StandardCharsets.UTF_8);
    assertThat(saved).contains("returnPlanned true");
    int saves = disk.threads.size();
    c.run(Duration.ofSeconds(5));
    assertThat(disk.threads).hasSize(saves);
  }

  @Test
  void aStandbyStopsAtOnceAndAnOwnerHandsOverAtOnce() {
    TestCluster c = new TestCluster(threeNodes(false));
    c.startAll();
    c.run(Duration.ofSeconds(1));
    CompletableFuture<Void> standby = c.agent("n3").stop();
    c.time.runDue();
    assertThat(standby).isDone(); // nothing to hand over: no wait for the handover timeout
    assertThat(c.agent("n3").state().phase()).isEqualTo(VipAgent.Phase.STOPPED);
    long stop = c.time.nanoTime();
    c.agent("n1").stop();
    c.run(Duration.ofMillis(5)); // it tells its peers at once; the successor takes over
    assertThat(c.events(AgentEvent.Acquired.class, "n2")).hasSize(2).allSatisfy(
        e -> assertThat(e.at() - stop).isLessThan(Duration.ofMillis(5).toNanos()));
  }

  @Test
  void anAgentStoppedBeforeItStartedIsStopped() {
    TestCluster c = new TestCluster(threeNodes(false));
    VipAgent a = c.create("n1");
    CompletableFuture<Void> stopped = a.stop();
    c.time.runDue();
    assertThat(stopped).isDone();
    assertThat(a.state().phase()).isEqualTo(VipAgent.Phase.STOPPED);
  }

  @Test
  void aStartWhoseCoordinatorCannotOpenEndsStopped() {
    TestCluster c = new TestCluster(threeNodes(false));
    c.start("n1");
    // A second agent for n1's address: the in-memory network refuses the second bind.
    VipAgent twin = c.builder("n1").build();
    CompletableFuture<Void> started = twin.start();
    c.time.runDue();
    assertThat(started).isCompletedExceptionally();
    assertThat(twin.state().phase()).isEqualTo(VipAgent.Phase.STOPPED);
    assertThat(twin.stop()).isDone();
  }

  @Test
  void aBackendThatFailsAtStartIsReportedAndTheAgentStillJoins() {
    TestCluster c = new TestCluster(threeNodes(false));
    c.host("n1").failWith(new BackendException(BackendException.Kind.TRANSIENT, "busy"));
    c.start("n1");
    assertThat(c.events(AgentEvent.BackendError.class, "n1"))
        .extracting(AgentEvent.BackendError::operation).contains("list", "watch");
    assertThat(c.agent("n1").state().phase()).isEqualTo(VipAgent.Phase.JOINING);
    assertThat(c.agent("n1").state().counters().backendErrors()).isGreaterThanOrEqualTo(2);
  }
  @Test
  void aStandbyStopsAtOnceEvenWhileItsBackendFails() {
    TestCluster c = new TestCluster(threeNodes(false));
    c.startAll();
    c.run(Duration.ofSeconds(1));
    c.host("n3").failWith(new BackendException(BackendException.Kind.TRANSIENT, "busy"));
    CompletableFuture<Void> stopped = c.agent("n3").stop();
    c.time.runDue();
    assertThat(stopped).isDone();
  }

  @Test
  void aHolderWhoseSuccessorNeverTakesOverStopsAtTheHandoverTimeout() {
    ScriptedPeer[] n2 = new ScriptedPeer[1]; // played by the test: it never claims the VIP
    TestCluster c = TwoNodes.holding(TwoNodes.group(), n2, 650, b -> b);
    CompletableFuture<Void> stopped = c.agent("n1").stop();
    c.run(Duration.ofMillis(100));
    assertThat(stopped).isNotDone();
    assertThat(c.agent("n1").state().phase()).isEqualTo(VipAgent.Phase.STOPPING);
    c.run(Duration.ofSeconds(5));
    assertThat(stopped).isDone();
    assertThat(c.agent("n1").state().phase()).isEqualTo(VipAgent.Phase.STOPPED);
    assertThat(c.events(AgentEvent.Released.class, "n1")).extracting(AgentEvent.Released::reason)
        .containsExactly("STOPPED");
  }
}
