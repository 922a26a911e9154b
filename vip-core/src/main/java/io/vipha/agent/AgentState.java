package io.vipha.agent;

import io.vipha.VirtualIp;
import io.vipha.plan.Eligibility;
import io.vipha.spi.Coordinator.PeerState;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of an agent, taken on its event loop after every change.
 *
 * @param nodeId this node
 * @param phase where the agent is in its life
 * @param quorum whether it has quorum
 * @param effectivePriority its priority after health adjustments
 * @param eligibility whether it may own VIPs
 * @param owners every VIP with the owner the plan gives it (null: none)
 * @param held the VIPs this host holds now
 * @param peers what it knows of each peer
 * @param recentEvents its latest events, oldest first
 */
public record AgentState(
    String nodeId,
    VipAgent.Phase phase,
    boolean quorum,
    int effectivePriority,
    Eligibility eligibility,
    Map<VirtualIp, @Nullable String> owners,
    Set<VirtualIp> held,
    Map<String, PeerState> peers,
    List<AgentEvent> recentEvents) {

  /** Copies the collections. */
  public AgentState {
    owners = Collections.unmodifiableMap(new LinkedHashMap<>(owners));
    held = Set.copyOf(held);
    peers = Map.copyOf(peers);
    recentEvents = List.copyOf(recentEvents);
  }

  /** The VIPs the plan gives this node. */
  public Set<VirtualIp> owned() {
    Set<VirtualIp> out = new java.util.LinkedHashSet<>();
    owners.forEach((v, o) -> {
      if (nodeId.equals(o)) {
        out.add(v);
      }
    });
    return Collections.unmodifiableSet(out);
  }
}
