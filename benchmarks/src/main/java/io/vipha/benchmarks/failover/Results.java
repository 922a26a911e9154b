package io.vipha.benchmarks.failover;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What the harness prints of its rounds: one line per round and the markdown table. */
final class Results {
  private Results() {}

  /** One line for a round: what the client saw, or the error. */
  static String describe(Round r) {
    return String.format(Locale.ROOT, "%-10s %5d ms %-10s delay %6.1f ms outage %8.1f ms dual %8.1f"
        + " ms left %8.1f heal %7.1f owner %s%s%s", r.impl(), r.intervalMs(), r.scenario(),
        r.delayMs(), r.outageMs(), r.dualMs(), r.leftMs(), r.healMs(), r.owner(),
        r.stalls().isEmpty() ? "" : " logs: " + r.stalls(),
        r.error() == null ? "" : " ERROR " + r.error());
  }

  /** The markdown table: one row per scenario and interval, both implementations side by side. */
  static String table(List<Round> rounds, List<String> impls) {
    Map<String, List<Round>> cells = new LinkedHashMap<>();
    for (Round r : rounds) {
      cells.computeIfAbsent(r.scenario() + "|" + r.intervalMs(), k -> new ArrayList<>()).add(r);
    }
    StringBuilder sb = new StringBuilder();
    sb.append("| scenario | interval | n | ");
    for (String impl : impls) {
      sb.append(impl).append(" outage ms, median (min–max) | ");
    }
    sb.append("ratio | ");
    for (String impl : impls) {
      sb.append(impl).append(" dual owner ms, max | ");
    }
    sb.append("other |\n|---|---|---|");
    sb.append("---|".repeat(impls.size() * 2 + 2)).append('\n');
    for (List<Round> cell : cells.values()) {
      Round first = cell.get(0);
      List<double[]> outages = new ArrayList<>();
      int n = 0;
      StringBuilder other = new StringBuilder();
      sb.append("| ").append(first.scenario().title).append(" | ")
          .append(interval(first.intervalMs())).append(" | ");
      StringBuilder dual = new StringBuilder();
      List<String> perImpl = new ArrayList<>();
      for (String impl : impls) {
        List<Round> mine = cell.stream().filter(r -> r.impl().equals(impl)).toList();
        List<Round> ok = mine.stream().filter(r -> r.error() == null).toList();
        n = Math.max(n, mine.size());
        double[] o = ok.stream().mapToDouble(Round::outageMs).sorted().toArray();
        outages.add(o);
        String failedNote = mine.size() > ok.size() ? " (" + (mine.size() - ok.size())
            + " failed)" : "";
        perImpl.add(o.length == 0 ? "—" + failedNote : fmt(median(o)) + " (" + fmt(o[0]) + "–"
            + fmt(o[o.length - 1]) + ")" + failedNote);
        double maxDual = ok.stream().mapToDouble(Round::dualMs).max().orElse(Double.NaN);
        dual.append(Double.isNaN(maxDual) ? "—" : fmt(maxDual)).append(" | ");
        if (first.scenario() == Scenario.KILL9 && !ok.isEmpty()) {
          double[] left = ok.stream().mapToDouble(Round::leftMs).sorted().toArray();
          int waited = FailoverBench.leaseSeconds(first.intervalMs()) + 2;
          other.append(impl).append(": VIP left the host ")
              .append(left[0] < 0 ? "never (in " + waited + " s)" : "after "
                  + fmt(median(left)) + " ms (median, max " + fmt(left[left.length - 1]) + ")")
              .append("; ");
        }
        if (first.scenario() == Scenario.PARTITION && !ok.isEmpty()) {
          other.append(impl).append(": after heal lost ")
              .append(fmt(ok.stream().mapToDouble(Round::healMs).max().orElse(0)))
              .append(" ms max; ");
        }
        for (Round r : mine) {
          if (r.error() != null) {
            other.append(impl).append(" failed: ").append(r.error().replace('|', '/'))
                .append("; ");
          }
        }
      }
      sb.append(n).append(" | ");
      for (String s : perImpl) {
        sb.append(s).append(" | ");
      }
      sb.append(ratio(outages)).append(" | ").append(dual).append(other).append(" |\n");
    }
    return sb.toString();
  }

  private static String ratio(List<double[]> outages) {
    if (outages.size() != 2 || outages.get(0).length == 0 || outages.get(1).length == 0) {
      return "—";
    }
    double a = median(outages.get(0));
    double b = median(outages.get(1));
    if (b == 0) {
      return a == 0 ? "both 0" : "∞";
    }
    return String.format(Locale.ROOT, "%.2f", a / b);
  }

  private static String interval(int ms) {
    return ms >= 1000 ? ms / 1000 + " s" : ms + " ms";
  }

  /** A time in ms for the tables: no decimals from 100 on, one below. */
  static String fmt(double v) {
    return v >= 100 ? String.format(Locale.ROOT, "%.0f", v)
        : String.format(Locale.ROOT, "%.1f", v);
  }

  /** The median of sorted values. */
  static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
