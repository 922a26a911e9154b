package io.vipha.benchmarks.failover;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * vipha: one {@link NodeMain} JVM per node (until vipd replaces it) reading one shared JSON
 * config: an Active/Passive group {@code bench} with both VIPs on {@code eth0}, heartbeats to
 * 198.51.100.x:7405, priorities 150/100/50, the interval and dead-after of the setting, quorum
 * majority, preemption without delay, and a kernel lease (whole seconds, longer than detection).
 */
final class ViphaLauncher implements NodeLauncher {
  private final String java;
  private final String classPath;

  ViphaLauncher(String java, String classPath) {
    this.java = java;
    this.classPath = classPath;
  }

  @Override
  public String name() {
    return "vipha";
  }

  @Override
  public boolean leasesAddresses() {
    return true;
  }

  @Override
  public void configure(Cluster c) throws IOException {
    StringBuilder nodes = new StringBuilder();
    for (int i = 0; i < c.nodes(); i++) {
      nodes.append(i == 0 ? "" : ",\n").append("        {\"id\": \"").append(Topology.nodeName(i))
          .append("\", \"heartbeat\": [\"").append(c.heartbeat(i)).append(":7405\"], ")
          .append("\"priority\": ").append(c.priority(i)).append('}');
    }
    String json = "{\n  \"groups\": [\n    {\n"
        + "      \"name\": \"bench\",\n      \"mode\": \"ACTIVE_PASSIVE\",\n"
        + "      \"vips\": [\n"
        + "        {\"address\": \"" + Topology.VIP4_CIDR + "\", \"interface\": \"eth0\"},\n"
        + "        {\"address\": \"" + Topology.VIP6_CIDR + "\", \"interface\": \"eth0\"}\n"
        + "      ],\n      \"nodes\": [\n" + nodes + "\n      ],\n"
        + "      \"policy\": {\"preempt\": true, \"preemptDelay\": \"0s\","
        + " \"heartbeatInterval\": \"" + c.intervalMs() + "ms\", \"deadAfter\": " + c.deadAfter()
        + ", \"quorum\": \"majority\", \"lease\": \"" + c.leaseSeconds() + "s\"}\n"
        + "    }\n  ]\n}\n";
    Files.writeString(c.dir().resolve("vipha.json"), json);
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    Files.writeString(c.dir().resolve("bench.key"),
        Base64.getEncoder().encodeToString(key) + "\n", StandardCharsets.US_ASCII);
  }

  @Override
  public Process start(Cluster c, int i, Path log) throws IOException {
    return new ProcessBuilder("ip", "netns", "exec", c.topology().nodes.get(i), java,
        "-Xms64m", "-Xmx64m", "-cp", classPath, NodeMain.class.getName(),
        c.dir().resolve("vipha.json").toString(), "bench", Topology.nodeName(i),
        c.dir().resolve("bench.key").toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }
}
