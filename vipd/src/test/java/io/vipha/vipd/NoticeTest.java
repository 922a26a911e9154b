package io.vipha.vipd;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.VirtualIp;
import io.vipha.agent.AgentEvent;
import io.vipha.config.NotifySettings;
import io.vipha.spi.BackendException;
import io.vipha.spi.MoverResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The names, JSON lines and environment variables of events. */
class NoticeTest {
  private static final VirtualIp VIP = VirtualIp.of("2001:db8::10/64", "eth1");
  private static final Instant TIME = Instant.parse("2026-01-02T03:04:05.678Z");

  /** One event of every kind. */
  static final List<AgentEvent> ONE_OF_EACH = List.of(
      new AgentEvent.Acquired(1, VIP, "OWNER_DEAD"),
      new AgentEvent.Released(1, VIP, "DRAINED"),
      new AgentEvent.PeerUp(1, "n2", 42),
      new AgentEvent.PeerSuspect(1, "n2"),
      new AgentEvent.PeerDown(1, "n2", true),
      new AgentEvent.QuorumLost(1, 1, 2),
      new AgentEvent.QuorumRegained(1, 2, 2),
      new AgentEvent.HealthChanged(1, "db", false, 80, true, "connection refused"),
      new AgentEvent.FlapSuspended(1, "n3"),
      new AgentEvent.BackendError(1, "assign", VIP,
          new BackendException(BackendException.Kind.TRANSIENT, "ENOBUFS")),
      new AgentEvent.DriftRepaired(1, VIP, "re-added"),
      new AgentEvent.Conflict(1, VIP, "n2"),
      new AgentEvent.Stalled(1, 2_500_000_000L),
      new AgentEvent.Reconfigured(1, 3, 2, 1),
      new AgentEvent.MoverClaimed(1, VIP, MoverResult.Outcome.ALREADY_OWNED, 1700, 2,
          4_500_000_000L),
      new AgentEvent.MoverFailed(1, VIP, "claim", MoverResult.Outcome.THROTTLED, 1, "slow down"));

  @Test
  void everyKindOfAgentEventHasAConfigurableName() {
    Set<Class<?>> kinds = ONE_OF_EACH.stream().map(Object::getClass).collect(Collectors.toSet());
    assertThat(kinds).containsExactlyInAnyOrder(AgentEvent.class.getPermittedSubclasses());
    List<String> names = new ArrayList<>();
    for (AgentEvent e : ONE_OF_EACH) {
      names.add(Notice.name(e));
    }
    names.addAll(List.of("started", "stopping", "stopped"));
    assertThat(names).containsExactlyElementsOf(NotifySettings.EVENTS);
  }

  @Test
  void anAcquisitionAsJsonAndEnvironment() {
    Notice n = Notice.of("acquired", 7, "web", "n1", TIME, 2, ONE_OF_EACH.get(0), null);
    assertThat(n.json()).isEqualTo("{\"v\":1,\"seq\":7,\"event\":\"acquired\",\"group\":\"web\","
        + "\"node\":\"n1\",\"time\":\"2026-01-02T03:04:05.678Z\",\"dropped\":2,"
        + "\"vip\":\"2001:db8::10/64\",\"interface\":\"eth1\",\"reason\":\"OWNER_DEAD\"}");
    assertThat(n.environment()).containsExactly(Map.entry("VIPHA_SEQ", "7"),
        Map.entry("VIPHA_EVENT", "acquired"), Map.entry("VIPHA_GROUP", "web"),
        Map.entry("VIPHA_NODE", "n1"), Map.entry("VIPHA_TIME", "2026-01-02T03:04:05.678Z"),
        Map.entry("VIPHA_DROPPED", "2"), Map.entry("VIPHA_VIP", "2001:db8::10/64"),
        Map.entry("VIPHA_INTERFACE", "eth1"), Map.entry("VIPHA_REASON", "OWNER_DEAD"));
  }

  @Test
  void eachKindCarriesItsOwnFields() {
    assertThat(env(4)).containsEntry("VIPHA_PEER", "n2").containsEntry("VIPHA_REASON", "left");
    assertThat(env(2)).containsEntry("VIPHA_INCARNATION", "42");
    assertThat(env(5)).containsEntry("VIPHA_REACHABLE", "1").containsEntry("VIPHA_REQUIRED", "2");
    assertThat(env(7)).containsEntry("VIPHA_CHECK", "db").containsEntry("VIPHA_HEALTHY", "false")
        .containsEntry("VIPHA_PRIORITY", "80").containsEntry("VIPHA_DISQUALIFIED", "true")
        .containsEntry("VIPHA_REASON", "connection refused");
    assertThat(env(8)).containsEntry("VIPHA_SUSPENDED_NODE", "n3");
    assertThat(env(9)).containsEntry("VIPHA_OPERATION", "assign")
        .containsEntry("VIPHA_KIND", "TRANSIENT").containsEntry("VIPHA_REASON", "ENOBUFS")
        .containsEntry("VIPHA_VIP", "2001:db8::10/64");
    assertThat(env(12)).containsEntry("VIPHA_STALL_MS", "2500");
    assertThat(env(13)).containsEntry("VIPHA_EVENT", "reconfigured")
        .containsEntry("VIPHA_NODES", "3").containsEntry("VIPHA_VIPS", "2")
        .containsEntry("VIPHA_CHECKS", "1").doesNotContainKey("VIPHA_VIP");
    assertThat(env(14)).containsEntry("VIPHA_EVENT", "mover-claimed")
        .containsEntry("VIPHA_VIP", "2001:db8::10/64").containsEntry("VIPHA_OUTCOME",
            "ALREADY_OWNED").containsEntry("VIPHA_EPOCH", "1700")
        .containsEntry("VIPHA_ATTEMPT", "2").containsEntry("VIPHA_TOOK_MS", "4500");
    assertThat(env(15)).containsEntry("VIPHA_EVENT", "mover-failed")
        .containsEntry("VIPHA_OPERATION", "claim").containsEntry("VIPHA_OUTCOME", "THROTTLED")
        .containsEntry("VIPHA_ATTEMPT", "1").containsEntry("VIPHA_REASON", "slow down");
    assertThat(Notice.of("stopping", 9, "web", "n1", TIME, 0, null, "signal").environment())
        .containsEntry("VIPHA_EVENT", "stopping").containsEntry("VIPHA_REASON", "signal")
        .doesNotContainKey("VIPHA_VIP");
  }

  private static Map<String, String> env(int i) {
    AgentEvent e = ONE_OF_EACH.get(i);
    return Notice.of(Notice.name(e), i, "web", "n1", TIME, 0, e, null).environment();
  }
}
