package io.vipha.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import io.vipha.Node;
import io.vipha.ValidationException;
import io.vipha.ValidationException.Problem;
import io.vipha.health.Effect;
import io.vipha.health.HealthCheck;
import io.vipha.internal.Addresses;
import io.vipha.internal.Durations;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Reads the {@code "daemon"} object of a group: the keys, the multicast group, the reconcile
 * interval, the warm-up, the IPv6 preferred lifetime, the link-down effect, the control socket,
 * the health checks, the notifications and the real-time scheduling, reporting every problem
 * with its path.
 */
final class DaemonReader {
  static final List<String> DAEMON = List.of("keyFile", "keyId", "acceptKey", "multicast",
      "reconcileInterval", "healthChecks", "preferredLifetimeZero", "linkDown", "stateFile",
      "controlSocket", "metrics", "notify", "warmup", "coordinator", "movers", "realtime");
  static final List<String> COORDINATOR = List.of("zookeeper", "vrrp");
  static final List<String> VRRP = List.of("vrid", "interface", "ipv4Checksum", "unicastPeers",
      "addressOwner");
  static final List<String> ZOOKEEPER = List.of("connect", "sessionTimeout", "path",
      "onSessionLoss", "keepFor");
  static final List<String> ACCEPT_KEY = List.of("id", "file");
  static final List<String> NOTIFY = List.of("hooks", "fifo", "socket", "queueSize");
  static final List<String> HOOK = List.of("events", "command", "timeout");
  /** The longest path a Unix domain socket address holds on Linux ({@code sun_path} less NUL). */
  static final int MAX_SOCKET_PATH = 107;

  /** What is wrong with {@code path} as a Unix socket's path, or null when it fits. */
  static @Nullable String socketPathProblem(String path) {
    int bytes = path.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    return bytes <= MAX_SOCKET_PATH ? null : "is " + bytes + " bytes long; a Unix socket path"
        + " holds at most " + MAX_SOCKET_PATH + "; choose a shorter one";
  }
  static final List<String> MULTICAST = List.of("group", "interface");
  static final List<String> REALTIME = List.of("policy", "priority", "lockMemory");
  static final List<String> METRICS = List.of("listen");
  static final List<String> CHECK = List.of("name", "tcp", "http", "expectStatus", "exec",
      "interval", "timeout", "rise", "fall", "effect");
  /** The health check builder's paths for a target, as the file names them. */
  private static final Map<String, String> CHECK_TARGETS = Map.of("address", "tcp", "url",
      "http", "command", "exec");
  private static final String EFFECT_HINT = "use \"disqualify\" or a weight such as -20 (a"
      + " number)";

  private final ConfigProblems problems;
  private final MoverReader movers;

  DaemonReader(ConfigProblems problems) {
    this.problems = problems;
    this.movers = new MoverReader(problems, io.vipha.spi.MoverProvider.installed());
  }

