package io.vipha.benchmarks.failover;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A vipd node's output as the harness reads it: vipd's own log lines (slf4j-simple, {@code
 * 2026-11-26T11:02:12.143Z WARN vipd - event loop stalled for 45 ms; …}), each sorted into the
 * kind of agent event it reports, the {@code pressure: …} lines of {@link PressuredVipd}, and
 * anything else (a JVM warning, a stack trace).
 */
final class VipdLog {
  /** A kind that is no failover: a heartbeat came late, nothing moved. */
  static final String SUSPECT = "peer suspect";

  /**
   * One line: its time (null when it is not a log line), its kind ({@code stalled}, {@code
   * released}, {@code acquired}, {@code peer down}, {@value #SUSPECT}, {@code peer up}, {@code
   * quorum}, {@code conflict}, {@code log} for another log line, {@code pressure}, {@code
   * output}), and the text.
   */
  record Line(@Nullable Instant at, String kind, String text) {}

  private static final Pattern LOG = Pattern.compile(
      "^(\\S+) (TRACE|DEBUG|INFO|WARN|ERROR) \\S+ - (.*)$");
  private static final Pattern PEER = Pattern.compile("^peer \\S+ (down|suspect|up|left)\\b.*");
  private static final Pattern MB_PER_S = Pattern.compile("^pressure: ([0-9.]+) MB/s");
  private static final Pattern SUSPECT_OR_UP = Pattern.compile(
      " - peer (\\S+) (suspect|up|down|left)\\b");
  private static final Pattern STALL = Pattern.compile(" - event loop stalled for (\\d+) ms");

  private VipdLog() {}

  /** The lines of {@code text}, in order, blank ones left out. */
  static List<Line> parse(String text) {
    List<Line> lines = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      Matcher m = LOG.matcher(line);
      Instant at = null;
      if (m.matches()) {
        try {
          at = OffsetDateTime.parse(m.group(1)).toInstant();
        } catch (DateTimeParseException e) {
          at = null;
        }
      }
      String kind = at != null ? kind(m.group(3))
          : line.startsWith("pressure: ") ? "pressure" : "output";
      lines.add(new Line(at, kind, line));
    }
    return lines;
  }

  /** The kind of agent event vipd's message {@code message} reports (see vipd's EventLog). */
  static String kind(String message) {
    if (message.startsWith("event loop stalled")) {
      return "stalled";
    } else if (message.startsWith("released ")) {
      return "released";
    } else if (message.startsWith("acquired ")) {
      return "acquired";
    } else if (message.startsWith("quorum ")) {
      return "quorum";
    } else if (message.startsWith("conflict: ")) {
      return "conflict";
    }
    Matcher m = PEER.matcher(message);
    if (m.matches()) {
      return switch (m.group(1)) {
        case "suspect" -> SUSPECT;
        case "up" -> "peer up";
        default -> "peer down";
      };
    }
    return "log";
  }

  /**
   * Whether a line of {@code kind} reports a failover or its cause: every vipd log line but a
   * late heartbeat ({@value #SUSPECT}), a peer's return after one ({@code peer up}), and {@code
   * pressure} and {@code output} lines.
   */
  static boolean isFailover(String kind) {
    return !List.of(SUSPECT, "peer up", "pressure", "output").contains(kind);
  }

  /** How long the {@code stalled} lines of {@code lines} say the event loop stalled, ms each. */
  static long[] stallsMs(List<Line> lines) {
    return lines.stream().filter(l -> l.kind().equals("stalled"))
        .map(l -> STALL.matcher(l.text())).filter(Matcher::find)
        .mapToLong(m -> Long.parseLong(m.group(1))).toArray();
  }

  /**
   * How long each late heartbeat in {@code lines} kept its peer suspect, in ms: from a {@code
   * peer X suspect} line to the next {@code peer X up} (a suspect that ended in {@code down} or
   * {@code left}, or did not end in {@code lines}, is left out: the failover counts show it).
   */
  static double[] suspectMs(List<Line> lines) {
    Map<String, Instant> since = new HashMap<>();
    List<Double> ms = new ArrayList<>();
    for (Line l : lines) {
      Matcher m = SUSPECT_OR_UP.matcher(l.text());
      Instant at = l.at();
      if (at == null || !m.find()) {
        continue;
      }
      if (m.group(2).equals("suspect")) {
        since.putIfAbsent(m.group(1), at);
        continue;
      }
      Instant from = since.remove(m.group(1));
      if (from != null && m.group(2).equals("up")) {
        ms.add(Duration.between(from, at).toNanos() / 1e6);
      }
    }
    return ms.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** The allocation rates, MB/s, that the {@code pressure} lines of {@code lines} report. */
  static double[] pressureRates(List<Line> lines) {
    return lines.stream().filter(l -> l.kind().equals("pressure"))
        .map(l -> MB_PER_S.matcher(l.text())).filter(Matcher::find)
        .mapToDouble(m -> Double.parseDouble(m.group(1))).toArray();
  }
}
