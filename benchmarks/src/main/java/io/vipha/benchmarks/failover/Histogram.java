package io.vipha.benchmarks.failover;

import java.util.Arrays;
import java.util.Locale;

/** Durations counted in the soak report's buckets: &lt;1, 1–2, 2–5, 5–10, 10–20, ≥20 ms. */
final class Histogram {
  /** The buckets' upper bounds, ms; the last bucket has none. */
  private static final double[] BOUNDS = {1, 2, 5, 10, 20};
  /** The header cells of the buckets. */
  static final String HEADER = "| <1 | 1–2 | 2–5 | 5–10 | 10–20 | ≥20 ms |";

  private Histogram() {}

  /** How many of {@code ms} fall in each bucket (a bound belongs to the bucket above it). */
  static long[] counts(double[] ms) {
    long[] counts = new long[BOUNDS.length + 1];
    for (double d : ms) {
      int b = 0;
      while (b < BOUNDS.length && d >= BOUNDS[b]) {
        b++;
      }
      counts[b]++;
    }
    return counts;
  }

  /** The bucket cells of {@code ms}: {@code "| 3 | 0 | 1 | 0 | 0 | 0 |"}. */
  static String cells(double[] ms) {
    return cells(counts(ms));
  }

  /** The cells of bucket counts. */
  static String cells(long[] counts) {
    StringBuilder sb = new StringBuilder("|");
    Arrays.stream(counts).forEach(c -> sb.append(String.format(Locale.ROOT, " %d |", c)));
    return sb.toString();
  }
}
