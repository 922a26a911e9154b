package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A backend that fails some calls and works for others (here: one VIP's interface is missing on
 * the host): the node reports the failures, counts as failing until a later call works, and its
 * loop goes on.
 */
class PartialBackendFailureTest {
  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aVipOnAMissingInterfaceDoesNotKeepTheLoopTurningAtOneInstant() {
    VipGroup g = VipGroup.builder().name("solo").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth1")) // not on the host
        .vip(v -> v.address("192.0.2.11/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1").priority(200))
        .build();
    TestCluster c = new TestCluster(g);
    c.start("n1");
    c.run(Duration.ofSeconds(1));
    VirtualIp missing = g.vips().get(0);
    assertThat(c.time.nanoTime()).isEqualTo(Duration.ofSeconds(1).toNanos());
    assertThat(c.events(AgentEvent.BackendError.class, "n1")).isNotEmpty()
        .allSatisfy(e -> assertThat(e.vip()).isEqualTo(missing));
    // Tried again at each reconcile (every interval while failing), not over and over at once.
    long instants = c.events(AgentEvent.BackendError.class, "n1").stream()
        .mapToLong(AgentEvent.BackendError::at).distinct().count();
    assertThat(c.events(AgentEvent.BackendError.class, "n1")).hasSizeLessThanOrEqualTo(
        (int) instants * 3);
  }
}
