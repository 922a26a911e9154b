package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.VipGroup;
import io.vipha.testing.InMemoryBackend;
import io.vipha.testing.VirtualScheduler;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The self-test's switches cannot reach an agent built through the public API. */
class BreakageTest {
  @Test
  void theSwitchesAreNotPublic() {
    assertThat(Modifier.isPublic(Breakage.class.getModifiers())).isFalse();
    for (Class<?> c : new Class<?>[] {VipAgent.Builder.class, HeartbeatCoordinator.Builder.class,
        VipAgent.class, HeartbeatCoordinator.class}) {
      for (Method m : c.getMethods()) {
        assertThat(Arrays.asList(m.getParameterTypes())).as("%s.%s", c.getSimpleName(),
            m.getName()).doesNotContain(Breakage.class);
      }
    }
  }

  @Test
  void anAgentBuiltThroughThePublicBuilderHasEveryMechanism() {
    VipGroup g = VipGroup.builder().name("g").mode(io.vipha.Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1"))
        .node(n -> n.id("n2").heartbeat("198.51.100.2")).build();
    VirtualScheduler time = new VirtualScheduler();
    VipAgent a = VipAgent.builder().group(g).nodeId("n1").backend(new InMemoryBackend(time))
        .coordinator(HeartbeatCoordinator.builder().key(1, TestCluster.KEY).build())
        .scheduler(time).build();
    assertThat(a.broken).isEmpty();
    VipAgent broken = VipAgent.builder().group(g).nodeId("n1")
        .backend(new InMemoryBackend(time))
        .coordinator(HeartbeatCoordinator.builder().key(1, TestCluster.KEY).build())
        .scheduler(time).breakage(Breakage.QUORUM_LEASE).build();
    assertThat(broken.broken).containsExactly(Breakage.QUORUM_LEASE);
  }
}
