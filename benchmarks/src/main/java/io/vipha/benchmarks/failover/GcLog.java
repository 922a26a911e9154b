package io.vipha.benchmarks.failover;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stop-the-world pauses in a JVM's unified log, written with {@code
 * -Xlog:gc*,safepoint:file=F:time,uptime,level,tags}: the {@code [gc]} summary line of every
 * G1 pause ({@code GC(7) Pause Young (Normal) (G1 Evacuation Pause) 30M->5M(64M) 2.345ms}) and
 * every safepoint ({@code Safepoint "G1CollectForAllocation", … Total: 2456789 ns}), whatever
 * the VM operation. Serial and Parallel log their pauses as G1 does ({@code Pause Young
 * (Allocation Failure) …}); ZGC logs its three short pauses per cycle under {@code gc,phases}
 * ({@code GC(3) Pause Mark Start 0.013ms}, generational: {@code GC(3) Y: Pause Mark Start
 * 0.012ms}), kind {@code zgc}.
 */
final class GcLog {
  /** One pause: when it ended (the line's time), its kind, how long, and the line. */
  record Pause(Instant at, String kind, double ms, String line) {}

  /** Count, median, 99th percentile (nearest rank), maximum and total of some pauses, in ms. */
  record Summary(int count, double median, double p99, double max, double total) {
    static Summary of(List<Pause> pauses) {
      double[] ms = pauses.stream().mapToDouble(Pause::ms).sorted().toArray();
      int n = ms.length;
      if (n == 0) {
        return new Summary(0, 0, 0, 0, 0);
      }
      return new Summary(n, Results.median(ms), ms[(int) Math.ceil(0.99 * n) - 1],
          ms[n - 1], Arrays.stream(ms).sum());
    }
  }

  private static final String DECORATIONS = "^\\[([^\\]]+)\\]\\[[^\\]]*\\]\\[\\w+\\]";
  private static final Pattern GC_PAUSE = Pattern.compile(DECORATIONS
      + "\\[gc\\s*\\] GC\\(\\d+\\) Pause (Young \\(([^)]*)\\)|Remark|Cleanup|Full) .*?"
      + " ([0-9.]+)ms$");
  private static final Pattern Z_PAUSE = Pattern.compile(DECORATIONS
      + "\\[gc,phases\\s*\\] GC\\(\\d+\\) (?:[YO]: )?Pause (?:Mark Start|Mark End|Relocate Start)"
      + "(?: \\([^)]*\\))? ([0-9.]+)ms$");
  private static final Pattern SAFEPOINT = Pattern.compile(DECORATIONS
      + "\\[safepoint\\s*\\] Safepoint \"([^\"]+)\".* Total: (\\d+) ns");
  private static final Pattern YOUNG_CAUSE = Pattern.compile(
      "Pause Young \\(([^)]*)\\)(?: \\(([^)]*)\\))?");
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ", Locale.ROOT);

  private GcLog() {}

  /**
   * The GC pauses in {@code text}, oldest first, of kind {@code young}, {@code mixed}, {@code
   * remark}, {@code cleanup}, {@code full} or {@code zgc}.
   */
  static List<Pause> gcPauses(String text) {
    List<Pause> pauses = new ArrayList<>();
    for (String line : text.split("\n")) {
      Matcher m = GC_PAUSE.matcher(line);
      if (m.find()) {
        String what = m.group(2);
        String young = m.group(3);
        String kind = young == null ? what.toLowerCase(Locale.ROOT)
            : young.equals("Mixed") ? "mixed" : "young";
        pauses.add(new Pause(time(m.group(1)), kind, Double.parseDouble(m.group(4)), line));
        continue;
      }
      Matcher z = Z_PAUSE.matcher(line);
      if (z.find()) {
        pauses.add(new Pause(time(z.group(1)), "zgc", Double.parseDouble(z.group(2)), line));
      }
    }
    return pauses;
  }

  /** Every safepoint in {@code text}, oldest first; the kind is the VM operation. */
  static List<Pause> safepoints(String text) {
    List<Pause> pauses = new ArrayList<>();
    for (String line : text.split("\n")) {
      Matcher m = SAFEPOINT.matcher(line);
      if (m.find()) {
        pauses.add(new Pause(time(m.group(1)), m.group(2), Long.parseLong(m.group(3)) / 1e6,
            line));
      }
    }
    return pauses;
  }

  /**
   * The cause of a young or mixed pause as its line gives it: G1's second parenthesis ({@code
   * Pause Young (Normal) (G1 Evacuation Pause)}: {@code G1 Evacuation Pause}), Serial's and
   * Parallel's only one ({@code Pause Young (Allocation Failure)}: {@code Allocation Failure});
   * {@code "?"} for another line.
   */
  static String cause(Pause pause) {
    Matcher m = YOUNG_CAUSE.matcher(pause.line());
    if (!m.find()) {
      return "?";
    }
    return m.group(2) != null ? m.group(2) : m.group(1);
  }

  private static Instant time(String decoration) {
    return OffsetDateTime.parse(decoration, TIME).toInstant();
  }
}
