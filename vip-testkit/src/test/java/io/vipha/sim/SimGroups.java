package io.vipha.sim;

import io.vipha.FlapLimit;
import io.vipha.Mode;
import io.vipha.Quorum;
import io.vipha.VipGroup;
import java.time.Duration;

/** The groups the simulator tests explore. */
final class SimGroups {
  static final Duration HEARTBEAT = Duration.ofMillis(100);
  static final Duration PREEMPT_DELAY = Duration.ofMillis(500);

  private SimGroups() {}

  /** Three nodes, two VIPs (IPv4 and IPv6), majority quorum, 2 s leases. */
  static VipGroup activePassive() {
    return VipGroup.builder().name("ap").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .vip(v -> v.address("2001:db8::10/64").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1").priority(200))
        .node(n -> n.id("n2").heartbeat("198.51.100.2").priority(150))
        .node(n -> n.id("n3").heartbeat("198.51.100.3").priority(100))
        .policy(p -> p.preempt(true).preemptDelay(PREEMPT_DELAY)
            .holdDown(Duration.ofMillis(200)).heartbeatInterval(HEARTBEAT).deadAfter(3)
            .quorum(Quorum.majority()).lease(Duration.ofSeconds(2)).flapLimit(FlapLimit.DEFAULT))
        .build();
  }

  /** Four nodes, eight VIPs, majority quorum, 2 s leases. */
  static VipGroup activeActive() {
    VipGroup.Builder b = VipGroup.builder().name("aa").mode(Mode.ACTIVE_ACTIVE)
        .policy(p -> p.preempt(true).preemptDelay(PREEMPT_DELAY)
            .holdDown(Duration.ofMillis(200)).heartbeatInterval(HEARTBEAT).deadAfter(3)
            .quorum(Quorum.majority()).lease(Duration.ofSeconds(2)).flapLimit(FlapLimit.DEFAULT));
    for (int i = 1; i <= 4; i++) {
      int k = i;
      b.node(n -> n.id("n" + k).heartbeat("198.51.100." + k));
    }
    for (int i = 1; i <= 8; i++) {
      int k = i;
      b.vip(v -> v.address("192.0.2." + (10 + k) + "/24").interfaceName("eth0"));
    }
    return b.build();
  }
}
