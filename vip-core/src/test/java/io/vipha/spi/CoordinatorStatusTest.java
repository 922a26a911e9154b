package io.vipha.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.agent.HeartbeatCoordinator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Coordinator.Status}: its state is one of its states; its maps keep their order. */
class CoordinatorStatusTest {
  @Test
  void aStateThatIsNotOneOfTheStatesIsRefused() {
    assertThatThrownBy(() -> new Coordinator.Status("vrrp", "FAULT", List.of("BACKUP",
        "MASTER"), Map.of(), Map.of(), Map.of(), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("state FAULT is not one of [BACKUP, MASTER]");
  }

  @Test
  void theMapsAreCopiesInTheirOrderAndCannotBeChanged() {
    Map<String, Long> values = new LinkedHashMap<>();
    for (String k : List.of("vrid", "priority", "masterPriority", "a", "b", "c")) {
      values.put(k, (long) k.length());
    }
    Coordinator.Status s = new Coordinator.Status("vrrp", "MASTER", List.of("MASTER"), values,
        Map.of(), Map.of(), Map.of());
    values.put("later", 1L);
    assertThat(s.values().keySet()).containsExactly("vrid", "priority", "masterPriority", "a",
        "b", "c");
    assertThatThrownBy(() -> s.values().put("x", 1L))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void theHeartbeatCoordinatorShowsNoStateOfItsOwn() {
    assertThat(HeartbeatCoordinator.builder().key(1, new byte[32]).build().status()).isEmpty();
  }
}
