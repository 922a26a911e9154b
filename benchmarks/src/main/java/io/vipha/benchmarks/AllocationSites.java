package io.vipha.benchmarks;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Allocation samples (a JFR {@code jdk.ObjectAllocationSample}: the class allocated, the stack,
 * the bytes the sample stands for) ranked by site: the innermost frame of vipha's own code (any
 * {@code io.vipha} class but this module's and the test kit's, whose virtual scheduler stands in
 * for the event loop), with the class allocated and the innermost frame overall, which may be in
 * the JDK or the test kit.
 */
final class AllocationSites {
  private static final String OWN = "io.vipha.";
  private static final String HARNESS = "io.vipha.benchmarks.";
  private static final String TESTKIT = "io.vipha.testing.";

  private AllocationSites() {}

  /**
   * One sample.
   *
   * @param type the class allocated
   * @param frames the stack as {@code class.method} names, innermost first
   * @param bytes the bytes this sample stands for (its weight)
   */
  record Sample(String type, List<String> frames, long bytes) {
    /** Copies the frames; a lambda's class loses its run-specific suffix. */
    Sample {
      type = type.replaceFirst("\\$\\$Lambda[$/.].*", "\\$\\$Lambda");
      frames = List.copyOf(frames);
      if (bytes < 0) {
        throw new IllegalArgumentException("negative weight " + bytes);
      }
    }
  }

  /**
   * A ranked site.
   *
   * @param site the innermost frame of vipha's code, or the innermost frame when there is none
   * @param type the class allocated
   * @param top the innermost frame
   * @param bytesPerUnit the site's bytes divided by the units measured
   * @param share the site's fraction of all the samples' bytes (0–1)
   */
  record Row(String site, String type, String top, double bytesPerUnit, double share) {}

  /** The innermost frame of vipha's own code, or the innermost frame when there is none. */
  static String site(List<String> frames) {
    for (String f : frames) {
      if (f.startsWith(OWN) && !f.startsWith(HARNESS) && !f.startsWith(TESTKIT)) {
        return f;
      }
    }
    return frames.isEmpty() ? "(no stack)" : frames.get(0);
  }

  /** The samples grouped by site and class, largest first, in bytes per one of {@code units}. */
  static List<Row> rank(List<Sample> samples, long units) {
    if (units <= 0) {
      throw new IllegalArgumentException("units must be positive: " + units);
    }
    record Key(String site, String type) {}
    Map<Key, long[]> bytes = new HashMap<>();
    Map<Key, String> tops = new HashMap<>();
    long total = 0;
    for (Sample s : samples) {
      Key k = new Key(site(s.frames()), s.type());
      bytes.computeIfAbsent(k, x -> new long[1])[0] += s.bytes();
      tops.putIfAbsent(k, s.frames().isEmpty() ? "(no stack)" : s.frames().get(0));
      total += s.bytes();
    }
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<Key, long[]> e : bytes.entrySet()) {
      Key k = e.getKey();
      long b = e.getValue()[0];
      rows.add(new Row(k.site(), k.type(), tops.getOrDefault(k, ""), (double) b / units,
          total == 0 ? 0 : (double) b / total));
    }
    rows.sort(Comparator.comparingDouble(Row::bytesPerUnit).reversed()
        .thenComparing(Row::site).thenComparing(Row::type));
    return rows;
  }

  /** The rows as a Markdown table, those under {@code minShare} of the bytes left out. */
  static String table(List<Row> rows, double minShare) {
    StringBuilder b = new StringBuilder(
        "| site (innermost vipha frame) | class allocated | allocated in | B/interval | share |\n"
        + "|---|---|---|---|---|\n");
    for (Row r : rows) {
      if (r.share() >= minShare) {
        b.append(String.format(Locale.ROOT, "| `%s` | `%s` | `%s` | %.1f | %.1f %% |%n",
            r.site(), r.type(), r.top(), r.bytesPerUnit(), 100 * r.share()));
      }
    }
    return b.toString();
  }
}
