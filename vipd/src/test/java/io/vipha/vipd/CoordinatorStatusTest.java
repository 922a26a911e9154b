package io.vipha.vipd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.agent.VipAgent;
import io.vipha.spi.Coordinator;
import io.vipha.testing.InMemoryBackend;
import io.vipha.testing.VirtualScheduler;
import io.vipha.testkit.StatusCoordinator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A coordinator's own state ({@link Coordinator#status()}) in the status JSON and table. */
class CoordinatorStatusTest {
  @Test
  void theCoordinatorsStateIsInTheJsonAndOnOneLineOfTheTable() {
    Map<String, Long> dropped = new LinkedHashMap<>();
    dropped.put("TRUNCATED", 0L);
    dropped.put("WRONG_TTL", 3L);
    dropped.put("BAD_CHECKSUM", 1L);
    Map<String, Long> values = new LinkedHashMap<>();
    values.put("vrid", 51L);
    values.put("priority", 100L);
    values.put("masterPriority", 150L);
    Coordinator.Status status = new Coordinator.Status("vrrp", "BACKUP",
        List.of("INITIALIZE", "BACKUP", "MASTER"), values, Map.of("masterAddress", "192.0.2.12"),
        Map.of("advertisementsSent", 0L), dropped);
    JsonNode s = StatusJson.of(agent(Optional.of(status)), agent(Optional.empty()).state(), true,
        null);
    JsonNode c = s.path("coordinator");
    assertThat(c.path("kind").asText()).isEqualTo("vrrp");
    assertThat(c.path("state").asText()).isEqualTo("BACKUP");
    assertThat(c.path("vrid").asLong()).isEqualTo(51);
    assertThat(c.path("masterPriority").asLong()).isEqualTo(150);
    assertThat(c.path("masterAddress").asText()).isEqualTo("192.0.2.12");
    assertThat(c.path("advertisementsSent").asLong()).isZero();
    assertThat(c.path("dropped").path("WRONG_TTL").asLong()).isEqualTo(3);
    assertThat(c.path("dropped").path("TRUNCATED").asLong()).isZero();
    assertThat(StatusTable.render(s, 0)).contains("\nvrrp BACKUP: vrid 51, priority 100,"
        + " masterPriority 150, masterAddress 192.0.2.12,\n  advertisementsSent 0, dropped"
        + " {WRONG_TTL 3, BAD_CHECKSUM 1}\n");
  }

  @Test
  void aZooKeeperSessionIsShownWithoutDropsItDoesNotHave() {
    Map<String, Long> values = new LinkedHashMap<>();
    values.put("claimsHeld", 1L);
    values.put("fenceMs", 3900L);
    Map<String, String> texts = new LinkedHashMap<>();
    texts.put("connect", "zk1:2181,zk2:2181");
    texts.put("sessionId", "0x1000a");
    Coordinator.Status status = new Coordinator.Status("zookeeper", "SUSPENDED",
        List.of("CONNECTING", "CONNECTED", "SUSPENDED", "READ_ONLY", "LOST"), values, texts,
        Map.of("suspensions", 2L), Map.of());
    JsonNode s = StatusJson.of(agent(Optional.of(status)), agent(Optional.empty()).state(), true,
        null);
    JsonNode c = s.path("coordinator");
    assertThat(c.path("kind").asText()).isEqualTo("zookeeper");
    assertThat(c.path("state").asText()).isEqualTo("SUSPENDED");
    assertThat(c.path("sessionId").asText()).isEqualTo("0x1000a");
    assertThat(c.path("suspensions").asLong()).isEqualTo(2);
    assertThat(c.path("dropped").isEmpty()).isTrue();
    assertThat(StatusTable.render(s, 0)).contains("\nzookeeper SUSPENDED: claimsHeld 1, fenceMs"
        + " 3900, connect zk1:2181,zk2:2181, sessionId 0x1000a,\n  suspensions 2\n");
  }

  @Test
  void aCoordinatorWithoutAStateOfItsOwnAddsNothing() {
    JsonNode s = StatusJson.of(agent(Optional.empty()), agent(Optional.empty()).state(), true,
        null);
    assertThat(s.has("coordinator")).isFalse();
    assertThat(StatusTable.render(s, 0)).doesNotContain("dropped");
  }

  /** An agent on a loop this test never runs, whose coordinator shows {@code status}. */
  private static VipAgent agent(Optional<Coordinator.Status> status) {
    VirtualScheduler never = new VirtualScheduler();
    VipGroup g = VipGroup.builder().name("web").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1"))
        .build();
    return VipAgent.builder().group(g).nodeId("n1").backend(new InMemoryBackend(never))
        .coordinator(new StatusCoordinator(() -> status)).scheduler(never).build();
  }
}
