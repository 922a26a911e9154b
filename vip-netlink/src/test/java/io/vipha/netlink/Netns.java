package io.vipha.netlink;

import static io.vipha.testkit.Commands.run;

import io.vipha.testkit.Privileged;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Network namespaces and veth pairs for one test, named {@code vnl-PID-N} so that parallel runs
 * never collide; {@link #close()} deletes every namespace it made (and with them their
 * interfaces), even when the test failed. Needs root: call {@link
 * Privileged#requireNetworkNamespaces()} first.
 */
public final class Netns implements AutoCloseable {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private final List<String> made = new ArrayList<>();

  /** A new namespace with loopback up and IPv6 duplicate address detection off. */
  public String create() {
    String name = "vnl-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
    run("ip", "netns", "add", name);
    made.add(name);
    run("ip", "-n", name, "link", "set", "lo", "up");
    run("ip", "netns", "exec", name, "sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0");
    run("ip", "netns", "exec", name, "sysctl", "-q", "-w", "net.ipv6.conf.default.accept_dad=0");
    return name;
  }

  /**
   * A new namespace whose interface {@code v0} is a veth whose peer {@code p0} is up in a second
   * namespace: the smallest host with a working Ethernet interface.
   */
  public String hostWithV0() {
    String ns = create();
    veth(ns, "v0", create(), "p0");
    return ns;
  }

  /** A veth pair, {@code a} in {@code nsA} and {@code b} in {@code nsB}, both up. */
  public void veth(String nsA, String a, String nsB, String b) {
    run("ip", "-n", nsA, "link", "add", a, "type", "veth", "peer", "name", b, "netns", nsB);
    run("ip", "-n", nsA, "link", "set", a, "up");
    run("ip", "-n", nsB, "link", "set", b, "up");
  }

  /**
   * One Ethernet segment: a bridge in a namespace of its own, and for every {@code {namespace,
   * interface}} pair a veth whose end in that namespace has that name.
   */
  public void segment(String[]... hosts) {
    String sw = create();
    run("ip", "-n", sw, "link", "add", "br0", "type", "bridge");
    run("ip", "-n", sw, "link", "set", "br0", "up");
    for (int i = 0; i < hosts.length; i++) {
      String port = "port" + i;
      veth(hosts[i][0], hosts[i][1], sw, port);
      run("ip", "-n", sw, "link", "set", port, "master", "br0");
    }
  }

  /**
   * A host with interface {@code v0} at 192.0.2.11/24 and one with {@code k0} at 192.0.2.12/24 on
   * one segment, as a vipha node and a keepalived node: their namespaces, in that order.
   */
  public String[] viphaAndKeepalived() {
    String vipha = create();
    String keepalived = create();
    segment(new String[] {vipha, "v0"}, new String[] {keepalived, "k0"});
    run("ip", "-n", vipha, "addr", "add", "192.0.2.11/24", "dev", "v0");
    run("ip", "-n", keepalived, "addr", "add", "192.0.2.12/24", "dev", "k0");
    return new String[] {vipha, keepalived};
  }

  /** {@code ip -n NS -j addr show dev IFACE}: the interface's addresses ({@code addr_info}). */
  @SuppressWarnings("unchecked")
  List<Map<String, Object>> addresses(String ns, String iface) {
    List<Map<String, Object>> links = Json.array(run("ip", "-n", ns, "-j", "addr", "show", "dev",
        iface));
    if (links.isEmpty()) {
      return List.of();
    }
    return (List<Map<String, Object>>) Objects.requireNonNull(links.get(0).get("addr_info"));
  }

  /** The address entry for {@code ip} on {@code iface}, or null. */
  @org.jspecify.annotations.Nullable Map<String, Object> address(String ns, String iface,
      String ip) {
    for (Map<String, Object> a : addresses(ns, iface)) {
      if (ip.equals(a.get("local"))) {
        return a;
      }
    }
    return null;
  }

  /** The address entry for {@code ip} on {@code iface}; fails when there is none. */
  Map<String, Object> requireAddress(String ns, String iface, String ip) {
    Map<String, Object> a = address(ns, iface, ip);
    if (a == null) {
      throw new AssertionError(ip + " is not on " + iface + " in " + ns + ": "
          + addresses(ns, iface));
    }
    return a;
  }

  /** The IPv6 link-local address of {@code iface}, as {@code ip} prints it. */
  public String linkLocal(String ns, String iface) {
    for (Map<String, Object> a : addresses(ns, iface)) {
      if ("inet6".equals(a.get("family")) && "link".equals(a.get("scope"))) {
        return (String) Objects.requireNonNull(a.get("local"));
      }
    }
    throw new AssertionError(iface + " in " + ns + " has no link-local address: "
        + addresses(ns, iface));
  }

  /** The frames {@code iface} in {@code ns} has sent, by its transmit counter. */
  public static long sent(String ns, String iface) {
    return Long.parseLong(run("ip", "netns", "exec", ns, "cat",
        "/sys/class/net/" + iface + "/statistics/tx_packets").trim());
  }

  /** The MAC address of {@code iface}. */
  String mac(String ns, String iface) {
    return (String) Objects.requireNonNull(Json.array(run("ip", "-n", ns, "-j", "link", "show",
        "dev", iface)).get(0).get("address"));
  }

  @Override
  public void close() {
    List<String> problems = new ArrayList<>();
    for (String ns : made) {
      String failure = Privileged.run(List.of("ip", "netns", "del", ns));
      if (failure != null) {
        problems.add(failure);
      }
    }
    made.clear();
    if (!problems.isEmpty()) {
      throw new AssertionError("could not remove the test namespaces: " + problems);
    }
  }
}
