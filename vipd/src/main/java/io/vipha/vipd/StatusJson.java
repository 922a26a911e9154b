package io.vipha.vipd;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vipha.Node;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.agent.AgentCounters;
import io.vipha.agent.AgentEvent;
import io.vipha.agent.AgentState;
import io.vipha.agent.HeartbeatCoordinator;
import io.vipha.agent.VipAgent;
import io.vipha.health.HealthStatus;
import io.vipha.plan.Liveness;
import io.vipha.spi.Coordinator.PeerState;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The {@code status} reply: an agent's snapshot as JSON, with its instants (nanoseconds on the
 * agent's clock) turned into wall-clock times.
 *
 * <pre>
 * {"group", "node", "mode", "phase", "fresh", "now", "takenAt",
 *  "quorum": {"has", "reachable", "required"},
 *  "self": {"id", "priority", "effectivePriority", "eligibility", "held": [...],
 *           "health": [...]},
 *  "peers": [{"id", "liveness", "since", "effectivePriority", "eligibility", ...}],
 *  "vips": [{"vip", "interface", "owner", "heldHere"}],
 *  "events": [{"at", "type", "text"}], "counters": {...}}
 * </pre>
 */
final class StatusJson {
  private final long nowNanos;
  private final long nowMillis;

  private StatusJson(long nowNanos, long nowMillis) {
    this.nowNanos = nowNanos;
    this.nowMillis = nowMillis;
  }

  /**
   * The status of {@code agent} from snapshot {@code s}; {@code fresh} false when the loop did
   * not answer and {@code s} is the last snapshot published.
   */
  static ObjectNode of(VipAgent agent, AgentState s, boolean fresh,
      @Nullable HeartbeatCoordinator coordinator) {
    StatusJson t = new StatusJson(agent.scheduler().nanoTime(), agent.scheduler().wallMillis());
    VipGroup g = agent.group();
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("group", g.name());
    o.put("node", s.nodeId());
    o.put("mode", g.mode().name());
    o.put("phase", s.phase().name());
    o.put("fresh", fresh);
    o.put("now", Instant.ofEpochMilli(t.nowMillis).toString());
    o.put("takenAt", t.instant(s.takenAt()));
    ObjectNode q = o.putObject("quorum");
    q.put("has", s.quorum());
    q.put("reachable", 1 + s.peers().values().stream()
        .filter(p -> p.liveness() != Liveness.DEAD).count());
    q.put("required", g.quorumSize());

    ObjectNode self = o.putObject("self");
    self.put("id", s.nodeId());
    self.put("priority", g.node(s.nodeId()).map(Node::priority).orElse(0));
    self.put("effectivePriority", s.effectivePriority());
    self.put("eligibility", s.eligibility().name());
    ArrayNode held = self.putArray("held");
    s.holdings().entrySet().stream()
        .sorted(Map.Entry.comparingByValue(Comparator.comparingLong(AgentState.Holding::since)))
        .forEach(e -> {
          ObjectNode h = held.addObject();
          h.put("vip", e.getKey().cidr());
          h.put("interface", e.getKey().interfaceName());
          h.put("since", t.instant(e.getValue().since()));
          h.put("reason", e.getValue().reason());
        });
    ArrayNode health = self.putArray("health");
    for (HealthStatus h : s.health()) {
      ObjectNode c = health.addObject();
      c.put("name", h.name());
      c.put("kind", h.check().kind().name());
      c.put("target", h.check().target().toString());
      c.put("healthy", h.healthy());
      c.put("lastResult", h.lastDetail());
      c.put("lastChange", h.lastChange() == 0 ? null : t.instant(h.lastChange()));
      c.put("consecutiveSuccesses", h.consecutiveSuccesses());
      c.put("consecutiveFailures", h.consecutiveFailures());
      c.put("probes", h.probes());
      c.put("priorityDelta", h.priorityDelta());
      c.put("disqualifies", h.disqualifies());
    }

    ArrayNode peers = o.putArray("peers");
    for (Node n : g.nodes()) {
      if (n.id().equals(s.nodeId())) {
        continue;
      }
      ObjectNode p = peers.addObject();
      p.put("id", n.id());
      p.put("priority", n.priority());
      PeerState ps = s.peers().get(n.id());
      if (ps == null) {
        p.put("liveness", "NOT_HEARD");
        continue;
      }
      p.put("liveness", ps.liveness().name());
      p.put("since", t.instant(ps.since()));
      p.put("effectivePriority", ps.effectivePriority());
      p.put("eligibility", ps.eligibility().name());
      p.put("eligibilitySince", t.instant(ps.eligibilitySince()));
      ArrayNode ph = p.putArray("held");
      g.vips().stream().filter(ps.held()::contains).forEach(v -> ph.add(v.cidr()));
      p.put("incarnation", ps.incarnation());
      p.put("left", ps.left());
      p.put("cutOff", ps.cutOff());
    }

    ArrayNode vips = o.putArray("vips");
    for (VirtualIp v : g.vips()) {
      ObjectNode vo = vips.addObject();
      vo.put("vip", v.cidr());
      vo.put("interface", v.interfaceName());
      vo.put("owner", s.owners().get(v));
      vo.put("heldHere", s.held().contains(v));
    }

    ArrayNode events = o.putArray("events");
    for (AgentEvent e : s.recentEvents()) {
      ObjectNode eo = events.addObject();
      eo.put("at", t.instant(e.at()));
      eo.put("type", e.getClass().getSimpleName());
      eo.put("text", EventLog.format(e));
    }

    ObjectNode k = o.putObject("counters");
    AgentCounters c = s.counters();
    k.put("acquired", c.acquired());
    k.put("released", c.released());
    k.put("driftRepairs", c.driftRepairs());
    k.put("conflicts", c.conflicts());
    k.put("backendErrors", c.backendErrors());
    k.put("stalls", c.stalls());
    k.put("flapSuspensions", c.flapSuspensions());
    k.put("quorumLosses", c.quorumLosses());
    k.put("announcements", c.announcements());
    k.put("moverClaims", c.moverClaims());
    k.put("moverFailures", c.moverFailures());
    if (coordinator != null) {
      k.put("heartbeatsAccepted", coordinator.accepted());
      ObjectNode rejected = k.putObject("heartbeatsRejected");
      coordinator.rejected().forEach((why, n) -> rejected.put(why.name(), n));
    }
    return o;
  }

  /** An instant on the agent's clock as a wall-clock time. */
  private String instant(long nanos) {
    return Instant.ofEpochMilli(nowMillis - (nowNanos - nanos) / 1_000_000).toString();
  }

}
