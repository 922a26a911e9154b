package io.vipha.vipd;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vipha.VirtualIp;
import io.vipha.agent.AgentEvent;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One event as hooks and sinks receive it: its fields in a fixed order, written as one JSON
 * line ({@code "v":1}) and as {@code VIPHA_*} environment variables. Every field but {@code v}
 * is also a variable: {@code VIPHA_} and the field's name in upper case, words split by
 * {@code _} ({@code suspendedNode} is {@code VIPHA_SUSPENDED_NODE}).
 */
final class Notice {
  /** The version of the JSON line. */
  static final int VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String name;
  private final long seq;
  private final Map<String, Object> fields = new LinkedHashMap<>();

  private Notice(String name, long seq) {
    this.name = name;
    this.seq = seq;
  }

  /**
   * Event {@code name} number {@code seq} of node {@code node} in group {@code group}, at wall
   * time {@code time}, {@code dropped} events having been dropped before it was taken; the
   * agent's event {@code event} gives the rest, or {@code reason} for a daemon event.
   */
  static Notice of(String name, long seq, String group, String node, Instant time,
      long dropped, @Nullable AgentEvent event, @Nullable String reason) {
    Notice n = new Notice(name, seq);
    n.put("v", VERSION).put("seq", seq).put("event", name).put("group", group)
        .put("node", node).put("time", time.toString()).put("dropped", dropped);
    if (event != null) {
      n.details(event);
    }
    if (reason != null) {
      n.put("reason", reason);
    }
    return n;
  }

  /** The stable name of an agent event, one of {@code NotifySettings.EVENTS}. */
  static String name(AgentEvent e) {
    if (e instanceof AgentEvent.Acquired) {
      return "acquired";
    } else if (e instanceof AgentEvent.Released) {
      return "released";
    } else if (e instanceof AgentEvent.PeerUp) {
      return "peer-up";
    } else if (e instanceof AgentEvent.PeerSuspect) {
      return "peer-suspect";
    } else if (e instanceof AgentEvent.PeerDown) {
      return "peer-down";
    } else if (e instanceof AgentEvent.QuorumLost) {
      return "quorum-lost";
    } else if (e instanceof AgentEvent.QuorumRegained) {
      return "quorum-regained";
    } else if (e instanceof AgentEvent.HealthChanged) {
      return "health";
    } else if (e instanceof AgentEvent.FlapSuspended) {
      return "flap-suspended";
    } else if (e instanceof AgentEvent.BackendError) {
      return "backend-error";
    } else if (e instanceof AgentEvent.DriftRepaired) {
      return "drift-repaired";
    } else if (e instanceof AgentEvent.Conflict) {
      return "conflict";
    } else if (e instanceof AgentEvent.Stalled) {
      return "stalled";
    } else if (e instanceof AgentEvent.Reconfigured) {
      return "reconfigured";
    } else if (e instanceof AgentEvent.MoverClaimed) {
      return "mover-claimed";
    } else if (e instanceof AgentEvent.MoverFailed) {
      return "mover-failed";
    }
    throw new IllegalArgumentException("no notify name for " + e.getClass().getName());
  }

  private void details(AgentEvent e) {
    if (e instanceof AgentEvent.Acquired a) {
      vip(a.vip()).put("reason", a.reason());
    } else if (e instanceof AgentEvent.Released r) {
      vip(r.vip()).put("reason", r.reason());
    } else if (e instanceof AgentEvent.PeerUp p) {
      put("peer", p.nodeId()).put("incarnation", p.incarnation());
    } else if (e instanceof AgentEvent.PeerSuspect p) {
      put("peer", p.nodeId());
    } else if (e instanceof AgentEvent.PeerDown p) {
      put("peer", p.nodeId()).put("reason", p.left() ? "left" : "silent");
    } else if (e instanceof AgentEvent.QuorumLost q) {
      put("reachable", q.reachable()).put("required", q.required());
    } else if (e instanceof AgentEvent.QuorumRegained q) {
      put("reachable", q.reachable()).put("required", q.required());
    } else if (e instanceof AgentEvent.HealthChanged h) {
      put("check", h.check()).put("healthy", h.healthy()).put("priority", h.effectivePriority())
          .put("disqualified", h.disqualified()).put("reason", h.detail());
    } else if (e instanceof AgentEvent.FlapSuspended f) {
      put("suspendedNode", f.nodeId());
    } else if (e instanceof AgentEvent.BackendError b) {
      put("operation", b.operation());
      if (b.vip() != null) {
        vip(b.vip());
      }
      put("kind", b.error().kind().name()).put("reason", String.valueOf(b.error().getMessage()));
    } else if (e instanceof AgentEvent.DriftRepaired d) {
      vip(d.vip()).put("reason", d.what());
    } else if (e instanceof AgentEvent.Conflict c) {
      vip(c.vip()).put("peer", c.peer());
    } else if (e instanceof AgentEvent.Stalled s) {
      put("stallMs", s.nanos() / 1_000_000);
    } else if (e instanceof AgentEvent.Reconfigured r) {
      put("nodes", r.nodes()).put("vips", r.vips()).put("checks", r.checks());
    } else if (e instanceof AgentEvent.MoverClaimed m) {
      vip(m.vip()).put("outcome", m.outcome().name()).put("epoch", m.epoch())
          .put("attempt", m.attempts()).put("tookMs", m.tookNanos() / 1_000_000);
    } else if (e instanceof AgentEvent.MoverFailed m) {
      vip(m.vip()).put("operation", m.operation()).put("outcome", m.outcome().name())
          .put("attempt", m.attempt()).put("reason", m.detail());
    }
  }

  private Notice vip(VirtualIp vip) {
    return put("vip", vip.cidr()).put("interface", vip.interfaceName());
  }

  private Notice put(String key, Object value) {
    fields.put(key, value);
    return this;
  }

  String name() {
    return name;
  }

  long seq() {
    return seq;
  }

  /** The fields, in order. */
  Map<String, Object> fields() {
    return fields;
  }

  /** The JSON line, without its newline. */
  String json() {
    try {
      return JSON.writeValueAsString(fields);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + fields, e);
    }
  }

  /** The {@code VIPHA_*} variables. */
  Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    fields.forEach((k, v) -> {
      if (!k.equals("v")) {
        env.put(variable(k), String.valueOf(v));
      }
    });
    return env;
  }

  /** {@code VIPHA_} and {@code key} in upper case, camel-case words split by {@code _}. */
  static String variable(String key) {
    return "VIPHA_" + key.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
  }
}
