package io.vipha.health;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP status codes an {@link HealthCheck.Http} check accepts: one code ({@code 200}), a range
 * ({@code 200-299}) or a list of both ({@code 200,204,301-302}). Codes are 100–599. Immutable;
 * {@link #toString()} gives the canonical text form, which {@link #parse(String)} reads back.
 */
public final class StatusCodes {
  /** The lowest status code: {@value}. */
  public static final int MIN = 100;
  /** The highest status code: {@value}. */
  public static final int MAX = 599;

  private static final StatusCodes OK = new StatusCodes(new int[] {200, 200});

  private final int[] ranges; // sorted, disjoint, non-adjacent [from0, to0, from1, to1, ...]

  private StatusCodes(int[] ranges) {
    this.ranges = ranges;
  }

  /** {@code 200} only: the default. */
  public static StatusCodes ok() {
    return OK;
  }

  /** Exactly these codes, each 100–599. */
  public static StatusCodes of(int... codes) {
    if (codes.length == 0) {
      throw new IllegalArgumentException("no status codes; give at least one, e.g. 200");
    }
    List<int[]> rs = new ArrayList<>();
    for (int c : codes) {
      requireCode(c);
      rs.add(new int[] {c, c});
    }
    return new StatusCodes(merge(rs));
  }

  /** Every code from {@code from} to {@code to}, inclusive, both 100–599. */
  public static StatusCodes range(int from, int to) {
    requireCode(from);
    requireCode(to);
    if (from > to) {
      throw new IllegalArgumentException("status range " + from + "-" + to + " is empty");
    }
    return new StatusCodes(new int[] {from, to});
  }

  /**
   * Parses {@code 200}, {@code 200-299} or a comma-separated list of both (spaces allowed around
   * items), or returns null when the text is not such a list of codes 100–599.
   */
  public static @Nullable StatusCodes parse(String text) {
    String[] items = text.split(",", -1);
    List<int[]> rs = new ArrayList<>();
    for (String raw : items) {
      String item = raw.trim();
      int dash = item.indexOf('-');
      int from = code(dash < 0 ? item : item.substring(0, dash).trim());
      int to = dash < 0 ? from : code(item.substring(dash + 1).trim());
      if (from < 0 || to < 0 || from > to) {
        return null;
      }
      rs.add(new int[] {from, to});
    }
    return new StatusCodes(merge(rs));
  }

  private static int code(String s) {
    if (s.length() != 3 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return -1;
    }
    int c = Integer.parseInt(s);
    return c < MIN || c > MAX ? -1 : c;
  }

  private static void requireCode(int c) {
    if (c < MIN || c > MAX) {
      throw new IllegalArgumentException("status code " + c + " is out of range; use " + MIN + "–"
          + MAX);
    }
  }

  private static int[] merge(List<int[]> rs) {
    rs.sort((a, b) -> Integer.compare(a[0], b[0]));
    List<int[]> out = new ArrayList<>();
    for (int[] r : rs) {
      int[] last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last != null && r[0] <= last[1] + 1) {
        last[1] = Math.max(last[1], r[1]);
      } else {
        out.add(new int[] {r[0], r[1]});
      }
    }
    int[] flat = new int[out.size() * 2];
    for (int i = 0; i < out.size(); i++) {
      flat[2 * i] = out.get(i)[0];
      flat[2 * i + 1] = out.get(i)[1];
    }
    return flat;
  }

  /** Whether {@code status} is accepted. */
  public boolean contains(int status) {
    for (int i = 0; i < ranges.length; i += 2) {
      if (status >= ranges[i] && status <= ranges[i + 1]) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof StatusCodes other && Arrays.equals(ranges, other.ranges);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(ranges);
  }

  /** The canonical form, e.g. {@code 200}, {@code 200-299} or {@code 200,204,301-302}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < ranges.length; i += 2) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(ranges[i]);
      if (ranges[i + 1] != ranges[i]) {
        sb.append('-').append(ranges[i + 1]);
      }
    }
    return sb.toString();
  }
}
