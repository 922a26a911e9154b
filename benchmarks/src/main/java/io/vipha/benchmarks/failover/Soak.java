package io.vipha.benchmarks.failover;

import static io.vipha.benchmarks.failover.FailoverBench.MS;
import static io.vipha.benchmarks.failover.Results.fmt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Collectors;

/**
 * The soak (issue 8): three vipd nodes in the harness's {@link Topology} at one heartbeat
 * interval (10 ms by default) with dead-after 3, every vipd JVM under allocation pressure
 * ({@link PressuredVipd}) and logging its GC pauses and safepoints, the client probing both VIPs
 * every 5 ms throughout. Once n1 has served both VIPs steadily for 1 s, it watches for the given
 * minutes and reports, as markdown, the false failovers (VIP holder changes, runs of lost probes
 * and vipd's events in that window, grouped into incidents), the longest run of lost probes, and
 * each node's GC pauses (count, median, p99, max, total) read from its GC log.
 */
final class Soak {
  /** Signals less than this apart belong to one incident. */
  private static final long INCIDENT_GAP = 2_000 * MS;
  /** The vipd log kinds, in the order of the report's rows. */
  private static final List<String> KINDS = List.of("stalled", "released", "acquired",
      "peer down", "peer up", "quorum", "conflict", "log", VipdLog.SUSPECT, "output");
  /** The incidents listed in full, and the lines listed for each. */
  private static final int INCIDENTS_LISTED = 20;
  private static final int LINES_PER_INCIDENT = 30;
  private static final String[] FAMILY = {"IPv4", "IPv6"};
  private static final String[] VIP = {Topology.VIP4, Topology.VIP6};

  /**
   * Something that happened at {@code nanos} ({@link System#nanoTime()}); only what {@code
   * counts} makes an incident, the rest is context (a late heartbeat, a long safepoint).
   */
  private record Signal(long nanos, String text, boolean counts) {}

  /** What a node left in its logs during the measured window. */
  private record NodeResult(List<VipdLog.Line> lines, List<GcLog.Pause> pauses,
      List<GcLog.Pause> safepoints, long exitedAt, int exitCode) {}

  private final FailoverBench bench;
  private final NodeLauncher launcher;
  private final int intervalMs;
  private final int rateMb;

  Soak(FailoverBench bench, NodeLauncher launcher, int intervalMs, int rateMb) {
    this.bench = bench;
    this.launcher = launcher;
    this.intervalMs = intervalMs;
    this.rateMb = rateMb;
  }

