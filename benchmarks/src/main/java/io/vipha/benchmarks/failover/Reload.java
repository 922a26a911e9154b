package io.vipha.benchmarks.failover;

import static io.vipha.benchmarks.failover.FailoverBench.MS;
import static io.vipha.benchmarks.failover.Results.fmt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The reload scenario ({@link Scenario#RELOAD}, issue 15): the three nodes of the failover
 * rounds, n1 the owner and n2 and n3 the standbys (priorities 150/100/50; three, so that vipd's
 * majority quorum, as in the rounds, survives one node's stall), at one interval, the client
 * probing both VIPs every 5 ms. Once n1 answers steadily, each of {@value #STEPS} steps rewrites
 * the configuration with one change that keeps the owner (odd steps toggle the heartbeat / advert
 * interval between the setting and {@link #slower} of it, even steps toggle every priority by
 * {@value #RAISE}), sends SIGHUP to n1, waits until n1 reports the reload applied ({@link
 * NodeLauncher#reloads}), then the same for n2 and n3 in turn, and lets max(300 ms, three
 * intervals) of the new configuration pass. It records the probes lost and the longest run of
 * them, the VIP address removals and additions on any host ({@link AddressWatch}) and the role
 * changes the nodes log ({@link NodeLauncher#transitions}) from the first SIGHUP to 0.6 s after
 * the last reload. A control run measures the same nodes for as long without a reload.
 */
final class Reload {
  /** The nodes: n1 the owner, n2 and n3 the standbys. */
  static final int NODES = 3;
  /** Reloads per node. */
  static final int STEPS = 20;
  /** The priority change of the even steps, added to every node's priority. */
  static final int RAISE = 10;

  /**
   * What one run measured.
   *
   * @param impl the launcher's name
   * @param intervalMs the interval setting (odd steps toggle it with {@link #slower})
   * @param control whether this was the control run: the same nodes and window, no reload
   * @param windowS the measured window, s
   * @param signals SIGHUPs sent (to all nodes)
   * @param confirmed reloads the nodes reported applied
   * @param sent probes sent (both VIPs) in the measured window
   * @param lost probes of them unanswered within {@link ProbeLog#ANSWER_WITHIN}
   * @param longestGapMs the longest run of lost probes to either VIP, ms
   * @param removals VIP address removals on any host
   * @param additions VIP address additions on any host
   * @param transitions the role changes the nodes logged, each prefixed with the node's name
   * @param lossRuns each run of lost probes: the VIP, its length and how long after which
   *     SIGHUP it began (see {@link #attribute})
   * @param owner the node that answered at the end
   * @param error why the run could not be completed, or null
   */
  record Result(String impl, int intervalMs, boolean control, double windowS, int signals,
      int confirmed, long sent, long lost, double longestGapMs, int removals, int additions,
      List<String> transitions, List<String> lossRuns, @Nullable String owner,
      @Nullable String error) {}

  private final FailoverBench bench;

  Reload(FailoverBench bench) {
    this.bench = bench;
  }

  /** The changed interval of the odd steps: 1.5 times {@code ms} when whole centiseconds. */
  static int slower(int ms) {
    int third = ms * 3 / 2;
    return third % 10 == 0 ? third : ms * 2;
  }

  /** The interval of step {@code step} (0: the start) at the interval setting {@code ms}. */
  static int interval(int step, int ms) {
    int timerChanges = (step + 1) / 2;
    return timerChanges % 2 == 1 ? slower(ms) : ms;
  }

  /** What step {@code step} (0: the start) adds to every priority. */
  static int raise(int step) {
    int priorityChanges = step / 2;
    return priorityChanges % 2 == 1 ? RAISE : 0;
  }

  /**
   * The cluster of step {@code step} at the interval setting {@code ms}: three nodes, dead after
   * 3, the setting's lease (longer than detection at either interval).
   */
  static NodeLauncher.Cluster step(int step, int ms, Path dir, Topology topology) {
    return new NodeLauncher.Cluster(NODES, interval(step, ms), 3, FailoverBench.leaseSeconds(ms),
        dir, topology, raise(step));
  }

  /**
   * Runs the scenario once with {@code impl} at {@code intervalMs}; never throws on a failure.
   * With {@code controlNanos} above 0 it is the control run instead: the nodes started and
   * settled alike, then measured for that long without a reload, so that what the machine and
   * the implementation do anyway (a loaded host's stalls) can be told from what reloads do.
   */
  Result run(NodeLauncher impl, int intervalMs, long controlNanos) throws IOException {
    boolean control = controlNanos > 0;
    if (hangupIgnored(Files.readString(Path.of("/proc/self/status")))) {
      return failed(impl, intervalMs, control, 0, 0, "this harness ignores SIGHUP (started"
          + " under nohup?)"
          + " and its nodes inherit that: a JVM cannot handle a signal ignored at its start;"
          + " start the harness without nohup (setsid, or a terminal)");
    }
    Path dir = bench.dir();
    Topology topology = bench.topology;
    NodeLauncher.Cluster c = step(0, intervalMs, dir, topology);
    impl.configure(c);
    Path[] logs = new Path[NODES];
    long[] startOffset = new long[NODES];
    Process[] nodes = new Process[NODES];
    int signals = 0;
    int confirmed = 0;
    try {
      long started = System.nanoTime();
      for (int i = 0; i < NODES; i++) {
        logs[i] = dir.resolve(impl.name() + "-" + intervalMs + (control ? "-CONTROL-" : "-RELOAD-")
            + Topology.nodeName(i) + ".log");
        startOffset[i] = Files.exists(logs[i]) ? Files.size(logs[i]) : 0;
        nodes[i] = bench.startNode(impl, c, i, logs[i]);
      }
      long[] done = new long[NODES];
      boolean settled = FailoverBench.await(() -> bench.probe.steady(0, 1000 * MS, "n1", started)
          && bench.probe.steady(1, 1000 * MS, "n1", started)
          && bench.watch.holders(Topology.VIP4) == 1 && bench.watch.holders(Topology.VIP6) == 1
          && readReloads(impl, c, logs, startOffset, done), 60_000);
      if (!settled) {
        return failed(impl, intervalMs, control, 0, 0, "n1 never answered steadily (last answer "
            + bench.probe.lastAnswerer(0, Long.MAX_VALUE) + "); logs " + logs[0].resolveSibling(
                logs[0].getFileName().toString().replace("-n1.log", "-n*.log")));
      }
      Thread.sleep(200);
      long t0 = System.nanoTime();
      long[] offset = new long[NODES];
      for (int i = 0; i < NODES; i++) {
        offset[i] = Files.size(logs[i]);
      }
      List<long[]> hups = new ArrayList<>();
      for (int s = 1; s <= (control ? 0 : STEPS); s++) {
        NodeLauncher.Cluster cs = step(s, intervalMs, dir, topology);
        impl.configure(cs);
        for (int i = 0; i < NODES; i++) {
          long want = done[i] + 1;
          hups.add(new long[] {System.nanoTime(), i, s});
          Sh.run("kill", "-HUP", Long.toString(nodes[i].pid()));
          signals++;
          int node = i;
          if (!FailoverBench.await(() -> readReloads(impl, cs, logs, startOffset, done)
              && done[node] >= want, 10_000)) {
            return failed(impl, intervalMs, control, signals, confirmed, Topology.nodeName(i)
                + " did not report reload " + s + " applied within 10 s; log " + logs[i]);
          }
          confirmed++;
        }
        Thread.sleep(Math.max(300, 3L * cs.intervalMs()));
      }
      if (control) {
        Thread.sleep(controlNanos / MS);
      } else {
        Thread.sleep(500 + ProbeLog.ANSWER_WITHIN / MS);
      }
      long end = System.nanoTime();
      long sent = 0;
      long lost = 0;
      long gap = 0;
      List<String> runs = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        long[] counts = bench.probe.sentAndLost(t, t0, end);
        sent += counts[0];
        lost += counts[1];
        gap = Math.max(gap, bench.probe.longestOutage(t, t0, end));
        for (long[] run : bench.probe.lossRuns(t, t0, end)) {
          runs.add((t == 0 ? "IPv4 " : "IPv6 ") + attribute(run, hups));
        }
      }
      int removals = 0;
      int additions = 0;
      for (AddressWatch.Change ch : bench.watch.changes(t0, end)) {
        if (ch.present()) {
          additions++;
        } else {
          removals++;
        }
      }
      List<String> transitions = new ArrayList<>();
      for (int i = 0; i < NODES; i++) {
        String name = Topology.nodeName(i);
        impl.transitions(tail(logs[i], offset[i])).forEach(l -> transitions.add(name + ": " + l));
      }
      return new Result(impl.name(), intervalMs, control, (end - t0) / 1e9, signals, confirmed,
          sent, lost,
          gap / (double) MS, removals, additions, transitions, runs,
          bench.probe.lastAnswerer(0, end - 100 * MS), null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed(impl, intervalMs, control, signals, confirmed, "interrupted");
    } catch (IOException | RuntimeException e) {
      return failed(impl, intervalMs, control, signals, confirmed, e.toString());
    } finally {
      bench.reset();
    }
  }

  /**
   * Reads both nodes' reload counts into {@code done}; false (to be polled again) while a node
   * cannot tell yet (its control socket not open).
   */
  private static boolean readReloads(NodeLauncher impl, NodeLauncher.Cluster c, Path[] logs,
      long[] startOffset, long[] done) {
    try {
      for (int i = 0; i < NODES; i++) {
        done[i] = impl.reloads(c, i, tail(logs[i], startOffset[i]));
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Whether {@code status} ({@code /proc/PID/status}) shows SIGHUP (signal 1) ignored: the
   * {@code SigIgn} mask's lowest bit.
   */
  static boolean hangupIgnored(String status) {
    return status.lines().filter(l -> l.startsWith("SigIgn:")).findFirst()
        .map(l -> (Long.parseLong(l.substring(7).strip(), 16) & 1) != 0).orElse(false);
  }

  /** The text of {@code file} from byte {@code offset} on. */
  static String tail(Path file, long offset) throws IOException {
    byte[] all = Files.readAllBytes(file);
    int from = (int) Math.min(offset, all.length);
    return new String(all, from, all.length - from, StandardCharsets.UTF_8);
  }

  private static Result failed(NodeLauncher impl, int intervalMs, boolean control, int signals,
      int confirmed, String why) {
    return new Result(impl.name(), intervalMs, control, 0, signals, confirmed, 0, 0, Double.NaN,
        0, 0,
        List.of(), List.of(), null, why);
  }

  /**
   * A run of lost probes ({@code {start, nanos}}, as {@link ProbeLog#lossRuns} gives it) told by
   * the SIGHUP before it ({@code {nanos, node index, step}} each, in order): {@code "52.6 ms,
   * 12.0 ms after SIGHUP 3 of n1"}, or {@code "before the first SIGHUP"}.
   */
  static String attribute(long[] run, List<long[]> hups) {
    long[] before = null;
    for (long[] h : hups) {
      if (h[0] <= run[0]) {
        before = h;
      }
    }
    String length = fmt(run[1] / (double) MS) + " ms, ";
    return before == null ? length + "before the first SIGHUP" : length
        + fmt((run[0] - before[0]) / (double) MS) + " ms after SIGHUP " + before[2] + " of "
        + Topology.nodeName((int) before[1]);
  }

  /** One line for a run: what the client and the hosts saw, or the error. */
  static String describe(Result r) {
    return String.format(Locale.ROOT, "%-10s %5d ms %-7s %.1f s SIGHUPs %d confirmed %d probes %d"
        + " lost %d longest gap %s ms VIP removed %d added %d transitions %d owner %s%s%s%s",
        r.impl(), r.intervalMs(), r.control() ? "CONTROL" : "RELOAD", r.windowS(), r.signals(),
        r.confirmed(), r.sent(), r.lost(),
        fmt(r.longestGapMs()), r.removals(), r.additions(), r.transitions().size(), r.owner(),
        r.lossRuns().isEmpty() ? "" : " loss runs " + r.lossRuns(),
        r.transitions().isEmpty() ? "" : " " + r.transitions(),
        r.error() == null ? "" : " ERROR " + r.error());
  }

  /** The markdown table: one row per run. */
  static String table(List<Result> results) {
    StringBuilder sb = new StringBuilder("| implementation | interval | window s | SIGHUPs"
        + " (applied) | probes sent | lost | longest gap ms | VIP removed / added | role changes |"
        + " owner after | runs of lost probes |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Result r : results) {
      sb.append("| ").append(r.impl()).append(r.control() ? " (control: no reload)" : "")
          .append(" | ").append(r.intervalMs()).append(" ms")
          .append(r.control() ? "" : " ↔ " + slower(r.intervalMs()) + " ms").append(" | ")
          .append(String.format(Locale.ROOT, "%.1f", r.windowS())).append(" | ");
      if (r.error() != null) {
        sb.append(r.signals()).append(" (").append(r.confirmed()).append(") | failed: ")
            .append(r.error().replace('|', '/')).append(" | | | | | | |\n");
        continue;
      }
      sb.append(r.signals()).append(" (").append(r.confirmed()).append(") | ").append(r.sent())
          .append(" | ").append(r.lost()).append(" | ").append(fmt(r.longestGapMs()))
          .append(" | ").append(r.removals()).append(" / ").append(r.additions()).append(" | ")
          .append(r.transitions().isEmpty() ? "none"
              : r.transitions().size() + ": " + String.join("; ", r.transitions())
                  .replace('|', '/'))
          .append(" | ").append(r.owner()).append(" | ")
          .append(r.lossRuns().isEmpty() ? "none" : String.join("; ", r.lossRuns()))
          .append(" |\n");
    }
    return sb.toString();
  }
}
