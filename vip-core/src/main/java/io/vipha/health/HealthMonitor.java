package io.vipha.health;

import io.vipha.ValidationException;
import io.vipha.internal.Durations;
import io.vipha.spi.Cancellable;
import io.vipha.spi.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a node's {@link HealthCheck}s and keeps their rise/fall state.
 *
 * <p><b>Threads.</b> Every wait goes through the {@link Scheduler}; every probe runs on the probe
 * {@link Executor}, never on the scheduler's thread. A probe's result is handed back to the
 * scheduler (a task with delay 0), where the state changes and the {@link HealthListener} is
 * called. Reading ({@link #priorityDelta()}, {@link #disqualified()}, {@link #statuses()}) is safe
 * from any thread.
 *
 * <p><b>Timing.</b> {@link #start()} probes every check at once, then each check every {@code
 * interval} (measured between probe starts). One probe of a check runs at a time. A probe that has
 * not reported by its {@code timeout} plus a short grace ({@code min(100ms, (interval − timeout) /
 * 2)}) is cancelled and counted as a failure; its late result is ignored.
 *
 * <p><b>Initial state: unhealthy.</b> Every check starts unhealthy with no results and needs
 * {@code rise} consecutive successes to become healthy, as keepalived does with {@code init_fail}.
 * So a node that just started adds no positive weight, subtracts every negative weight and is
 * disqualified by every disqualifying check until the checks have actually passed: it cannot take
 * VIPs from a healthy owner, or win an election, on the strength of checks that have not run yet.
 * The cost is a delay of about {@code (rise − 1) × interval} before a healthy node counts as such
 * (2s with the defaults). No listener call is made for the initial state; read it from {@link
 * #statuses()}.
 *
 * <p><b>Aggregate.</b> {@link #priorityDelta()} is the sum of the weights in effect ({@code +w} of
 * each healthy check with {@code w > 0}, {@code w} of each unhealthy check with {@code w < 0}); it
 * is not clamped, so the caller clamps the resulting priority to its own range. {@link
 * #disqualified()} is true while any disqualifying check is unhealthy.
 *
 * <pre>{@code
 * ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
 * HealthMonitor monitor = HealthMonitor.builder()
 *     .check(HealthCheck.tcp("db", "127.0.0.1:5432").weight(-50).build())
 *     .check(HealthCheck.http("api", "http://127.0.0.1:8080/health").build())
 *     .executor(Executors.newCachedThreadPool())
 *     .scheduler(new EventLoopScheduler("health"))
 *     .listener((check, healthy, detail) -> log.info("{} {}: {}", check.name(),
 *         healthy ? "up" : "down", detail))
 *     .build();
 * monitor.start();
 * }</pre>
 *
 * <p>One class of about 460 lines: the schedule, the watchdog and the counting of results share
 * one lock and one state per check ({@code Slot}, {@code Run}); apart, each would reach into that
 * state. The probing itself is apart, one {@link Prober} per target, and the rise/fall rule is
 * {@link RiseFall}.
 */
public final class HealthMonitor {
  private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);
  private static final long MAX_GRACE_NANOS = Duration.ofMillis(100).toNanos();

  /** Replaced whole by {@link #replaceChecks}; guarded by {@link #lock}. */
  private List<Slot> slots;
  private final Executor executor;
  private final Scheduler scheduler;
  private final HealthListener listener;
  private final Prober<HealthCheck.Tcp> tcpProber;
  private volatile Prober<HealthCheck.Http> httpProber;
  /** Whether {@link #httpProber} is the stand-in for a monitor without HTTP checks. */
  private boolean noHttp;
  private final Prober<HealthCheck.Exec> execProber;
  private final Prober<HealthCheck.Custom> customProber;

  private final Object lock = new Object();
  private boolean started;
  private boolean stopped;

  /** The mutable state of one check; guarded by {@link #lock}. */
  private static final class Slot {
    final HealthCheck check;
    RiseFall state;
    String lastDetail = "not probed yet";
    long lastChange;
    long probes;
    /** Probes counted, and their total time in nanoseconds, by result: [unhealthy, healthy]. */
    final long[] timedProbes = new long[2];
    final long[] probeNanos = new long[2];
    @Nullable Cancellable next;
    @Nullable Run running;

    /** Removed by {@link #replaceChecks}: its pending tick does nothing. */
    boolean removed;

    Slot(HealthCheck check) {
      this.check = check;
      this.state = RiseFall.initial(check.rise(), check.fall());
    }

    HealthStatus status() {
      return new HealthStatus(check, state.healthy(), state.successes(), state.failures(),
          lastDetail, lastChange, probes);
    }
  }

  /** One probe of one check, from submission to its counted result. */
  private final class Run implements Runnable {
    final Slot slot;
    final Cancellation cancellation = new Cancellation();
    final long submittedAt;
    @Nullable Cancellable watchdog;

    Run(Slot slot, long submittedAt) {
      this.slot = slot;
      this.submittedAt = submittedAt;
    }

    @Override
    public void run() { // on the probe executor
      if (!cancellation.enter()) {
        return;
      }
      ProbeResult result = null;
      try {
        result = probe(slot.check, cancellation);
      } catch (InterruptedException e) {
        result = ProbeResult.unhealthy("interrupted");
      } catch (Exception e) {
        result = ProbeResult.failed("probe failed", e);
      } finally {
        cancellation.exit();
        ProbeResult r = result == null ? ProbeResult.unhealthy("probe threw an error") : result;
        post(() -> complete(this, r, false));
      }
    }
  }

  private HealthMonitor(Builder b, List<HealthCheck> checks) {
    List<Slot> s = new ArrayList<>();
    for (HealthCheck c : checks) {
      s.add(new Slot(c));
    }
    this.slots = List.copyOf(s);
    this.executor = Objects.requireNonNull(b.executor, "executor");
    this.scheduler = Objects.requireNonNull(b.scheduler, "scheduler");
    this.listener = b.listener;
    this.tcpProber = b.tcpProber;
    Prober<HealthCheck.Http> http = b.httpProber;
    this.noHttp = http == null && !needsHttp(checks);
    if (http == null) { // an HttpClient costs threads and start-up time: only when needed
      http = noHttp ? (t, timeout, c) -> {
        throw new IllegalStateException("no http checks");
      } : new HttpProber();
    }
    this.httpProber = http;
    this.execProber = b.execProber;
    this.customProber = b.customProber;
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Starts probing: the first probe of every check is scheduled at once. Call once. */
  public void start() {
    synchronized (lock) {
      if (started) {
        throw new IllegalStateException(stopped ? "the monitor was stopped; build a new one"
            : "the monitor is already started");
      }
      started = true;
      long now = scheduler.nanoTime();
      for (Slot s : slots) {
        s.lastChange = now;
        s.next = scheduler.schedule(0, () -> tick(s));
      }
    }
  }

  /**
   * Stops probing for good: cancels every pending probe, and cancels every running one, which kills
   * running exec commands with their descendants and closes TCP sockets. Results that arrive later
   * are ignored; the state stays as it was. Idempotent; does not block.
   */
  public void stop() {
    List<Cancellable> tasks = new ArrayList<>();
    List<Run> runs = new ArrayList<>();
    synchronized (lock) {
      if (stopped) {
        return;
      }
      stopped = true;
      started = true;
      for (Slot s : slots) {
        halt(s, tasks, runs);
      }
    }
    tasks.forEach(Cancellable::cancel);
    runs.forEach(r -> r.cancellation.cancel());
  }

  /**
   * Replaces the checks, keeping the state and counts of each check whose definition is
   * unchanged (equal). A removed check stops (its pending and running probes are cancelled) and
   * its effect is lifted. On a started monitor an added check is probed at once and starts
   * <em>without effect</em> (healthy when failing would lower or disqualify, unhealthy when
   * passing would add weight), so that adding a check to a running node changes nothing until
   * the check has results; on a monitor not yet started it starts unhealthy, as every check
   * does. No listener call is made for the change itself. Safe from any thread.
   *
   * @throws ValidationException when two checks have the same name
   * @throws IllegalStateException when the monitor was stopped
   */
  public void replaceChecks(List<HealthCheck> checks) {
    HealthCheck.requireUniqueNames(checks);
    List<Cancellable> tasks = new ArrayList<>();
    List<Run> runs = new ArrayList<>();
    synchronized (lock) {
      if (stopped) {
        throw new IllegalStateException("the monitor was stopped; build a new one");
      }
      if (noHttp && needsHttp(checks)) {
        httpProber = new HttpProber();
        noHttp = false;
      }
      List<Slot> kept = new ArrayList<>(slots);
      List<Slot> next = new ArrayList<>(checks.size());
      long now = scheduler.nanoTime();
      for (HealthCheck c : checks) {
        Slot s = take(kept, c);
        if (s == null) {
          s = new Slot(c);
          if (started) {
            // Without effect until it has results: a reload must not move a VIP on its own.
            // (Healthy adds nothing to a negative weight nor to a disqualifying check.)
            s.state = new RiseFall(c.rise(), c.fall(), c.effect().priorityDelta(true) == 0, 0,
                0);
            s.lastChange = now;
            Slot added = s;
            s.next = scheduler.schedule(0, () -> tick(added));
          }
        }
        next.add(s);
      }
      for (Slot gone : kept) {
        gone.removed = true;
        halt(gone, tasks, runs);
      }
      slots = List.copyOf(next);
    }
    tasks.forEach(Cancellable::cancel);
    runs.forEach(r -> r.cancellation.cancel());
  }

  /**
   * Takes {@code s}'s pending probe and running probe (with its watchdog) off it, into {@code
   * tasks} and {@code runs}, to be cancelled outside the lock. Under the lock.
   */
  private static void halt(Slot s, List<Cancellable> tasks, List<Run> runs) {
    Cancellable next = s.next;
    if (next != null) {
      tasks.add(next);
      s.next = null;
    }
    Run r = s.running;
    if (r != null) {
      Cancellable w = r.watchdog;
      if (w != null) {
        tasks.add(w);
      }
      runs.add(r);
      s.running = null;
    }
  }

  /** Removes and returns the slot of a check equal to {@code c}, or null. */
  private static @Nullable Slot take(List<Slot> slots, HealthCheck c) {
    for (int i = 0; i < slots.size(); i++) {
      if (slots.get(i).check.equals(c)) {
        return slots.remove(i);
      }
    }
    return null;
  }

  private static boolean needsHttp(List<HealthCheck> checks) {
    return checks.stream().anyMatch(c -> c.kind() == HealthCheck.Kind.HTTP);
  }

  /** The sum of the weights in effect now (not clamped). */
  public int priorityDelta() {
    synchronized (lock) {
      int sum = 0;
      for (Slot s : slots) {
        sum += s.check.effect().priorityDelta(s.state.healthy());
      }
      return sum;
    }
  }

  /** Whether any disqualifying check is unhealthy now (true at start when there is one). */
  public boolean disqualified() {
    synchronized (lock) {
      for (Slot s : slots) {
        if (s.check.effect().disqualifies(s.state.healthy())) {
          return true;
        }
      }
      return false;
    }
  }

  /** Every check's state, in the order the checks were given. */
  public List<HealthStatus> statuses() {
    synchronized (lock) {
      List<HealthStatus> out = new ArrayList<>(slots.size());
      for (Slot s : slots) {
        out.add(s.status());
      }
      return out;
    }
  }

  /** The state of the check named {@code name}, or null when there is none. */
  public @Nullable HealthStatus status(String name) {
    synchronized (lock) {
      for (Slot s : slots) {
        if (s.check.name().equals(name)) {
          return s.status();
        }
      }
      return null;
    }
  }

  /**
   * How many probes of check {@code name} gave a {@code healthy} (or unhealthy) result; a probe
   * abandoned at its timeout counts as unhealthy. Reads without allocating.
   *
   * @throws IllegalArgumentException when there is no such check
   */
  public long probeCount(String name, boolean healthy) {
    synchronized (lock) {
      return slot(name).timedProbes[healthy ? 1 : 0];
    }
  }

  /**
   * The total time, in nanoseconds on the monitor's clock, of the probes {@link
   * #probeCount(String, boolean)} counts, each from its submission to its result.
   *
   * @throws IllegalArgumentException when there is no such check
   */
  public long probeNanos(String name, boolean healthy) {
    synchronized (lock) {
      return slot(name).probeNanos[healthy ? 1 : 0];
    }
  }

  private Slot slot(String name) {
    for (Slot s : slots) {
      if (s.check.name().equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("no health check named " + name);
  }

  /** The checks, in the order given. */
  public List<HealthCheck> checks() {
    synchronized (lock) {
      List<HealthCheck> out = new ArrayList<>(slots.size());
      for (Slot s : slots) {
        out.add(s.check);
      }
      return List.copyOf(out);
    }
  }

  // ---- on the scheduler -----------------------------------------------------------------------

  private void tick(Slot slot) {
    Run overran;
    Run run = new Run(slot, scheduler.nanoTime());
    synchronized (lock) {
      if (stopped || slot.removed) {
        return;
      }
      overran = slot.running;
      slot.next = scheduler.schedule(slot.check.interval().toNanos(), () -> tick(slot));
    }
    if (overran != null) { // only when the scheduler ran the watchdog late
      complete(overran, overrun(slot.check), true);
    }
    synchronized (lock) {
      if (stopped || slot.removed) {
        return;
      }
      slot.running = run;
      run.watchdog = scheduler.schedule(watchdogDelay(slot.check),
          () -> complete(run, overrun(slot.check), true));
    }
    try {
      executor.execute(run);
    } catch (RejectedExecutionException e) {
      complete(run, ProbeResult.failed("probe not run", e), false);
    }
  }

  private static ProbeResult overrun(HealthCheck check) {
    return ProbeResult.unhealthy("no result within " + Durations.format(check.timeout())
        + "; probe abandoned");
  }

  static long watchdogDelay(HealthCheck check) {
    long timeout = check.timeout().toNanos();
    long gap = check.interval().toNanos() - timeout;
    return timeout + Math.min(MAX_GRACE_NANOS, gap / 2);
  }

  /** Counts {@code result} for {@code run} unless the run was superseded or the monitor stopped. */
  private void complete(Run run, ProbeResult result, boolean abandon) {
    Slot slot = run.slot;
    boolean changed;
    boolean healthy;
    @Nullable Cancellable watchdog;
    synchronized (lock) {
      if (stopped || slot.running != run) {
        return;
      }
      slot.running = null;
      watchdog = run.watchdog;
      RiseFall before = slot.state;
      slot.state = before.next(result.healthy());
      slot.lastDetail = result.detail();
      slot.probes++;
      int r = result.healthy() ? 1 : 0;
      slot.timedProbes[r]++;
      slot.probeNanos[r] += scheduler.nanoTime() - run.submittedAt;
      changed = slot.state.healthy() != before.healthy();
      healthy = slot.state.healthy();
      if (changed) {
        slot.lastChange = scheduler.nanoTime();
      }
    }
    if (watchdog != null) {
      watchdog.cancel(); // a no-op when the watchdog is what called us
    }
    if (abandon) {
      run.cancellation.cancel();
    }
    if (changed) {
      if (healthy) {
        LOG.info("health check {} is healthy: {}", slot.check.name(), result.detail());
      } else {
        LOG.warn("health check {} is unhealthy: {}", slot.check.name(), result.detail());
      }
      try {
        listener.onTransition(slot.check, healthy, result.detail());
      } catch (RuntimeException e) {
        LOG.warn("health listener failed on {}", slot.check.name(), e);
      }
    }
  }

  // ---- on the probe executor ------------------------------------------------------------------

  private ProbeResult probe(HealthCheck check, Cancellation cancellation) throws Exception {
    HealthCheck.Target t = check.target();
    Duration timeout = check.timeout();
    if (t instanceof HealthCheck.Tcp tcp) {
      return tcpProber.probe(tcp, timeout, cancellation);
    } else if (t instanceof HealthCheck.Http http) {
      return httpProber.probe(http, timeout, cancellation);
    } else if (t instanceof HealthCheck.Exec exec) {
      return execProber.probe(exec, timeout, cancellation);
    }
    return customProber.probe((HealthCheck.Custom) t, timeout, cancellation);
  }

  private void post(Runnable task) {
    try {
      scheduler.schedule(0, task);
    } catch (RuntimeException e) {
      synchronized (lock) {
        if (stopped) {
          return; // the scheduler may have been shut down with us
        }
      }
      LOG.warn("cannot hand a probe result back to the scheduler", e);
    }
  }

  /** Builds a {@link HealthMonitor}. */
  public static final class Builder {
    private final List<HealthCheck> checks = new ArrayList<>();
    private @Nullable Executor executor;
    private @Nullable Scheduler scheduler;
    private HealthListener listener = (check, healthy, detail) -> { };
    private Prober<HealthCheck.Tcp> tcpProber = new TcpProber();
    private @Nullable Prober<HealthCheck.Http> httpProber; // default: created when needed
    private Prober<HealthCheck.Exec> execProber = new ExecProber();
    private Prober<HealthCheck.Custom> customProber = new CustomProber();

    private Builder() {}

    /** Adds a check. */
    public Builder check(HealthCheck check) {
      checks.add(Objects.requireNonNull(check, "check"));
      return this;
    }

    /** Adds checks. */
    public Builder checks(List<HealthCheck> checks) {
      checks.forEach(this::check);
      return this;
    }

    /**
     * Adds a check described by {@code spec}; throws {@link ValidationException} with its problems
     * under {@code healthChecks[i]}.
     */
    public Builder check(Consumer<HealthCheck.Builder> spec) {
      HealthCheck.Builder b = HealthCheck.builder();
      spec.accept(b);
      try {
        return check(b.build());
      } catch (ValidationException e) {
        throw e.under("healthChecks[" + checks.size() + "]");
      }
    }

    /** Where probes run (required); they block, so give it threads to spare. */
    public Builder executor(Executor executor) {
      this.executor = executor;
      return this;
    }

    /** How the monitor waits (required): the agent's event loop, or virtual time in tests. */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    /** Told of every transition (default: none). */
    public Builder listener(HealthListener listener) {
      this.listener = listener;
      return this;
    }

    /** Replaces the TCP prober (default {@link TcpProber}). */
    public Builder tcpProber(Prober<HealthCheck.Tcp> prober) {
      this.tcpProber = prober;
      return this;
    }

    /** Replaces the HTTP prober (default {@link HttpProber}). */
    public Builder httpProber(Prober<HealthCheck.Http> prober) {
      this.httpProber = prober;
      return this;
    }

    /** Replaces the exec prober (default {@link ExecProber}). */
    public Builder execProber(Prober<HealthCheck.Exec> prober) {
      this.execProber = prober;
      return this;
    }

    /** Replaces the custom prober (default {@link CustomProber}). */
    public Builder customProber(Prober<HealthCheck.Custom> prober) {
      this.customProber = prober;
      return this;
    }

    /**
     * The monitor; throws {@link ValidationException} when two checks share a name (at {@code
     * healthChecks[i].name}) and {@link NullPointerException} without an executor or scheduler.
     */
    public HealthMonitor build() {
      HealthCheck.requireUniqueNames(checks);
      return new HealthMonitor(this, List.copyOf(checks));
    }
  }
}
