package io.vipha.examples;

import io.vipha.FailoverPolicy;
import io.vipha.FlapLimit;
import io.vipha.Quorum;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's command line.
 *
 * @param activePassive whether to run the 3-node Active/Passive group
 * @param activeActive whether to run the 4-node Active/Active group
 * @param seed the simulation's seed (network jitter)
 * @param heartbeat the heartbeat interval
 * @param deadAfter missed heartbeats before a peer is dead
 * @param preemptDelay how long a better node waits before it takes VIPs back
 * @param holdDown how long a node that lost ownership waits before it may win again
 * @param quorum whether a node needs a majority to own VIPs
 * @param html where to write the HTML timeline
 * @param trace whether to print every simulator event as well
 */
record DemoOptions(boolean activePassive, boolean activeActive, long seed, Duration heartbeat,
    int deadAfter, Duration preemptDelay, Duration holdDown, boolean quorum, Path html,
    boolean trace) {
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)");
  private static final Duration MIN_LEASE = Duration.ofSeconds(2);

  /** The defaults: both groups, seed 1, 100ms × 3, preempt delay 1s, hold-down 200ms. */
  static DemoOptions defaults() {
    return new DemoOptions(true, true, 1, Duration.ofMillis(100), 3, Duration.ofSeconds(1),
        Duration.ofMillis(200), true, Path.of("target", "vipha-demo.html"), false);
  }

  /** Parses the flags; throws {@link UsageException} naming the bad one. */
  static DemoOptions parse(String... args) throws UsageException {
    DemoOptions d = defaults();
    boolean ap = d.activePassive;
    boolean aa = d.activeActive;
    long seed = d.seed;
    Duration heartbeat = d.heartbeat;
    int deadAfter = d.deadAfter;
    Duration preemptDelay = d.preemptDelay;
    Duration holdDown = d.holdDown;
    boolean quorum = d.quorum;
    Path html = d.html;
    boolean trace = d.trace;
    Flags flags = new Flags(args);
    while (flags.next()) {
      String flag = flags.name();
      switch (flag) {
        case "--mode" -> {
          String mode = flags.value().toLowerCase(Locale.ROOT);
          switch (mode) {
            case "ap" -> {
              ap = true;
              aa = false;
            }
            case "aa" -> {
              ap = false;
              aa = true;
            }
            case "both" -> {
              ap = true;
              aa = true;
            }
            default -> throw new UsageException(
                "--mode is '" + mode + "'; use ap, aa or both");
          }
        }
        case "--seed" -> seed = number(flag, flags.value());
        case "--heartbeat" -> heartbeat = duration(flag, flags.value());
        case "--dead-after" -> {
          String value = flags.value();
          long n = number(flag, value);
          if (n != (int) n) {
            throw new UsageException(flag + " is '" + value + "'; use 2–100 (3 is usual)");
          }
          deadAfter = (int) n;
        }
        case "--preempt-delay" -> preemptDelay = duration(flag, flags.value());
        case "--hold-down" -> holdDown = duration(flag, flags.value());
        case "--quorum" -> {
          String q = flags.value().toLowerCase(Locale.ROOT);
          switch (q) {
            case "majority" -> quorum = true;
            case "none" -> quorum = false;
            default -> throw new UsageException(
                "--quorum is '" + q + "'; use majority or none");
          }
        }
        case "--html" -> html = path(flag, flags.value());
        case "--trace" -> {
          flags.noValue();
          trace = true;
        }
        default -> throw flags.unknown();
      }
    }
    return new DemoOptions(ap, aa, seed, heartbeat, deadAfter, preemptDelay, holdDown, quorum,
        html, trace);
  }

  /**
   * The failover policy both groups use: the flags' values, preemption on, no flap limit (the
   * script makes a node change owner more often in a minute than the default limit allows, and
   * every return should show a preemption), and kernel leases of 2 s or four detection times,
   * whichever is longer. Throws {@link
   * io.vipha.ValidationException} when the flags' values do not make a valid policy.
   */
  FailoverPolicy policy() {
    Duration detection = heartbeat.multipliedBy(Math.max(deadAfter, 0));
    Duration lease = detection.multipliedBy(4).compareTo(MIN_LEASE) > 0
        ? detection.multipliedBy(4) : MIN_LEASE;
    return FailoverPolicy.builder()
        .preempt(true)
        .preemptDelay(preemptDelay)
        .holdDown(holdDown)
        .heartbeatInterval(heartbeat)
        .deadAfter(deadAfter)
        .quorum(quorum ? Quorum.majority() : Quorum.none())
        .flapLimit(FlapLimit.OFF)
        .lease(lease)
        .build();
  }

  /** Parses {@code 250ms}, {@code 2s} or {@code 1m}. */
  static Duration duration(String flag, String text) throws UsageException {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      throw new UsageException(flag + " is '" + text + "'; write a duration such as 100ms, 2s"
          + " or 1m");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      default -> Duration.ofMinutes(n);
    };
  }

  private static long number(String flag, String text) throws UsageException {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new UsageException(flag + " is '" + text + "'; write a whole number");
    }
  }

  private static Path path(String flag, String text) throws UsageException {
    if (text.isBlank()) {
      throw new UsageException(flag + " needs a file name");
    }
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      throw new UsageException(flag + " is '" + text + "': " + e.getReason());
    }
  }
}
