package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.VirtualIp;
import io.vipha.plan.Eligibility;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The agent's snapshot: an immutable copy whose holdings name exactly the held VIPs. */
class AgentStateTest {
  private static final VirtualIp A = VirtualIp.builder().address("192.0.2.10/24")
      .interfaceName("eth0").build();
  private static final VirtualIp B = VirtualIp.builder().address("192.0.2.11/24")
      .interfaceName("eth0").build();
  private static final VirtualIp C = VirtualIp.builder().address("192.0.2.12/24")
      .interfaceName("eth0").build();

  private static AgentState state(Map<VirtualIp, String> owners, Set<VirtualIp> held,
      Map<VirtualIp, AgentState.Holding> holdings, AgentCounters counters) {
    return new AgentState("n1", VipAgent.Phase.RUNNING, true, 200, Eligibility.ELIGIBLE, owners,
        held, Map.of(), List.of(), holdings, List.of(), counters, 5);
  }

  @Test
  void theSnapshotCopiesWhatItIsGivenAndKeepsTheOwnersOrder() {
    Map<VirtualIp, String> owners = new LinkedHashMap<>();
    owners.put(C, "n1");
    owners.put(A, null);
    owners.put(B, "n1");
    Set<VirtualIp> held = new HashSet<>(Set.of(C));
    Map<VirtualIp, AgentState.Holding> holdings = new HashMap<>();
    holdings.put(C, new AgentState.Holding(3, "ELECTED"));
    AgentState s = state(owners, held, holdings, AgentCounters.ZERO);
    owners.clear();
    held.clear();
    holdings.clear();
    assertThat(s.owners()).containsKeys(C, A, B);
    assertThat(new ArrayList<>(s.owners().keySet())).containsExactly(C, A, B);
    assertThat(s.owners().get(A)).isNull();
    assertThat(s.held()).containsExactly(C);
    assertThat(s.holdings()).containsOnlyKeys(C);
    assertThatThrownBy(() -> s.owners().put(A, "n2"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(s.owned()).containsExactly(C, B);
    assertThatThrownBy(() -> s.owned().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void holdingsMustNameExactlyTheHeldVips() {
    assertThatThrownBy(() -> state(Map.of(), Set.of(A, B),
        Map.of(A, new AgentState.Holding(1, "ELECTED")), AgentCounters.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("differ from the held VIPs");
    assertThatThrownBy(() -> state(Map.of(), Set.of(),
        Map.of(A, new AgentState.Holding(1, "ELECTED")), AgentCounters.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(state(Map.of(), Set.of(), Map.of(), AgentCounters.ZERO).owned()).isEmpty();
  }

  @Test
  @SuppressWarnings("NullAway") // nulls on purpose
  void nullsAreRefused() {
    assertThatThrownBy(() -> state(Map.of(), Set.of(), Map.of(), null))
        .isInstanceOf(NullPointerException.class).hasMessage("counters");
    assertThatThrownBy(() -> new AgentState.Holding(1, null))
        .isInstanceOf(NullPointerException.class).hasMessage("reason");
  }
}