  /** A group's daemon settings; null when something in them was reported. */
  @Nullable DaemonSettings daemon(Fields d) {
    int before = problems.count();
    String key = absolutePath(d, "keyFile", "/etc/vipha/web.key");
    Path keyFile = key == null ? null : Path.of(key);
    Integer keyId = keyId(d, "keyId");
    DaemonSettings.Key acceptKey = null;
    Fields ak = d.object("acceptKey", ACCEPT_KEY);
    if (ak != null) {
      acceptKey = acceptKey(ak, keyId != null ? keyId
          : d.node.get("keyId") == null ? DaemonSettings.DEFAULT_KEY_ID : null);
    }
    String stateFile = absolutePath(d, "stateFile", DaemonSettings.DEFAULT_STATE_FILE);
    if (stateFile != null) {
      String statePath = d.child("stateFile");
      String bare = stateFile.replace("{group}", "").replace("{node}", "");
      if (bare.contains("{") || bare.contains("}")) {
        problems.report(statePath, stateFile, "holds a placeholder other than {group} and"
            + " {node}");
      } else if (stateFile.endsWith("/")) {
        problems.report(statePath, stateFile, "names a directory; write a file, e.g. "
            + DaemonSettings.DEFAULT_STATE_FILE);
      }
    }
    String socket = absolutePath(d, "controlSocket", "/run/vipha/web-n1.sock");
    Path controlSocket = socket == null ? null : Path.of(socket);
    if (socket != null) {
      String tooLong = socketPathProblem(socket);
      if (tooLong != null) {
        problems.report(d.child("controlSocket"), socket, tooLong);
      }
    }
    DaemonSettings.Multicast multicast = null;
    Fields m = d.object("multicast", MULTICAST);
    if (m != null) {
      multicast = multicast(m);
    }
    DaemonSettings.Metrics metrics = null;
    Fields mf = d.object("metrics", METRICS);
    if (mf != null) {
      metrics = metrics(mf);
    }
    Duration reconcile = d.duration("reconcileInterval");
    if (reconcile != null && (reconcile.isNegative() || reconcile.isZero())) {
      problems.report(d.child("reconcileInterval"), Durations.format(reconcile),
          "is not positive; write e.g. 1s");
    }
    Duration warmup = d.duration("warmup");
    if (warmup != null && (warmup.isNegative()
        || warmup.compareTo(DaemonSettings.MAX_WARMUP) > 0)) {
      problems.report(d.child("warmup"), Durations.format(warmup), "is not 0-5min; write e.g. "
          + Durations.format(DaemonSettings.DEFAULT_WARMUP) + ", or 0s for no warm-up");
      warmup = null;
    }
    Boolean preferredZero = d.bool("preferredLifetimeZero");
    Effect[] linkDown = {DaemonSettings.DEFAULT_LINK_DOWN};
    String linkDownPath = d.child("linkDown");
    effect(d, "linkDown", w -> {
      try {
        linkDown[0] = Effect.weight(w);
      } catch (ValidationException e) {
        for (Problem p : e.problems()) {
          problems.report(linkDownPath, problems.scalars.get(linkDownPath), p.message());
        }
      }
    }, () -> linkDown[0] = Effect.disqualify());
    List<HealthCheck> checks = new ArrayList<>();
    d.objects("healthChecks", CHECK, "a health check", c -> {
      if (c != null) {
        HealthCheck check = healthCheck(c);
        if (check != null) {
          checks.add(check);
        }
      }
    });
    if (problems.count() == before) { // healthChecks[i] counts the checks built: all of them
      try {
        HealthCheck.requireUniqueNames(checks);
      } catch (ValidationException e) {
        problems.reportModel(e, d.path);
      }
    }
    NotifySettings notify = NotifySettings.NONE;
    Fields n = d.object("notify", NOTIFY);
    if (n != null) {
      notify = notify(n);
    }
    DaemonSettings.ZooKeeper zookeeper = null;
    DaemonSettings.Vrrp vrrp = null;
    Fields co = d.object("coordinator", COORDINATOR);
    if (co != null) {
      Fields z = co.object("zookeeper", ZOOKEEPER);
      Fields v = co.object("vrrp", VRRP);
      if (co.node.has("zookeeper") && co.node.has("vrrp")) {
        String p = co.child("vrrp");
        problems.report(p, null, "is set together with zookeeper; a group has one coordinator:"
            + " zookeeper, vrrp, or neither for heartbeats", problems.locateName(p));
      } else if (!co.node.has("zookeeper") && !co.node.has("vrrp")) {
        problems.report(co.path, null, "names no coordinator; write {\"zookeeper\": {\"connect\":"
            + " \"zk1:2181,zk2:2181,zk3:2181\"}} or {\"vrrp\": {\"vrid\": 51}}, or leave it out"
            + " for heartbeats");
      }
      if (z != null) {
        zookeeper = zookeeper(z);
      }
      if (v != null) {
        vrrp = vrrp(v);
      }
    }
    List<DaemonSettings.Mover> moverList = movers.movers(d);
    DaemonSettings.Realtime realtime = DaemonSettings.Realtime.DEFAULT;
    Fields rt = d.object("realtime", REALTIME);
    if (rt != null) {
      realtime = realtime(rt);
    }
    if (problems.count() != before || notify == null || realtime == null) {
      return null;
    }
    return new DaemonSettings(keyFile, multicast, reconcile, checks,
        preferredZero != null && preferredZero, linkDown[0], stateFile,
        controlSocket, metrics, notify, keyId == null ? DaemonSettings.DEFAULT_KEY_ID : keyId,
        acceptKey, warmup, zookeeper, vrrp, moverList, realtime);
  }

