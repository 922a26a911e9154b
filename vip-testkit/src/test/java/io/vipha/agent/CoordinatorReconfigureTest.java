package io.vipha.agent;

import static io.vipha.agent.AgentFailoverTest.threeNodes;
import static io.vipha.agent.ReconfigureTest.edit;
import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Node;
import io.vipha.ValidationException.Problem;
import io.vipha.VipGroup;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the heartbeat coordinator cannot change while it runs. */
class CoordinatorReconfigureTest {
  private static final VipGroup THREE = threeNodes(true);
  private static final InetSocketAddress MULTICAST = new InetSocketAddress("239.255.86.1", 7405);

  private static VipGroup n2At(String... heartbeats) {
    return edit(THREE, v -> { }, ns -> ns.replaceAll(n -> {
      if (!n.id().equals("n2")) {
        return n;
      }
      Node.Builder b = Node.builder().id("n2").priority(n.priority());
      for (String h : heartbeats) {
        b.heartbeat(h);
      }
      return b.build();
    }), p -> { });
  }

  @Test
  void theBoundAddressOfThisNodeNeedsARestart() {
    List<Problem> ps = HeartbeatCoordinator.reconfigureProblems(THREE,
        n2At("198.51.100.22"), "n2", true, null);
    assertThat(ps).singleElement().satisfies(p -> {
      assertThat(p.path()).isEqualTo("nodes[1].heartbeat[0]");
      assertThat(p.value()).isEqualTo("198.51.100.22:7405");
      assertThat(p.message()).isEqualTo("is this node's heartbeat address, to which its"
          + " transport is bound (now 198.51.100.2:7405); changing it needs a restart of the"
          + " agent");
    });
  }

  @Test
  void whatTheTransportIsNotBoundToMayChange() {
    assertThat(HeartbeatCoordinator.reconfigureProblems(THREE, n2At("198.51.100.22"), "n2",
        false, null)).isEmpty();
    assertThat(HeartbeatCoordinator.reconfigureProblems(THREE,
        n2At("198.51.100.2", "198.51.100.22"), "n2", true, null)).isEmpty();
    assertThat(HeartbeatCoordinator.reconfigureProblems(THREE, n2At("198.51.100.22"), "n1",
        true, null)).isEmpty(); // another node's address
    VipGroup without = edit(THREE, v -> { }, ns -> ns.removeIf(n -> n.id().equals("n2")),
        p -> { });
    assertThat(HeartbeatCoordinator.reconfigureProblems(THREE, without, "n2", true, null))
        .isEmpty(); // (the agent reports the missing node)
  }

  @Test
  void withMulticastEveryAddressMustStayOnTheGroupsPort() {
    VipGroup off = n2At("198.51.100.2", "198.51.100.22:7406");
    assertThat(HeartbeatCoordinator.reconfigureProblems(THREE, THREE, "n1", false, MULTICAST))
        .isEmpty();
    assertThat(HeartbeatCoordinator.reconfigureProblems(THREE, off, "n1", false, MULTICAST))
        .singleElement().satisfies(p -> {
          assertThat(p.path()).isEqualTo("nodes[1].heartbeat[1]");
          assertThat(p.message()).startsWith("node n2 has heartbeat address"
              + " 198.51.100.22:7406 but the multicast group is on port 7405");
        });
    VipGroup both = n2At("198.51.100.22:7406");
    assertThat(HeartbeatCoordinator.reconfigureProblems(THREE, both, "n2", true, MULTICAST))
        .extracting(Problem::path).containsExactly("nodes[1].heartbeat[0]",
            "nodes[1].heartbeat[0]");
  }
}
