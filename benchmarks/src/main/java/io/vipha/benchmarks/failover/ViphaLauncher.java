package io.vipha.benchmarks.failover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * vipha: one vipd JVM per node ({@code java -Xms64m -Xmx64m -jar vipd.jar --config vipha.json
 * --node nI}, as a user runs it; or through a launcher script such as {@code vipd/bin/vipd}, with
 * its own JVM defaults, see {@link Options}), all reading one JSON config: an Active/Passive group {@code
 * bench} with both VIPs on {@code eth0}, heartbeats to 198.51.100.x:7405, priorities
 * 150/100/50, the interval and dead-after of the setting, quorum majority, preemption without
 * delay, a kernel lease (whole seconds, longer than detection), and the heartbeat key in {@code
 * daemon.keyFile} (and {@code daemon.warmup} when given). For the soak ({@link Pressure}) the
 * main is {@link PressuredVipd} instead (plain vipd without pressure), with a GC log per node.
 */
final class ViphaLauncher implements NodeLauncher {
  /**
   * The soak's nodes: {@link PressuredVipd} allocating {@code rateMb} MB/s, with {@code
   * classPath} (the harness's, for PressuredVipd) after vipd.jar, and {@code jvm} added to the
   * JVM options (the flight recording of {@code --jfr}).
   */
  record Pressure(String classPath, int rateMb, List<String> jvm) {
    Pressure {
      jvm = List.copyOf(jvm);
    }
  }

