package io.vipha.internal;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Durations written as {@code 250ms}, {@code 1s}, {@code 2m}, {@code 1h}, {@code 1d} or ISO-8601. */
public final class Durations {
  private static final Pattern SHORT = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");

  private Durations() {}

  /** Parses {@code text}, or returns null when it is neither form. Negative values are refused. */
  public static @Nullable Duration parse(String text) {
    Matcher m = SHORT.matcher(text);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      switch (m.group(2)) {
        case "ms":
          return Duration.ofMillis(n);
        case "s":
          return Duration.ofSeconds(n);
        case "m":
          return Duration.ofMinutes(n);
        case "h":
          return Duration.ofHours(n);
        default:
          return Duration.ofDays(n);
      }
    }
    if (text.startsWith("P") || text.startsWith("p")) {
      try {
        Duration d = Duration.parse(text);
        return d.isNegative() ? null : d;
      } catch (DateTimeParseException e) {
        return null;
      }
    }
    return null;
  }

  /** Formats in the largest unit that divides exactly: {@code 250ms}, {@code 2s}, {@code 5m}. */
  public static String format(Duration d) {
    if (d.isNegative() || d.getNano() % 1_000_000 != 0) {
      return d.toString();
    }
    long ms;
    try {
      ms = d.toMillis();
    } catch (ArithmeticException e) {
      return d.toString(); // too long to count in milliseconds, e.g. 999999999999d
    }
    if (ms == 0) {
      return "0s";
    }
    if (ms % 86_400_000L == 0) {
      return ms / 86_400_000L + "d";
    }
    if (ms % 3_600_000L == 0) {
      return ms / 3_600_000L + "h";
    }
    if (ms % 60_000L == 0) {
      return ms / 60_000L + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
