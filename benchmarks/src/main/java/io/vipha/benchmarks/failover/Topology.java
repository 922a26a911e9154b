package io.vipha.benchmarks.failover;

import java.util.ArrayList;
import java.util.List;

/**
 * The test network, made and removed by the harness: a namespace {@code fb-PID-sw} holding a
 * Linux bridge (the switch), node namespaces {@code fb-PID-n1..n3} and a client namespace
 * {@code fb-PID-c}, each joined to the switch by a veth pair whose node end is {@code eth0} and
 * whose switch end is {@code p-NAME}. Node {@code i} has 192.0.2.i/24, 198.51.100.i/24 (its
 * heartbeat address) and 2001:db8::i/64; the client has 192.0.2.100/24 and 2001:db8::100/64;
 * the VIPs are {@value #VIP4}/24 and {@value #VIP6}/64. Duplicate address detection is off and
 * IPv6 addresses are kept on a link that goes down.
 */
final class Topology implements AutoCloseable {
  static final String PREFIX = "fb-";
  static final String VIP4 = "192.0.2.10";
  static final String VIP6 = "2001:db8::10";
  static final String VIP4_CIDR = VIP4 + "/24";
  static final String VIP6_CIDR = VIP6 + "/64";

  final String sw;
  final String client;
  final List<String> nodes = new ArrayList<>();
  private final List<String> made = new ArrayList<>();

  Topology(int nodeCount) {
    removeLeftovers();
    String base = PREFIX + ProcessHandle.current().pid() + "-";
    sw = namespace(base + "sw");
    Sh.run("ip", "-n", sw, "link", "add", "br0", "type", "bridge");
    Sh.run("ip", "-n", sw, "link", "set", "br0", "up");
    try {
      for (int i = 1; i <= nodeCount; i++) {
        String ns = namespace(base + "n" + i);
        nodes.add(ns);
        join(ns, "n" + i);
        Sh.run("ip", "-n", ns, "addr", "add", "192.0.2." + i + "/24", "dev", "eth0");
        Sh.run("ip", "-n", ns, "addr", "add", "198.51.100." + i + "/24", "dev", "eth0");
        Sh.run("ip", "-n", ns, "addr", "add", "2001:db8::" + i + "/64", "dev", "eth0");
      }
      client = namespace(base + "c");
      join(client, "c");
      Sh.run("ip", "-n", client, "addr", "add", "192.0.2.100/24", "dev", "eth0");
      Sh.run("ip", "-n", client, "addr", "add", "2001:db8::100/64", "dev", "eth0");
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** The node name ({@code n1}) of node index {@code i} (0-based). */
  static String nodeName(int i) {
    return "n" + (i + 1);
  }

  /** The switch port of node index {@code i}. */
  static String port(int i) {
    return "p-" + nodeName(i);
  }

  private String namespace(String name) {
    Sh.run("ip", "netns", "add", name);
    made.add(name);
    Sh.run("ip", "-n", name, "link", "set", "lo", "up");
    for (String scope : new String[] {"all", "default"}) {
      Sh.run("ip", "netns", "exec", name, "sysctl", "-q", "-w",
          "net.ipv6.conf." + scope + ".accept_dad=0");
      // A link that goes down keeps its IPv6 addresses, as IPv4 ones are kept.
      Sh.run("ip", "netns", "exec", name, "sysctl", "-q", "-w",
          "net.ipv6.conf." + scope + ".keep_addr_on_down=1");
    }
    return name;
  }

  private void join(String ns, String label) {
    Sh.run("ip", "-n", sw, "link", "add", "p-" + label, "type", "veth", "peer", "name", "eth0",
        "netns", ns);
    Sh.run("ip", "-n", sw, "link", "set", "p-" + label, "master", "br0");
    Sh.run("ip", "-n", sw, "link", "set", "p-" + label, "up");
    Sh.run("ip", "-n", ns, "link", "set", "eth0", "up");
  }

  /**
   * Deletes namespaces named {@code fb-PID-…} whose harness process {@code PID} is gone: what a
   * killed run left behind. Never touches another prefix or a live run's namespaces.
   */
  static void removeLeftovers() {
    for (String line : Sh.run("ip", "netns", "list").split("\n")) {
      String name = line.strip().split("\\s+")[0];
      if (!name.startsWith(PREFIX)) {
        continue;
      }
      String[] parts = name.substring(PREFIX.length()).split("-");
      try {
        long pid = Long.parseLong(parts[0]);
        if (ProcessHandle.of(pid).isEmpty()) {
          Sh.quiet("ip", "netns", "del", name);
        }
      } catch (NumberFormatException e) {
        // not one of ours
      }
    }
  }

  @Override
  public void close() {
    for (int i = made.size() - 1; i >= 0; i--) {
      Sh.quiet("ip", "netns", "del", made.get(i));
    }
    made.clear();
  }
}