  /** Runs the soak for {@code minutes} after the nodes settle; the report. */
  String run(int minutes) throws IOException, InterruptedException {
    Path dir = bench.dir();
    NodeLauncher.Cluster c = new NodeLauncher.Cluster(3, intervalMs, 3,
        FailoverBench.leaseSeconds(intervalMs), dir, bench.topology);
    launcher.configure(c);
    int n = c.nodes();
    Path[] logs = new Path[n];
    Path[] gc = new Path[n];
    AtomicLongArray exitedAt = new AtomicLongArray(n);
    Process[] nodes = new Process[n];
    for (int i = 0; i < n; i++) {
      logs[i] = dir.resolve("soak-" + Topology.nodeName(i) + ".log");
      gc[i] = ViphaLauncher.gcLog(c, i);
      Files.deleteIfExists(logs[i]);
      Files.deleteIfExists(gc[i]);
    }
    long started = System.nanoTime();
    try {
      for (int i = 0; i < n; i++) {
        nodes[i] = bench.startNode(launcher, c, i, logs[i]);
        int node = i;
        nodes[i].onExit().thenRun(() -> exitedAt.set(node, System.nanoTime()));
      }
      ProbeLog probe = bench.probe;
      AddressWatch watch = bench.watch;
      long[] none = new long[n];
      if (!FailoverBench.await(() -> probe.steady(0, 1000 * MS, "n1", started)
          && probe.steady(1, 1000 * MS, "n1", started) && watch.holders(Topology.VIP4) == 1
          && watch.holders(Topology.VIP6) == 1 && bench.warm(launcher, logs, none), 60_000)) {
        throw new IllegalStateException("n1 never served both VIPs steadily; logs "
            + dir.resolve("soak-n*.log"));
      }
      long t0 = System.nanoTime();
      Instant wall0 = Instant.now();
      long[] logFrom = sizes(logs);
      long[] gcFrom = sizes(gc);
      for (int m = 1; m <= minutes; m++) {
        long wait = t0 + m * 60_000L * MS - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / MS);
        }
        long now = System.nanoTime();
        System.err.printf(Locale.ROOT, "soak %d/%d min: %d VIP address changes, %d + %d runs"
            + " of lost probes, nodes alive %d%n", m, minutes, watch.changes(t0, now).size(),
            probe.lossRuns(0, t0, now).size(), probe.lossRuns(1, t0, now).size(),
            Arrays.stream(nodes).filter(Process::isAlive).count());
      }
      long t1 = System.nanoTime();
      Thread.sleep(200); // the answers to the last probes
      List<NodeResult> results = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        // What the nodes wrote in the 200 ms after the window is left out.
        List<VipdLog.Line> lines = VipdLog.parse(readFrom(logs[i], logFrom[i])).stream()
            .filter(l -> l.at() == null || nanos(l.at(), t0, wall0) <= t1).toList();
        String gcText = readFrom(gc[i], gcFrom[i]);
        long exit = exitedAt.get(i);
        results.add(new NodeResult(lines, inWindow(GcLog.gcPauses(gcText), t0, t1, wall0),
            inWindow(GcLog.safepoints(gcText), t0, t1, wall0), exit <= t1 ? exit : 0,
            nodes[i].isAlive() ? 0 : nodes[i].exitValue()));
      }
      return report(minutes, t0, t1, wall0, (t0 - started) / (double) MS, results);
    } finally {
      bench.reset();
    }
  }

  private String report(int minutes, long t0, long t1, Instant wall0, double settleMs,
      List<NodeResult> nodes) {
    List<Signal> signals = new ArrayList<>();
    int[] changes = new int[2];
    for (AddressWatch.Change ch : bench.watch.changes(t0, t1)) {
      changes[ch.vip().equals(Topology.VIP4) ? 0 : 1]++;
      signals.add(new Signal(ch.nanos(), Topology.nodeName(ch.node())
          + (ch.present() ? " added " : " removed ") + ch.vip(), true));
    }
    int[] lossRuns = new int[2];
    double[] longest = new double[2];
    for (int t = 0; t < 2; t++) {
      for (long[] run : bench.probe.lossRuns(t, t0, t1 + 100 * MS)) {
        lossRuns[t]++;
        longest[t] = Math.max(longest[t], run[1] / (double) MS);
        signals.add(new Signal(run[0], FAMILY[t] + " probes lost for " + fmt(run[1] / (double) MS)
            + " ms", true));
      }
    }
    List<Map<String, Integer>> counts = new ArrayList<>();
    int output = 0;
    for (int i = 0; i < nodes.size(); i++) {
      NodeResult r = nodes.get(i);
      Map<String, Integer> count = new LinkedHashMap<>();
      counts.add(count);
      for (VipdLog.Line line : r.lines()) {
        count.merge(line.kind(), 1, Integer::sum);
        Instant at = line.at();
        if (at != null) {
          signals.add(new Signal(nanos(at, t0, wall0), Topology.nodeName(i) + ": "
              + line.text(), VipdLog.isFailover(line.kind())));
        }
        output += line.kind().equals("output") ? 1 : 0;
      }
      if (r.exitedAt() != 0) {
        signals.add(new Signal(r.exitedAt(), Topology.nodeName(i) + " exited with code "
            + r.exitCode(), true));
      }
      for (GcLog.Pause p : r.safepoints()) {
        if (p.ms() >= intervalMs) {
          signals.add(new Signal(nanos(p.at(), t0, wall0), Topology.nodeName(i) + " safepoint "
              + p.kind() + " " + fmt(p.ms()) + " ms", false));
        }
      }
    }
    List<List<Signal>> incidents = incidents(signals);

    StringBuilder sb = new StringBuilder();
    ViphaLauncher.Options o = bench.vipdOptions();
    String jvm = (o.script() == null ? "" : "`" + o.script().getFileName() + "` with ")
        + "`" + String.join(" ", o.jvm()) + "`";
    sb.append(String.format(Locale.ROOT, "# Soak: 3 vipd nodes, %d ms heartbeat, dead-after 3,"
        + " %d min%s%n%n", intervalMs, minutes, rateMb > 0 ? " under allocation pressure" : ""));
    sb.append(String.format(Locale.ROOT, "Measured for %.1f s from %s, once n1 had served both"
        + " VIPs steadily for 1 s (%.1f s after the nodes started). Every vipd JVM: %s, %s;"
        + " the client probed both VIPs every %d ms throughout.%n%n",
        (t1 - t0) / 1e9, wall0.truncatedTo(ChronoUnit.SECONDS), settleMs / 1000, jvm,
        rateMb == 0 ? "vipd's own allocation only" : String.format(Locale.ROOT,
            "`PressuredVipd` allocating %d MB/s (a %d MB ring of objects that live %d s"
            + " included)", rateMb, PressuredVipd.DEFAULT_RETAINED,
            PressuredVipd.DEFAULT_LIFETIME), ProbeLog.INTERVAL_MS));
    sb.append(String.format(Locale.ROOT, "**False failovers: %d** (target 0). An incident is a"
        + " VIP holder change, a run of lost probes, a node's exit, or a vipd event other than"
        + " a late heartbeat and the peer's return after it; signals less than %d s apart count"
        + " as one.%n%n",
        incidents.size(), INCIDENT_GAP / 1000 / MS));
    sb.append("| measure | IPv4 VIP | IPv6 VIP | target |\n|---|---|---|---|\n");
    sb.append(String.format(Locale.ROOT, "| VIP holder changes (address added or removed on any"
        + " node) | %d | %d | 0 |%n", changes[0], changes[1]));
    sb.append(String.format(Locale.ROOT, "| runs of lost probes | %d | %d | 0 |%n", lossRuns[0],
        lossRuns[1]));
    sb.append(String.format(Locale.ROOT, "| longest run of lost probes, ms | %s | %s | 0 |%n%n",
        fmt(longest[0]), fmt(longest[1])));

    sb.append("| vipd's lines in the window |");
    for (int i = 0; i < nodes.size(); i++) {
      sb.append(' ').append(Topology.nodeName(i)).append(" |");
    }
    sb.append("\n|---|").append("---|".repeat(nodes.size())).append('\n');
    for (String kind : KINDS) {
      sb.append("| ").append(switch (kind) {
        case "log" -> "other log lines";
        case VipdLog.SUSPECT -> "peer suspect (a heartbeat late; no failover)";
        case "peer up" -> "peer up (after a suspect or a down)";
        case "output" -> "other output (not a log line)";
        default -> kind;
      }).append(" |");
      for (Map<String, Integer> count : counts) {
        sb.append(' ').append(count.getOrDefault(kind, 0)).append(" |");
      }
      sb.append('\n');
    }

    sb.append("\n## GC pauses in the window (from each node's `-Xlog:gc*,safepoint`)\n\n");
    sb.append("| node | allocated MB/s | GC pauses | young / mixed / remark / cleanup / full / zgc |"
        + " median ms | p99 ms | max ms | total ms | safepoints | safepoints ≥ ")
        .append(intervalMs).append(" ms | longest safepoint ms |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < nodes.size(); i++) {
      NodeResult r = nodes.get(i);
      GcLog.Summary s = GcLog.Summary.of(r.pauses());
      double[] rates = VipdLog.pressureRates(r.lines());
      String kinds = List.of("young", "mixed", "remark", "cleanup", "full", "zgc").stream()
          .map(k -> Long.toString(r.pauses().stream().filter(p -> p.kind().equals(k)).count()))
          .collect(Collectors.joining(" / "));
      sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %s | %s | %d | %d"
          + " | %s |%n", Topology.nodeName(i), rates.length == 0 ? "—"
              : fmt(Arrays.stream(rates).average().orElse(0)), s.count(), kinds,
          fmt(s.median()), fmt(s.p99()), fmt(s.max()), fmt(s.total()), r.safepoints().size(),
          r.safepoints().stream().filter(p -> p.ms() >= intervalMs).count(),
          fmt(r.safepoints().stream().mapToDouble(GcLog.Pause::ms).max().orElse(0))));
    }

    sb.append("\n## Incidents\n\n");
    if (incidents.isEmpty()) {
      sb.append("None.\n");
    }
    for (int k = 0; k < Math.min(incidents.size(), INCIDENTS_LISTED); k++) {
      List<Signal> incident = incidents.get(k);
      long from = incident.get(0).nanos();
      long to = incident.get(incident.size() - 1).nanos();
      sb.append(String.format(Locale.ROOT, "%d. at +%.3f s:%n", k + 1, (from - t0) / 1e9));
      List<Signal> shown = signals.stream().filter(x -> x.counts() ? incident.contains(x)
              : x.nanos() >= from - 1000 * MS && x.nanos() <= to + 1000 * MS)
          .sorted(Comparator.comparingLong(Signal::nanos)).toList();
      shown.stream().limit(LINES_PER_INCIDENT).forEach(x -> sb.append(x.counts() ? "   - "
          : "   - (").append(x.text()).append(x.counts() ? "\n" : ")\n"));
      if (shown.size() > LINES_PER_INCIDENT) {
        sb.append(String.format(Locale.ROOT, "   - … %d more lines, until +%.3f s%n",
            shown.size() - LINES_PER_INCIDENT, (to - t0) / 1e9));
      }
    }
    if (incidents.size() > INCIDENTS_LISTED) {
      sb.append("\n(").append(incidents.size() - INCIDENTS_LISTED)
          .append(" more incidents not listed)\n");
    }

    sb.append("\n## Longest GC pauses\n\n");
    for (int i = 0; i < nodes.size(); i++) {
      String name = Topology.nodeName(i);
      nodes.get(i).pauses().stream().sorted(Comparator.comparingDouble(GcLog.Pause::ms)
          .reversed()).limit(3).forEach(p -> sb.append("    ").append(name).append(' ')
              .append(p.line()).append('\n'));
    }
    if (output > 0) {
      sb.append("\n## Other output in the window\n\n");
      for (int i = 0; i < nodes.size(); i++) {
        String name = Topology.nodeName(i);
        nodes.get(i).lines().stream().filter(l -> l.kind().equals("output")).limit(20)
            .forEach(l -> sb.append("    ").append(name).append(": ").append(l.text())
                .append('\n'));
      }
    }
    sb.append("\nRaw logs: ").append(bench.dir()).append("/soak-nI.log (vipd's output),")
        .append(" gc-nI.log (GC and safepoints).\n");
    return sb.toString();
  }

  /**
   * The signals that count, in time order, grouped: a gap of {@link #INCIDENT_GAP} starts a new
   * group.
   */
  private static List<List<Signal>> incidents(List<Signal> signals) {
    List<Signal> sorted = new ArrayList<>(signals.stream().filter(Signal::counts).toList());
    sorted.sort(Comparator.comparingLong(Signal::nanos));
    List<List<Signal>> incidents = new ArrayList<>();
    long last = Long.MIN_VALUE;
    for (Signal s : sorted) {
      if (incidents.isEmpty() || s.nanos() - last > INCIDENT_GAP) {
        incidents.add(new ArrayList<>());
      }
      incidents.get(incidents.size() - 1).add(s);
      last = s.nanos();
    }
    return incidents;
  }

  private static List<GcLog.Pause> inWindow(List<GcLog.Pause> pauses, long t0, long t1,
      Instant wall0) {
    return pauses.stream().filter(p -> nanos(p.at(), t0, wall0) <= t1).toList();
  }

  /** The {@link System#nanoTime()} of wall-clock {@code at}, given both clocks at the start. */
  private static long nanos(Instant at, long t0, Instant wall0) {
    return t0 + Duration.between(wall0, at).toNanos();
  }

  static long[] sizes(Path[] files) throws IOException {
    long[] sizes = new long[files.length];
    for (int i = 0; i < files.length; i++) {
      sizes[i] = Files.exists(files[i]) ? Files.size(files[i]) : 0;
    }
    return sizes;
  }

  /** What {@code file} holds from byte {@code offset} on ("" when it does not exist). */
  static String readFrom(Path file, long offset) throws IOException {
    if (!Files.exists(file)) {
      return "";
    }
    try (SeekableByteChannel ch = Files.newByteChannel(file)) {
      ch.position(offset);
      ByteBuffer buf = ByteBuffer.allocate((int) Math.max(0, ch.size() - offset));
      while (buf.hasRemaining() && ch.read(buf) > 0) {
        // read on
      }
      return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
    }
  }
}
