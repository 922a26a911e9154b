package io.vipha.vipd;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vipha.VipGroup;
import io.vipha.config.DaemonSettings;
import io.vipha.config.VipConfig;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a reload changes: the running group and daemon settings against the ones read again,
 * field by field as the configuration file names them (VIPs by address, nodes by id, health
 * checks by name), each change one line; and which of them need a restart.
 *
 * <p>Live: the VIPs, the nodes (peers added or removed, their addresses, every priority, weight
 * and capacity), the policy (timers, preemption, quorum, announcements, lease, flap limit), the
 * health checks, the notify hooks and the keys (compared by {@link KeySet}, not here). A restart
 * is needed for what identifies the node's role or was bound or opened at start: {@link
 * #RESTART}.
 */
final class ConfigDiff {
  /** The fields whose change needs a restart, each with why. */
  static final Map<String, String> RESTART = restart();

  /** The list fields whose elements are matched by a key field rather than by position. */
  private static final Map<String, String> KEYED = Map.of("vips", "address", "nodes", "id",
      "healthChecks", "name");

  /** The daemon fields that {@link KeySet} compares (by the keys' bytes, not their paths). */
  private static final List<String> KEY_FIELDS = List.of("keyFile", "keyId", "acceptKey");

  /**
   * The changes, one line each, and the problems: each change that needs a restart.
   *
   * @param changes every change, in the file's order
   * @param restart the changes that need a restart, each saying why
   */
  record Result(List<String> changes, List<String> restart) {}

  private ConfigDiff() {}

