package io.vipha.agent;

import io.vipha.VirtualIp;
import io.vipha.health.HealthStatus;
import io.vipha.plan.Eligibility;
import io.vipha.spi.Coordinator.PeerState;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 * @param recentEvents its latest events, oldest first (at most 64)
 * @param holdings each VIP in {@code held}: since when and why this node holds it
 * @param health this node's health checks with their last result, in the builder's order
 * @param counters what the agent counted since it was built
 * @param takenAt when the snapshot was taken, nanoseconds on the agent's clock
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
    List<AgentEvent> recentEvents,
    Map<VirtualIp, Holding> holdings,
    List<HealthStatus> health,
    AgentCounters counters,
    long takenAt) {

  /** Copies the collections; {@code holdings} must name exactly the VIPs in {@code held}. */
  public AgentState {
    owners = Collections.unmodifiableMap(new LinkedHashMap<>(owners));
    held = Set.copyOf(held);
    peers = Map.copyOf(peers);
    recentEvents = List.copyOf(recentEvents);
    holdings = Map.copyOf(holdings);
    health = List.copyOf(health);
    Objects.requireNonNull(counters, "counters");
    if (!holdings.keySet().equals(held)) {
      throw new IllegalArgumentException("holdings " + holdings.keySet()
          + " differ from the held VIPs " + held);
    }
  }

  /**
   * Since when and why this node holds a VIP.
   *
   * @param since when this node added it (or found it on the host at start), nanoseconds on the
   *     agent's clock
   * @param reason the planner's move reason that made this node take it (e.g. {@code ELECTED},
   *     {@code OWNER_DEAD}, {@code SWITCHOVER}), or {@code LEFTOVER} for a VIP found on the host
   *     at start
   */
  public record Holding(long since, String reason) {
    /** Checks for null. */
    public Holding {
      Objects.requireNonNull(reason, "reason");
    }
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
