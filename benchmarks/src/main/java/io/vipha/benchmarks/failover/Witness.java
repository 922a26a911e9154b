package io.vipha.benchmarks.failover;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The witness: a tiny process on the host (outside the namespaces) at {@code SCHED_FIFO}
 * {@value Realtime#WITNESS} that sleeps 1 ms in a loop and writes every wake-up later than
 * {@link #LATE_NANOS} with its {@code CLOCK_MONOTONIC} time, the clock of {@link
 * System#nanoTime()} and of the {@link Probe}. At the highest priority nothing on the machine
 * but the kernel and the hypervisor can hold it back, so a gap of its means the whole (virtual)
 * machine stalled, which no process in it could help; the host's steal time says how much of it
 * the hypervisor took.
 *
 * <p>It is python3 rather than a JVM: no safepoints, no collector and no compiler threads of its
 * own, so that its gaps are the machine's alone; its loop allocates only small integers, freed at
 * once by reference counting, with the cyclic collector off and its memory locked. Its log:
 *
 * <pre>
 * S NANOS POLICY PRIORITY   started (os.sched_getscheduler: 1 FIFO, 2 RR, 0 normal)
 * G NANOS GAP_NANOS         woke at NANOS, GAP_NANOS after the previous wake-up
 * N NANOS WAKEUPS           about every second: the wake-ups so far
 * </pre>
 */
final class Witness implements AutoCloseable {
  /** How late a wake-up must be to be written: 1 ms beyond the 1 ms sleep. */
  static final long LATE_NANOS = 1_000_000L;
  private static final long SLEEP_NANOS = 1_000_000L;
  private static final String SCRIPT = String.join("\n",
      "import gc, os, sys, time",
      "gc.disable()",
      "try:",
      "    import ctypes",
      "    ctypes.CDLL(None).mlockall(3)",
      "except Exception:",
      "    pass",
      "out = open(sys.argv[1], 'w', buffering=1)",
      "limit = int(sys.argv[2])",
      "now = time.monotonic_ns",
      "last = now()",
      "out.write('S %d %d %d\\n' % (last, os.sched_getscheduler(0),"
          + " os.sched_getparam(0).sched_priority))",
      "n = 0",
      "tick = last + 1000000000",
      "while True:",
      "    time.sleep(0.001)",
      "    t = now()",
      "    n += 1",
      "    if t - last > limit:",
      "        out.write('G %d %d\\n' % (t, t - last))",
      "    if t >= tick:",
      "        out.write('N %d %d\\n' % (t, n))",
      "        tick = t + 1000000000",
      "    last = t",
      "");

  /** A wake-up later than {@link #LATE_NANOS}: when, and how long after the one before. */
  record Gap(long nanos, long gapNanos) {
    /** How much later than the 1 ms sleep it woke, in ms. */
    double lateMs() {
      return (gapNanos - SLEEP_NANOS) / 1e6;
    }
  }

  /**
   * The witness's log: its start ({@code policy} and {@code priority} as it saw them), its late
   * wake-ups, and its count of wake-ups every second ({@code {nanos, count}}).
   */
  record Log(long started, int policy, int priority, List<Gap> gaps, List<long[]> counts) {
    /** The late wake-ups in [from, to]. */
    List<Gap> gaps(long from, long to) {
      return gaps.stream().filter(g -> g.nanos() >= from && g.nanos() <= to).toList();
    }

    /**
     * About how many wake-ups fell in [from, to], from the counts nearest either end (to within
     * a second's worth at each end).
     */
    long wakeups(long from, long to) {
      long first = -1;
      long last = -1;
      for (long[] c : counts) {
        if (first < 0 && c[0] >= from) {
          first = c[1];
        }
        if (c[0] <= to) {
          last = c[1];
        }
      }
      return first < 0 || last < first ? 0 : last - first;
    }

    /** Its scheduling as it saw it, e.g. {@code SCHED_FIFO 99}. */
    String scheduling() {
      return switch (policy) {
        case 1 -> "SCHED_FIFO " + priority;
        case 2 -> "SCHED_RR " + priority;
        case 0 -> "SCHED_OTHER";
        default -> "policy " + policy;
      };
    }
  }

  private final Process process;
  private final Path log;

  /** Starts the witness, writing to {@code log}; at {@code SCHED_FIFO} 99 when allowed. */
  Witness(Path log) throws IOException {
    this.log = log;
    Files.deleteIfExists(log);
    List<String> cmd = new ArrayList<>(Realtime.fifo(Realtime.WITNESS));
    cmd.addAll(List.of(python(), "-c", SCRIPT, log.toString(), Long.toString(SLEEP_NANOS
        + LATE_NANOS)));
    process = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(
            log.resolveSibling(log.getFileName() + ".err").toFile())).start();
  }

  /** The witness's process. */
  Process process() {
    return process;
  }

  /** Its log so far (empty until it has started). */
  Log read() throws IOException {
    return parse(Files.exists(log) ? Files.readString(log) : "");
  }

  /**
   * The host's steal time now, in clock ticks (USER_HZ) summed over the CPUs: the time the
   * hypervisor ran something else while this machine's CPUs had work (the steal field of {@code
   * /proc/stat}'s {@code cpu} line); 0 when unreadable.
   */
  static long steal() {
    try {
      return stealOf(Files.readString(Path.of("/proc/stat")));
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** The steal field of the {@code cpu} line of {@code /proc/stat} text. */
  static long stealOf(String stat) {
    for (String line : stat.split("\n")) {
      if (line.startsWith("cpu ")) {
        String[] f = line.trim().split("\\s+");
        return f.length > 8 ? Long.parseLong(f[8]) : 0;
      }
    }
    throw new IllegalArgumentException("no cpu line in /proc/stat");
  }

  /** Parses the witness's log; an incomplete last line is left out. */
  static Log parse(String text) {
    long started = 0;
    int policy = -1;
    int priority = 0;
    List<Gap> gaps = new ArrayList<>();
    List<long[]> counts = new ArrayList<>();
    int end = text.lastIndexOf('\n');
    for (String line : (end < 0 ? "" : text.substring(0, end)).split("\n")) {
      String[] f = line.split(" ");
      switch (f[0]) {
        case "S" -> {
          started = Long.parseLong(f[1]);
          policy = Integer.parseInt(f[2]);
          priority = Integer.parseInt(f[3]);
        }
        case "G" -> gaps.add(new Gap(Long.parseLong(f[1]), Long.parseLong(f[2])));
        case "N" -> counts.add(new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
        default -> {
          // blank
        }
      }
    }
    return new Log(started, policy, priority, gaps, counts);
  }

  /** Debian's python3 when there, else the one on the PATH. */
  private static String python() {
    Path debian = Path.of("/usr/bin/python3");
    return Files.isExecutable(debian) ? debian.toString() : "python3";
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
