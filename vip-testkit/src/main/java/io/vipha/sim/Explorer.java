package io.vipha.sim;

import io.vipha.VipGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Runs seeded random {@link FaultSchedule}s against a group and checks the invariants at every
 * step of virtual time:
 *
 * <ol>
 *   <li><b>No lasting dual ownership.</b> Two running, mutually reachable holders of one VIP
 *       with working backends for no longer than {@link Bounds#dualRunning()}; two running
 *       holders cut off from each other for no longer than a heartbeat's flight ({@link
 *       Bounds#dualCutOff()}: the quorum lease) when the second took the VIP well after the cut,
 *       else {@link Bounds#dualCut()} or, cut one way, {@link Bounds#dualOneWay()}; a holder
 *       that cannot act (its process dead or paused, or its backend failing: nothing but the
 *       kernel lease removes its address) beside
 *       another for {@link Bounds#dualStranded()}.
 *   <li><b>Bounded outage per fault.</b> When a fault hits a settled group (every VIP held once,
 *       every node healthy and agreeing, and the previous fault at least preempt delay +
 *       hold-down + two heartbeat intervals ago, so no planned move of its own is pending) and
 *       no other fault follows for {@link
 *       Bounds#convergence()}, each client outage it causes lasts at most: {@link
 *       Bounds#failover()} for a power-off, link down or partition; {@link Bounds#crash()} for a
 *       crash or pause (nothing unless the lease is short: the host keeps answering until its
 *       lease ends); {@link Bounds#reconcile()} for a VIP removed by hand; nothing at all ({@link
 *       Bounds#planned()}) for a graceful stop, a switchover, a drain, a health check failing, a
 *       return that preempts, clock steps and drift.
 *   <li><b>Convergence.</b> Once the faults stop and everything is healed, within {@link
 *       Bounds#convergence()} every VIP has exactly one holder, running and eligible, that every
 *       agent agrees on, no host keeps an orphan address, and it stays so.
 * </ol>
 *
 * <p>A failing run is shrunk: faults are removed while the same invariant still breaks, and the
 * report gives the seed, the remaining faults, the timeline and a command that replays it.
 *
 * <p>This class is the entry point and the report ({@link Result}); the package-private parts do
 * the work: {@code ExplorerRun} drives one run, {@code DualOwnerCheck}, {@code OutageCheck} and
 * {@code ConvergenceCheck} judge the three invariants into a {@code Verdict}, and {@code
 * Shrinker} shrinks a failure.
 */
public final class Explorer {
  private final VipGroup group;
  private final Consumer<Simulation.Builder> settings;
  private final int minFaults;
  private final int maxFaults;
  private final Bounds bounds;
  private final String replay;
  private final long step;

  private Explorer(Builder b) {
    this.group = Objects.requireNonNull(b.group, "group");
    this.settings = b.settings;
    this.minFaults = b.minFaults;
    this.maxFaults = b.maxFaults;
    Simulation.Builder network = Simulation.builder();
    settings.accept(network);
    this.bounds = Bounds.of(group.policy(), b.reconcile, network.flight());
    this.replay = b.replay;
    this.step = b.step.toNanos();
  }

  /** A builder; {@link Builder#group} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The windows this explorer allows. */
  public Bounds bounds() {
    return bounds;
  }

  /** The random schedule of {@code seed}. */
  public FaultSchedule schedule(long seed) {
    int span = maxFaults - minFaults + 1;
    int count = minFaults + (int) Math.floorMod(seed * 31 + 7, (long) span);
    return FaultSchedule.random(seed, group.nodes().size(), group.vips().size(), count);
  }

  /** Runs the random schedule of {@code seed}. */
  public Result run(long seed) {
    FaultSchedule s = schedule(seed);
    return run(seed, s, allIndices(s.faults().size()));
  }

  /**
   * Runs the faults at {@code kept} of the random schedule of {@code seed} (as a shrunk failure's
   * replay command does).
   */
  public Result run(long seed, List<Integer> kept) {
    return run(seed, schedule(seed).only(kept), kept);
  }

  private Result run(long seed, FaultSchedule schedule, List<Integer> kept) {
    ExplorerRun r = new ExplorerRun(group, settings, bounds, step, seed, schedule);
    try {
      r.execute();
    } catch (RuntimeException | AssertionError e) {
      r.verdict.fail("EXCEPTION", e.toString());
    }
    return new Result(seed, schedule, List.copyOf(kept), schedule(seed).faults().size(),
        r.verdict.violationKind(), r.verdict.violation(),
        r.sim.timeline(), r.verdict.stats, replay);
  }

  /**
   * Shrinks a failing result: removes faults (halves, then quarters, … then single faults) while
   * the run still breaks the same invariant. Returns the smallest failing result found.
   */
  public Result shrink(Result failed) {
    if (failed.passed()) {
      return failed;
    }
    FaultSchedule full = schedule(failed.seed());
    return Shrinker.shrink(failed, trial -> run(failed.seed(), full.only(trial), trial));
  }

  /**
   * Runs seeds {@code first} to {@code first + count - 1} on {@code threads} threads and shrinks
   * the first few failures.
   */
  public Summary explore(long first, int count, int threads) {
    long t0 = System.nanoTime();
    List<Result> failures = new ArrayList<>();
    Stats total = new Stats();
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
      Thread t = new Thread(r, "vipha-explorer");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<Result>> results = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        long seed = first + i;
        results.add(pool.submit(() -> run(seed)));
      }
      for (Future<Result> f : results) {
        Result r = f.get();
        total.merge(r.stats());
        if (!r.passed()) {
          failures.add(r);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
    long elapsed = System.nanoTime() - t0; // reported, never used by a run
    List<Result> shrunk = new ArrayList<>();
    for (Result f : failures.subList(0, Math.min(3, failures.size()))) {
      shrunk.add(shrink(f));
    }
    Map<String, List<Long>> byKind = new TreeMap<>();
    for (Result f : failures) {
      byKind.computeIfAbsent(f.category(), k -> new ArrayList<>()).add(f.seed());
    }
    return new Summary(count, failures.size(), shrunk, total, elapsed, byKind);
  }

  private static List<Integer> allIndices(int n) {
    List<Integer> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(i);
    }
    return out;
  }

  /**
   * The outcome of one run.
   *
   * @param seed the seed
   * @param schedule the faults that ran
   * @param kept their indices in the seed's full schedule
   * @param scheduled how many faults the seed's full schedule has
   * @param violationKind which invariant broke ({@code DUAL_OWNER}, {@code OUTAGE}, {@code
   *     CONVERGENCE}, {@code EXCEPTION}), or null
   * @param violation what broke and when, or null when the run passed
   * @param timeline the simulation's timeline
   * @param stats the worst windows seen
   * @param replayPrefix the command that replays a seed, before its seed arguments
   */
  public record Result(long seed, FaultSchedule schedule, List<Integer> kept, int scheduled,
      @Nullable String violationKind, @Nullable String violation, List<SimEvent> timeline,
      Stats stats, String replayPrefix) {
    /** Whether every invariant held. */
    public boolean passed() {
      return violation == null;
    }

    /**
     * The broken invariant with the fault kind it followed, e.g. {@code OUTAGE after DRAIN}; the
     * empty string when the run passed.
     */
    public String category() {
      String v = violation;
      if (v == null) {
        return "";
      }
      int after = v.indexOf(" after ");
      if ("OUTAGE".equals(violationKind) && after >= 0) {
        int on = v.indexOf(" on ", after);
        return "OUTAGE" + v.substring(after, on < 0 ? v.length() : on);
      }
      return String.valueOf(violationKind);
    }

    /** The one-line command that replays this run exactly. */
    public String replayCommand() {
      StringBuilder sb = new StringBuilder(replayPrefix).append(" -Dvipha.sim.seed=").append(seed);
      if (kept.size() != scheduled) {
        sb.append(" -Dvipha.sim.faults=");
        for (int i = 0; i < kept.size(); i++) {
          sb.append(i == 0 ? "" : ",").append(kept.get(i));
        }
        if (kept.isEmpty()) {
          sb.append("none");
        }
      }
      return sb.toString();
    }

    /** The report: seed, violation, the faults, the timeline and the replay command. */
    public String report() {
      StringBuilder sb = new StringBuilder();
      sb.append("seed ").append(seed).append(": ").append(passed() ? "passed" : violationKind
          + ": " + violation).append('\n');
      sb.append("  faults (").append(kept.size()).append(" kept):\n");
      for (SimEvent e : timeline) {
        sb.append("    ").append(e).append('\n');
      }
      sb.append("  replay: ").append(replayCommand()).append('\n');
      return sb.toString();
    }
  }

  /** Worst values seen, by name, in nanoseconds. Not thread-safe; merged after runs. */
  public static final class Stats {
    private final Map<String, Long> worst = new TreeMap<>();

    void max(String name, long value) {
      worst.merge(name, value, Math::max);
    }

    synchronized void merge(Stats other) {
      other.worst.forEach(this::max);
    }

    /** Worst value per name, nanoseconds. */
    public synchronized Map<String, Long> worst() {
      return Map.copyOf(worst);
    }
  }

  /**
   * The outcome of many runs.
   *
   * @param runs how many seeds ran
   * @param failed how many failed
   * @param shrunk the first failures, shrunk
   * @param stats the worst windows over all runs
   * @param elapsedNanos wall time taken
   * @param failedSeeds the failing seeds by {@link Result#category()}
   */
  public record Summary(int runs, int failed, List<Result> shrunk, Stats stats,
      long elapsedNanos, Map<String, List<Long>> failedSeeds) {
    /** Schedules run per minute of wall time. */
    public double perMinute() {
      return runs * 60e9 / Math.max(1, elapsedNanos);
    }
  }

  /** Builds an {@link Explorer}. */
  public static final class Builder {
    private @Nullable VipGroup group;
    private Consumer<Simulation.Builder> settings = b -> {};
    private int minFaults = 4;
    private int maxFaults = 12;
    private Duration reconcile = Duration.ofSeconds(1);
    private Duration step = Duration.ofMillis(10);
    private String replay = "Explorer.run(seed, kept faults)";

    private Builder() {}

    /** The group every run simulates. Its policy gives the {@link Bounds}. */
    public Builder group(VipGroup group) {
      this.group = Objects.requireNonNull(group);
      return this;
    }

    /** Adjusts each run's simulation (network delay, loss, …); the seed is set per run. */
    public Builder simulation(Consumer<Simulation.Builder> settings) {
      this.settings = Objects.requireNonNull(settings);
      return this;
    }

    /** How many faults a random schedule has, from {@code min} to {@code max}. Default 4–12. */
    public Builder faults(int min, int max) {
      if (min < 0 || max < min) {
        throw new IllegalArgumentException("need 0 ≤ min ≤ max: " + min + ", " + max);
      }
      this.minFaults = min;
      this.maxFaults = max;
      return this;
    }

    /** How often the invariants are checked, in virtual time. Default 10 ms. */
    public Builder step(Duration step) {
      if (step.isNegative() || step.isZero()) {
        throw new IllegalArgumentException("step must be positive: " + step);
      }
      this.step = step;
      return this;
    }

    /** The command a report prints to replay a run, before {@code -Dvipha.sim.seed=…}. */
    public Builder replayCommand(String prefix) {
      this.replay = Objects.requireNonNull(prefix);
      return this;
    }

    /** Builds the explorer. */
    public Explorer build() {
      if (group == null) {
        throw new IllegalStateException("group is required");
      }
      return new Explorer(this);
    }
  }
}
