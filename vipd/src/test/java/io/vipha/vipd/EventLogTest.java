package io.vipha.vipd;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.VirtualIp;
import io.vipha.agent.AgentEvent;
import io.vipha.spi.BackendException;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

class EventLogTest {
  private static final VirtualIp VIP = VirtualIp.of("192.0.2.10/24", "eth0");

  @Test
  void oneReadableLinePerEvent() {
    assertThat(EventLog.format(new AgentEvent.Acquired(0, VIP, "ELECTED")))
        .isEqualTo("acquired 192.0.2.10/24 on eth0 (ELECTED)");
    assertThat(EventLog.format(new AgentEvent.Released(0, VIP, "DRAINED")))
        .isEqualTo("released 192.0.2.10/24 on eth0 (DRAINED)");
    assertThat(EventLog.format(new AgentEvent.PeerUp(0, "n2", 7)))
        .isEqualTo("peer n2 up (incarnation 7)");
    assertThat(EventLog.format(new AgentEvent.PeerSuspect(0, "n2")))
        .isEqualTo("peer n2 suspect: a heartbeat is late");
    assertThat(EventLog.format(new AgentEvent.PeerDown(0, "n2", false)))
        .isEqualTo("peer n2 down: no heartbeat for the dead-after time");
    assertThat(EventLog.format(new AgentEvent.PeerDown(0, "n2", true)))
        .isEqualTo("peer n2 left (graceful stop)");
    assertThat(EventLog.format(new AgentEvent.QuorumLost(0, 1, 2)))
        .isEqualTo("quorum lost: 1 node(s) reachable, 2 required");
    assertThat(EventLog.format(new AgentEvent.QuorumRegained(0, 2, 2)))
        .isEqualTo("quorum regained: 2 node(s) reachable, 2 required");
    assertThat(EventLog.format(new AgentEvent.HealthChanged(0, "web", false, 80, false,
        "connection refused"))).isEqualTo("health check web unhealthy: effective priority 80,"
            + " eligible (connection refused)");
    assertThat(EventLog.format(new AgentEvent.HealthChanged(0, "db", true, 100, false, "")))
        .isEqualTo("health check db healthy: effective priority 100, eligible");
    assertThat(EventLog.format(new AgentEvent.FlapSuspended(0, "n3")))
        .isEqualTo("node n3 suspended for flapping");
    assertThat(EventLog.format(new AgentEvent.BackendError(0, "assign", VIP,
        new BackendException(BackendException.Kind.PERMISSION, "RTM_NEWADDR was refused"))))
        .isEqualTo("backend error: assign 192.0.2.10/24 on eth0 failed (PERMISSION):"
            + " RTM_NEWADDR was refused");
    assertThat(EventLog.format(new AgentEvent.DriftRepaired(0, VIP, "re-added")))
        .isEqualTo("repaired drift on 192.0.2.10/24 on eth0: re-added");
    assertThat(EventLog.format(new AgentEvent.Conflict(0, VIP, "n2")))
        .isEqualTo("conflict: peer n2 also holds 192.0.2.10/24 on eth0; re-announced it");
    assertThat(EventLog.format(new AgentEvent.Stalled(0, 1_500_000_000L)))
        .isEqualTo("event loop stalled for 1500 ms; peers may have declared this node dead");
    assertThat(EventLog.format(new AgentEvent.Reconfigured(0, 3, 2, 0)))
        .isEqualTo("configuration applied: 3 node(s), 2 VIP(s), 0 health check(s)");
    assertThat(EventLog.level(new AgentEvent.Reconfigured(0, 3, 2, 0))).isEqualTo(Level.INFO);
  }

  @Test
  void writesAnIpv6VipCompressed() {
    VirtualIp v6 = VirtualIp.of("2001:db8:0:0:0:0:0:10/64", "eth0");
    assertThat(EventLog.format(new AgentEvent.Acquired(0, v6, "ELECTED")))
        .isEqualTo("acquired 2001:db8::10/64 on eth0 (ELECTED)");
    assertThat(EventLog.format(new AgentEvent.Conflict(0, v6, "n2")))
        .isEqualTo("conflict: peer n2 also holds 2001:db8::10/64 on eth0; re-announced it");
  }

  @Test
  void levelsSayHowMuchToCare() {
    assertThat(EventLog.level(new AgentEvent.Acquired(0, VIP, "ELECTED"))).isEqualTo(Level.INFO);
    assertThat(EventLog.level(new AgentEvent.PeerDown(0, "n2", false))).isEqualTo(Level.WARN);
    assertThat(EventLog.level(new AgentEvent.PeerDown(0, "n2", true))).isEqualTo(Level.INFO);
    assertThat(EventLog.level(new AgentEvent.QuorumLost(0, 1, 2))).isEqualTo(Level.WARN);
    assertThat(EventLog.level(new AgentEvent.BackendError(0, "list", null,
        new BackendException(BackendException.Kind.OTHER, "x")))).isEqualTo(Level.ERROR);
  }

  @Test
  void aLateHeartbeatAndItsRecoveryAreDebugButAReturnFromTheDeadIsNot() {
    EventLog log = new EventLog(org.slf4j.helpers.NOPLogger.NOP_LOGGER);
    assertThat(log.levelAfter(new AgentEvent.PeerUp(0, "n2", 7))).isEqualTo(Level.INFO);
    assertThat(log.levelAfter(new AgentEvent.PeerSuspect(1, "n2"))).isEqualTo(Level.DEBUG);
    assertThat(log.levelAfter(new AgentEvent.PeerUp(2, "n2", 7))).isEqualTo(Level.DEBUG);
    assertThat(log.levelAfter(new AgentEvent.PeerSuspect(3, "n2"))).isEqualTo(Level.DEBUG);
    assertThat(log.levelAfter(new AgentEvent.PeerDown(4, "n2", false))).isEqualTo(Level.WARN);
    assertThat(log.levelAfter(new AgentEvent.PeerUp(5, "n2", 8))).isEqualTo(Level.INFO);
    assertThat(log.levelAfter(new AgentEvent.PeerSuspect(6, "n3"))).isEqualTo(Level.DEBUG);
    assertThat(log.levelAfter(new AgentEvent.PeerUp(7, "n2", 8))).isEqualTo(Level.INFO);
  }

  @Test
  void creatingItLogsNothing() {
    java.util.List<String> calls = new java.util.ArrayList<>();
    org.slf4j.Logger recording = (org.slf4j.Logger) java.lang.reflect.Proxy.newProxyInstance(
        getClass().getClassLoader(), new Class<?>[] {org.slf4j.Logger.class},
        (proxy, method, args) -> {
          calls.add(method.getName());
          return method.getReturnType() == boolean.class ? Boolean.TRUE : null;
        });
    new EventLog(recording);
    assertThat(calls).isEmpty();
  }
}