  /** The one of {@code values} that the file writes as {@code written}, or null. */
  private static <E> @Nullable E byText(E[] values, Function<E, String> text, String written) {
    for (E v : values) {
      if (text.apply(v).equals(written)) {
        return v;
      }
    }
    return null;
  }

  /** The real-time scheduling; null when something in it was reported. */
  private DaemonSettings.@Nullable Realtime realtime(Fields r) {
    int before = problems.count();
    DaemonSettings.Realtime.Policy policy = DaemonSettings.Realtime.Policy.AUTO;
    String text = r.string("policy");
    if (text != null) {
      policy = byText(DaemonSettings.Realtime.Policy.values(),
          DaemonSettings.Realtime.Policy::text, text);
      if (policy == null) {
        problems.report(r.child("policy"), text, "is not a scheduling policy; use \"auto\" (RR"
            + " where permitted, the default), \"rr\", \"fifo\" or \"off\"");
      }
    }
    Integer priority = r.integer("priority");
    if (priority != null && (priority < DaemonSettings.Realtime.MIN_PRIORITY
        || priority > DaemonSettings.Realtime.MAX_PRIORITY)) {
      problems.report(r.child("priority"), String.valueOf(priority), "is not a real-time"
          + " priority; use " + DaemonSettings.Realtime.MIN_PRIORITY + "-"
          + DaemonSettings.Realtime.MAX_PRIORITY + ", e.g. "
          + DaemonSettings.Realtime.DEFAULT_PRIORITY);
    }
    Boolean lock = r.bool("lockMemory");
    if (problems.count() != before || policy == null) {
      return null;
    }
    return new DaemonSettings.Realtime(policy,
        priority == null ? DaemonSettings.Realtime.DEFAULT_PRIORITY : priority,
        lock != null && lock);
  }

  /** Field {@code name} of {@code o} as a key id, reported unless 0–255; null when absent. */
  private @Nullable Integer keyId(Fields o, String name) {
    Integer id = o.integer(name);
    if (id != null && (id < 0 || id > DaemonSettings.Key.MAX_ID)) {
      problems.report(o.child(name), String.valueOf(id), "is not a key id; write 0-"
          + DaemonSettings.Key.MAX_ID + " (heartbeats carry it in one byte)");
      return null;
    }
    return id;
  }

  /**
   * The accepted key; both fields required, its id not the signing key's {@code keyId} (null
   * when that was reported).
   */
  private DaemonSettings.@Nullable Key acceptKey(Fields k, @Nullable Integer keyId) {
    Integer id = keyId(k, "id");
    if (id == null && k.node.get("id") == null) {
      problems.report(k.child("id"), null, "is required; the id of the accepted key, e.g."
          + " \"id\": 2");
    } else if (id != null && id.equals(keyId)) {
      problems.report(k.child("id"), String.valueOf(id), "is the signing key's id (keyId "
          + keyId + "); every key needs its own id");
      id = null;
    }
    String file = absolutePath(k, "file", "/etc/vipha/web-2.key");
    if (file == null && k.node.get("file") == null) {
      problems.report(k.child("file"), null, "is required; the accepted key's file, e.g."
          + " \"file\": \"/etc/vipha/web-2.key\"");
    }
    return id == null || file == null ? null : new DaemonSettings.Key(id, Path.of(file));
  }

