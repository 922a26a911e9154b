package io.vipha.advisor;

import java.util.List;
import java.util.Objects;

/**
 * A side-by-side comparison of Active/Active and Active/Passive, as data and as a table.
 *
 * @param rows the rows, in order
 */
public record Comparison(List<Row> rows) {
  private static final Comparison MODES = new Comparison(List.of(
      new Row("Performance", "Higher: all nodes serve", "Standard: one node serves"),
      new Row("Availability", "Very high", "High, with a brief failover"),
      new Row("Cost", "Higher", "Lower"),
      new Row("Complexity", "More", "Simpler"),
      new Row("Best fit", "Mission-critical, high-traffic, multi-zone",
          "Internal or cost-focused")));

  /** Copies {@code rows}. */
  public Comparison {
    rows = List.copyOf(rows);
  }

  /** The documented comparison: performance, availability, cost, complexity, best fit. */
  public static Comparison modes() {
    return MODES;
  }

  /**
   * The rows as an aligned plain-text table with a header and a rule line, lines separated by
   * {@code \n}, no trailing newline and no trailing spaces.
   */
  public String toTable() {
    String[] header = {"Aspect", "Active/Active", "Active/Passive"};
    int[] width = {header[0].length(), header[1].length(), header[2].length()};
    for (Row r : rows) {
      width[0] = Math.max(width[0], r.aspect().length());
      width[1] = Math.max(width[1], r.activeActive().length());
      width[2] = Math.max(width[2], r.activePassive().length());
    }
    StringBuilder sb = new StringBuilder();
    line(sb, width, header);
    line(sb, width, "-".repeat(width[0]), "-".repeat(width[1]), "-".repeat(width[2]));
    for (Row r : rows) {
      line(sb, width, r.aspect(), r.activeActive(), r.activePassive());
    }
    sb.setLength(sb.length() - 1);
    return sb.toString();
  }

  private static void line(StringBuilder sb, int[] width, String... cells) {
    for (int i = 0; i < cells.length - 1; i++) {
      sb.append(cells[i]).append(" ".repeat(width[i] - cells[i].length() + 2));
    }
    sb.append(cells[cells.length - 1]).append('\n');
  }

  /**
   * One aspect of the comparison.
   *
   * @param aspect what is compared, e.g. {@code Cost}
   * @param activeActive how Active/Active does
   * @param activePassive how Active/Passive does
   */
  public record Row(String aspect, String activeActive, String activePassive) {
    /** Checks that nothing is null. */
    public Row {
      Objects.requireNonNull(aspect, "aspect");
      Objects.requireNonNull(activeActive, "activeActive");
      Objects.requireNonNull(activePassive, "activePassive");
    }
  }
}
