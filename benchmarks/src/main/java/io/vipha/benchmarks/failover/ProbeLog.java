package io.vipha.benchmarks.failover;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The client probe ({@link Probe}) as a running process in the client namespace (at {@code
 * SCHED_RR} {@value Realtime#INSTRUMENTS} when allowed, see {@link Realtime}), and what it
 * saw: for each target and sequence number, when it was sent, when the answer came and which
 * node answered. A probe counts as answered only if its answer came within {@link #ANSWER_WITHIN}
 * of the send: a later one (a probe the client's kernel held while it resolved the VIP's
 * neighbour entry, or one an overloaded host sat on) is lost for a client with that timeout.
 */
final class ProbeLog implements AutoCloseable {
  static final int INTERVAL_MS = 5;
  /** How soon an answer must come for its probe to count as answered, in nanoseconds. */
  static final long ANSWER_WITHIN = 100_000_000L;

  private final Process process;
  private final long[][] sent;
  private final long[][] answeredAt;
  private final @Nullable String[][] answeredBy;
  private final int[] count;

  ProbeLog(String clientNs, String java, String classPath, int port, String... targets)
      throws IOException {
    sent = new long[targets.length][1 << 16];
    answeredAt = new long[targets.length][1 << 16];
    answeredBy = new String[targets.length][1 << 16];
    count = new int[targets.length];
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", clientNs));
    cmd.addAll(Realtime.rr(Realtime.INSTRUMENTS));
    cmd.addAll(List.of(java, "-Xmx64m", "-cp", classPath, Probe.class.getName(),
        Integer.toString(port), Integer.toString(INTERVAL_MS)));
    cmd.addAll(List.of(targets));
    process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    Thread t = new Thread(this::read, "probe-log");
    t.setDaemon(true);
    t.start();
  }

  private void read() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.US_ASCII))) {
      for (String line; (line = r.readLine()) != null; ) {
        String[] f = line.split(" ");
        int t = Integer.parseInt(f[1]);
        int seq = Integer.parseInt(f[2]);
        synchronized (this) {
          ensure(t, seq);
          if (f[0].equals("S")) {
            sent[t][seq] = Long.parseLong(f[3]);
            count[t] = Math.max(count[t], seq + 1);
          } else if (answeredBy[t][seq] == null) {
            answeredAt[t][seq] = Long.parseLong(f[3]);
            answeredBy[t][seq] = f[4];
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // the probe was stopped
    }
  }

  private void ensure(int t, int seq) {
    if (seq >= sent[t].length) {
      int n = Math.max(seq + 1, sent[t].length * 2);
      sent[t] = Arrays.copyOf(sent[t], n);
      answeredAt[t] = Arrays.copyOf(answeredAt[t], n);
      answeredBy[t] = Arrays.copyOf(answeredBy[t], n);
    }
  }

  private boolean answered(int t, int s) {
    return answeredBy[t][s] != null && answeredAt[t][s] - sent[t][s] <= ANSWER_WITHIN;
  }

  /**
   * The longest run of unanswered probes to target {@code t} sent in [from, to - 100 ms], in
   * nanoseconds (see {@link #lossRuns}); 0 when none was lost.
   */
  synchronized long longestOutage(int t, long from, long to) {
    return lossRuns(t, from, to).stream().mapToLong(r -> r[1]).max().orElse(0);
  }

  /**
   * The runs of unanswered probes to target {@code t} sent in [from, to - 100 ms] (the last 100
   * ms are left out: their answers may still be on the way; a later answer counts as lost), in
   * order: each {@code {start, nanos}}, from the first unanswered send to the next answered send
   * (or to the end of the range).
   */
  synchronized List<long[]> lossRuns(int t, long from, long to) {
    long end = to - ANSWER_WITHIN;
    List<long[]> runs = new ArrayList<>();
    long runStart = -1;
    for (int s = 0; s < count[t]; s++) {
      long at = sent[t][s];
      if (at == 0 || at < from) {
        continue;
      }
      if (at > end) {
        break;
      }
      if (!answered(t, s)) {
        if (runStart < 0) {
          runStart = at;
        }
      } else if (runStart >= 0) {
        runs.add(new long[] {runStart, at - runStart});
        runStart = -1;
      }
    }
    if (runStart >= 0) {
      runs.add(new long[] {runStart, end - runStart});
    }
    return runs;
  }

  /**
   * The probes to target {@code t} sent in [from, to - 100 ms] and how many of them went
   * unanswered (as {@link #lossRuns} counts them): {@code {sent, lost}}.
   */
  synchronized long[] sentAndLost(int t, long from, long to) {
    long end = to - ANSWER_WITHIN;
    long sentCount = 0;
    long lost = 0;
    for (int s = 0; s < count[t]; s++) {
      long at = sent[t][s];
      if (at != 0 && at >= from && at <= end) {
        sentCount++;
        lost += answered(t, s) ? 0 : 1;
      }
    }
    return new long[] {sentCount, lost};
  }

  /**
   * Whether every probe to {@code t} sent in the {@code window} nanoseconds before now - 100 ms
   * was answered by {@code node} (null: by any node), and that window began at or after {@code
   * from} (so that only probes sent after an event count).
   */
  synchronized boolean steady(int t, long window, @Nullable String node, long from) {
    long end = System.nanoTime() - ANSWER_WITHIN;
    if (end - window < from) {
      return false;
    }
    int seen = 0;
    for (int s = count[t] - 1; s >= 0; s--) {
      long at = sent[t][s];
      if (at > end) {
        continue;
      }
      if (at < end - window) {
        break;
      }
      String by = answeredBy[t][s];
      if (!answered(t, s) || (node != null && !node.equals(by))) {
        return false;
      }
      seen++;
    }
    return seen > 0;
  }

  /** The node that answered the newest answered probe to {@code t} sent before {@code before}. */
  synchronized @Nullable String lastAnswerer(int t, long before) {
    for (int s = count[t] - 1; s >= 0; s--) {
      if (sent[t][s] != 0 && sent[t][s] < before && answeredBy[t][s] != null) {
        return answeredBy[t][s];
      }
    }
    return null;
  }

  /**
   * Writes every probe to {@code t} sent in [from, to] to {@code out}, one line each: sequence
   * number, sent and answered (ms after {@code zero}; "-" if unanswered), the answer's latency
   * (ms) and the node that answered.
   */
  synchronized void dump(int t, long from, long to, long zero, Appendable out)
      throws IOException {
    out.append("# seq sent_ms answered_ms latency_ms node (ms after the event)\n");
    for (int s = 0; s < count[t]; s++) {
      long at = sent[t][s];
      if (at == 0 || at < from || at > to) {
        continue;
      }
      String by = answeredBy[t][s];
      out.append(String.format(Locale.ROOT, "%d %.3f %s %s %s%n", s, (at - zero) / 1e6,
          by == null ? "-" : String.format(Locale.ROOT, "%.3f", (answeredAt[t][s] - zero) / 1e6),
          by == null ? "-" : String.format(Locale.ROOT, "%.3f", (answeredAt[t][s] - at) / 1e6),
          by == null ? "-" : by));
    }
  }

  /** The probe's process id (the JVM's: {@code ip netns exec} and {@code chrt} exec it). */
  long pid() {
    return process.pid();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