  /** The notify object; null when something in it was reported. */
  private @Nullable NotifySettings notify(Fields n) {
    NotifySettings.Builder b = NotifySettings.builder();
    String fifo = absolutePath(n, "fifo", "/run/vipha/web.events");
    String socket = absolutePath(n, "socket", "/run/vipha/web-events.sock");
    b.fifo(fifo == null ? null : Path.of(fifo)).socket(socket == null ? null : Path.of(socket));
    n.integer("queueSize", b::queueSize);
    n.objects("hooks", HOOK, "a hook", h -> {
      NotifySettings.Hook.Builder hook = NotifySettings.Hook.builder();
      if (h != null) {
        hook.command(words(h, "command", "a word of the command, e.g."
            + " \"/usr/local/bin/vip-changed\""));
        if (h.node.has("events")) {
          hook.events(words(h, "events", "an event name, e.g. \"acquired\""));
        }
        h.duration("timeout", hook::timeout);
        b.hook(hook);
      } else { // reported; a stand-in keeps the later hooks' indexes
        b.hook(hook.command(List.of("/")));
      }
    });
    try {
      return b.build();
    } catch (ValidationException e) {
      problems.reportModel(e, n.path);
      return null;
    }
  }

  /** A list of strings; an element that is not a string (reported) stands as "". */
  private static List<String> words(Fields o, String name, String what) {
    List<String> words = new ArrayList<>();
    o.strings(name, what, w -> words.add(w == null ? "" : w));
    return words;
  }

  /**
   * The string field {@code name} of {@code d}, reported unless it is a valid absolute path;
   * null when absent or invalid.
   */
  private @Nullable String absolutePath(Fields d, String name, String example) {
    String text = d.string(name);
    String path = d.child(name);
    if (text == null) {
      return null;
    }
    try {
      if (!Path.of(text).isAbsolute()) {
        problems.report(path, text, "is not an absolute path; write e.g. " + example);
      }
      return text;
    } catch (InvalidPathException e) {
      problems.report(path, text, "is not a valid path: " + e.getReason());
      return null;
    }
  }

  private DaemonSettings.@Nullable Multicast multicast(Fields m) {
    String group = m.string("group");
    String iface = m.string("interface");
    String groupPath = m.child("group");
    InetSocketAddress address = null;
    if (group != null) {
      address = Addresses.parseEndpoint(group.trim(), Node.DEFAULT_HEARTBEAT_PORT);
      if (address == null || !address.getAddress().isMulticastAddress()) {
        problems.report(groupPath, group, "is not a multicast address with an optional port;"
            + " write e.g. 239.255.86.1:7405 or [ff02::86]:7405");
        address = null;
      }
    } else if (m.node.get("group") == null) {
      problems.report(groupPath, null, "is required; write e.g. \"group\":"
          + " \"239.255.86.1:7405\"");
    }
    String ifacePath = m.child("interface");
    if (iface == null && m.node.get("interface") == null) {
      problems.report(ifacePath, null, "is required; name the interface to join the group on,"
          + " e.g. \"interface\": \"eth0\"");
    } else if (iface != null && iface.isBlank()) {
      problems.report(ifacePath, iface, "is empty; name the interface, e.g. eth0");
      iface = null;
    }
    return address == null || iface == null ? null
        : new DaemonSettings.Multicast(address, iface);
  }

  /** The ZooKeeper coordinator's settings; null when something in them was reported. */
  private DaemonSettings.@Nullable ZooKeeper zookeeper(Fields z) {
    int before = problems.count();
    String connect = z.string("connect");
    if (connect == null || connect.isBlank()) {
      problems.report(z.child("connect"), connect, "is required; write the ensemble's connect"
          + " string, e.g. \"zk1:2181,zk2:2181,zk3:2181\"");
    }
    Duration session = z.duration("sessionTimeout");
    if (session != null && (session.compareTo(Duration.ofSeconds(1)) < 0
        || session.compareTo(Duration.ofMinutes(10)) > 0)) {
      problems.report(z.child("sessionTimeout"), Durations.format(session), "is out of range;"
          + " use 1s-10m, e.g. 6s");
    }
    String path = z.string("path");
    if (path != null && (!path.startsWith("/") || (path.length() > 1 && path.endsWith("/")))) {
      problems.report(z.child("path"), path, "must start with / and not end with /, e.g."
          + " /vipha");
    }
    String loss = z.string("onSessionLoss");
    if (loss != null && !loss.equals("release") && !loss.equals("keep")) {
      problems.report(z.child("onSessionLoss"), loss, "is not a choice; use \"release\""
          + " (safe) or \"keep\" (available)");
    }
    Duration keepFor = z.duration("keepFor");
    if (keepFor != null && !"keep".equals(loss)) {
      problems.report(z.child("keepFor"), Durations.format(keepFor), "applies only with"
          + " \"onSessionLoss\": \"keep\"");
    } else if (keepFor != null && (keepFor.isNegative()
        || keepFor.compareTo(Duration.ofHours(1)) > 0)) {
      problems.report(z.child("keepFor"), Durations.format(keepFor), "is out of range; use"
          + " 0s-1h");
    }
    if (problems.count() != before || connect == null) {
      return null;
    }
    return new DaemonSettings.ZooKeeper(connect,
        session == null ? DaemonSettings.ZooKeeper.DEFAULT_SESSION : session,
        path == null ? DaemonSettings.ZooKeeper.DEFAULT_PATH : path,
        "keep".equals(loss) ? (keepFor == null ? Duration.ZERO : keepFor) : null);
  }