  /**
   * How the nodes run.
   *
   * @param jvm the JVM options ({@code java … -jar vipd.jar}); with a {@code script}, added to its
   *     {@code JAVA_OPTS}
   * @param script a launcher run as {@code script --config …} with {@code VIPD_JAR}, {@code
   *     JAVA_HOME} (the harness's JDK) and {@code JAVA_OPTS} set, e.g. {@code vipd/bin/vipd}, so
   *     that its own JVM defaults apply; null: java itself
   * @param warmup the {@code daemon.warmup} to configure, e.g. {@code "0s"}; null: vipd's default
   * @param lockMemory configure {@code daemon.realtime.lockMemory}: vipd locks its memory
   */
  record Options(List<String> jvm, @Nullable Path script, @Nullable String warmup,
      boolean lockMemory) {
    static final Options DEFAULT = new Options(List.of("-Xms64m", "-Xmx64m"), null, null, false);

    Options {
      jvm = List.copyOf(jvm);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private final String java;
  private final Path vipdJar;
  private final Options options;
  private final @Nullable Pressure pressure;
  private final boolean vrrp;

  ViphaLauncher(String java, Path vipdJar, @Nullable Pressure pressure) {
    this(java, vipdJar, Options.DEFAULT, pressure);
  }

  ViphaLauncher(String java, Path vipdJar, Options options, @Nullable Pressure pressure) {
    this(java, vipdJar, options, pressure, false);
  }

  /**
   * With {@code vrrp}, the nodes run {@code daemon.coordinator.vrrp} (VRID 51, unicast to the
   * other nodes' 198.51.100.x, as {@link KeepalivedLauncher}'s) for the IPv4 VIP alone, with no
   * key and no quorum, in {@code vipha-vrrp.json}: VRRP peers of keepalived nodes.
   */
  ViphaLauncher(String java, Path vipdJar, Options options, @Nullable Pressure pressure,
      boolean vrrp) {
    if (options.script() != null && pressure != null && pressure.rateMb() > 0) {
      throw new IllegalArgumentException("a launcher script runs vipd's own main: no pressure");
    }
    this.java = java;
    this.vipdJar = vipdJar;
    this.options = options;
    this.pressure = pressure;
    this.vrrp = vrrp;
  }

  @Override
  public String name() {
    return vrrp ? "vipha-vrrp" : "vipha";
  }

  /** The configuration file node index {@code i} reads. */
  private Path config(Cluster c, int i) {
    return c.dir().resolve(vrrp ? "vipha-vrrp-" + Topology.nodeName(i) + ".json"
        : "vipha.json");
  }

  @Override
  public boolean leasesAddresses() {
    return true;
  }

  @Override
  public void configure(Cluster c) throws IOException {
    Path key = c.dir().resolve("bench.key");
    StringBuilder nodes = new StringBuilder();
    for (int i = 0; i < c.nodes(); i++) {
      nodes.append(i == 0 ? "" : ",\n").append("        {\"id\": \"").append(Topology.nodeName(i))
          .append("\", \"heartbeat\": [\"").append(c.heartbeat(i)).append(":7405\"], ")
          .append("\"priority\": ").append(c.priority(i)).append('}');
    }
    if (vrrp) {
      for (int i = 0; i < c.nodes(); i++) {
        writeAtomically(config(c, i), vrrpConfig(c, nodes, i));
      }
      return;
    }
    String json = "{\n  \"groups\": [\n    {\n"
        + "      \"name\": \"bench\",\n      \"mode\": \"ACTIVE_PASSIVE\",\n"
        + "      \"vips\": [\n"
        + "        {\"address\": \"" + Topology.VIP4_CIDR + "\", \"interface\": \"eth0\"},\n"
        + "        {\"address\": \"" + Topology.VIP6_CIDR + "\", \"interface\": \"eth0\"}\n"
        + "      ],\n      \"nodes\": [\n" + nodes + "\n      ],\n"
        + "      \"policy\": {\"preempt\": true, \"preemptDelay\": \"0s\","
        + " \"heartbeatInterval\": \"" + c.intervalMs() + "ms\", \"deadAfter\": " + c.deadAfter()
        + ", \"quorum\": \"majority\", \"lease\": \"" + c.leaseSeconds() + "s\"},\n"
        + "      \"daemon\": {\"keyFile\": \"" + key.toAbsolutePath() + "\", \"stateFile\": \""
        + stateFile(c, "{node}") + "\""
        + (options.warmup() == null ? "" : ", \"warmup\": \"" + options.warmup() + "\"")
        + (options.lockMemory() ? ", \"realtime\": {\"lockMemory\": true}" : "") + "}\n"
        + "    }\n  ]\n}\n";
    writeAtomically(config(c, 0), json);
    // One key per run: a reconfiguration (the reload scenario) keeps the key the nodes run with.
    if (!Files.exists(key)) {
      byte[] bytes = new byte[32];
      new java.security.SecureRandom().nextBytes(bytes);
      Files.writeString(key, Base64.getEncoder().encodeToString(bytes) + "\n",
          StandardCharsets.US_ASCII);
    }
  }

  /** Rewritten whole, as an editor saves it: a node reloading it never reads half a file. */
  private static void writeAtomically(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The VRRP group as node index {@code i} reads it: the IPv4 VIP, the others as peers. */
  private String vrrpConfig(Cluster c, CharSequence nodes, int i) {
    StringBuilder peers = new StringBuilder();
    for (int j = 0; j < c.nodes(); j++) {
      if (j != i) {
        peers.append(peers.length() == 0 ? "" : ", ").append('"').append(c.heartbeat(j))
            .append('"');
      }
    }
    return "{\n  \"groups\": [\n    {\n"
        + "      \"name\": \"bench\",\n      \"mode\": \"ACTIVE_PASSIVE\",\n"
        + "      \"vips\": [{\"address\": \"" + Topology.VIP4_CIDR + "\", \"interface\":"
        + " \"eth0\"}],\n      \"nodes\": [\n" + nodes + "\n      ],\n"
        + "      \"policy\": {\"preempt\": true, \"preemptDelay\": \"0s\","
        + " \"heartbeatInterval\": \"" + c.intervalMs() + "ms\", \"lease\": \""
        + c.leaseSeconds() + "s\"},\n"
        + "      \"daemon\": {\"coordinator\": {\"vrrp\": {\"vrid\": 51, \"unicastPeers\": ["
        + peers + "]}}, \"stateFile\": \"" + stateFile(c, "{node}") + "\""
        + (options.warmup() == null ? "" : ", \"warmup\": \"" + options.warmup() + "\"")
        + (options.lockMemory() ? ", \"realtime\": {\"lockMemory\": true}" : "") + "}\n"
        + "    }\n  ]\n}\n";
  }

  /** Node {@code node}'s control socket, in the run's directory. */
  static Path controlSocket(Cluster c, String node) {
    return c.dir().resolve("vipd-" + node + ".sock").toAbsolutePath();
  }

  /** The {@code config.generation} of node index {@code i}'s status: its reloads applied. */
  @Override
  public long reloads(Cluster c, int i, String output) throws IOException {
    String reply = request(controlSocket(c, Topology.nodeName(i)),
        "{\"v\":1,\"cmd\":\"status\"}");
    JsonNode generation = JSON.readTree(reply).path("result").path("config").path("generation");
    if (!generation.isIntegralNumber()) {
      throw new IOException("no result.config.generation in the status reply " + reply);
    }
    return generation.asLong();
  }

  /** The {@code acquired} and {@code released} lines of {@code output}, vipd's log. */
  @Override
  public List<String> transitions(String output) {
    return VipdLog.parse(output).stream()
        .filter(l -> l.kind().equals("acquired") || l.kind().equals("released"))
        .map(VipdLog.Line::text).toList();
  }

  /** Whether vipd's warm-up ended ({@code health check warm-up healthy}), or there is none. */
  @Override
  public boolean warm(String output) {
    String w = options.warmup();
    return (w != null && w.matches("0+(ms|s|m|h)?")) || output.contains("health check warm-up"
        + " healthy");
  }

  /** Sends {@code line} to the control socket at {@code socket}; the reply line. */
  static String request(Path socket, String line) throws IOException {
    try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      ch.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
      ByteArrayOutputStream reply = new ByteArrayOutputStream();
      ByteBuffer buf = ByteBuffer.allocate(8192);
      while (ch.read(buf.clear()) >= 0) {
        reply.write(buf.array(), 0, buf.position());
        if (buf.position() > 0 && buf.get(buf.position() - 1) == '\n') {
          break;
        }
      }
      return reply.toString(StandardCharsets.UTF_8);
    }
  }

  /** The GC log of node index {@code i} in the soak. */
  static Path gcLog(Cluster c, int i) {
    return c.dir().resolve("gc-" + Topology.nodeName(i) + ".log");
  }

  /** Node {@code node}'s state file, in the run's directory rather than /var/lib/vipha. */
  static Path stateFile(Cluster c, String node) {
    return c.dir().resolve("vipd-" + node + ".state").toAbsolutePath();
  }

  @Override
  public Process start(Cluster c, int i, Path log) throws IOException {
    // Every round starts its nodes afresh: no flap history or suspension from an earlier round.
    Files.deleteIfExists(stateFile(c, Topology.nodeName(i)));
    List<String> jvm = new ArrayList<>(options.jvm());
    // vipd's own event log at DEBUG: late heartbeats (peer suspect) are context for a round.
    jvm.add("-Dorg.slf4j.simpleLogger.log.vipd=debug");
    Pressure p = pressure;
    if (p != null) {
      jvm.add("-Xlog:gc*,safepoint:file=" + gcLog(c, i) + ":time,uptime,level,tags:filecount=0");
      jvm.addAll(p.jvm());
    }
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec",
        c.topology().nodes.get(i)));
    Path script = options.script();
    if (script != null) {
      Path bin = Objects.requireNonNull(Path.of(java).toAbsolutePath().getParent(), java);
      Path home = Objects.requireNonNull(bin.getParent(), java); // JAVA_HOME/bin/java
      cmd.addAll(List.of("env", "VIPD_JAR=" + vipdJar, "JAVA_HOME=" + home,
          "JAVA_OPTS=" + String.join(" ", jvm), script.toString()));
    } else if (p == null || p.rateMb() == 0) {
      cmd.add(java);
      cmd.addAll(jvm);
      cmd.addAll(List.of("-jar", vipdJar.toString()));
    } else {
      cmd.add(java);
      cmd.addAll(jvm);
      // On the class path, vipd.jar's manifest no longer grants JNA native access: the flag does.
      cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED",
          "-D" + PressuredVipd.RATE + "=" + p.rateMb(),
          "-cp", vipdJar + File.pathSeparator + p.classPath(), PressuredVipd.class.getName()));
    }
    cmd.addAll(List.of("--config", config(c, i).toString(),
        "--node", Topology.nodeName(i),
        "--control-socket", controlSocket(c, Topology.nodeName(i)).toString()));
    return new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
  }
}
