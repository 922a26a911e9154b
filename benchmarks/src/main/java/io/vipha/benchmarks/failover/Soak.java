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
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The soak (issue 8): three vipd nodes in the harness's {@link Topology} at one heartbeat
 * interval (10 ms by default) with dead-after 3, every vipd JVM under allocation pressure
 * ({@link PressuredVipd}) and logging its GC pauses and safepoints, the client probing both VIPs
 * every 5 ms throughout. Once n1 has served both VIPs steadily for 1 s, it watches for the given
 * minutes and reports, as markdown, the false failovers (VIP holder changes, runs of lost probes
 * and vipd's events in that window, grouped into incidents), the longest run of lost probes,
 * each node's GC pauses (count, median, p99, max, total, young collections by cause) read from
 * its GC log, histograms of its pauses, safepoints, loop stalls and late heartbeats, the
 * instruments' scheduling, the {@link Witness}'s late wake-ups (also beside each incident) and
 * the host's steal time, and with {@code --jfr} each node's allocation by thread ({@link
 * ThreadAllocation}).
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

  /** Witness gaps this close to an incident are listed with it. */
  private static final long WITNESS_AROUND = 100 * MS;
  /** The witness's longest gaps listed. */
  private static final int GAPS_LISTED = 10;
  /** The threads listed per node in the allocation by thread. */
  private static final int THREADS_LISTED = 12;

  /**
   * What a node left in its logs during the measured window; with {@code --jfr}, what each of
   * its threads allocated in it (empty without), or why that could not be read ({@code
   * jfrError}, null when it could).
   */
  record NodeResult(List<VipdLog.Line> lines, List<GcLog.Pause> pauses,
      List<GcLog.Pause> safepoints, long exitedAt, int exitCode,
      List<ThreadAllocation.Thread> threads, @Nullable String jfrError) {}

  /**
   * The machine in the window: the instruments' and the witness's scheduling as read from
   * {@code /proc}, the witness's log, and the host's steal time in ms.
   */
  record Machine(String instruments, String witness, Witness.Log log, double stealMs) {}

  private final FailoverBench bench;
  private final NodeLauncher launcher;
  private final int intervalMs;
  private final int rateMb;
  private final boolean jfr;

  /**
   * With {@code jfr}, the launcher's JVMs record {@link ThreadAllocation#jvmOption}, and the
   * report has each node's allocation by thread.
   */
  Soak(FailoverBench bench, NodeLauncher launcher, int intervalMs, int rateMb, boolean jfr) {
    this.bench = bench;
    this.launcher = launcher;
    this.intervalMs = intervalMs;
    this.rateMb = rateMb;
    this.jfr = jfr;
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
    try (Witness witness = new Witness(dir.resolve("witness.log"))) {
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
      long steal0 = Witness.steal();
      String instruments = bench.instruments();
      String witnessScheduling = Realtime.of(witness.process().pid());
      System.err.println("instruments: " + instruments + "; witness: " + witnessScheduling);
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
      double stealMs = (Witness.steal() - steal0) * 1000.0 / clockTicks();
      Thread.sleep(200); // the answers to the last probes
      Machine machine = new Machine(instruments, witnessScheduling, witness.read(), stealMs);
      List<NodeResult> results = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        // What the nodes wrote in the 200 ms after the window is left out.
        List<VipdLog.Line> lines = VipdLog.parse(readFrom(logs[i], logFrom[i])).stream()
            .filter(l -> l.at() == null || nanos(l.at(), t0, wall0) <= t1).toList();
        String gcText = readFrom(gc[i], gcFrom[i]);
        long exit = exitedAt.get(i);
        List<ThreadAllocation.Thread> threads = List.of();
        String jfrError = null;
        if (jfr) {
          Path recording = dir.resolve("jfr-" + Topology.nodeName(i) + ".jfr");
          try {
            ThreadAllocation.dump(bench.jdkTool("jcmd"), jvm(nodes[i].toHandle()), recording);
            threads = ThreadAllocation.inWindow(recording, wall0,
                wall0.plusNanos(t1 - t0));
          } catch (IOException | RuntimeException e) {
            jfrError = e.getMessage();
          }
        }
        results.add(new NodeResult(lines, inWindow(GcLog.gcPauses(gcText), t0, t1, wall0),
            inWindow(GcLog.safepoints(gcText), t0, t1, wall0), exit <= t1 ? exit : 0,
            nodes[i].isAlive() ? 0 : nodes[i].exitValue(), threads, jfrError));
      }
      return report(minutes, t0, t1, wall0, (t0 - started) / (double) MS, results, machine);
    } finally {
      bench.reset();
    }
  }

  private String report(int minutes, long t0, long t1, Instant wall0, double settleMs,
      List<NodeResult> nodes, Machine machine) {
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
    sb.append("Instruments' scheduling (read from `/proc` at the window's start): ")
        .append(machine.instruments()).append(". Witness: ").append(machine.witness())
        .append(".\n\n");
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
        .append(intervalMs).append(" ms | longest safepoint ms | young collections by cause |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < nodes.size(); i++) {
      NodeResult r = nodes.get(i);
      GcLog.Summary s = GcLog.Summary.of(r.pauses());
      double[] rates = VipdLog.pressureRates(r.lines());
      String kinds = List.of("young", "mixed", "remark", "cleanup", "full", "zgc").stream()
          .map(k -> Long.toString(r.pauses().stream().filter(p -> p.kind().equals(k)).count()))
          .collect(Collectors.joining(" / "));
      sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %s | %s | %d | %d"
          + " | %s | %s |%n", Topology.nodeName(i), rates.length == 0 ? "—"
              : fmt(Arrays.stream(rates).average().orElse(0)), s.count(), kinds,
          fmt(s.median()), fmt(s.p99()), fmt(s.max()), fmt(s.total()), r.safepoints().size(),
          r.safepoints().stream().filter(p -> p.ms() >= intervalMs).count(),
          fmt(r.safepoints().stream().mapToDouble(GcLog.Pause::ms).max().orElse(0)),
          youngCauses(r.pauses())));
    }
    histograms(sb, nodes, machine.log(), t0, t1);
    witness(sb, machine, t0, t1);
    if (jfr) {
      allocation(sb, nodes);
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
      sb.append(witnessAround(machine.log(), from, to, t0));
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
        .append(" gc-nI.log (GC and safepoints), witness.log")
        .append(jfr ? ", jfr-nI.jfr (the flight recordings).\n" : ".\n");
    return sb.toString();
  }

  /** The young (and mixed) collections of {@code pauses} by cause: "G1 Evacuation Pause 12". */
  static String youngCauses(List<GcLog.Pause> pauses) {
    Map<String, Long> causes = pauses.stream()
        .filter(p -> p.kind().equals("young") || p.kind().equals("mixed"))
        .collect(Collectors.groupingBy(GcLog::cause, TreeMap::new, Collectors.counting()));
    return causes.isEmpty() ? "none" : causes.entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
  }

  /**
   * The section of the pauses and stalls by length: per node its GC pauses, safepoints, event
   * loop stalls and late heartbeats (a peer suspect until it was heard again), and the witness's
   * lateness in [t0, t1].
   */
  static void histograms(StringBuilder sb, List<NodeResult> nodes, Witness.Log witness,
      long t0, long t1) {
    sb.append("\n## Pauses and stalls by length\n\n")
        .append("| node | what | count ").append(Histogram.HEADER).append('\n')
        .append("|---|---|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < nodes.size(); i++) {
      NodeResult r = nodes.get(i);
      String name = Topology.nodeName(i);
      row(sb, name, "GC pauses", r.pauses().stream().mapToDouble(GcLog.Pause::ms).toArray());
      row(sb, name, "safepoints", r.safepoints().stream().mapToDouble(GcLog.Pause::ms)
          .toArray());
      row(sb, name, "event loop stalls (vipd's `stalled` lines)",
          Arrays.stream(VipdLog.stallsMs(r.lines())).asDoubleStream().toArray());
      row(sb, name, "late heartbeats (a peer suspect until heard again)",
          VipdLog.suspectMs(r.lines()));
    }
    long[] late = witnessCounts(witness, t0, t1);
    sb.append("| host | witness wake-ups by lateness | ").append(Arrays.stream(late).sum())
        .append(' ').append(Histogram.cells(late)).append('\n');
  }

  private static void row(StringBuilder sb, String node, String what, double[] ms) {
    sb.append("| ").append(node).append(" | ").append(what).append(" | ").append(ms.length)
        .append(' ').append(Histogram.cells(ms)).append('\n');
  }

  /**
   * The witness's wake-ups in [t0, t1] by lateness: those on time (less than {@link
   * Witness#LATE_NANOS} late, counted from its wake-up counts) in the first bucket.
   */
  static long[] witnessCounts(Witness.Log witness, long t0, long t1) {
    List<Witness.Gap> gaps = witness.gaps(t0, t1);
    long[] counts = Histogram.counts(gaps.stream().mapToDouble(Witness.Gap::lateMs).toArray());
    counts[0] += Math.max(0, witness.wakeups(t0, t1) - gaps.size());
    return counts;
  }

  /** The witness's section: its scheduling, wake-ups, longest gaps, and the steal time. */
  static void witness(StringBuilder sb, Machine machine, long t0, long t1) {
    Witness.Log log = machine.log();
    List<Witness.Gap> gaps = log.gaps(t0, t1);
    sb.append("\n## Witness: did the machine stall?\n\n").append(String.format(Locale.ROOT,
        "A python3 loop on the host at %s (by its own account %s) sleeping 1 ms: %d wake-ups in"
        + " the window, %d of them more than %s ms late (each in the table above). The host's steal"
        + " time in the window (`/proc/stat`, summed over the CPUs): %s ms.%n%n",
        machine.witness(), log.scheduling(), log.wakeups(t0, t1), gaps.size(),
        fmt(Witness.LATE_NANOS / (double) MS), fmt(machine.stealMs())));
    if (log.policy() < 0) {
      sb.append("(The witness wrote nothing: see witness.log.err.)\n\n");
    }
    if (!gaps.isEmpty()) {
      sb.append("Longest gaps: ").append(gaps.stream()
          .sorted(Comparator.comparingLong(Witness.Gap::gapNanos).reversed()).limit(GAPS_LISTED)
          .map(g -> String.format(Locale.ROOT, "%s ms late at +%.3f s", fmt(g.lateMs()),
              (g.nanos() - t0) / 1e9))
          .collect(Collectors.joining("; "))).append(".\n");
    }
  }

  /**
   * The incident's lines for the witness: its late wake-ups within {@link #WITNESS_AROUND} of
   * [from, to], or that it woke on time throughout.
   */
  static String witnessAround(Witness.Log log, long from, long to, long t0) {
    List<Witness.Gap> near = log.gaps(from - WITNESS_AROUND, to + WITNESS_AROUND);
    if (near.isEmpty()) {
      return String.format(Locale.ROOT, "   - (witness: no wake-up more than %s ms late within"
          + " ±%d ms: the machine ran)%n", fmt(Witness.LATE_NANOS / (double) MS),
          WITNESS_AROUND / MS);
    }
    return near.stream().map(g -> String.format(Locale.ROOT, "   - (witness: woke %s ms late"
        + " at +%.3f s)%n", fmt(g.lateMs()), (g.nanos() - t0) / 1e9))
        .collect(Collectors.joining());
  }

  /**
   * The allocation by thread ({@code --jfr}): per node the bytes of vipd's threads, the
   * pressure thread and the others, and its threads that allocated most.
   */
  static void allocation(StringBuilder sb, List<NodeResult> nodes) {
    sb.append("\n## Allocation by thread in the window (JFR)\n\n")
        .append("Each thread's allocated bytes from `jdk.ThreadAllocationStatistics`, sampled"
            + " every second: its last sample in the window less its last one before it.\n\n")
        .append("| node | vipd's threads (`vipha-*`, `vipd-*`), bytes | pressure thread, bytes |"
            + " JDK's and other threads, bytes | young collections by cause |\n")
        .append("|---|---|---|---|---|\n");
    for (int i = 0; i < nodes.size(); i++) {
      NodeResult r = nodes.get(i);
      List<ThreadAllocation.Thread> t = r.threads();
      sb.append("| ").append(Topology.nodeName(i)).append(" | ");
      if (r.jfrError() != null) {
        sb.append("no recording: ").append(r.jfrError()).append(" | | | ");
      } else {
        for (ThreadAllocation.Group g : ThreadAllocation.Group.values()) {
          sb.append(String.format(Locale.ROOT, "%,d | ", ThreadAllocation.bytes(t, g)));
        }
      }
      sb.append(youngCauses(r.pauses())).append(" |\n");
    }
    sb.append('\n');
    for (int i = 0; i < nodes.size(); i++) {
      sb.append("- ").append(Topology.nodeName(i)).append(": ").append(nodes.get(i).threads()
          .stream().filter(t -> t.bytes() > 0).limit(THREADS_LISTED)
          .map(t -> String.format(Locale.ROOT, "%s %,d", t.name(), t.bytes()))
          .collect(Collectors.joining("; "))).append('\n');
    }
  }

  /** The JVM of a node: the process itself, or its first descendant that runs java. */
  private static long jvm(ProcessHandle node) {
    if (node.info().command().orElse("").endsWith("/java")) {
      return node.pid();
    }
    return node.descendants().filter(h -> h.info().command().orElse("").endsWith("/java"))
        .findFirst().map(ProcessHandle::pid).orElse(node.pid());
  }

  /** The kernel's clock ticks per second (USER_HZ) of {@code /proc/stat}: 100 unless told. */
  private static long clockTicks() {
    try {
      return Long.parseLong(Sh.run("getconf", "CLK_TCK").strip());
    } catch (RuntimeException e) {
      return 100;
    }
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