  /**
   * The VRRP virtual router's own fields; null when something in them was reported. What depends
   * on the group (its mode, VIPs and timing) is checked by {@link VrrpRules}.
   */
  private DaemonSettings.@Nullable Vrrp vrrp(Fields v) {
    int before = problems.count();
    Integer vrid = v.integer("vrid");
    if (vrid == null && v.node.get("vrid") == null) {
      problems.report(v.child("vrid"), null, "is required; the virtual router's id, 1-"
          + DaemonSettings.Vrrp.MAX_VRID + ", the same on every router of the group, e.g."
          + " \"vrid\": 51");
    } else if (vrid != null && (vrid < 1 || vrid > DaemonSettings.Vrrp.MAX_VRID)) {
      problems.report(v.child("vrid"), String.valueOf(vrid), "is not a VRID; use 1-"
          + DaemonSettings.Vrrp.MAX_VRID + " (advertisements carry it in one byte; 0 is not"
          + " one)");
    }
    String iface = v.string("interface");
    if (iface != null && (iface.isBlank() || iface.length() > 15)) {
      problems.report(v.child("interface"), iface, "is not an interface name; name one of 1-15"
          + " characters, e.g. eth0, or leave it out for the VIPs' interface");
    }
    DaemonSettings.Vrrp.Ipv4Checksum checksum = DaemonSettings.Vrrp.Ipv4Checksum.PSEUDO_HEADER;
    String form = v.string("ipv4Checksum");
    if (form != null) {
      checksum = byText(DaemonSettings.Vrrp.Ipv4Checksum.values(),
          DaemonSettings.Vrrp.Ipv4Checksum::text, form);
      if (checksum == null) {
        problems.report(v.child("ipv4Checksum"), form, "is not a checksum form; use"
            + " \"pseudo-header\" (RFC 5798, keepalived's default) or \"message-only\" (RFC"
            + " 9568, keepalived's v3_checksum_as_v2, Cisco, Juniper)");
      }
    }
    List<@Nullable InetAddress> listed = new ArrayList<>();
    String peersPath = v.child("unicastPeers");
    v.strings("unicastPeers", "a peer's IP address, e.g. \"192.0.2.12\"", text -> {
      String p = peersPath + "[" + listed.size() + "]";
      InetAddress a = text == null ? null : Addresses.parseIp(text.trim());
      if (text != null && (a == null || a.isMulticastAddress() || a.isAnyLocalAddress())) {
        problems.report(p, text, "is not a peer's unicast IP address; write e.g. 192.0.2.12 or"
            + " 2001:db8::12 (no host names)");
        a = null;
      } else if (a != null && listed.contains(a)) {
        problems.report(p, text, "repeats unicastPeers[" + listed.indexOf(a) + "]; list each"
            + " peer once");
        a = null;
      }
      listed.add(a);
    });
    List<InetAddress> peers = new ArrayList<>();
    for (InetAddress a : listed) {
      if (a != null) {
        peers.add(a);
      }
    }
    Boolean owner = v.bool("addressOwner");
    if (problems.count() != before || vrid == null || checksum == null) {
      return null;
    }
    return new DaemonSettings.Vrrp(vrid, iface, checksum, peers, owner != null && owner);
  }

