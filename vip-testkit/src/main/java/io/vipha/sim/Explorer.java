package io.vipha.sim;

import io.vipha.Quorum;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.agent.AgentState;
import io.vipha.agent.VipAgent;
import io.vipha.plan.Eligibility;
import io.vipha.sim.Fault.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 *       with working backends for no longer than {@link Bounds#dualRunning()}; with a quorum,
 *       any two holders on the segment (whatever their processes and backends do: a failing
 *       backend cannot remove an address, which then stays until its lease ends) for no longer
 *       than {@link Bounds#dualAny()}.
 *   <li><b>Bounded outage per fault.</b> When a fault hits a settled group (every VIP held once,
 *       every node healthy and agreeing, and the previous fault at least preempt delay +
 *       hold-down + two heartbeat intervals ago, so no planned move of its own is pending) and
 *       no other fault follows for {@link
 *       Bounds#convergence()}, each client outage it causes lasts at most: {@link
 *       Bounds#failover()} for a power-off, link down or partition; {@link Bounds#reconcile()}
 *       for a VIP removed by hand; nothing at all for a crash or pause (the host keeps answering
 *       until its lease ends), a graceful stop, a switchover, a drain, a health check failing, a
 *       return that preempts, clock steps and drift.
 *   <li><b>Convergence.</b> Once the faults stop and everything is healed, within {@link
 *       Bounds#convergence()} every VIP has exactly one holder, running and eligible, that every
 *       agent agrees on, no host keeps an orphan address, and it stays so.
 * </ol>
 *
 * <p>A failing run is shrunk: faults are removed while the same invariant still breaks, and the
 * report gives the seed, the remaining faults, the timeline and a command that replays it.
 */
public final class Explorer {
  /** Kinds after which a settled group must lose no client packet. */
  private static final Set<Kind> LOSSLESS = EnumSet.of(Kind.CRASH, Kind.PAUSE, Kind.STOP,
      Kind.SWITCHOVER, Kind.DRAIN, Kind.UNDRAIN, Kind.HEALTH_DOWN, Kind.HEALTH_UP,
      Kind.POWER_ON, Kind.RESTART, Kind.LINK_UP, Kind.HEAL, Kind.BACKEND_HEAL,
      Kind.CLOCK_JUMP, Kind.DRIFT);

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
    this.bounds = Bounds.of(group.policy(), b.reconcile);
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
    Run r = new Run(seed, schedule);
    try {
      r.execute();
    } catch (RuntimeException | AssertionError e) {
      r.fail("EXCEPTION", e.toString());
    }
    return new Result(seed, schedule, List.copyOf(kept), schedule(seed).faults().size(),
        r.violationKind, r.violation,
        r.sim.timeline(), r.stats, replay);
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
    List<Integer> current = new ArrayList<>(failed.kept());
    Result best = failed;
    int chunks = 2;
    int budget = 200;
    while (current.size() >= 1 && budget > 0) {
      int size = (int) Math.ceil(current.size() / (double) chunks);
      boolean removed = false;
      for (int start = 0; start < current.size() && budget > 0; start += size) {
        List<Integer> trial = new ArrayList<>(current.subList(0, start));
        trial.addAll(current.subList(Math.min(current.size(), start + size), current.size()));
        budget--;
        Result r = run(failed.seed(), full.only(trial), trial);
        if (!r.passed() && Objects.equals(r.violationKind(), failed.violationKind())) {
          current = trial;
          best = r;
          removed = true;
          break;
        }
      }
      if (removed) {
        chunks = Math.max(chunks - 1, 2);
      } else if (size <= 1) {
        break;
      } else {
        chunks = Math.min(current.size(), chunks * 2);
      }
    }
    return best;
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

  /** One run of one schedule. */
  private final class Run {
    final FaultSchedule schedule;
    final Simulation sim;
    final List<SimNode> nodes;
    final boolean quorum;
    final Stats stats = new Stats();
    @Nullable String violation;
    @Nullable String violationKind;
    final Map<VirtualIp, Long> dualRunningSince = new HashMap<>();
    final Map<VirtualIp, Map<String, Long>> dualAnySince = new HashMap<>();
    final long[] faultAt;
    final boolean[] settledBefore;
    /** How long after a fault planned consequences (a preemption, a rebalance) may still run. */
    final long quiet = group.policy().preemptDelay().plus(group.policy().holdDown())
        .plus(group.policy().heartbeatInterval().multipliedBy(2)).toNanos();

    Run(long seed, FaultSchedule schedule) {
      this.schedule = schedule;
      Simulation.Builder b = Simulation.builder().group(group).seed(seed);
      settings.accept(b);
      this.sim = b.build();
      this.nodes = sim.nodes();
      this.quorum = group.policy().quorum().kind() != Quorum.Kind.NONE;
      this.faultAt = new long[schedule.faults().size()];
      this.settledBefore = new boolean[schedule.faults().size()];
    }

    void fail(String kind, String message) {
      if (violation == null) {
        violationKind = kind;
        violation = Simulation.formatTime(sim.now()) + " " + message;
      }
    }

    void execute() {
      sim.start();
      List<Fault> faults = schedule.faults();
      for (int i = 0; i < faults.size() && violation == null; i++) {
        Fault f = faults.get(i);
        runChecking(f.at());
        if (violation != null) {
          break;
        }
        settledBefore[i] = settled() && (i == 0 || sim.now() - faultAt[i - 1] >= quiet);
        faultAt[i] = sim.now();
        f.apply(sim);
        sim.time().runDue();
      }
      if (violation != null) {
        return;
      }
      runChecking(Math.max(sim.now(), schedule.end()) + 1_000_000_000L);
      long healed = healEverything();
      long deadline = healed + bounds.convergence().toNanos();
      long since = -1; // since when the group is converged without a break
      while (sim.now() < deadline + 2_000_000_000L && violation == null) {
        stepAndCheck();
        if (!converged()) {
          since = -1;
          if (sim.now() >= deadline && violation == null) {
            fail("CONVERGENCE", "not converged " + bounds.convergence().toMillis()
                + " ms after the final heal: " + convergenceProblems());
          }
        } else if (since < 0) {
          since = sim.now();
        }
      }
      if (since >= 0) {
        stats.max("convergence after final heal", since - healed);
      }
      if (Boolean.getBoolean("vipha.sim.debug")) {
        for (SimNode n : nodes) {
          VipAgent a = n.agent();
          System.out.println("DEBUG " + n.id() + " running=" + n.running() + " "
              + (n.coordinator() == null ? "" : n.coordinator().rejected() + " acc="
              + n.coordinator().accepted() + " inc=" + n.coordinator().incarnation()) + " "
              + (a == null ? "" : a.state().peers()));
        }
      }
      if (violation == null) {
        checkOutages();
      }
    }

    void runChecking(long until) {
      while (sim.now() < until && violation == null) {
        stepAndCheck();
      }
    }

    void stepAndCheck() {
      sim.runUntil(sim.now() + step);
      long now = sim.now();
      List<VirtualIp> vips = group.vips();
      for (int k = 0; k < vips.size(); k++) {
        VirtualIp v = vips.get(k);
        List<SimNode> holders = sim.holders(k);
        boolean any = holders.size() >= 2;
        boolean running = any && runningPair(holders);
        window(v, running, dualRunningSince, now, bounds.dualRunning().toNanos(),
            "two running, mutually reachable holders", "dual owner (running)");
        if (quorum) {
          pairWindows(v, holders, now);
        }
      }
    }

    /** Each pair of holders on the segment may overlap for {@link Bounds#dualAny()}. */
    void pairWindows(VirtualIp v, List<SimNode> holders, long now) {
      Map<String, Long> pairs = dualAnySince.get(v);
      if (holders.size() < 2 && (pairs == null || pairs.isEmpty())) {
        return; // the common case, without allocating
      }
      if (pairs == null) {
        pairs = new HashMap<>();
        dualAnySince.put(v, pairs);
      }
      List<String> current = new ArrayList<>();
      for (int i = 0; i < holders.size(); i++) {
        for (int j = i + 1; j < holders.size(); j++) {
          current.add(holders.get(i).id() + "+" + holders.get(j).id());
        }
      }
      for (Map.Entry<String, Long> e : pairs.entrySet()) {
        if (!current.contains(e.getKey())) {
          stats.max("dual owner (any)", now - e.getValue());
        }
      }
      pairs.keySet().retainAll(current);
      long allowed = bounds.dualAny().toNanos();
      for (String pair : current) {
        long since = pairs.computeIfAbsent(pair, k -> now);
        if (now - since > allowed) {
          fail("DUAL_OWNER", v.cidr() + ": two holders on the segment with a quorum policy ("
              + pair + ") for " + (now - since) / 1_000_000 + " ms > allowed "
              + allowed / 1_000_000 + " ms");
        }
      }
    }

    boolean runningPair(List<SimNode> holders) {
      for (int i = 0; i < holders.size(); i++) {
        for (int j = i + 1; j < holders.size(); j++) {
          SimNode a = holders.get(i);
          SimNode b = holders.get(j);
          if (a.running() && b.running() && !a.backendFailing() && !b.backendFailing()
              && !sim.blocked(a.id(), b.id())
              && !sim.blocked(b.id(), a.id())) {
            return true;
          }
        }
      }
      return false;
    }

    void window(VirtualIp v, boolean on, Map<VirtualIp, Long> since, long now, long allowed,
        String what, String stat) {
      Long s = since.get(v);
      if (!on) {
        if (s != null) {
          stats.max(stat, now - s);
          since.remove(v);
        }
        return;
      }
      if (s == null) {
        since.put(v, now);
      } else if (now - s > allowed) {
        fail("DUAL_OWNER", v.cidr() + ": " + what + " " + names(sim.holders(v)) + " for "
            + (now - s) / 1_000_000 + " ms > allowed " + allowed / 1_000_000 + " ms");
      }
    }

    /** Every node healthy and running, and every VIP held once by the owner all agree on. */
    boolean settled() {
      for (SimNode n : nodes) {
        VipAgent a = n.agent();
        if (a == null || !n.running() || !n.onSegment() || !n.healthy() || n.backendFailing()) {
          return false;
        }
        AgentState s = a.state();
        if (s.phase() != VipAgent.Phase.RUNNING || s.eligibility() != Eligibility.ELIGIBLE) {
          return false;
        }
        for (SimNode o : nodes) {
          if (sim.blocked(n.id(), o.id())) {
            return false;
          }
        }
      }
      return converged() && allReached();
    }

    boolean allReached() {
      for (VirtualIp v : group.vips()) {
        if (!sim.clientReaches(v)) {
          return false;
        }
      }
      return true;
    }

    /** {@link #convergenceProblems()} is empty; without building any text. */
    boolean converged() {
      List<VirtualIp> vips = group.vips();
      AgentState[] states = new AgentState[nodes.size()];
      for (int i = 0; i < nodes.size(); i++) {
        SimNode n = nodes.get(i);
        VipAgent a = n.agent();
        if (a != null && n.running()) {
          states[i] = a.state();
        }
      }
      for (int k = 0; k < vips.size(); k++) {
        int holder = -1;
        for (int i = 0; i < nodes.size(); i++) {
          if (nodes.get(i).host().holds(k)) {
            if (holder >= 0) {
              return false;
            }
            holder = i;
          }
        }
        if (holder < 0 || states[holder] == null || !nodes.get(holder).onSegment()) {
          return false;
        }
        AgentState hs = states[holder];
        if (hs.phase() != VipAgent.Phase.RUNNING || hs.eligibility() == Eligibility.DISQUALIFIED
            || hs.eligibility() == Eligibility.DRAINING) {
          return false;
        }
        String id = nodes.get(holder).id();
        VirtualIp v = vips.get(k);
        for (AgentState st : states) {
          if (st != null && !id.equals(st.owners().get(v))) {
            return false;
          }
        }
      }
      return true;
    }

    String convergenceProblems() {
      List<String> problems = new ArrayList<>();
      Map<String, AgentState> states = new HashMap<>();
      for (SimNode n : nodes) {
        VipAgent a = n.agent();
        if (a != null && n.running()) {
          states.put(n.id(), a.state());
        }
      }
      for (VirtualIp v : group.vips()) {
        List<SimNode> holders = new ArrayList<>();
        for (SimNode n : nodes) {
          if (n.holds(v)) {
            holders.add(n);
          }
        }
        if (holders.size() != 1) {
          problems.add(v.cidr() + " held by " + names(holders));
          continue;
        }
        SimNode h = holders.get(0);
        AgentState hs = states.get(h.id());
        if (hs == null || !h.onSegment()) {
          problems.add(v.cidr() + " held by " + h.id() + " whose process is not running");
          continue;
        }
        if (hs.phase() != VipAgent.Phase.RUNNING || hs.eligibility() == Eligibility.DISQUALIFIED
            || hs.eligibility() == Eligibility.DRAINING) {
          problems.add(v.cidr() + " held by " + h.id() + " which is " + hs.phase() + "/"
              + hs.eligibility());
        }
        for (Map.Entry<String, AgentState> e : states.entrySet()) {
          String o = e.getValue().owners().get(v);
          if (!h.id().equals(o)) {
            problems.add(e.getKey() + " thinks " + v.cidr() + " belongs to " + o + ", " + h.id()
                + " holds it");
          }
        }
      }
      return String.join("; ", problems);
    }

    long healEverything() {
      sim.note(null, "final: heal the network, power on, restart, link up, heal backends,"
          + " pass health checks, undrain");
      sim.heal();
      for (SimNode n : nodes) {
        if (!n.hasLink()) {
          n.linkUp();
        }
        if (n.backendFailing()) {
          n.healBackend();
        }
        if (!n.healthy()) {
          n.health(true);
        }
        if (!n.powered()) {
          n.powerOn();
        }
      }
      sim.time().runDue();
      // A pause gets time to end, and a graceful stop in progress (or queued in a paused
      // process) time to finish, before the process is replaced.
      for (int i = 0; i < 500 && (stopping() || paused()); i++) {
        stepAndCheck();
      }
      for (SimNode n : nodes) {
        VipAgent a = n.agent();
        if (a == null || a.state().phase() == VipAgent.Phase.STOPPED) {
          n.restart();
        } else if (a.state().eligibility() == Eligibility.DRAINING) {
          sim.note(n.id(), "undrain");
          a.undrain();
        }
      }
      sim.time().runDue();
      return sim.now();
    }

    boolean paused() {
      for (SimNode n : nodes) {
        if (n.processAlive() && !n.running()) {
          return true;
        }
      }
      return false;
    }

    boolean stopping() {
      for (SimNode n : nodes) {
        VipAgent a = n.agent();
        if (a != null && a.state().phase() == VipAgent.Phase.STOPPING) {
          return true;
        }
      }
      return false;
    }

    void checkOutages() {
      List<Fault> faults = schedule.faults();
      long horizon = bounds.convergence().toNanos();
      for (int i = 0; i < faults.size(); i++) {
        if (!settledBefore[i]) {
          continue;
        }
        long from = faultAt[i];
        long next = i + 1 < faults.size() ? faultAt[i + 1] : Long.MAX_VALUE;
        if (next - from < horizon) {
          continue;
        }
        Kind k = faults.get(i).kind();
        long allowed = LOSSLESS.contains(k) ? 0
            : k == Kind.REMOVE_BY_HAND ? bounds.reconcile().toNanos()
            : bounds.failover().toNanos();
        for (Outage o : sim.outages()) {
          if (o.from() >= from && o.from() < Math.min(next, from + horizon)) {
            long len = o.length(sim.now());
            stats.max("outage after " + k, len);
            if (len > allowed) {
              fail("OUTAGE", "after " + k + " on " + nodes.get(faults.get(i).node()
                  % nodes.size()).id() + " at " + Simulation.formatTime(from) + " the client"
                  + " lost " + o.vip().cidr() + " for " + String.format("%.1f", len / 1e6)
                  + " ms > allowed " + allowed / 1_000_000 + " ms");
            }
          }
        }
      }
    }
  }

  private static String names(List<SimNode> nodes) {
    List<String> out = new ArrayList<>();
    for (SimNode n : nodes) {
      out.add(n.id());
    }
    return out.toString();
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
