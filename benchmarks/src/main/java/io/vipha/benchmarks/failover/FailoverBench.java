package io.vipha.benchmarks.failover;

import io.vipha.FailoverPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The end-to-end failover harness (issue 8). Makes the {@link Topology}, starts a {@link
 * Responder} in every node namespace and a {@link Probe} in the client namespace, then for each
 * implementation, interval, scenario and repetition starts the three nodes afresh, waits until
 * n1 (n2 for preemption) answers steadily, applies the {@link Scenario} to it and measures what
 * the client saw ({@link Round}). The scenario {@link Scenario#RELOAD} runs {@link Reload}
 * instead of a round. With {@code --soak MINUTES} it runs the {@link Soak} instead.
 * Needs root.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.vipha.benchmarks.failover.FailoverBench \
 *     [--vipd vipd/target/vipd.jar] [--reps 5] [--intervals 1000,100,10]
 *     [--impls vipha,keepalived,keepalived/vipha-vrrp,...] [--scenarios CRASH,...,RELOAD]
 *     [--out FILE.md]
 *     [--capture DIR] [--vipd-opts "-Xms64m -Xmx64m"] [--vipd-launcher vipd/bin/vipd]
 *     [--warmup 2s] [--settle 0] [--lock-memory]
 * java -cp benchmarks/target/benchmarks.jar io.vipha.benchmarks.failover.FailoverBench \
 *     [--vipd vipd/target/vipd.jar] --soak 10 [--intervals 10] [--pressure 150] [--jfr]
 *     [--out FILE.md]
 * </pre>
 *
 * <p>An implementation {@code MASTER/BACKUP} ({@code keepalived/keepalived}, {@code
 * keepalived/vipha-vrrp}, {@code vipha-vrrp/keepalived}) is a {@link PairLauncher}: two nodes
 * of one VRRP group, n1 the master of the given kind, n2 the backup of the other.
 *
 * <p>The instruments (the {@link Probe} and the {@link Responder}s) run at {@code SCHED_RR}
 * {@value Realtime#INSTRUMENTS} when this process may ({@link Realtime}). {@code --jfr} (soak
 * only) records each node's allocation by thread ({@link ThreadAllocation}).
 *
 * <p>{@code --vipd-opts} replaces the vipd JVMs' options ({@code -Xms64m -Xmx64m}), {@code
 * --vipd-launcher} runs vipd through a launcher script with its own JVM defaults, {@code
 * --warmup} sets {@code daemon.warmup} (see {@link ViphaLauncher.Options}). {@code --settle
 * SECONDS} waits that much longer, once the group is steady, before each round's event: the
 * backup that takes over has then run that long, as one in service has (by default the event
 * comes about a second after the nodes are steady, when a JVM is still compiling). {@code
 * --lock-memory} sets {@code daemon.realtime.lockMemory} (keepalived's {@code vrrp_no_swap}).
 *
 * <p>Prints one line per round on stderr and the markdown table on stdout (and to {@code
 * --out}); {@link Results} writes both.
 *
 * <p>One class of about 500 lines: a round is one timeline (start the nodes, wait until the
 * owner answers steadily, apply the fault, measure, heal, reset) over the state the rounds share
 * (the topology, the node processes, the probe log and the address watch); split, each part
 * would need all of that state. The launchers, the probe, the capture and the soak are apart.
 */
public final class FailoverBench implements AutoCloseable {
  static final int PORT = 9000;
  static final long MS = 1_000_000L;
  /** vipha's hold-down: the configuration leaves the default. */
  static final long HOLD_DOWN_MS = FailoverPolicy.defaults().holdDown().toMillis();

  final Topology topology;
  final AddressWatch watch;
  final ProbeLog probe;
  private final List<Process> responders = new ArrayList<>();
  private final Path dir;
  private final String java;
  private final String classPath;
  private final Path vipdJar;
  private ViphaLauncher.Options vipdOptions = ViphaLauncher.Options.DEFAULT;
  private final List<Process> nodes = new ArrayList<>();
  private @Nullable Path capture;
  /** Where each node's log stood when the current round began. */
  private long[] logFrom = new long[3];
  private int roundNumber;
  /** The last round's event, for {@link #evidence}: its target, start, end and node logs. */
  private int lastTarget;
  private long lastT0;
  private long lastEnd;
  private String lastLogs = "";
  /** Nanoseconds the rounds wait beyond steady before the event ({@code --settle}). */
  private long settleNanos;
  private boolean closed;

  /**
   * Makes the network and starts the responders, the probe and the address watch; vipha's nodes
   * will run {@code vipdJar}.
   */
  public FailoverBench(Path vipdJar) throws IOException {
    if (!Files.isRegularFile(vipdJar)) {
      throw new IllegalArgumentException("no vipd jar at " + vipdJar.toAbsolutePath()
          + "; build it with: mvn -B -q -pl benchmarks -am package -DskipTests");
    }
    this.vipdJar = vipdJar.toAbsolutePath();
    java = ProcessHandle.current().info().command().orElse("java");
    classPath = System.getProperty("java.class.path");
    dir = Files.createTempDirectory("failover-bench-");
    topology = new Topology(3);
    try {
      watch = new AddressWatch(topology.nodes, Topology.VIP4, Topology.VIP6);
      for (int i = 0; i < topology.nodes.size(); i++) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec",
            topology.nodes.get(i)));
        cmd.addAll(Realtime.rr(Realtime.INSTRUMENTS));
        cmd.addAll(List.of(java, "-Xmx32m", "-XX:TieredStopAtLevel=1", "-cp", classPath,
            Responder.class.getName(), Topology.nodeName(i), Integer.toString(PORT)));
        responders.add(new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(dir.resolve("responder-n" + (i + 1) + ".log").toFile()).start());
      }
      probe = new ProbeLog(topology.client, java, classPath, PORT, Topology.VIP4,
          Topology.VIP6);
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Makes every later round leave {@code NAME.pcap}, {@code NAME-p-n2.pcap}, {@code NAME.neigh}
   * and {@code NAME.probes} in {@code dir} (see {@link Capture}; NAME is the round's number,
   * implementation, interval and scenario).
   */
  public void captureTo(Path dir) throws IOException {
    capture = Files.createDirectories(dir);
  }

  /** Waits {@code seconds} more before each round's event, once the group is steady. */
  void settle(int seconds) {
    settleNanos = seconds * 1000L * MS;
  }

  /** How vipha's nodes run from now on: JVM options, launcher script, warm-up, locked memory. */
  void vipdOptions(ViphaLauncher.Options options) {
    vipdOptions = options;
  }

  ViphaLauncher.Options vipdOptions() {
    return vipdOptions;
  }

  /**
   * How the instruments run, as read from {@code /proc}: the client probe's and each
   * responder's threads' scheduling (see {@link Realtime}).
   */
  String instruments() {
    StringBuilder sb = new StringBuilder("client probe ").append(Realtime.of(probe.pid()));
    for (int i = 0; i < responders.size(); i++) {
      sb.append("; responder of ").append(Topology.nodeName(i)).append(' ')
          .append(Realtime.of(responders.get(i).pid()));
    }
    String missing = Realtime.missing();
    return missing == null ? sb.toString() : sb + " (not raised: this process lacks "
        + missing + ")";
  }

  /** The JDK's tool {@code name} ({@code jcmd}), beside the java that runs the harness. */
  String jdkTool(String name) {
    Path sibling = Path.of(java).resolveSibling(name);
    return Files.isExecutable(sibling) ? sibling.toString() : name;
  }

  /** The launcher for vipha: vipd.jar. */
  public NodeLauncherHandle vipha() {
    return new NodeLauncherHandle(new ViphaLauncher(java, vipdJar, vipdOptions, null));
  }

  /**
   * vipha's launcher for the soak: vipd under {@code rateMb} MB/s of allocation (none at 0), GC
   * logged, with the JVM options {@code jvm} added.
   */
  NodeLauncher pressuredVipha(int rateMb, List<String> jvm) {
    return new ViphaLauncher(java, vipdJar, vipdOptions,
        new ViphaLauncher.Pressure(classPath, rateMb, jvm));
  }

  /**
   * A pair, {@code master} (n1, priority 150) and {@code backup} (n2, 100), each {@code
   * vipha-vrrp} (vipd with {@code daemon.coordinator.vrrp}) or {@code keepalived}, in one VRRP
   * group of the IPv4 VIP.
   */
  NodeLauncherHandle pair(String master, String backup) {
    return new NodeLauncherHandle(new PairLauncher(vrrpOrKeepalived(master),
        vrrpOrKeepalived(backup)));
  }

  private NodeLauncher vrrpOrKeepalived(String impl) {
    return switch (impl) {
      case "vipha-vrrp" -> new ViphaLauncher(java, vipdJar, vipdOptions, null, true);
      case "keepalived" -> new KeepalivedLauncher();
      default -> throw new IllegalArgumentException("a pair is of vipha-vrrp and keepalived;"
          + " got " + impl);
    };
  }

  /** The keepalived launcher. */
  public static NodeLauncherHandle keepalived() {
    return new NodeLauncherHandle(new KeepalivedLauncher());
  }

  /** An opaque handle on a {@link NodeLauncher} for callers outside this package. */
  public static final class NodeLauncherHandle {
    final NodeLauncher launcher;

    NodeLauncherHandle(NodeLauncher launcher) {
      this.launcher = launcher;
    }
  }

  /** The kernel lease vipha uses at {@code intervalMs}: whole seconds, above detection. */
  static int leaseSeconds(int intervalMs) {
    return intervalMs >= 1000 ? 6 : 2;
  }

  /** {@link #round(NodeLauncher, int, Scenario, double)} at a random phase. */
  Round round(NodeLauncher impl, int intervalMs, Scenario sc) throws IOException {
    return round(impl, intervalMs, sc, ThreadLocalRandom.current().nextDouble());
  }

  /**
   * Runs one round; never throws for a failed measurement (see {@link Round#error()}). The event
   * comes 200 ms + {@code phase} (0 to 1) × the interval after the owner began answering
   * steadily, so that rounds sample every phase of the owner's heartbeat cycle.
   */
  Round round(NodeLauncher impl, int intervalMs, Scenario sc, double phase) throws IOException {
    NodeLauncher.Cluster c = new NodeLauncher.Cluster(impl.nodes(), intervalMs, 3,
        leaseSeconds(intervalMs), dir, topology);
    impl.configure(c);
    int target = sc == Scenario.CRASH_V6 ? 1 : 0;
    String vip = target == 0 ? Topology.VIP4 : Topology.VIP6;
    long detect = c.detectionMs() * MS;
    String file = impl.name().replace('/', '+'); // a pair's name, MASTER/BACKUP
    String logs = file + "-" + intervalMs + "-" + sc;
    String expected = sc == Scenario.PREEMPT ? "n2" : "n1";
    for (int i = 0; i < responders.size(); i++) {
      if (!responders.get(i).isAlive()) {
        throw new IllegalStateException("the responder of n" + (i + 1) + " died; see "
            + dir.resolve("responder-n" + (i + 1) + ".log"));
      }
    }
    long started = System.nanoTime();
    String name = String.format(Locale.ROOT, "%03d-%s-%dms-%s", ++roundNumber, file,
        intervalMs, sc);
    Capture cap = null;
    try {
      if (capture != null) {
        cap = new Capture(capture, name, topology);
      }
      nodes.clear();
      long[] startFrom = Soak.sizes(new Path[] {log(logs, 0), log(logs, 1), log(logs, 2)});
      for (int i = 0; i < c.nodes(); i++) {
        nodes.add(sc == Scenario.PREEMPT && i == 0 ? null : impl.start(c, i, log(logs, i)));
      }
      BooleanSupplier steady = () -> probe.steady(target, 1000 * MS, expected, started)
          && watch.holders(vip) == 1 && warm(impl, new Path[] {log(logs, 0), log(logs, 1),
              log(logs, 2)}, startFrom);
      boolean settled = await(steady, 60_000);
      // If another node held the VIP during start-up (n1 started late and preempted it), the
      // event waits until that node's hold-down and two intervals have passed, as vip-core's
      // own fault tests do: within it the group still has a planned move pending.
      long yielded = watch.lastLoss(vip, Integer.parseInt(expected.substring(1)) - 1, started);
      long settle = yielded + (HOLD_DOWN_MS + 2L * intervalMs) * MS - System.nanoTime();
      if (settled && yielded >= 0 && settle > 0) {
        Thread.sleep(settle / MS);
        settled = await(steady, 10_000);
      }
      if (!settled) {
        return failed(impl, intervalMs, sc, expected + " never answered steadily (holders "
            + watch.holders(vip) + ", last answer " + probe.lastAnswerer(target, Long.MAX_VALUE)
            + "); logs " + dir.resolve(logs + "-n*.log"));
      }
      long steadyAt = System.nanoTime();
      String neighBefore = cap == null ? "" : Sh.run("ip", "-n", topology.client, "neigh");
      long delay = (long) (phase * intervalMs * MS);
      // (Whole seconds: the event keeps its phase in the advertisement cycle.)
      sleepUntil(steadyAt + 200 * MS + settleNanos + delay);
      logFrom = Soak.sizes(new Path[] {log(logs, 0), log(logs, 1), log(logs, 2)});
      long t0 = System.nanoTime();
      Instant wall = Instant.now();
      long[] probeFrom = {t0}; // only probes sent after the event (after the heal) count
      double left = -1;
      double heal = -1;
      long end;
      long dualEnd;
      ProcessHandle owner = sc == Scenario.PREEMPT ? ProcessHandle.current() : node(0);
      switch (sc) {
        case CRASH, CRASH_V6 -> {
          // Cut the host off in one step, so that peers and client lose it at the same moment:
          // a disabled bridge port drops its frames both ways but keeps the host's carrier up
          // (a node that saw its carrier go would release the VIP). Then freeze it.
          Sh.run("bridge", "-n", topology.sw, "link", "set", "dev", Topology.port(0), "state",
              "0");
          Sh.signal(owner, "STOP");
          await(() -> since(t0) > 2 * detect && probe.steady(target, 300 * MS, null, probeFrom[0]),
              (3 * detect + 10_000 * MS) / MS);
          end = System.nanoTime();
          dualEnd = end;
        }
        case KILL9 -> {
          Sh.signal(owner, "KILL");
          long leaseEnd = (c.leaseSeconds() + 2) * 1000L * MS;
          // Ends once the VIP left n1 (or lease + 2 s passed) and n2, the next in line, has
          // answered for 300 ms: n1's host answers until then, so "answered" alone would end
          // a round in which nobody took over.
          await(() -> probe.steady(target, 300 * MS, "n2", probeFrom[0]) && (since(t0) > leaseEnd
              || (since(t0) > 2 * detect && !watch.holds(0, vip))), leaseEnd / MS + 10_000);
          end = System.nanoTime();
          dualEnd = end;
          long lost = watch.lostAt(0, vip, t0);
          left = lost < 0 ? -1 : (lost - t0) / (double) MS;
        }
        case GRACEFUL -> {
          Sh.quiet("kill", "-TERM", Long.toString(owner.pid()));
          await(() -> !owner.isAlive() && since(t0) > detect
              && probe.steady(target, 300 * MS, null, probeFrom[0]), 15_000);
          end = System.nanoTime();
          dualEnd = end;
        }
        case PREEMPT -> {
          nodes.set(0, impl.start(c, 0, log(logs, 0)));
          await(() -> probe.steady(target, 500 * MS, "n1", probeFrom[0]) && watch.holders(vip) == 1,
              60_000);
          end = System.nanoTime();
          dualEnd = end;
        }
        case LINK_DOWN -> {
          Sh.run("ip", "-n", topology.nodes.get(0), "link", "set", "eth0", "down");
          await(() -> since(t0) > 2 * detect && probe.steady(target, 300 * MS, null, probeFrom[0]),
              (3 * detect + 10_000 * MS) / MS);
          end = System.nanoTime();
          dualEnd = end;
        }
        case PARTITION -> {
          Path rules = dir.resolve("partition.nft");
          Files.writeString(rules, "table inet fbpart {\n"
              + "  chain i { type filter hook input priority -300; policy drop;"
              + " iifname \"lo\" accept; }\n"
              + "  chain o { type filter hook output priority -300; policy drop;"
              + " oifname \"lo\" accept; }\n"
              + "}\n"
              + "table arp fbpart {\n"
              + "  chain i { type filter hook input priority 0; policy drop; }\n"
              + "  chain o { type filter hook output priority 0; policy drop; }\n"
              + "}\n");
          Sh.run("ip", "netns", "exec", topology.nodes.get(0), "nft", "-f", rules.toString());
          long hold = Math.max(2000 * MS, 3 * detect + 1000 * MS);
          await(() -> since(t0) > hold && probe.steady(target, 300 * MS, null, probeFrom[0]),
              hold / MS + 10_000);
          dualEnd = System.nanoTime();
          end = dualEnd;
          healPartition(0);
          long t1 = System.nanoTime();
          probeFrom[0] = t1;
          await(() -> since(t1) > Math.max(1000 * MS, 3 * detect)
              && probe.steady(target, 300 * MS, "n1", probeFrom[0]) && watch.holders(vip) == 1,
              3 * detect / MS + 15_000);
          heal = probe.longestOutage(target, t1, System.nanoTime()) / (double) MS;
        }
        default -> throw new IllegalStateException(sc.toString());
      }
      lastTarget = target;
      lastT0 = t0;
      lastEnd = System.nanoTime();
      lastLogs = logs;
      double outage = probe.longestOutage(target, t0 - 50 * MS, end) / (double) MS;
      double dual = watch.dualNanos(vip, t0, dualEnd) / (double) MS;
      if (cap != null) {
        cap.close();
        writeProbes(name, target, t0, wall, end, neighBefore);
      }
      return new Round(impl.name(), intervalMs, sc, delay / (double) MS, outage, dual, left,
          heal, probe.lastAnswerer(target, System.nanoTime() - 100 * MS),
          stalls(new Path[] {log(logs, 0), log(logs, 1), log(logs, 2)}), null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed(impl, intervalMs, sc, "interrupted");
    } catch (RuntimeException e) {
      return failed(impl, intervalMs, sc, e.toString());
    } finally {
      if (cap != null) {
        cap.close();
      }
      reset();
    }
  }

  /**
   * Per node whose log (from the event on) tells of any: its event loop stalls (count,
   * longest) and the peers it declared dead; "" when none did.
   */
  private String stalls(Path[] logs) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < logs.length; i++) {
      List<VipdLog.Line> lines = VipdLog.parse(Soak.readFrom(logs[i], logFrom[i]));
      long[] stalled = VipdLog.stallsMs(lines);
      long down = lines.stream().filter(l -> l.kind().equals("peer down")).count();
      if (stalled.length > 0 || down > 0) {
        sb.append(sb.length() == 0 ? "" : ", ").append(Topology.nodeName(i)).append(' ')
            .append(stalled.length).append(" stalls");
        if (stalled.length > 0) {
          sb.append(" (max ").append(Arrays.stream(stalled).max().orElse(0)).append(" ms)");
        }
        sb.append(down > 0 ? " " + down + " peer down" : "");
      }
    }
    return sb.toString();
  }

  /**
   * Whether every node started so far is past its start-up ({@link NodeLauncher#warm}), judged by
   * its log from {@code from} on: an event then finds the group as it runs, not as it starts
   * (vipd's standbys warming up would not yet be eligible successors).
   */
  boolean warm(NodeLauncher impl, Path[] logs, long[] from) {
    for (int i = 0; i < nodes.size() && i < logs.length; i++) {
      try {
        if (nodes.get(i) != null && !impl.warm(i, Soak.readFrom(logs[i], from[i]))) {
          return false;
        }
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }

  /**
   * What the last round left to explain a failed check, times in ms after its event: each run
   * of lost probes with the probes around it, the VIP address changes the watch saw, and each
   * node's log from the event on (its last 40 lines). For a test's failure message: CI keeps no
   * node logs.
   */
  String evidence() {
    StringBuilder sb = new StringBuilder("\nround evidence (ms after the event):\n");
    try {
      for (long[] run : probe.lossRuns(lastTarget, lastT0 - 50 * MS, lastEnd)) {
        sb.append(String.format(Locale.ROOT, "lost probes from %.3f for %.3f ms:%n",
            (run[0] - lastT0) / 1e6, run[1] / 1e6));
        probe.dump(lastTarget, run[0] - 30 * MS, run[0] + run[1] + 30 * MS, lastT0, sb);
      }
      for (AddressWatch.Change c : watch.changes(lastT0 - 50 * MS, lastEnd)) {
        sb.append(String.format(Locale.ROOT, "address %.3f %s %s %s%n",
            (c.nanos() - lastT0) / 1e6, Topology.nodeName(c.node()), c.present() ? "added"
                : "removed", c.vip()));
      }
      for (int i = 0; i < logFrom.length; i++) {
        List<String> lines = Soak.readFrom(log(lastLogs, i), logFrom[i]).lines().toList();
        sb.append("log of ").append(Topology.nodeName(i)).append(" from the event (")
            .append(lines.size()).append(" lines):\n");
        lines.subList(Math.max(0, lines.size() - 40), lines.size())
            .forEach(l -> sb.append("  ").append(l).append('\n'));
      }
    } catch (IOException e) {
      sb.append("(").append(e).append(")\n");
    }
    return sb.toString();
  }

  /** The output file of node index {@code i} in the round whose logs are named {@code logs}. */
  private Path log(String logs, int i) {
    return dir.resolve(logs + "-" + Topology.nodeName(i) + ".log");
  }

  /** Starts node index {@code i} with {@code impl}, for {@link #reset} to kill. */
  Process startNode(NodeLauncher impl, NodeLauncher.Cluster c, int i, Path log)
      throws IOException {
    Process p = impl.start(c, i, log);
    nodes.add(p);
    return p;
  }

  private void writeProbes(String name, int target, long t0, Instant wall, long end,
      String neighBefore) throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append("# event at ").append(wall).append(" wall clock (the pcap's clock) = ").append(t0)
        .append(" ns monotonic\n# client neighbours before:\n");
    neighBefore.lines().forEach(l -> sb.append("#   ").append(l).append('\n'));
    sb.append("# client neighbours after:\n");
    Sh.run("ip", "-n", topology.client, "neigh").lines()
        .forEach(l -> sb.append("#   ").append(l).append('\n'));
    probe.dump(target, t0 - 500 * MS, end, t0, sb);
    Files.writeString(Objects.requireNonNull(capture).resolve(name + ".probes"), sb);
  }

  private ProcessHandle node(int i) {
    Process p = nodes.get(i);
    if (p == null) {
      throw new IllegalStateException("node " + i + " not started");
    }
    return p.toHandle();
  }

  private static void sleepUntil(long nanos) throws InterruptedException {
    long wait = nanos - System.nanoTime();
    if (wait > 0) {
      Thread.sleep(wait / MS, (int) (wait % MS));
    }
  }

  private static long since(long t0) {
    return System.nanoTime() - t0;
  }

  private static Round failed(NodeLauncher impl, int intervalMs, Scenario sc, String why) {
    return new Round(impl.name(), intervalMs, sc, Double.NaN, Double.NaN, Double.NaN, -1, -1,
        null, "", why);
  }

  private void healPartition(int i) {
    String ns = topology.nodes.get(i);
    Sh.quiet("ip", "netns", "exec", ns, "nft", "delete", "table", "inet", "fbpart");
    Sh.quiet("ip", "netns", "exec", ns, "nft", "delete", "table", "arp", "fbpart");
  }

  /** Kills every node process, heals links and filters, and removes the VIPs everywhere. */
  void reset() {
    for (Process p : nodes) {
      if (p != null) {
        Sh.signal(p.toHandle(), "KILL");
      }
    }
    for (Process p : nodes) {
      if (p != null) {
        try {
          p.waitFor();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    nodes.clear();
    for (int i = 0; i < topology.nodes.size(); i++) {
      String ns = topology.nodes.get(i);
      healPartition(i);
      Sh.quiet("ip", "-n", topology.sw, "link", "set", Topology.port(i), "up");
      Sh.quiet("ip", "-n", ns, "link", "set", "eth0", "up");
      Sh.quiet("bridge", "-n", topology.sw, "link", "set", "dev", Topology.port(i), "state", "3");
      Sh.quiet("ip", "-n", ns, "addr", "del", Topology.VIP4_CIDR, "dev", "eth0");
      Sh.quiet("ip", "-n", ns, "addr", "del", Topology.VIP6_CIDR, "dev", "eth0");
    }
    try {
      Thread.sleep(300);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Polls {@code condition} every 5 ms for at most {@code timeoutMs}; whether it held. */
  static boolean await(BooleanSupplier condition, long timeoutMs)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMs * MS;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(5);
    }
    return true;
  }

  /**
   * Runs every combination {@code reps} times (the repetitions of one cell interleave
   * implementations, so slow drift of the machine's load hits both alike). Repetition r of R
   * draws its phase from [r/R, (r+1)/R), the same stratum for every implementation.
   */
  public List<Round> run(List<NodeLauncherHandle> impls, List<Integer> intervals,
      List<Scenario> scenarios, int reps) throws IOException {
    List<Round> rounds = new ArrayList<>();
    for (int interval : intervals) {
      for (Scenario sc : scenarios) {
        for (int r = 0; r < reps; r++) {
          for (NodeLauncherHandle h : impls) {
            double phase = (r + ThreadLocalRandom.current().nextDouble()) / reps;
            Round round = round(h.launcher, interval, sc, phase);
            System.err.println(Results.describe(round));
            rounds.add(round);
          }
        }
      }
    }
    return rounds;
  }

  /**
   * Runs the {@link Reload} scenario {@code reps} times for every implementation and interval
   * (implementations interleaved, as in {@link #run}), each followed by its control run.
   */
  List<Reload.Result> reloads(List<NodeLauncherHandle> impls, List<Integer> intervals,
      int reps) throws IOException {
    Reload reload = new Reload(this);
    List<Reload.Result> results = new ArrayList<>();
    for (int interval : intervals) {
      for (int r = 0; r < reps; r++) {
        for (NodeLauncherHandle h : impls) {
          Reload.Result result = reload.run(h.launcher, interval, 0);
          System.err.println(Reload.describe(result));
          results.add(result);
          long window = result.error() == null ? (long) (result.windowS() * 1e9) : 20_000 * MS;
          Reload.Result control = reload.run(h.launcher, interval, window);
          System.err.println(Reload.describe(control));
          results.add(control);
        }
      }
    }
    return results;
  }

  /** The directory holding configs and node logs. */
  public Path dir() {
    return dir;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    reset();
    if (probe != null) {
      probe.close();
    }
    for (Process p : responders) {
      p.destroyForcibly();
    }
    if (watch != null) {
      watch.close();
    }
    topology.close();
  }

  private static final String USAGE = String.join("\n",
      "usage: FailoverBench [--vipd JAR] [--reps N] [--intervals MS,...] [--impls I,...]",
      "    [--scenarios S,...] [--out FILE.md] [--capture DIR] [--vipd-opts 'JVM OPTIONS']",
      "    [--vipd-launcher SCRIPT] [--warmup DURATION] [--soak MINUTES] [--pressure MB_S]",
      "    [--jfr] [--settle SECONDS] [--lock-memory]",
      "  impls: vipha, keepalived, or MASTER/BACKUP pairs of keepalived and vipha-vrrp",
      "  scenarios: " + Arrays.stream(Scenario.values()).map(Enum::name)
          .collect(Collectors.joining(",")));

  public static void main(String[] args) throws Exception {
    int reps = 5;
    List<Integer> intervals = List.of(1000, 100, 10);
    List<String> impls = List.of("vipha", "keepalived");
    // The failover rounds by default; the reload scenario when named (--scenarios RELOAD).
    List<Scenario> scenarios = Arrays.stream(Scenario.values())
        .filter(s -> s != Scenario.RELOAD).toList();
    @Nullable Path out = null;
    Path vipd = Path.of("vipd/target/vipd.jar");
    int soak = 0;
    int pressure = PressuredVipd.DEFAULT_RATE;
    boolean intervalsGiven = false;
    @Nullable Path capture = null;
    List<String> jvm = ViphaLauncher.Options.DEFAULT.jvm();
    @Nullable Path script = null;
    @Nullable String warmup = null;
    boolean jfr = false;
    int settle = 0;
    boolean lockMemory = false;
    for (int i = 0; i < args.length; i += 2) {
      if (args[i].equals("--help") || args[i].equals("-h")) {
        System.out.println(USAGE);
        return;
      }
      if (args[i].equals("--jfr") || args[i].equals("--lock-memory")) {
        jfr |= args[i].equals("--jfr");
        lockMemory |= args[i].equals("--lock-memory");
        i--; // an option without a value
        continue;
      }
      if (i + 1 == args.length) {
        throw new IllegalArgumentException(args[i] + " needs a value\n" + USAGE);
      }
      String v = args[i + 1];
      switch (args[i]) {
        case "--vipd" -> vipd = Path.of(v);
        case "--soak" -> soak = Integer.parseInt(v);
        case "--pressure" -> pressure = Integer.parseInt(v);
        case "--reps" -> reps = Integer.parseInt(v);
        case "--intervals" -> {
          intervals = Arrays.stream(v.split(",")).map(Integer::valueOf).toList();
          intervalsGiven = true;
        }
        case "--impls" -> impls = List.of(v.split(","));
        case "--scenarios" -> scenarios = Arrays.stream(v.split(",")).map(Scenario::valueOf)
            .toList();
        case "--out" -> out = Path.of(v);
        case "--capture" -> capture = Path.of(v);
        case "--vipd-opts" -> jvm = v.isBlank() ? List.of() : List.of(v.trim().split("\\s+"));
        case "--vipd-launcher" -> script = Path.of(v).toAbsolutePath();
        case "--warmup" -> warmup = v;
        case "--settle" -> settle = Integer.parseInt(v);
        default -> throw new IllegalArgumentException("unknown option " + args[i] + "\n" + USAGE);
      }
    }
    if (jfr && soak == 0) {
      throw new IllegalArgumentException("--jfr records the soak's nodes: give --soak MINUTES"
          + "\n" + USAGE);
    }
    try (FailoverBench bench = new FailoverBench(vipd)) {
      bench.vipdOptions(new ViphaLauncher.Options(jvm, script, warmup, lockMemory));
      bench.settle(settle);
      // Interrupted (^C, SIGTERM): still kill the nodes and remove the namespaces.
      Thread hook = new Thread(bench::close, "failover-cleanup");
      Runtime.getRuntime().addShutdownHook(hook);
      if (soak > 0) {
        System.err.println("configs, node and GC logs in " + bench.dir());
        List<String> recording = jfr ? List.of(ThreadAllocation.jvmOption(bench.dir()))
            : List.of();
        String report = new Soak(bench, bench.pressuredVipha(pressure, recording),
            intervalsGiven ? intervals.get(0) : 10, pressure, jfr).run(soak);
        System.out.println(report);
        if (out != null) {
          Files.writeString(out, report);
        }
        return;
      }
      if (capture != null) {
        bench.captureTo(capture);
      }
      List<NodeLauncherHandle> launchers = new ArrayList<>();
      for (String impl : impls) {
        launchers.add(switch (impl) {
          case "vipha" -> bench.vipha();
          case "keepalived" -> keepalived();
          default -> {
            String[] pair = impl.split("/");
            if (pair.length != 2) {
              throw new IllegalArgumentException("unknown implementation " + impl);
            }
            yield bench.pair(pair[0], pair[1]);
          }
        });
      }
      System.err.println("configs and node logs in " + bench.dir());
      List<Scenario> failovers = scenarios.stream().filter(s -> s != Scenario.RELOAD).toList();
      List<Round> rounds = bench.run(launchers, intervals, failovers, reps);
      List<Reload.Result> reloads = scenarios.contains(Scenario.RELOAD)
          ? bench.reloads(launchers, intervals, reps) : List.of();
      String table = (rounds.isEmpty() ? "" : Results.table(rounds, impls))
          + (reloads.isEmpty() ? "" : (rounds.isEmpty() ? "" : "\n") + Reload.table(reloads));
      System.out.println(table);
      if (out != null) {
        Files.writeString(out, table);
        Files.writeString(out.resolveSibling(out.getFileName() + ".rounds"), Stream.concat(
            rounds.stream().map(Results::describe), reloads.stream().map(Reload::describe))
            .collect(Collectors.joining("\n", "", "\n")));
      }
    }
  }
}