  /** The metrics endpoint: an IP address and a port, never a host name. */
  private DaemonSettings.@Nullable Metrics metrics(Fields m) {
    String listen = m.string("listen");
    String path = m.child("listen");
    if (listen == null) {
      if (m.node.get("listen") == null) {
        problems.report(path, null, "is required; write e.g. \"listen\": \"127.0.0.1:"
            + DaemonSettings.Metrics.DEFAULT_PORT + "\"");
      }
      return null;
    }
    String text = listen.trim();
    int colon = text.lastIndexOf(':');
    String port = colon < 0 ? "" : text.substring(colon + 1);
    boolean hasPort = colon >= 0 && !port.isEmpty() && !text.endsWith("]")
        && (text.startsWith("[") || text.indexOf(':') == colon);
    if (hasPort && port.chars().allMatch(c -> c >= '0' && c <= '9')
        && (port.length() > 5 || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535)) {
      problems.report(path, listen, "has port " + port + ", outside 1-65535; write e.g. 127.0.0.1:"
          + DaemonSettings.Metrics.DEFAULT_PORT);
      return null;
    }
    InetSocketAddress address = hasPort ? Addresses.parseEndpoint(text, 0) : null;
    if (address == null) {
      problems.report(path, listen, "is not an IP address with a port; write e.g. 127.0.0.1:"
          + DaemonSettings.Metrics.DEFAULT_PORT + " or [::1]:" + DaemonSettings.Metrics.DEFAULT_PORT
          + " (no host names)");
      return null;
    }
    return new DaemonSettings.Metrics(address);
  }

  /**
   * Field {@code name} written as an effect: a weight (a number, handed to {@code weight}) or
   * {@code "disqualify"}; anything else is reported.
   */
  private void effect(Fields o, String name, IntConsumer weight, Runnable disqualify) {
    JsonNode effect = o.node.get(name);
    String path = o.child(name);
    if (effect == null) {
      return;
    }
    if (effect.isNumber()) {
      o.integer(name, weight);
    } else if (problems.expect(effect, path, JsonNodeType.STRING, "\"disqualify\" or a weight"
        + " such as -20")) {
      if (effect.textValue().equalsIgnoreCase("disqualify")) {
        disqualify.run();
      } else {
        problems.report(path, effect.textValue(), "is not an effect; " + EFFECT_HINT);
      }
    }
  }

  private @Nullable HealthCheck healthCheck(Fields c) {
    HealthCheck.Builder b = HealthCheck.builder();
    c.string("name", b::name);
    List<String> targets = new ArrayList<>();
    for (String t : List.of("tcp", "http", "exec")) {
      if (c.node.has(t)) {
        targets.add(t);
      }
    }
    if (targets.size() > 1) {
      String p = c.child(targets.get(1));
      problems.report(p, null, "is set together with " + targets.get(0) + "; a check probes one"
          + " target: tcp, http or exec", problems.locateName(p));
      return null;
    }
    c.string("tcp", b::tcp);
    c.string("http", b::http);
    List<String> command = words(c, "exec", "a word of the command, e.g."
        + " \"/usr/local/bin/check-db\"");
    if (c.node.has("exec")) {
      b.exec(command);
    }
    c.string("expectStatus", b::expectStatus);
    c.duration("interval", b::interval);
    c.duration("timeout", b::timeout);
    c.integer("rise", b::rise);
    c.integer("fall", b::fall);
    effect(c, "effect", b::weight, b::disqualify);
    try {
      return b.build();
    } catch (ValidationException e) {
      for (Problem p : e.problems()) {
        String path = p.path();
        int dot = path.indexOf('.');
        String head = dot < 0 ? path : path.substring(0, dot);
        String renamed = CHECK_TARGETS.get(head);
        if (renamed != null) {
          path = renamed + (dot < 0 ? "" : path.substring(dot));
        } else if (head.equals("kind")) {
          path = "";
          p = new Problem(path, null, "names no target; probe with tcp, http or exec");
        }
        problems.reportModel(new Problem(path, p.value(), p.message()).under(c.path));
      }
      return null;
    }
  }
}
