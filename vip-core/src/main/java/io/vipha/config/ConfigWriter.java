package io.vipha.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vipha.AnnouncePolicy;
import io.vipha.Exposure;
import io.vipha.FailoverPolicy;
import io.vipha.FlapLimit;
import io.vipha.Node;
import io.vipha.Quorum;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.health.Effect;
import io.vipha.health.HealthCheck;
import io.vipha.health.StatusCodes;
import io.vipha.internal.Addresses;
import io.vipha.internal.Durations;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Writes a configuration document: the fields in the order of the format's documentation,
 * required fields always, optional ones only when they differ from their defaults.
 */
final class ConfigWriter {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectWriter WRITER = new ObjectMapper().writer(printer());

  private ConfigWriter() {}

  private static DefaultPrettyPrinter printer() {
    DefaultIndenter indenter = new DefaultIndenter("  ", "\n"); // the same on every platform
    DefaultPrettyPrinter printer = new DefaultPrettyPrinter().withSeparators(
        Separators.createDefaultInstance()
            .withObjectFieldValueSpacing(Separators.Spacing.AFTER));
    printer.indentObjectsWith(indenter);
    printer.indentArraysWith(indenter);
    return printer;
  }

  static String toJson(VipConfig config) {
    ObjectNode root = NODES.objectNode();
    ArrayNode groups = root.putArray("groups");
    for (VipGroup g : config.groups()) {
      ObjectNode o = groups.addObject();
      group(g, o);
      DaemonSettings d = config.daemon(g.name());
      if (!d.isEmpty()) {
        daemon(d, o.putObject("daemon"));
      }
    }
    try {
      return WRITER.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e); // a tree of strings and numbers always serializes
    }
  }

  private static void group(VipGroup g, ObjectNode o) {
    o.put("name", g.name());
    o.put("mode", g.mode().name());
    ArrayNode vips = o.putArray("vips");
    for (VirtualIp v : g.vips()) {
      vip(v, vips.addObject());
    }
    ArrayNode nodes = o.putArray("nodes");
    for (Node n : g.nodes()) {
      node(n, nodes.addObject());
    }
    ObjectNode policy = policy(g.policy());
    if (!policy.isEmpty()) {
      o.set("policy", policy);
    }
  }

  private static void daemon(DaemonSettings d, ObjectNode o) {
    Path keyFile = d.keyFile();
    if (keyFile != null) {
      o.put("keyFile", keyFile.toString());
    }
    if (d.keyId() != DaemonSettings.DEFAULT_KEY_ID) {
      o.put("keyId", d.keyId());
    }
    DaemonSettings.Key accept = d.acceptKey();
    if (accept != null) {
      ObjectNode ak = o.putObject("acceptKey");
      ak.put("id", accept.id());
      ak.put("file", accept.file().toString());
    }
    DaemonSettings.Multicast m = d.multicast();
    if (m != null) {
      ObjectNode mo = o.putObject("multicast");
      mo.put("group", Addresses.text(m.group()));
      mo.put("interface", m.interfaceName());
    }
    Duration reconcile = d.reconcileInterval();
    if (reconcile != null) {
      o.put("reconcileInterval", Durations.format(reconcile));
    }
    Duration warmup = d.warmup();
    if (warmup != null) {
      o.put("warmup", Durations.format(warmup));
    }
    DaemonSettings.Realtime rt = d.realtime();
    if (!rt.equals(DaemonSettings.Realtime.DEFAULT)) {
      ObjectNode r = o.putObject("realtime");
      r.put("policy", rt.policy().text());
      r.put("priority", rt.priority());
      if (rt.lockMemory()) {
        r.put("lockMemory", true);
      }
    }
    if (!d.healthChecks().isEmpty()) {
      ArrayNode checks = o.putArray("healthChecks");
      for (HealthCheck c : d.healthChecks()) {
        healthCheck(c, checks.addObject());
      }
    }
    if (d.preferredLifetimeZero()) {
      o.put("preferredLifetimeZero", true);
    }
    effect(d.linkDown(), "linkDown", o);
    String stateFile = d.stateFile();
    if (stateFile != null) {
      o.put("stateFile", stateFile);
    }
    Path controlSocket = d.controlSocket();
    if (controlSocket != null) {
      o.put("controlSocket", controlSocket.toString());
    }
    DaemonSettings.Metrics metrics = d.metrics();
    if (metrics != null) {
      o.putObject("metrics").put("listen", Addresses.text(metrics.listen()));
    }
    if (!d.notifications().equals(NotifySettings.NONE)) {
      notifications(d.notifications(), o.putObject("notify"));
    }
    DaemonSettings.ZooKeeper zk = d.zookeeper();
    if (zk != null) {
      ObjectNode z = o.putObject("coordinator").putObject("zookeeper");
      z.put("connect", zk.connect());
      z.put("sessionTimeout", Durations.format(zk.sessionTimeout()));
      z.put("path", zk.path());
      Duration keep = zk.keepFor();
      z.put("onSessionLoss", keep == null ? "release" : "keep");
      if (keep != null) {
        z.put("keepFor", Durations.format(keep));
      }
    }
    if (!d.movers().isEmpty()) {
      ArrayNode movers = o.putArray("movers");
      for (DaemonSettings.Mover mv : d.movers()) {
        mover(mv, movers.addObject());
      }
    }
    DaemonSettings.Vrrp vrrp = d.vrrp();
    if (vrrp != null) {
      ObjectNode v = o.putObject("coordinator").putObject("vrrp");
      v.put("vrid", vrrp.vrid());
      String iface = vrrp.interfaceName();
      if (iface != null) {
        v.put("interface", iface);
      }
      if (vrrp.ipv4Checksum() != DaemonSettings.Vrrp.Ipv4Checksum.PSEUDO_HEADER) {
        v.put("ipv4Checksum", vrrp.ipv4Checksum().text());
      }
      if (!vrrp.unicastPeers().isEmpty()) {
        ArrayNode peers = v.putArray("unicastPeers");
        vrrp.unicastPeers().forEach(a -> peers.add(Addresses.text(a)));
      }
      if (vrrp.addressOwner()) {
        v.put("addressOwner", true);
      }
    }
  }

  /** A mover: its provider's fields as they were written (text, or JSON for lists and objects). */
  private static void mover(DaemonSettings.Mover m, ObjectNode o) {
    o.put("type", m.type());
    if (!m.vips().isEmpty()) {
      m.vips().forEach(a -> o.withArray("vips").add(Addresses.text(a)));
    }
    Duration timeout = m.timeout();
    if (timeout != null) {
      o.put("timeout", Durations.format(timeout));
    }
    m.settings().forEach((k, v) -> o.set(k, setting(v)));
  }

  /** A provider's field back as JSON: a list or an object as such, anything else as a string. */
  private static com.fasterxml.jackson.databind.JsonNode setting(String text) {
    if (text.startsWith("[") || text.startsWith("{")) {
      try {
        return new ObjectMapper().readTree(text);
      } catch (java.io.IOException e) {
        return NODES.textNode(text); // (a string that only looks like JSON)
      }
    }
    return NODES.textNode(text);
  }

  private static void notifications(NotifySettings n, ObjectNode o) {
    if (!n.hooks().isEmpty()) {
      ArrayNode hooks = o.putArray("hooks");
      for (NotifySettings.Hook h : n.hooks()) {
        ObjectNode ho = hooks.addObject();
        if (!h.events().isEmpty()) {
          h.events().forEach(ho.putArray("events")::add);
        }
        h.command().forEach(ho.putArray("command")::add);
        if (!h.timeout().equals(NotifySettings.Hook.DEFAULT_TIMEOUT)) {
          ho.put("timeout", Durations.format(h.timeout()));
        }
      }
    }
    if (n.fifo() != null) {
      o.put("fifo", String.valueOf(n.fifo()));
    }
    if (n.socket() != null) {
      o.put("socket", String.valueOf(n.socket()));
    }
    if (n.queueSize() != NotifySettings.DEFAULT_QUEUE_SIZE) {
      o.put("queueSize", n.queueSize());
    }
  }

  /** An effect that is not the default (disqualify): its weight. */
  private static void effect(Effect effect, String name, ObjectNode o) {
    if (effect.type() == Effect.Type.WEIGHT) {
      o.put(name, effect.weight());
    }
  }

  private static void healthCheck(HealthCheck c, ObjectNode o) {
    o.put("name", c.name());
    HealthCheck.Target t = c.target();
    if (t instanceof HealthCheck.Tcp tcp) {
      o.put("tcp", Addresses.text(tcp.address()));
    } else if (t instanceof HealthCheck.Http http) {
      o.put("http", http.url().toString());
      if (!http.expectStatus().equals(StatusCodes.ok())) {
        o.put("expectStatus", http.expectStatus().toString());
      }
    } else if (t instanceof HealthCheck.Exec exec) {
      ArrayNode words = o.putArray("exec");
      exec.command().forEach(words::add);
    } else {
      throw new IllegalArgumentException("health check " + c.name() + " probes with code ("
          + t + "); a configuration file can hold tcp, http and exec checks only");
    }
    if (!c.interval().equals(HealthCheck.DEFAULT_INTERVAL)) {
      o.put("interval", Durations.format(c.interval()));
    }
    if (!c.timeout().equals(HealthCheck.DEFAULT_TIMEOUT)) {
      o.put("timeout", Durations.format(c.timeout()));
    }
    if (c.rise() != HealthCheck.DEFAULT_RISE) {
      o.put("rise", c.rise());
    }
    if (c.fall() != HealthCheck.DEFAULT_FALL) {
      o.put("fall", c.fall());
    }
    effect(c.effect(), "effect", o);
  }

  private static void vip(VirtualIp v, ObjectNode o) {
    o.put("address", v.cidr());
    o.put("interface", v.interfaceName());
    if (v.exposure() != Exposure.PRIVATE) {
      o.put("exposure", v.exposure().name());
    }
    String label = v.label();
    if (label != null) {
      o.put("label", label);
    }
  }

  private static void node(Node n, ObjectNode o) {
    o.put("id", n.id());
    ArrayNode heartbeat = o.putArray("heartbeat");
    for (InetSocketAddress a : n.heartbeat()) {
      heartbeat.add(Addresses.text(a));
    }
    if (n.priority() != Node.DEFAULT_PRIORITY) {
      o.put("priority", n.priority());
    }
    if (n.weight() != 1) {
      o.put("weight", n.weight());
    }
    Integer capacity = n.capacity();
    if (capacity != null) {
      o.put("capacity", capacity);
    }
  }

  private static ObjectNode policy(FailoverPolicy p) {
    FailoverPolicy d = FailoverPolicy.defaults();
    ObjectNode o = NODES.objectNode();
    if (p.preempt() != d.preempt()) {
      o.put("preempt", p.preempt());
    }
    if (!p.preemptDelay().equals(d.preemptDelay())) {
      o.put("preemptDelay", Durations.format(p.preemptDelay()));
    }
    if (!p.holdDown().equals(d.holdDown())) {
      o.put("holdDown", Durations.format(p.holdDown()));
    }
    FlapLimit flap = p.flapLimit();
    if (!flap.equals(d.flapLimit())) {
      ObjectNode f = o.putObject("flapLimit");
      f.put("maxChanges", flap.maxChanges());
      f.put("window", Durations.format(flap.window()));
      if (flap.suspendFor() != null) {
        f.put("suspendFor", Durations.format(flap.suspendFor()));
      }
    }
    if (!p.heartbeatInterval().equals(d.heartbeatInterval())) {
      o.put("heartbeatInterval", Durations.format(p.heartbeatInterval()));
    }
    if (p.deadAfter() != d.deadAfter()) {
      o.put("deadAfter", p.deadAfter());
    }
    Quorum q = p.quorum();
    if (q.kind() == Quorum.Kind.SIZE) {
      o.put("quorum", q.size());
    } else if (!q.equals(d.quorum())) {
      o.put("quorum", q.toString());
    }
    if (p.noQuorum() != d.noQuorum()) {
      o.put("noQuorum", p.noQuorum().name());
    }
    AnnouncePolicy announce = p.announce();
    if (!announce.equals(d.announce())) {
      ObjectNode a = o.putObject("announce");
      a.put("count", announce.count());
      a.put("interval", Durations.format(announce.interval()));
      if (announce.refresh() != null) {
        a.put("refresh", Durations.format(announce.refresh()));
      }
    }
    if (!p.lease().equals(d.lease())) {
      o.put("lease", p.lease().toString());
    }
    return o;
  }
}
