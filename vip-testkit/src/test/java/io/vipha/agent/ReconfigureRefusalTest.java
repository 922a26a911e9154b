package io.vipha.agent;

import static io.vipha.agent.AgentFailoverTest.threeNodes;
import static io.vipha.agent.AgentFailoverTest.vip4;
import static io.vipha.agent.ReconfigureTest.edit;
import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Mode;
import io.vipha.Node;
import io.vipha.ValidationException;
import io.vipha.VipGroup;
import io.vipha.health.HealthCheck;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** What cannot change while an agent runs is refused whole, with every problem. */
class ReconfigureRefusalTest {
  private static Throwable failure(TestCluster c, CompletableFuture<Void> f) {
    c.time.runDue();
    assertThat(f).isCompletedExceptionally();
    try {
      f.join();
    } catch (CompletionException e) {
      return java.util.Objects.requireNonNull(e.getCause());
    }
    throw new AssertionError("not failed");
  }

  private static TestCluster running() {
    TestCluster c = new TestCluster(threeNodes(true));
    c.startAll();
    c.run(Duration.ofSeconds(1));
    return c;
  }

  @Test
  void anotherNameModeAndNodeAndRepeatedChecksAreListedTogetherAndNothingChanges() {
    TestCluster c = running();
    VipGroup three = c.group;
    VipGroup other = VipGroup.builder().name("db").mode(Mode.ACTIVE_ACTIVE)
        .vip(v -> v.address("192.0.2.99/24").interfaceName("eth0"))
        .node(n -> n.id("x1").heartbeat("198.51.100.9"))
        .node(n -> n.id("x2").heartbeat("198.51.100.8")).build();
    HealthCheck a = HealthCheck.custom("a", () -> true).build();
    HealthCheck a2 = HealthCheck.custom("a", () -> false).build();
    Throwable t = failure(c, c.agent("n2").reconfigure(other, List.of(a, a2)));
    assertThat(t).isInstanceOf(ValidationException.class);
    assertThat(((ValidationException) t).problems()).extracting(ValidationException.Problem::path)
        .containsExactly("name", "mode", "nodes", "healthChecks[1].name");
    assertThat(t.getMessage()).contains("needs a restart").contains("differs from the running")
        .contains("do not include this node n2");
    c.run(Duration.ofSeconds(1));
    assertThat(c.agent("n2").group()).isEqualTo(three);
    assertThat(c.agent("n2").healthMonitor()).isEmpty();
    assertThat(c.holders(vip4(c))).containsExactly("n1");
    assertThat(c.agent("n2").state().peers()).containsKeys("n1", "n3");
    assertThat(c.events(AgentEvent.Reconfigured.class, "n2")).isEmpty();
  }

  @Test
  void eachRefusalAloneNamesItsProblem() {
    TestCluster c = running();
    VipGroup three = c.group;
    VipGroup renamed = three.toBuilder().name("web2").build();
    VipGroup otherMode = three.toBuilder().mode(Mode.ACTIVE_ACTIVE).build();
    VipGroup without = edit(three, v -> { }, ns -> ns.removeIf(n -> n.id().equals("n2")),
        p -> { });
    for (VipGroup g : List.of(renamed, otherMode, without)) {
      Throwable t = failure(c, c.agent("n2").reconfigure(g, List.of()));
      assertThat(((ValidationException) t).problems()).hasSize(1);
    }
    HealthCheck a = HealthCheck.custom("a", () -> true).build();
    Throwable t = failure(c, c.agent("n2").reconfigure(three, List.of(a, a)));
    assertThat(((ValidationException) t).problems()).singleElement()
        .satisfies(p -> assertThat(p.path()).isEqualTo("healthChecks[1].name"));
    assertThat(c.agent("n2").group()).isEqualTo(three);
  }

