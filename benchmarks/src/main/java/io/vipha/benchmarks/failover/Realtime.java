package io.vipha.benchmarks.failover;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Real-time scheduling of the harness's own processes. Its instruments (the client {@link Probe}
 * and the {@link Responder}s) run at {@code SCHED_RR} {@value #INSTRUMENTS}, so that a delay of
 * theirs is not counted as a probe vipd lost; the {@link Witness} at {@code SCHED_FIFO} {@value
 * #WITNESS}. Both are started under {@code chrt} when this process may (root, or an {@code
 * RLIMIT_RTPRIO} that allows it: {@link #missing} tries {@code chrt} once); otherwise at normal
 * priority, which the soak's report says. Every thread a process starts inherits its policy.
 */
final class Realtime {
  /** The instruments' {@code SCHED_RR} priority: below vipd's loops ({@code daemon.realtime}). */
  static final int INSTRUMENTS = 5;
  /** The witness's {@code SCHED_FIFO} priority, the highest. */
  static final int WITNESS = 99;
  private static final String[] POLICIES = {"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",
      "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE"};
  private static @Nullable String missing;

  private Realtime() {}

  /**
   * Null when this process may start a process at {@code SCHED_FIFO} {@value #WITNESS} (and so
   * at {@code SCHED_RR} {@value #INSTRUMENTS}); otherwise why not. Tried once.
   */
  static synchronized @Nullable String missing() {
    if (missing == null) {
      String[] r = Sh.attempt("chrt", "-f", Integer.toString(WITNESS), "true");
      missing = r[0] == null ? "" : "real-time scheduling (root or RLIMIT_RTPRIO " + WITNESS
          + ", and chrt): " + r[0];
    }
    return missing.isEmpty() ? null : missing;
  }

  /** {@code chrt -r PRIORITY}, to put before a command, or nothing when not allowed. */
  static List<String> rr(int priority) {
    return missing() == null ? List.of("chrt", "-r", Integer.toString(priority)) : List.of();
  }

  /** {@code chrt -f PRIORITY}, to put before a command, or nothing when not allowed. */
  static List<String> fifo(int priority) {
    return missing() == null ? List.of("chrt", "-f", Integer.toString(priority)) : List.of();
  }

  /**
   * The scheduling of every thread of process {@code pid} as read from {@code /proc}: e.g.
   * {@code "SCHED_RR 5 (all 14 threads)"}, {@code "SCHED_FIFO 99 (its one thread)"}, or each
   * policy with its count of threads when they differ; {@code "gone"} when the process is.
   */
  static String of(long pid) {
    Map<String, Integer> count = new TreeMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks.toList()) {
        try {
          count.merge(policy(Files.readString(task.resolve("stat"))), 1, Integer::sum);
        } catch (IOException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      return "gone";
    }
    int threads = count.values().stream().mapToInt(Integer::intValue).sum();
    if (count.size() == 1) {
      return count.keySet().iterator().next() + (threads == 1 ? " (its one thread)"
          : " (all " + threads + " threads)");
    }
    return count.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + " threads)")
        .collect(Collectors.joining(", "));
  }

  /**
   * The policy and priority in a {@code /proc/PID/task/TID/stat} line: {@code "SCHED_RR 5"},
   * {@code "SCHED_OTHER"}.
   */
  static String policy(String stat) {
    // Fields after the command (which may hold spaces) in parentheses: state is field 3,
    // rt_priority field 40 and policy field 41.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    int policy = Integer.parseInt(f[41 - 3]);
    String name = policy < POLICIES.length ? POLICIES[policy] : "policy " + policy;
    return policy == 1 || policy == 2 ? name + " " + f[40 - 3] : name;
  }
}
