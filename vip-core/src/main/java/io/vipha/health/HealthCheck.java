package io.vipha.health;

import io.vipha.internal.Problems;
import io.vipha.ValidationException;
import io.vipha.internal.Addresses;
import io.vipha.internal.Durations;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One health check of a node: what to probe, how often, how many results flip its state, and what
 * its state does to the node.
 *
 * <pre>{@code
 * HealthCheck db = HealthCheck.tcp("db", "127.0.0.1:5432").weight(-50).build();
 * HealthCheck api = HealthCheck.http("api", "http://127.0.0.1:8080/health")
 *     .expectStatus("200-299").interval(Duration.ofSeconds(1)).timeout(Duration.ofMillis(500))
 *     .build();                                  // disqualifies the node while unhealthy
 * HealthCheck script = HealthCheck.exec("haproxy", "/usr/local/bin/check-haproxy", "--quiet")
 *     .rise(3).fall(2).build();
 * HealthCheck queue = HealthCheck.custom("queue", () -> backlog() < 10_000).weight(20).build();
 * }</pre>
 *
 * <p>One class of about 640 lines: the check, its four targets ({@link Tcp}, {@link Http}, {@link
 * Exec}, {@link Custom}) with their validation, and its {@link Builder} are one public type (the
 * nested names are the API); what runs a check is apart ({@link HealthMonitor} and one prober
 * per target).
 *
 * @param name unique among a node's checks: 1–64 letters, digits or {@code . _ -}, starting with a
 *     letter or digit
 * @param target what to probe: {@link Tcp}, {@link Http}, {@link Exec} or {@link Custom}
 * @param interval time between the starts of two probes, 100ms–1h in whole milliseconds (default
 *     2s)
 * @param timeout how long one probe may take, at least 10ms in whole milliseconds and shorter than
 *     {@code interval} (default 1s)
 * @param rise consecutive successes that make an unhealthy check healthy, 1–100 (default 2)
 * @param fall consecutive failures that make a healthy check unhealthy, 1–100 (default 3)
 * @param effect what the check does to the node (default {@link Effect#disqualify()})
 */
public record HealthCheck(
    String name,
    Target target,
    Duration interval,
    Duration timeout,
    int rise,
    int fall,
    Effect effect) {

  /** Default interval: 2s. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
  /** Default timeout: 1s. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
  /** Default rise: {@value}. */
  public static final int DEFAULT_RISE = 2;
  /** Default fall: {@value}. */
  public static final int DEFAULT_FALL = 3;
  /** Shortest interval: 100ms. */
  public static final Duration MIN_INTERVAL = Duration.ofMillis(100);
  /** Longest interval: 1h. */
  public static final Duration MAX_INTERVAL = Duration.ofHours(1);
  /** Shortest timeout: 10ms. */
  public static final Duration MIN_TIMEOUT = Duration.ofMillis(10);
  /** Largest rise or fall: {@value}. */
  public static final int MAX_RISE_FALL = 100;

  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern NUMERIC_HOST = Pattern.compile("[0-9.]+");

  /** The kinds of check; every kind except {@link #CUSTOM} can be written in a configuration. */
  public enum Kind {
    /** A TCP connect. */
    TCP,
    /** An HTTP(S) GET. */
    HTTP,
    /** A command. */
    EXEC,
    /** A Java callable; exists only in code. */
    CUSTOM;

    /** Whether a check of this kind can be written as data (JSON): all but {@link #CUSTOM}. */
    public boolean configurable() {
      return this != CUSTOM;
    }

    /** The lower-case name used in configuration: {@code tcp}, {@code http}, {@code exec}. */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What a check probes. */
  public sealed interface Target permits Tcp, Http, Exec, Custom {
    /** The kind of this target. */
    Kind kind();
  }

  /**
   * Connect to {@code address} over TCP.
   *
   * @param address an IP address (never a name) and a port 1–65535; not the unspecified or a
   *     multicast address
   */
  public record Tcp(InetSocketAddress address) implements Target {
    /** Validates the address. */
    public Tcp {
      Objects.requireNonNull(address, "address");
      Problems p = new Problems();
      check(p, address);
      p.throwIfAny();
    }

    @Override
    public Kind kind() {
      return Kind.TCP;
    }

    static void check(Problems p, InetSocketAddress a) {
      if (a.isUnresolved() || a.getAddress() == null) {
        p.add("address", a.getHostString(), "is not an IP address; vipha never resolves names:"
            + " write an IP literal with a port, e.g. 127.0.0.1:8080");
      } else if (a.getAddress().isAnyLocalAddress()) {
        p.add("address", Addresses.text(a), "is the unspecified address; write the address to"
            + " connect to, e.g. 127.0.0.1:" + (a.getPort() == 0 ? 8080 : a.getPort()));
      } else if (a.getAddress().isMulticastAddress()) {
        p.add("address", Addresses.text(a), "is a multicast address; TCP needs a unicast"
            + " address");
      } else if (a.getPort() == 0) {
        p.add("address", Addresses.text(a), "has no port; write e.g. "
            + Addresses.text(new InetSocketAddress(a.getAddress(), 8080)));
      }
    }

    @Override
    public String toString() {
      return "tcp " + Addresses.text(address);
    }
  }

  /**
   * {@code GET} {@code url} and expect one of {@code expectStatus}.
   *
   * @param url an absolute {@code http} or {@code https} URL without user info or fragment; its
   *     host is an IP literal or a DNS name (resolved by the JDK at each probe; an IP literal keeps
   *     the check independent of DNS)
   * @param expectStatus the status codes that count as healthy (default {@link StatusCodes#ok()})
   */
  public record Http(URI url, StatusCodes expectStatus) implements Target {
    /** Validates the URL. */
    public Http {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(expectStatus, "expectStatus");
      Problems p = new Problems();
      check(p, url);
      p.throwIfAny();
    }

    @Override
    public Kind kind() {
      return Kind.HTTP;
    }

    static void check(Problems p, URI url) {
      String text = url.toString();
      String scheme = url.getScheme();
      if (scheme == null
          || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
        p.add("url", text, "is not an http or https URL; write e.g. http://127.0.0.1:8080/health");
        return;
      }
      String host = url.getHost();
      if (host == null || host.isEmpty()) {
        p.add("url", text, "has no valid host; write an IP literal (127.0.0.1, [::1]) or a DNS"
            + " name, e.g. http://127.0.0.1:8080/health");
      } else if (host.startsWith("[")
          ? Addresses.parseIp(host.substring(1, host.length() - 1)) == null
          : NUMERIC_HOST.matcher(host).matches() && Addresses.parseIp(host) == null) {
        p.add("url", text, "has a host that is not a valid IP address; write a dotted quad such"
            + " as 127.0.0.1 or a bracketed IPv6 literal such as [::1]");
      }
      if (url.getRawUserInfo() != null) {
        p.add("url", text, "holds user info; vipha does not send credentials in health checks:"
            + " remove the user@ part");
      }
      if (url.getRawFragment() != null) {
        p.add("url", text, "has a fragment, which is never sent; remove the #... part");
      }
      if (url.getPort() == 0) {
        p.add("url", text, "has port 0; use 1–65535 or leave the port out");
      }
    }

    @Override
    public String toString() {
      return "http " + url + " expecting " + expectStatus;
    }
  }

  /**
   * Run {@code command} (no shell) and expect exit code 0.
   *
   * @param command the program and its arguments: at least the program, which is not empty; no
   *     argument holds a NUL character. A program without a {@code /} is looked up on the JVM's
   *     {@code PATH}: write an absolute path to be independent of it
   */
  public record Exec(List<String> command) implements Target {
    /** Validates the command. */
    public Exec {
      command = List.copyOf(command);
      Problems p = new Problems();
      check(p, command);
      p.throwIfAny();
    }

    @Override
    public Kind kind() {
      return Kind.EXEC;
    }

    static void check(Problems p, List<String> command) {
      if (command.isEmpty()) {
        p.add("command", null, "is empty; give the program and its arguments, e.g."
            + " [\"/usr/local/bin/check\", \"--quiet\"]");
        return;
      }
      if (command.get(0).isEmpty()) {
        p.add("command[0]", "", "is empty; name the program, preferably by absolute path");
      }
      for (int i = 0; i < command.size(); i++) {
        if (command.get(i).indexOf('\0') >= 0) {
          p.add("command[" + i + "]", command.get(i).replace("\0", "\\0"),
              "holds a NUL character, which no program argument can carry");
        }
      }
    }

    @Override
    public String toString() {
      return "exec " + command;
    }
  }

  /**
   * Call {@code probe}: {@code true} is healthy; {@code false}, {@code null} or an exception is a
   * failure. A custom check exists only in code and cannot be written in a configuration.
   *
   * @param probe the callable; it runs on the monitor's probe executor
   */
  public record Custom(Callable<Boolean> probe) implements Target {
    /** Checks for null. */
    public Custom {
      Objects.requireNonNull(probe, "probe");
    }

    @Override
    public Kind kind() {
      return Kind.CUSTOM;
    }

    @Override
    public String toString() {
      return "custom";
    }
  }

  /** Validates every field; throws {@link ValidationException} naming all problems. */
  public HealthCheck {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(effect, "effect");
    Problems p = new Problems();
    checkName(p, name);
    checkTiming(p, interval, timeout, rise, fall);
    p.throwIfAny();
  }

  /** The kind of {@link #target()}. */
  public Kind kind() {
    return target.kind();
  }

  /** A new builder with every default and no name or target. */
  public static Builder builder() {
    return new Builder();
  }

  /** A TCP check of {@code endpoint}: {@code 127.0.0.1:8080} or {@code [::1]:8080}. */
  public static Builder tcp(String name, String endpoint) {
    return builder().name(name).tcp(endpoint);
  }

  /** A TCP check of {@code address}. */
  public static Builder tcp(String name, InetSocketAddress address) {
    return builder().name(name).tcp(address);
  }

  /** An HTTP(S) check of {@code url}, expecting status 200 unless told otherwise. */
  public static Builder http(String name, String url) {
    return builder().name(name).http(url);
  }

  /** An exec check running {@code command} (program first, no shell). */
  public static Builder exec(String name, String... command) {
    return builder().name(name).exec(command);
  }

  /** An exec check running {@code command} (program first, no shell). */
  public static Builder exec(String name, List<String> command) {
    return builder().name(name).exec(command);
  }

  /** A custom check: {@code true} is healthy, an exception is a failure. */
  public static Builder custom(String name, BooleanSupplier probe) {
    return builder().name(name).custom(probe);
  }

  /** A custom check: {@code true} is healthy; {@code false}, null or an exception a failure. */
  public static Builder custom(String name, Callable<Boolean> probe) {
    return builder().name(name).custom(probe);
  }

  /** A builder holding this check's values. */
  public Builder toBuilder() {
    Builder b = new Builder().name(name).interval(interval).timeout(timeout).rise(rise).fall(fall)
        .effect(effect);
    b.target = target;
    b.kind = target.kind();
    if (target instanceof Http http) {
      b.expectStatus = http.expectStatus();
    }
    return b;
  }

  /**
   * Builds every check of a list, reporting all problems at once under {@code healthChecks[i]},
   * including names used twice.
   */
  public static List<HealthCheck> buildAll(List<Builder> builders) {
    Problems p = new Problems();
    List<HealthCheck> built = new ArrayList<>();
    for (int i = 0; i < builders.size(); i++) {
      List<ValidationException.Problem> ps = builders.get(i).problems();
      p.addAll("healthChecks[" + i + "]", ps);
      if (ps.isEmpty()) {
        built.add(builders.get(i).build());
      }
    }
    if (p.isEmpty()) {
      checkUniqueNames(p, built);
    }
    p.throwIfAny();
    return List.copyOf(built);
  }

  /**
   * Checks that no two checks share a name; throws {@link ValidationException} with a problem at
   * {@code healthChecks[i].name} for each repeat.
   */
  public static void requireUniqueNames(List<HealthCheck> checks) {
    Problems p = new Problems();
    checkUniqueNames(p, checks);
    p.throwIfAny();
  }

  private static void checkUniqueNames(Problems p, List<HealthCheck> checks) {
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < checks.size(); i++) {
      Integer first = seen.putIfAbsent(checks.get(i).name(), i);
      if (first != null) {
        p.add("healthChecks[" + i + "].name", checks.get(i).name(), "repeats healthChecks["
            + first + "]; check names must be unique");
      }
    }
  }

  private static void checkName(Problems p, @Nullable String name) {
    if (name == null) {
      p.add("name", null, "is required; name the check, e.g. db");
    } else if (!NAME.matcher(name).matches()) {
      p.add("name", name, "is not a valid check name; use 1–64 letters, digits or . _ - starting"
          + " with a letter or digit");
    }
  }

  private static void checkTiming(Problems p, Duration interval, Duration timeout, int rise,
      int fall) {
    boolean intervalOk = false;
    if (!wholeMillis(interval)) {
      p.add("interval", Durations.format(interval), "is not a whole number of milliseconds; use"
          + " e.g. 2s");
    } else if (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0) {
      p.add("interval", Durations.format(interval), "is out of range; use 100ms–1h");
    } else {
      intervalOk = true;
    }
    if (!wholeMillis(timeout)) {
      p.add("timeout", Durations.format(timeout), "is not a whole number of milliseconds; use"
          + " e.g. 1s");
    } else if (timeout.compareTo(MIN_TIMEOUT) < 0) {
      p.add("timeout", Durations.format(timeout), "is too short; use at least 10ms");
    } else if (intervalOk && timeout.compareTo(interval) >= 0) {
      p.add("timeout", Durations.format(timeout), "is not shorter than the interval "
          + Durations.format(interval) + "; a probe must end before the next one starts: use a"
          + " shorter timeout or a longer interval");
    }
    if (rise < 1 || rise > MAX_RISE_FALL) {
      p.add("rise", rise, "is out of range; use 1–" + MAX_RISE_FALL + " consecutive successes");
    }
    if (fall < 1 || fall > MAX_RISE_FALL) {
      p.add("fall", fall, "is out of range; use 1–" + MAX_RISE_FALL + " consecutive failures");
    }
  }

  private static boolean wholeMillis(Duration d) {
    return d.truncatedTo(ChronoUnit.MILLIS).equals(d);
  }

  /** Builds a {@link HealthCheck}; {@link #build()} reports every problem at once. */
  public static final class Builder {
    private @Nullable String name;
    private @Nullable Target target;
    private @Nullable Kind kind; // the kind asked for, even when its target did not parse
    private Problems targetProblems = new Problems();
    private @Nullable StatusCodes expectStatus;
    private Problems expectProblems = new Problems();
    private Duration interval = DEFAULT_INTERVAL;
    private Duration timeout = DEFAULT_TIMEOUT;
    private int rise = DEFAULT_RISE;
    private int fall = DEFAULT_FALL;
    private Effect.Type effectType = Effect.Type.DISQUALIFY;
    private int weight;

    private Builder() {}

    /** The check's name, unique among the node's checks, e.g. {@code db}. */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    private Builder target(Kind kind, @Nullable Target target, Problems problems) {
      this.kind = kind;
      this.target = target;
      this.targetProblems = problems;
      return this;
    }

    /** Probe a TCP endpoint: {@code 127.0.0.1:8080} or {@code [::1]:8080}; the port is required. */
    public Builder tcp(String endpoint) {
      Problems p = new Problems();
      InetSocketAddress a = Addresses.parseEndpoint(endpoint.trim(), 0);
      if (a == null) {
        p.add("address", endpoint, "is not an IP address with a port; write e.g. 127.0.0.1:8080"
            + " or [::1]:8080 (vipha never resolves names)");
        return target(Kind.TCP, null, p);
      }
      Tcp.check(p, a);
      return target(Kind.TCP, p.isEmpty() ? new Tcp(a) : null, p);
    }

    /** Probe a TCP endpoint. */
    public Builder tcp(InetSocketAddress address) {
      Problems p = new Problems();
      Tcp.check(p, address);
      return target(Kind.TCP, p.isEmpty() ? new Tcp(address) : null, p);
    }

    /** Probe an {@code http} or {@code https} URL with a GET. */
    public Builder http(String url) {
      URI uri;
      try {
        uri = new URI(url.trim());
      } catch (URISyntaxException e) {
        Problems p = new Problems();
        p.add("url", url, "is not a valid URL (" + e.getReason() + " at index " + e.getIndex()
            + "); write e.g. http://127.0.0.1:8080/health");
        return target(Kind.HTTP, null, p);
      }
      return http(uri);
    }

    /** Probe an {@code http} or {@code https} URL with a GET. */
    public Builder http(URI url) {
      Problems p = new Problems();
      Http.check(p, url);
      return target(Kind.HTTP, p.isEmpty() ? new Http(url, StatusCodes.ok()) : null, p);
    }

    /** The status codes an HTTP check accepts (default 200 only). */
    public Builder expectStatus(StatusCodes codes) {
      this.expectStatus = codes;
      this.expectProblems = new Problems();
      return this;
    }

    /** The status codes an HTTP check accepts: {@code 200}, {@code 200-299}, {@code 200,204}. */
    public Builder expectStatus(String codes) {
      StatusCodes parsed = StatusCodes.parse(codes);
      this.expectStatus = parsed;
      this.expectProblems = new Problems();
      if (parsed == null) {
        expectProblems.add("expectStatus", codes, "is not a list of status codes; write e.g. 200,"
            + " 200-299 or 200,204,301-302 (codes " + StatusCodes.MIN + "–" + StatusCodes.MAX
            + ")");
      }
      return this;
    }

    /** The status codes an HTTP check accepts, each 100–599. */
    public Builder expectStatus(int... codes) {
      this.expectStatus = null;
      this.expectProblems = new Problems();
      for (int c : codes) {
        if (c < StatusCodes.MIN || c > StatusCodes.MAX) {
          expectProblems.add("expectStatus", c, "is not a status code; use " + StatusCodes.MIN
              + "–" + StatusCodes.MAX);
        }
      }
      if (codes.length == 0) {
        expectProblems.add("expectStatus", null, "is empty; give at least one code, e.g. 200");
      }
      if (expectProblems.isEmpty()) {
        this.expectStatus = StatusCodes.of(codes);
      }
      return this;
    }

    /** Run a command: the program, then its arguments; no shell is involved. */
    public Builder exec(String... command) {
      return exec(Arrays.asList(command));
    }

    /** Run a command: the program, then its arguments; no shell is involved. */
    public Builder exec(List<String> command) {
      List<String> copy = List.copyOf(command);
      Problems p = new Problems();
      Exec.check(p, copy);
      return target(Kind.EXEC, p.isEmpty() ? new Exec(copy) : null, p);
    }

    /** Call {@code probe}: {@code true} is healthy, an exception a failure. */
    public Builder custom(BooleanSupplier probe) {
      Objects.requireNonNull(probe, "probe");
      return custom((Callable<Boolean>) probe::getAsBoolean);
    }

    /** Call {@code probe}: {@code true} is healthy; {@code false}, null or an exception a failure. */
    public Builder custom(Callable<Boolean> probe) {
      return target(Kind.CUSTOM, new Custom(probe), new Problems());
    }

    /** Time between the starts of two probes, 100ms–1h (default 2s). */
    public Builder interval(Duration interval) {
      this.interval = interval;
      return this;
    }

    /** How long one probe may take, at least 10ms and below the interval (default 1s). */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** Consecutive successes that make an unhealthy check healthy, 1–100 (default 2). */
    public Builder rise(int rise) {
      this.rise = rise;
      return this;
    }

    /** Consecutive failures that make a healthy check unhealthy, 1–100 (default 3). */
    public Builder fall(int fall) {
      this.fall = fall;
      return this;
    }

    /** The effect (default {@link Effect#disqualify()}). */
    public Builder effect(Effect effect) {
      this.effectType = effect.type();
      this.weight = effect.weight();
      return this;
    }

    /** Shorthand for {@code effect(Effect.weight(w))}, checked when the check is built. */
    public Builder weight(int w) {
      this.effectType = Effect.Type.WEIGHT;
      this.weight = w;
      return this;
    }

    /** Shorthand for {@code effect(Effect.disqualify())}. */
    public Builder disqualify() {
      this.effectType = Effect.Type.DISQUALIFY;
      this.weight = 0;
      return this;
    }

    List<ValidationException.Problem> problems() {
      Problems p = new Problems();
      checkName(p, name);
      if (kind == null) {
        p.add("kind", null, "is required; probe with tcp, http, exec or custom");
      }
      p.addAll("", targetProblems.list());
      if (expectStatus != null || !expectProblems.isEmpty()) {
        if (kind == Kind.HTTP) {
          p.addAll("", expectProblems.list());
        } else if (kind != null) {
          p.add("expectStatus", expectStatus == null ? null : expectStatus.toString(),
              "is set on a " + kind.id() + " check; only http checks have a status: remove it");
        }
      }
      checkTiming(p, interval, timeout, rise, fall);
      Effect.check(p, "effect.", effectType, weight);
      return p.list();
    }

    /** The check; throws {@link ValidationException} listing every problem. */
    public HealthCheck build() {
      List<ValidationException.Problem> problems = problems();
      if (!problems.isEmpty()) {
        throw new ValidationException(problems);
      }
      Target t = Objects.requireNonNull(target);
      if (t instanceof Http http && expectStatus != null) {
        t = new Http(http.url(), expectStatus);
      }
      return new HealthCheck(Objects.requireNonNull(name), t, interval, timeout, rise, fall,
          new Effect(effectType, weight));
    }
  }
}
