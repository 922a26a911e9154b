package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.plan.Eligibility;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A backend that fails some calls and works for others (here: one VIP's interface is missing on
 * the host): the node counts as failing, tries again at the next periodic reconcile, and its
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
    Map<Long, Integer> callsAt = new TreeMap<>();
    for (int i = 0; i < 1000; i++) {
      int before = c.host("n1").calls();
      long at = c.time.nanoTime();
      c.run(Duration.ofMillis(1));
      callsAt.merge(at, c.host("n1").calls() - before, Integer::sum);
    }
    assertThat(c.time.nanoTime()).isEqualTo(Duration.ofSeconds(1).toNanos());
    // (the start watches and lists; a retry lists once per reconcile)
    assertThat(callsAt.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(10));
    VirtualIp missing = g.vips().get(0);
    assertThat(c.events(AgentEvent.BackendError.class, "n1")).isNotEmpty()
        .allSatisfy(e -> assertThat(e.vip()).isEqualTo(missing));
    // One failed assign per retry, not one per turn of the loop.
    assertThat(c.events(AgentEvent.BackendError.class, "n1").stream().collect(
        java.util.stream.Collectors.groupingBy(AgentEvent.BackendError::at,
            java.util.stream.Collectors.counting())).values()).allSatisfy(
        n -> assertThat(n).isEqualTo(1L));
    assertThat(c.events(AgentEvent.BackendError.class, "n1").stream()
        .mapToLong(AgentEvent.BackendError::at).distinct().count()).isGreaterThan(1);
    // Between retries the node is disqualified and holds nothing: no instant of the second.
    c.time.runDue();
    AgentState s = c.agent("n1").state();
    assertThat(s.eligibility()).isEqualTo(Eligibility.DISQUALIFIED);
    assertThat(s.held()).isEmpty();
    assertThat(c.holders(missing)).isEmpty();
  }
}
