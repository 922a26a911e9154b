package io.vipha.benchmarks.failover;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The baseline: keepalived (Debian's package) with one VRRPv3 instance per node, unicast to the
 * other nodes' 198.51.100.x addresses, {@code advert_int} equal to the heartbeat interval (0.01
 * s needs VRRPv3's centisecond field), priorities 150/100/50, preemption on (keepalived's
 * default, no delay), the IPv4 VIP in {@code virtual_ipaddress} and the IPv6 VIP in {@code
 * virtual_ipaddress_excluded} (VRRPv3 carries one family per instance). VIPs are added without
 * expiry: a killed keepalived leaves them on the host.
 */
final class KeepalivedLauncher implements NodeLauncher {
  /** A VRRP instance's state change: {@code (bench) Entering MASTER STATE}. */
  private static final Pattern ENTERING =
      Pattern.compile("\\((\\S+)\\) Entering (\\S+) STATE.*");
  /** The line keepalived logs when a reload (SIGHUP) has been applied. */
  static final String RELOADED = "Reload complete";

  @Override
  public String name() {
    return "keepalived";
  }

  @Override
  public boolean leasesAddresses() {
    return false;
  }

  @Override
  public void configure(Cluster c) throws IOException {
    for (int i = 0; i < c.nodes(); i++) {
      StringBuilder peers = new StringBuilder();
      for (int j = 0; j < c.nodes(); j++) {
        if (j != i) {
          peers.append("    ").append(c.heartbeat(j)).append('\n');
        }
      }
      String advert = c.intervalMs() % 1000 == 0 ? Integer.toString(c.intervalMs() / 1000)
          : String.format(java.util.Locale.ROOT, "%.2f", c.intervalMs() / 1000.0);
      String conf = "global_defs {\n"
          + "  router_id " + Topology.nodeName(i) + "\n"
          + "  vrrp_version 3\n"
          + "  vrrp_garp_master_delay 1\n"
          + "  vrrp_garp_master_repeat 3\n"
          + "  vrrp_garp_master_refresh 0\n"
          + "}\n"
          + "vrrp_instance bench {\n"
          + "  state BACKUP\n"
          + "  interface eth0\n"
          + "  virtual_router_id 51\n"
          + "  priority " + c.priority(i) + "\n"
          + "  advert_int " + advert + "\n"
          + "  unicast_src_ip " + c.heartbeat(i) + "\n"
          + "  unicast_peer {\n" + peers + "  }\n"
          + "  virtual_ipaddress {\n    " + Topology.VIP4_CIDR + " dev eth0\n  }\n"
          + "  virtual_ipaddress_excluded {\n    " + Topology.VIP6_CIDR + " dev eth0\n  }\n"
          + "}\n";
      Files.writeString(c.dir().resolve("keepalived-" + Topology.nodeName(i) + ".conf"), conf);
    }
  }

  @Override
  public Process start(Cluster c, int i, Path log) throws IOException {
    String n = Topology.nodeName(i);
    Path dir = c.dir();
    // A fresh start: the previous round's keepalived, killed, may not be reaped yet, and a pid
    // file naming it would make this one exit with "daemon is already running".
    Files.deleteIfExists(dir.resolve("keepalived-" + n + ".pid"));
    Files.deleteIfExists(dir.resolve("vrrp-" + n + ".pid"));
    return new ProcessBuilder("ip", "netns", "exec", c.topology().nodes.get(i), "keepalived",
        "--dont-fork", "--log-console", "--vrrp", "--no-syslog",
        "-f", dir.resolve("keepalived-" + n + ".conf").toString(),
        "-p", dir.resolve("keepalived-" + n + ".pid").toString(),
        "-r", dir.resolve("vrrp-" + n + ".pid").toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }

  @Override
  public long reloads(Cluster c, int i, String output) {
    return reloadsIn(output);
  }

  /** The count of {@value #RELOADED} lines in {@code output}. */
  static long reloadsIn(String output) {
    return output.lines().filter(l -> l.endsWith(": " + RELOADED)).count();
  }

  /** The {@code (INSTANCE) Entering STATE STATE} lines of {@code output}, from the instance on. */
  @Override
  public List<String> transitions(String output) {
    return output.lines().map(ENTERING::matcher).filter(Matcher::find).map(Matcher::group)
        .toList();
  }
}