  @Test
  void thisNodesOwnHeartbeatAddressNeedsARestartButAnotherOfItsAddressesDoesNot() {
    TestCluster c = running();
    VipGroup three = c.group;
    VipGroup moved = edit(three, v -> { }, ns -> ns.replaceAll(n -> n.id().equals("n2")
        ? Node.builder().id("n2").heartbeat("198.51.100.22").priority(150).build() : n),
        p -> p.heartbeatInterval(Duration.ofMillis(50)));
    Throwable t = failure(c, c.agent("n2").reconfigure(moved, List.of()));
    assertThat(((ValidationException) t).problems()).singleElement().satisfies(p -> {
      assertThat(p.path()).isEqualTo("nodes[1].heartbeat[0]");
      assertThat(p.value()).isEqualTo("198.51.100.22:7405");
      assertThat(p.message()).contains("bound").contains("198.51.100.2:7405")
          .contains("needs a restart");
    });
    assertThat(c.agent("n2").policy).isEqualTo(three.policy());
    // Peers may learn the new address (n2 restarts on it later); n2's own second address is
    // only where its peers send.
    CompletableFuture<Void> ok = c.agent("n1").reconfigure(moved, List.of());
    c.time.runDue();
    assertThat(ok).isCompleted();
    VipGroup second = edit(three, v -> { }, ns -> ns.replaceAll(n -> n.id().equals("n2")
        ? Node.builder().id("n2").heartbeat("198.51.100.2").heartbeat("198.51.100.22")
            .priority(150).build() : n), p -> { });
    CompletableFuture<Void> ok2 = c.agent("n2").reconfigure(second, List.of());
    c.time.runDue();
    assertThat(ok2).isCompleted();
  }

  @Test
  void aStoppedAgentTakesNoConfiguration() {
    TestCluster c = running();
    c.agent("n3").stop();
    c.run(Duration.ofSeconds(1));
    Throwable t = failure(c, c.agent("n3").reconfigure(c.group, List.of()));
    assertThat(t).isInstanceOf(IllegalStateException.class).hasMessageContaining("stopped");
  }

  @Test
  void beforeStartTheGroupReplacesTheBuildersAndIsRunAtStart() {
    TestCluster c = new TestCluster(threeNodes(true));
    VipGroup more = edit(c.group, vs -> vs.add(ReconfigureTest.vip("192.0.2.77/24")), n -> { },
        p -> { });
    for (Node n : c.group.nodes()) {
      VipAgent a = c.create(n.id());
      CompletableFuture<Void> done = a.reconfigure(more, List.of());
      c.time.runDue();
      assertThat(done).isCompleted();
      assertThat(a.group()).isEqualTo(more);
      assertThat(a.state().phase()).isEqualTo(VipAgent.Phase.NEW);
      c.start(a);
    }
    c.run(Duration.ofSeconds(1));
    assertThat(c.holders(ReconfigureTest.vip("192.0.2.77/24"))).containsExactly("n1");
    assertThat(c.events(AgentEvent.PeerDown.class, "n1")).isEmpty();
    // Still refused before start: the name.
    TestCluster c2 = new TestCluster(threeNodes(true));
    VipAgent fresh = c2.create("n1");
    Throwable t = failure(c2, fresh.reconfigure(more.toBuilder().name("x").build(), List.of()));
    assertThat(((ValidationException) t).problems()).extracting(ValidationException.Problem::path)
        .containsExactly("name");
    assertThat(fresh.group()).isEqualTo(threeNodes(true));
  }

  @Test
  void theCoordinatorsProblemsComeWithTheAgentsOwn() {
    TestCluster c = running();
    VipGroup moved = edit(c.group, v -> { }, ns -> ns.replaceAll(n -> n.id().equals("n3")
        ? Node.builder().id("n3").heartbeat("198.51.100.33").priority(100).build() : n),
        p -> { }).toBuilder().mode(Mode.ACTIVE_ACTIVE).build();
    HealthCheck a = HealthCheck.custom("a", () -> true).build();
    Throwable t = failure(c, c.agent("n3").reconfigure(moved, List.of(a, a)));
    assertThat(((ValidationException) t).problems()).extracting(ValidationException.Problem::path)
        .containsExactly("mode", "healthChecks[1].name", "nodes[2].heartbeat[0]");
    assertThat(c.agent("n3").group()).isEqualTo(c.group);
  }
}