  private static Map<String, String> restart() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("name", "vipd runs one group, which its peers know by name");
    m.put("mode", "the mode is the node's role in the group");
    m.put("daemon.multicast", "the heartbeat socket joins the multicast group at start");
    m.put("daemon.reconcileInterval", "the agent's reconcile timer is set at start");
    m.put("daemon.linkDown", "the agent's link watch is set at start");
    m.put("daemon.warmup", "the warm-up runs once, at start");
    m.put("daemon.preferredLifetimeZero", "the address backend is opened with it");
    m.put("daemon.stateFile", "the node state file is opened at start");
    m.put("daemon.controlSocket", "the control socket is bound at start");
    m.put("daemon.metrics", "the metrics endpoint is bound at start");
    m.put("daemon.coordinator", "the coordinator is chosen at start"); // named: coordinator()
    m.put("daemon.notify.fifo", "the notify FIFO is opened at start");
    m.put("daemon.notify.socket", "the notify socket is connected at start");
    m.put("daemon.notify.queueSize", "the notify queues are made at start");
    m.put("daemon.movers", "the address movers are created at start");
    m.put("daemon.realtime", "the event loop and the receive and watch threads are made at"
        + " start");
    return Map.copyOf(m);
  }

  /**
   * The changes from {@code running} to {@code next} for node {@code node}. {@code
   * socketFromCommandLine}: the control socket is {@code --control-socket}, so {@code
   * daemon.controlSocket} does not matter.
   */
  static Result of(VipGroup running, DaemonSettings runningDaemon, VipGroup next,
      DaemonSettings nextDaemon, String node, boolean socketFromCommandLine) {
    List<String[]> found = new ArrayList<>();
    diff("", tree(running, runningDaemon), tree(next, nextDaemon), false, found);
    List<String> changes = new ArrayList<>();
    List<String> restart = new ArrayList<>();
    String selfHeartbeat = "nodes[" + node + "].heartbeat";
    for (String[] c : found) {
      String path = c[0];
      changes.add(c[1]);
      if (socketFromCommandLine && under(path, "daemon.controlSocket")) {
        continue;
      }
      String why = null;
      for (Map.Entry<String, String> e : RESTART.entrySet()) {
        if (under(path, e.getKey())) {
          why = e.getValue();
        }
      }
      if (under(path, "daemon.coordinator")) {
        why = coordinator(runningDaemon, nextDaemon);
      }
      if (under(path, selfHeartbeat)) {
        why = "this node's heartbeat socket is bound to its addresses at start";
      }
      if (why != null) {
        restart.add(c[1] + " needs a restart (" + why + ")");
      }
    }
    return new Result(changes, restart);
  }

  /** Why a change of {@code daemon.coordinator} needs a restart, naming the kinds. */
  private static String coordinator(DaemonSettings running, DaemonSettings next) {
    String was = kind(running);
    String is = kind(next);
    if (!was.equals(is)) {
      return "the coordinator is chosen at start: " + was + " -> " + is;
    }
    return switch (is) {
      case "ZooKeeper" -> "the ZooKeeper session is connected at start";
      case "VRRP" -> "the VRRP router is set up at start";
      default -> "the heartbeat coordinator is set up at start";
    };
  }

  /** The kind of coordinator {@code d} chooses, as the restart message names it. */
  private static String kind(DaemonSettings d) {
    return d.zookeeper() != null ? "ZooKeeper" : d.vrrp() != null ? "VRRP" : "heartbeat";
  }

  /** Whether {@code path} is {@code field} or inside it. */
  private static boolean under(String path, String field) {
    return path.equals(field) || path.startsWith(field + ".") || path.startsWith(field + "[");
  }

  /** The group and its daemon settings (keys aside) as the configuration file writes them. */
  private static ObjectNode tree(VipGroup g, DaemonSettings d) {
    String json = new VipConfig(List.of(g), Map.of(g.name(), d)).toJson();
    try {
      ObjectNode group = (ObjectNode) ControlProtocol.JSON.readTree(json).path("groups").get(0);
      JsonNode daemon = group.get("daemon");
      if (daemon instanceof ObjectNode o) {
        o.remove(KEY_FIELDS);
      }
      return group;
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Adds each difference of {@code a} and {@code b} under {@code path}: {path, line}. A field
   * that the file leaves out has its default; a list {@code element} that is missing was added
   * or removed.
   */
  private static void diff(String path, @Nullable JsonNode a, @Nullable JsonNode b,
      boolean element, List<String[]> out) {
    if (a == null && b == null || a != null && a.equals(b)) {
      return;
    }
    if (!element && !RESTART.containsKey(path)) { // an object left out: its fields' defaults
      if (a == null && b != null && b.isObject()) {
        a = JsonNodeFactory.instance.objectNode();
      } else if (b == null && a != null && a.isObject()) {
        b = JsonNodeFactory.instance.objectNode();
      }
    }
    if (a != null && b != null && a.isObject() && b.isObject()) {
      Set<String> names = new LinkedHashSet<>(); // the writer's order, removed fields last
      b.fieldNames().forEachRemaining(names::add);
      a.fieldNames().forEachRemaining(names::add);
      for (String n : names) {
        diff(path.isEmpty() ? n : path + "." + n, a.get(n), b.get(n), false, out);
      }
      return;
    }
    String field = path.substring(path.lastIndexOf('.') + 1);
    if (a != null && b != null && a.isArray() && b.isArray()
        && (KEYED.containsKey(field) || objects(a) && objects(b))) {
      Map<String, JsonNode> before = elements(a, KEYED.get(field));
      Map<String, JsonNode> after = elements(b, KEYED.get(field));
      Set<String> keys = new LinkedHashSet<>(before.keySet());
      keys.addAll(after.keySet());
      for (String k : keys) {
        diff(path + "[" + k + "]", before.get(k), after.get(k), true, out);
      }
      return;
    }
    String line = element && a == null ? path + ": added " + text(b)
        : element && b == null ? path + ": removed" : path + ": " + text(a) + " -> " + text(b);
    out.add(new String[] {path, line});
  }

  private static boolean objects(JsonNode array) {
    for (JsonNode e : array) {
      if (!e.isObject()) {
        return false;
      }
    }
    return true;
  }

  /** A list's elements by {@code key}'s value, or by position when {@code key} is null. */
  private static Map<String, JsonNode> elements(JsonNode array, @Nullable String key) {
    Map<String, JsonNode> m = new LinkedHashMap<>();
    int i = 0;
    for (Iterator<JsonNode> it = array.elements(); it.hasNext(); i++) {
      JsonNode e = it.next();
      m.put(key == null ? String.valueOf(i) : e.path(key).asText(String.valueOf(i)), e);
    }
    return m;
  }

  private static String text(@Nullable JsonNode v) {
    return v == null ? "default" : v.isTextual() ? v.textValue() : v.toString();
  }
}
