package io.vipha.examples;

import io.vipha.FailoverPolicy;
import io.vipha.Lease;
import io.vipha.sim.Outage;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** The demo's timeline as text: one block per step, then a summary table. */
final class TimelineText {
  private static final int WIDTH = 100;
  /** Before an event line's time, which then ends four columns right of the step's. */
  private static final String EVENT = "    ";
  /** Before a step's closing line, under the events' text. */
  private static final String CLOSING = "              ";

  private TimelineText() {}

  /** Prints {@code run}: each step with its owner changes and client outages, then a summary. */
  static void print(PrintStream out, DemoRun run) {
    out.println("== " + run.scenario().title());
    wrap(out, "   ", policy(run.scenario().group().policy()), "     ");
    out.println("   each step runs " + millis(run.settle()) + " of virtual time; an unplanned"
        + " failover may cost clients up to " + millis(run.bounds().failover()));
    for (DemoRun.StepResult s : run.steps()) {
      out.println();
      String head = time(s.from()) + "  [" + s.index() + "] ";
      wrap(out, head, s.step().text(), " ".repeat(head.length() + 2));
      for (String line : events(run, s)) {
        out.println(EVENT + line);
      }
      StringBuilder end = new StringBuilder(CLOSING).append("=> owner ")
          .append(run.ownerSummary(s));
      s.conditions().forEach((node, c) -> end.append("; ").append(node).append(' ').append(c));
      end.append("; client outage ").append(outage(run, s));
      wrap(out, CLOSING, end.substring(CLOSING.length()), CLOSING + "   ");
    }
    out.println();
    out.println("   Summary, seed " + run.seed());
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"time", "step", "owner after", "client outage"});
    for (DemoRun.StepResult s : run.steps()) {
      rows.add(new String[] {time(s.from()).trim(), "[" + s.index() + "] " + s.step().marker(),
          run.ownerSummary(s), outage(run, s)});
    }
    int[] widths = new int[4];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        widths[i] = Math.max(widths[i], r[i].length());
      }
    }
    for (String[] r : rows) {
      out.println(String.format(Locale.ROOT, "   %" + widths[0] + "s  %-" + widths[1] + "s  %-"
          + widths[2] + "s  %s", r[0], r[1], r[2], r[3]).stripTrailing());
    }
  }

  /** Prints {@code first + text}, wrapped at {@value #WIDTH} columns under {@code next}. */
  static void wrap(PrintStream out, String first, String text, String next) {
    StringBuilder line = new StringBuilder(first);
    int start = line.length();
    for (String word : text.split(" ", -1)) {
      if (line.length() > start && line.length() + 1 + word.length() > WIDTH) {
        out.println(line);
        line = new StringBuilder(next);
        start = line.length();
      } else if (line.length() > start) {
        line.append(' ');
      }
      line.append(word);
    }
    out.println(line);
  }

  /** The policy in one line. */
  static String policy(FailoverPolicy p) {
    Lease lease = p.lease();
    return "policy: heartbeat " + millis(p.heartbeatInterval()) + ", dead after "
        + p.deadAfter() + " (detection " + millis(p.detectionTime()) + "), preempt delay "
        + millis(p.preemptDelay()) + ", hold-down " + millis(p.holdDown()) + ", lease "
        + (lease.isForever() ? "forever" : millis(Objects.requireNonNull(lease.duration())))
        + ", quorum " + p.quorum() + ", flap limit "
        + (p.flapLimit().maxChanges() == 0 ? "off" : p.flapLimit().maxChanges() + " changes per "
            + millis(p.flapLimit().window()));
  }

  /** The client outage of {@code step}: {@code 0 ms}, {@code 302.6 ms} or with the VIP count. */
  static String outage(DemoRun run, DemoRun.StepResult step) {
    List<Outage> outages = run.outages(step);
    if (outages.isEmpty()) {
      return "0 ms";
    }
    String longest = nanos(run.longestOutage(step));
    long vips = outages.stream().map(o -> o.vip().cidr()).distinct().count();
    boolean ongoing = outages.stream().anyMatch(Outage::ongoing);
    String text = vips == 1 ? longest : longest + " (longest of " + vips + " VIPs)";
    return ongoing ? text + ", still going on" : text;
  }

  /** The owner changes and the client's outages during {@code step}, in time order. */
  private static List<String> events(DemoRun run, DemoRun.StepResult step) {
    Map<Long, List<String>> byTime = new TreeMap<>();
    for (DemoRun.Change c : run.changes(step)) {
      byTime.computeIfAbsent(c.at(), k -> new ArrayList<>()).add(time(c.at()) + "  "
          + pad(c.node()) + (c.added() ? "adds " : "loses ") + vips(c.vips())
          + " (" + c.reason() + ")");
    }
    Map<Long, List<Outage>> outagesByStart = new LinkedHashMap<>();
    for (Outage o : run.outages(step)) {
      outagesByStart.computeIfAbsent(o.from(), k -> new ArrayList<>()).add(o);
    }
    outagesByStart.forEach((from, list) -> {
      long longest = 0;
      List<String> vips = new ArrayList<>();
      for (Outage o : list) {
        longest = Math.max(longest, o.length(run.end()));
        vips.add(o.vip().cidr());
      }
      String what = vips(vips) + (list.size() == 1 ? " for " : " for up to ") + nanos(longest);
      byTime.computeIfAbsent(from, k -> new ArrayList<>()).add(time(from) + "  "
          + pad("client") + "cannot reach " + what);
    });
    List<String> lines = new ArrayList<>();
    byTime.values().forEach(lines::addAll);
    return lines;
  }

  /**
   * VIPs in short: {@code 192.0.2.10/24}, or {@code 192.0.2.{11,14,20}/24} when they differ
   * only in the last part of the address.
   */
  static String vips(List<String> cidrs) {
    if (cidrs.size() == 1) {
      return cidrs.get(0);
    }
    String first = cidrs.get(0);
    int dot = first.lastIndexOf('.');
    int slash = first.indexOf('/');
    if (dot < 0 || slash < dot) {
      return String.join(", ", cidrs);
    }
    String prefix = first.substring(0, dot + 1);
    String suffix = first.substring(slash);
    List<String> parts = new ArrayList<>();
    for (String c : cidrs) {
      if (!c.startsWith(prefix) || !c.endsWith(suffix)) {
        return String.join(", ", cidrs);
      }
      parts.add(c.substring(prefix.length(), c.length() - suffix.length()));
    }
    parts.sort(Comparator.comparingInt(String::length).thenComparing(p -> p));
    return prefix + "{" + String.join(",", parts) + "}" + suffix;
  }

  private static String pad(String who) {
    return String.format(Locale.ROOT, "%-8s", who);
  }

  /** {@code   5.000s}: virtual time in seconds, right-aligned in 8 columns. */
  static String time(long nanos) {
    return String.format(Locale.ROOT, "%7.3fs", nanos / 1e9);
  }

  /** {@code 302.6 ms}, {@code 0 ms}, or from 10 s on {@code 19.7 s}. */
  static String nanos(long nanos) {
    if (nanos == 0) {
      return "0 ms";
    }
    return nanos >= 10_000_000_000L ? String.format(Locale.ROOT, "%.1f s", nanos / 1e9)
        : String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
  }

  /** {@code 100ms}, {@code 2s}, {@code 1.5s}. */
  static String millis(Duration d) {
    long ms = d.toMillis();
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms < 1000 ? ms + "ms"
        : BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString() + "s";
  }
}
