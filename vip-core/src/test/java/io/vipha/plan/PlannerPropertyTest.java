package io.vipha.plan;

import static io.vipha.plan.Fixtures.MS;
import static io.vipha.plan.Fixtures.loads;
import static io.vipha.plan.Fixtures.moveSet;
import static io.vipha.plan.Fixtures.owners;
import static io.vipha.plan.Fixtures.sec;
import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.FailoverPolicy;
import io.vipha.FlapLimit;
import io.vipha.Mode;
import io.vipha.NoQuorumAction;
import io.vipha.Node;
import io.vipha.Quorum;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.jspecify.annotations.NullUnmarked;
import org.junit.jupiter.api.Test;

/**
 * Seeded property tests of the planner. Every failure names its seed; replay one seed with
 * {@code mvn -pl vip-core verify -Dtest=PlannerPropertyTest -Dvipha.seed=N} ({@code
 * -Dvipha.trace=true} prints every step of a walk; {@code -Dvipha.seeds=5000} runs more seeds;
 * {@code -Dvipha.keepGoing=true} lists every failing seed).
 *
 * <p>The random walks drive a reference model alongside the planner: when every node last lost
 * ownership (hold-down), when it became ready (preempt delay), its recent own-caused ownership
 * changes (flap limit) and its suspension. Every plan is checked against the model and the rules,
 * replanned for determinism (a fresh planner, a planner of the same group with nodes and VIPs in
 * another order) and for stability (same view again, later instants before nextChangeAt). The
 * scenario properties check what a walk rarely reaches exactly: balance, minimal movement on a
 * single failure, a returning node under preemption, and the exact preempt instant.
 *
 * <p>Null-unmarked: the model's maps always hold every node, which NullAway cannot see.
 */
@NullUnmarked
class PlannerPropertyTest {
  private static final long NONE = Long.MIN_VALUE;
  private static final long NEVER = Plan.NEVER;
  private static final String[] ID_STEMS = {"n", "node-", "A", "z.", "b_", "N"};
  private static final boolean TRACE = Boolean.getBoolean("vipha.trace");

  // ---------------------------------------------------------------------------------------------
  // Seeds
  // ---------------------------------------------------------------------------------------------

  interface SeedBody {
    void run(long seed) throws Exception;
  }

  /** Runs {@code body} for seeds 0..count-1 (or -Dvipha.seed only); names the seed on failure. */
  static void forSeeds(String property, int count, SeedBody body) {
    String only = System.getProperty("vipha.seed");
    long from = only == null ? 0 : Long.parseLong(only.trim());
    long to = only == null ? Integer.getInteger("vipha.seeds", count) : from + 1;
    boolean keepGoing = Boolean.getBoolean("vipha.keepGoing");
    AssertionError first = null;
    for (long seed = from; seed < to; seed++) {
      try {
        body.run(seed);
      } catch (Throwable e) {
        AssertionError failure = new AssertionError(property + " failed for seed " + seed
            + " (replay with -Dtest=PlannerPropertyTest -Dvipha.seed=" + seed + "): "
            + e.getMessage(), e);
        if (!keepGoing) {
          throw failure;
        }
        String m = String.valueOf(e.getMessage());
        int eol = m.indexOf('\n');
        System.out.println(property + " seed " + seed + ": "
            + m.substring(0, Math.min(m.length(), eol < 0 ? 200 : eol)));
        first = first == null ? failure : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Generators
  // ---------------------------------------------------------------------------------------------

  /** What a random group may contain. */
  static final class Shape {
    final Mode mode;
    int minNodes = 1;
    int maxNodes = 12;
    int maxVips = 64;
    boolean capacities = true;
    boolean equalWeights;
    Boolean preempt;
    boolean flaps = true;
    boolean flapsAlways;
    boolean quorum = true;

    Shape(Mode mode) {
      this.mode = mode;
    }
  }

  static VipGroup randomGroup(Random r, Shape s) {
    Mode mode = s.mode;
    int n = s.minNodes + r.nextInt(s.maxNodes - s.minNodes + 1);
    int v = 1 + r.nextInt(s.maxVips);
    VipGroup.Builder b = VipGroup.builder().name("g" + r.nextInt(1000)).mode(mode);
    Set<String> vips = new LinkedHashSet<>();
    while (vips.size() < v) {
      vips.add(r.nextInt(3) == 0
          ? "2001:db8::" + Integer.toHexString(1 + r.nextInt(0xfffe)) + "/64"
          : "192.0.2." + (1 + r.nextInt(254)) + "/24");
    }
    for (String a : vips) {
      b.vip(x -> x.address(a).interfaceName(r.nextBoolean() ? "eth0" : "eth1"));
    }
    Set<String> ids = new LinkedHashSet<>();
    while (ids.size() < n) {
      ids.add(ID_STEMS[r.nextInt(ID_STEMS.length)] + r.nextInt(20));
    }
    int[] caps = new int[n];
    boolean useCaps = s.capacities && r.nextInt(4) == 0;
    long total = 0;
    for (int i = 0; i < n; i++) {
      if (mode == Mode.ACTIVE_PASSIVE) {
        caps[i] = useCaps && r.nextBoolean() ? v + r.nextInt(4) : 0;
      } else {
        caps[i] = useCaps && r.nextInt(3) > 0 ? 1 + r.nextInt(v) : 0;
      }
      total += caps[i] == 0 ? VipGroup.MAX_VIPS : caps[i];
    }
    if (total < v) {
      caps[n - 1] = 0;
    }
    int k = 0;
    for (String id : ids) {
      int prio = r.nextInt(3) == 0 ? 1 + r.nextInt(254) : 100 + 50 * r.nextInt(3);
      int weight = s.equalWeights || r.nextInt(3) > 0 ? 1 : 1 + r.nextInt(5);
      Integer cap = caps[k] == 0 ? null : caps[k];
      int hb = k + 1;
      b.node(x -> x.id(id).heartbeat("198.51.100." + hb).priority(prio).weight(weight)
          .capacity(cap));
      k++;
    }
    boolean preempt = s.preempt != null ? s.preempt : r.nextBoolean();
    long[] delays = {0, 1, MS, sec(1), sec(10)};
    long[] holds = {0, 1, sec(1), sec(5)};
    Duration delay = Duration.ofNanos(delays[r.nextInt(delays.length)]);
    Duration hold = Duration.ofNanos(holds[r.nextInt(holds.length)]);
    b.policy(p -> {
      p.preempt(preempt).preemptDelay(delay).holdDown(hold);
      boolean off = !s.flaps || r.nextInt(5) < 2;
      if (s.flapsAlways) {
        p.flapLimit(2 + r.nextInt(2), Duration.ofMinutes(1),
            r.nextInt(4) == 0 ? null : Duration.ofSeconds(1 + r.nextInt(60)));
      } else if (off) {
        p.flapLimit(FlapLimit.OFF);
      } else {
        Duration[] windows = {Duration.ofSeconds(1), Duration.ofSeconds(10),
            Duration.ofMinutes(1)};
        Duration[] suspend = {Duration.ofSeconds(1), Duration.ofSeconds(30),
            Duration.ofMinutes(5)};
        p.flapLimit(2 + r.nextInt(4), windows[r.nextInt(windows.length)],
            r.nextInt(4) == 0 ? null : suspend[r.nextInt(suspend.length)]);
      }
      int q = s.quorum ? r.nextInt(10) : 0;
      p.quorum(q < 5 ? Quorum.none() : q < 8 ? Quorum.majority()
          : Quorum.ofSize(1 + r.nextInt(n)));
      p.noQuorum(r.nextBoolean() ? NoQuorumAction.RELEASE : NoQuorumAction.KEEP);
    });
    return b.build();
  }

  /** The same group with nodes and VIPs listed in another order. */
  static VipGroup permuted(VipGroup g, Random r) {
    List<Node> nodes = new ArrayList<>(g.nodes());
    List<VirtualIp> vips = new ArrayList<>(g.vips());
    Collections.shuffle(nodes, r);
    Collections.shuffle(vips, r);
    VipGroup.Builder b = VipGroup.builder().name(g.name()).mode(g.mode()).policy(g.policy());
    nodes.forEach(b::node);
    vips.forEach(b::vip);
    return b.build();
  }

  static Liveness randomLiveness(Random r) {
    int x = r.nextInt(10);
    return x < 7 ? Liveness.ALIVE : x < 8 ? Liveness.SUSPECT : Liveness.DEAD;
  }

  static Eligibility randomEligibility(Random r) {
    int x = r.nextInt(20);
    return x < 16 ? Eligibility.ELIGIBLE : x < 17 ? Eligibility.DISQUALIFIED
        : x < 18 ? Eligibility.DRAINING : x == 18 ? Eligibility.SUSPENDED : Eligibility.ELIGIBLE;
  }

  static int randomPriority(Random r, Node n) {
    return r.nextInt(4) == 0 ? n.priority() + r.nextInt(101) - 50 : n.priority();
  }

  /** A random view of {@code g} at {@code now}: statuses changed at or before now. */
  static ClusterView randomView(Random r, VipGroup g, long now) {
    ClusterView.Builder b = ClusterView.builder();
    for (Node n : g.nodes()) {
      long ls = now - (r.nextBoolean() ? 0 : r.nextInt(60_000) * MS);
      long es = now - (r.nextBoolean() ? 0 : r.nextInt(60_000) * MS);
      b.node(n.id(), new NodeStatus(randomLiveness(r), ls, randomPriority(r, n),
          randomEligibility(r), es, n.weight()));
    }
    return b.build();
  }

  // ---------------------------------------------------------------------------------------------
  // The reference model
  // ---------------------------------------------------------------------------------------------

  /** Bookkeeping the rules need, kept by the test from the moves alone. */
  static final class Model {
    final VipGroup g;
    final boolean aa;
    final FailoverPolicy pol;
    final long delay;
    final long hold;
    final int flapMax;
    final long window;
    final Map<String, Long> lostAt = new HashMap<>();
    final Map<String, List<Long>> flaps = new HashMap<>();
    final Map<String, Long> suspEnd = new HashMap<>();
    /** Nodes whose last loss was a planned move: their return is no flap. */
    final Set<String> returnPlanned = new HashSet<>();

    Model(VipGroup g) {
      this.g = g;
      this.aa = g.mode() == Mode.ACTIVE_ACTIVE;
      this.pol = g.policy();
      this.delay = pol.preemptDelay().toNanos();
      this.hold = pol.holdDown().toNanos();
      this.flapMax = pol.flapLimit().maxChanges();
      this.window = pol.flapLimit().window().toNanos();
      for (Node n : g.nodes()) {
        lostAt.put(n.id(), NONE);
        flaps.put(n.id(), new ArrayList<>());
        suspEnd.put(n.id(), NONE);
      }
    }

    boolean suspended(String id, long t) {
      long e = suspEnd.get(id);
      return e != NONE && t < e;
    }

    boolean inHoldDown(String id, long t) {
      long l = lostAt.get(id);
      return l != NONE && t < sat(l, hold);
    }

    /** When the node may preempt: ready (alive, eligible, suspension over) plus the delay. */
    long readyAt(NodeStatus s, String id, long t) {
      if (s.liveness() != Liveness.ALIVE || s.eligibility() != Eligibility.ELIGIBLE) {
        return NEVER;
      }
      long ready = Math.max(s.livenessSince(), s.eligibilitySince());
      long e = suspEnd.get(id);
      if (e != NONE && !(t < e)) {
        ready = Math.max(ready, e);
      }
      return sat(ready, delay);
    }

    int recent(String id, long t) {
      int c = 0;
      for (long f : flaps.get(id)) {
        if (t - f < window) {
          c++;
        }
      }
      return c;
    }

    boolean wouldSuspend(String id, long t) {
      return flapMax > 0 && !returnPlanned.contains(id) && recent(id, t) + 1 >= flapMax;
    }

    void clear(String id) {
      suspEnd.put(id, NONE);
      flaps.put(id, new ArrayList<>());
    }

    void suspend(String id, long t) {
      Duration d = pol.flapLimit().suspendFor();
      suspEnd.put(id, d == null ? NEVER : sat(t, d.toNanos()));
      flaps.put(id, new ArrayList<>());
    }
  }

  /** What the walks exercised, so that a generator that stops reaching a case fails loudly. */
  static final class Stats {
    final Map<MoveReason, Integer> reasons = new EnumMap<>(MoveReason.class);
    int suspensions;
    int wouldBeSuspensions;
    int holdDownIgnored;
    int preemptChecks;

    void count(MoveReason r) {
      reasons.merge(r, 1, Integer::sum);
    }

    @Override
    public String toString() {
      return "reasons " + reasons + ", suspensions " + suspensions + " (would-be "
          + wouldBeSuspensions + "), hold-down ignored " + holdDownIgnored + ", preempt checks "
          + preemptChecks;
    }
  }

  static long sat(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? NEVER : r;
  }

  static boolean holdCapable(NodeStatus s, boolean suspended) {
    return s.liveness() != Liveness.DEAD && s.eligibility() == Eligibility.ELIGIBLE && !suspended;
  }

  static boolean receiver(NodeStatus s, boolean suspended) {
    return holdCapable(s, suspended) && s.liveness() == Liveness.ALIVE;
  }

  static int capacity(Node n) {
    Integer c = n.capacity();
    return c == null ? Integer.MAX_VALUE : c;
  }

  static NodeStatus st(ClusterView v, String id) {
    NodeStatus s = v.status(id);
    assertThat(s).as("status of %s", id).isNotNull();
    return s;
  }

  static Map<String, Node> byId(VipGroup g) {
    Map<String, Node> m = new TreeMap<>();
    for (Node n : g.nodes()) {
      m.put(n.id(), n);
    }
    return m;
  }

  /** A/P order: higher effective priority, then the lower id. */
  static boolean better(ClusterView v, String a, String b) {
    int pa = st(v, a).effectivePriority();
    int pb = st(v, b).effectivePriority();
    return pa > pb || (pa == pb && a.compareTo(b) < 0);
  }

  /**
   * A/A shares: {@code min(capacity, ceil(V × w / W))} for nodes that may hold (by the view's
   * weights; W sums the weights of those nodes), 0 for the others.
   */
  static Map<String, Integer> shares(VipGroup g, ClusterView view, Plan p, long t) {
    long w = 0;
    for (Node n : g.nodes()) {
      if (holdCapable(st(view, n.id()), p.isSuspended(n.id(), t))) {
        w += st(view, n.id()).weight();
      }
    }
    Map<String, Integer> m = new TreeMap<>();
    int v = g.vips().size();
    for (Node n : g.nodes()) {
      boolean ok = holdCapable(st(view, n.id()), p.isSuspended(n.id(), t));
      long share = ok ? (v * (long) st(view, n.id()).weight() + w - 1) / w : 0;
      m.put(n.id(), (int) Math.min(capacity(n), share));
    }
    return m;
  }

  // ---------------------------------------------------------------------------------------------
  // The rules, checked on one step
  // ---------------------------------------------------------------------------------------------

  /**
   * Checks plan {@code r}, computed from {@code p} (owners {@code before}) with {@code view} at
   * {@code t}, against the rules and the model, then advances the model.
   */
  static void check(Model m, Stats stats, Plan p, Map<InetAddress, String> before,
      ClusterView view, long t, Plan r, Map<InetAddress, String> after) {
    VipGroup g = m.g;
    Map<String, Node> nodes = byId(g);
    boolean quorum = view.reachable() >= g.quorumSize();
    assertThat(r.hasQuorum()).as("quorum").isEqualTo(quorum);

    // Moves are exactly the differences between the assignments.
    Map<InetAddress, Move> byVip = new HashMap<>();
    for (Move mv : r.moves()) {
      InetAddress a = mv.vip().address();
      assertThat(byVip.put(a, mv)).as("one move per VIP: %s", a).isNull();
      assertThat(mv.from() == null ? "-" : mv.from()).as("from of %s", mv).isEqualTo(before.get(a));
      assertThat(mv.to() == null ? "-" : mv.to()).as("to of %s", mv).isEqualTo(after.get(a));
      assertThat(mv.from()).as("a move changes the owner: %s", mv).isNotEqualTo(mv.to());
    }
    for (InetAddress a : after.keySet()) {
      if (!before.get(a).equals(after.get(a))) {
        assertThat(byVip).as("move for changed VIP %s", a).containsKey(a);
      }
    }

    // Capacity is never exceeded; A/P has one owner.
    Map<String, Integer> load = loads(g, r);
    for (Node n : g.nodes()) {
      assertThat(load.get(n.id())).as("load of %s within capacity", n.id())
          .isLessThanOrEqualTo(capacity(n));
    }
    if (!m.aa) {
      assertThat(new HashSet<>(after.values())).as("A/P: one owner for all VIPs").hasSize(1);
    }

    if (!quorum) {
      if (g.policy().noQuorum() == NoQuorumAction.KEEP) {
        assertThat(after).as("no quorum, KEEP: assignment unchanged").isEqualTo(before);
      } else {
        assertThat(r.assignment().unowned()).as("no quorum, RELEASE: no owners")
            .isEqualTo(g.vips().size());
      }
      for (Move mv : r.moves()) {
        assertThat(mv.reason()).as("no quorum: %s", mv).isEqualTo(MoveReason.QUORUM_LOST);
        assertThat(mv.to()).isNull();
        assertThat(mv.makeBeforeBreak()).isFalse();
      }
    } else {
      // Never an owner that may not hold; every VIP owned whenever a receiver has room.
      for (Map.Entry<InetAddress, String> e : after.entrySet()) {
        String o = e.getValue();
        if (!o.equals("-")) {
          assertThat(holdCapable(st(view, o), r.isSuspended(o, t)))
              .as("owner %s of %s may hold (status %s, suspended %s)", o, e.getKey(),
                  st(view, o), r.isSuspended(o, t))
              .isTrue();
        }
      }
      if (r.assignment().unowned() > 0) {
        for (Node n : g.nodes()) {
          if (receiver(st(view, n.id()), r.isSuspended(n.id(), t))) {
            assertThat(load.get(n.id())).as("VIPs unowned while receiver %s has room", n.id())
                .isEqualTo(m.aa ? capacity(n) : g.vips().size());
          }
        }
      }
    }

    // Every move's reason and make-before-break flag agree with the view.
    Set<String> lostByFailure = new HashSet<>();
    Set<String> gained = new HashSet<>();
    Set<String> plannedLoss = new HashSet<>();
    for (Move mv : r.moves()) {
      checkMove(m, stats, view, t, r, load, quorum, mv, lostByFailure, gained);
      if (mv.from() != null && (mv.reason() == MoveReason.SWITCHOVER
          || mv.reason() == MoveReason.DRAINED)) {
        plannedLoss.add(mv.from());
      }
    }
    if (quorum && !m.aa) {
      checkActivePassiveChoice(m, stats, before, view, t, after, nodes);
    }
    if (quorum && m.aa) {
      checkActiveActivePins(view, t, r, after, nodes);
    }

    assertThat(r.nextChangeAt()).as("nextChangeAt after now").isGreaterThan(t);

    // Hold-down bookkeeping: A/P any loss, A/A a loss through the node's own failure.
    for (Move mv : r.moves()) {
      String from = mv.from();
      if (from != null && (!m.aa || mv.reason() == MoveReason.OWNER_DEAD
          || mv.reason() == MoveReason.OWNER_INELIGIBLE)) {
        m.lostAt.put(from, t);
      }
    }
    for (Node n : g.nodes()) {
      assertThat(r.lostOwnershipAt(n.id())).as("lostOwnershipAt(%s)", n.id())
          .isEqualTo(m.lostAt.get(n.id()));
    }
    // Planned moves are no flaps: neither the planned loss nor the return after it counts.
    Set<String> countedGains = new HashSet<>(gained);
    countedGains.removeAll(plannedLoss);
    countedGains.removeAll(m.returnPlanned);
    checkFlaps(m, stats, view, t, r, lostByFailure, countedGains);
    for (Node n : g.nodes()) {
      String id = n.id();
      if (plannedLoss.contains(id)) {
        m.returnPlanned.add(id);
      } else if (lostByFailure.contains(id) || gained.contains(id)) {
        m.returnPlanned.remove(id);
      }
    }
  }

  static void checkMove(Model m, Stats stats, ClusterView view, long t, Plan r,
      Map<String, Integer> load, boolean quorum, Move mv, Set<String> lostByFailure,
      Set<String> gained) {
    VipGroup g = m.g;
    String from = mv.from();
    String to = mv.to();
    Supplier<String> why = () -> mv + " at " + t + " in " + view;
    stats.count(mv.reason());
    boolean mbb = from != null && to != null && st(view, from).liveness() != Liveness.DEAD;
    assertThat(mv.makeBeforeBreak()).as(() -> "make-before-break of " + why.get())
        .isEqualTo(mbb);
    if (to != null) {
      assertThat(receiver(st(view, to), r.isSuspended(to, t))).as(() -> "receiver " + why.get())
          .isTrue();
    }
    NodeStatus fs = from == null ? null : st(view, from);
    boolean fromCapable = fs != null && holdCapable(fs, m.suspended(from, t));
    switch (mv.reason()) {
      case ELECTED:
        assertThat(from).as(why).isNull();
        break;
      case OWNER_DEAD:
        assertThat(fs).as(why).isNotNull();
        assertThat(fs.liveness()).as(why).isEqualTo(Liveness.DEAD);
        lostByFailure.add(from);
        break;
      case OWNER_INELIGIBLE:
        assertThat(fs).as(why).isNotNull();
        assertThat(fs.liveness()).as(why).isNotEqualTo(Liveness.DEAD);
        assertThat(fs.eligibility()).as(why).isEqualTo(Eligibility.DISQUALIFIED);
        assertThat(m.suspended(from, t)).as(why).isFalse();
        lostByFailure.add(from);
        break;
      case DRAINED:
        assertThat(fs).as(why).isNotNull();
        assertThat(fs.liveness()).as(why).isNotEqualTo(Liveness.DEAD);
        assertThat(fs.eligibility()).as(why).isEqualTo(Eligibility.DRAINING);
        break;
      case FLAP_SUSPENDED:
        assertThat(fs).as(why).isNotNull();
        assertThat(fs.liveness()).as(why).isNotEqualTo(Liveness.DEAD);
        assertThat(fs.eligibility() == Eligibility.SUSPENDED || r.isSuspended(from, t))
            .as(why).isTrue();
        break;
      case PREEMPTED:
        assertThat(m.aa).as(() -> "PREEMPTED only in A/P: " + why.get()).isFalse();
        assertThat(g.policy().preempt()).as(why).isTrue();
        assertThat(fromCapable).as(() -> "preempted owner was healthy: " + why.get()).isTrue();
        assertThat(to).as(why).isNotNull();
        assertThat(st(view, to).effectivePriority()).as(() -> "higher priority: " + why.get())
            .isGreaterThan(fs.effectivePriority());
        assertThat(t).as(() -> "not before readyAt + delay: " + why.get())
            .isGreaterThanOrEqualTo(m.readyAt(st(view, to), to, t));
        assertThat(m.inHoldDown(to, t)).as(() -> "not in hold-down: " + why.get()).isFalse();
        gained.add(to);
        break;
      case REBALANCED:
        assertThat(m.aa).as(() -> "REBALANCED only in A/A: " + why.get()).isTrue();
        assertThat(g.policy().preempt()).as(why).isTrue();
        assertThat(fs).as(why).isNotNull();
        assertThat(receiver(fs, m.suspended(from, t))).as(() -> "donor receives: " + why.get())
            .isTrue();
        assertThat(to).as(why).isNotNull();
        assertThat(t).as(() -> "not before readyAt + delay: " + why.get())
            .isGreaterThanOrEqualTo(m.readyAt(st(view, to), to, t));
        assertThat(m.inHoldDown(to, t)).as(() -> "not in hold-down: " + why.get()).isFalse();
        assertThat(view.pins().get(mv.vip().address())).as(() -> "pinned stays: " + why.get())
            .isNotEqualTo(from);
        gained.add(to);
        break;
      case SWITCHOVER:
        assertThat(to).as(why).isNotNull();
        assertThat(to).as(why)
            .isEqualTo(m.aa ? view.pins().get(mv.vip().address()) : view.pinnedOwner());
        break;
      case QUORUM_LOST:
        assertThat(quorum).as(why).isFalse();
        break;
      case NO_CAPACITY:
        assertThat(m.aa).as(why).isTrue();
        assertThat(fromCapable).as(why).isTrue();
        break;
      default:
        throw new AssertionError(why.get());
    }
    // A healthy owner loses a VIP only for a reason that names it.
    if (quorum && fromCapable) {
      assertThat(mv.reason()).as(() -> "healthy owner lost " + why.get()).isIn(
          MoveReason.PREEMPTED, MoveReason.REBALANCED, MoveReason.SWITCHOVER,
          MoveReason.NO_CAPACITY, MoveReason.FLAP_SUSPENDED);
    }
    // An unhealthy owner loses it for its own state (or a switchover).
    if (quorum && fs != null && !fromCapable && mv.reason() != MoveReason.SWITCHOVER) {
      MoveReason expected = fs.liveness() == Liveness.DEAD ? MoveReason.OWNER_DEAD
          : fs.eligibility() == Eligibility.SUSPENDED || m.suspended(from, t)
              ? MoveReason.FLAP_SUSPENDED
              : fs.eligibility() == Eligibility.DRAINING ? MoveReason.DRAINED
                  : MoveReason.OWNER_INELIGIBLE;
      assertThat(mv.reason()).as(() -> "loss reason of " + why.get()).isEqualTo(expected);
    }
    // Hold-down: a node that lost recently wins only when no other receiver could.
    if (to != null && m.inHoldDown(to, t) && mv.reason() != MoveReason.SWITCHOVER) {
      stats.holdDownIgnored++;
      for (Node n : g.nodes()) {
        String z = n.id();
        if (z.equals(to) || m.inHoldDown(z, t) || !receiver(st(view, z), r.isSuspended(z, t))) {
          continue;
        }
        if (m.aa) {
          assertThat(load.get(z)).as("%s in hold-down got %s while %s had room", to,
              mv.vip().address(), z).isEqualTo(capacity(n));
        } else {
          throw new AssertionError(to + " in hold-down won while " + z + " was available: "
              + why.get());
        }
      }
    }
  }

  /** Flap limit: the maxChanges-th own-caused change within the window suspends the node. */
  static void checkFlaps(Model m, Stats stats, ClusterView view, long t, Plan r,
      Set<String> lostByFailure, Set<String> gained) {
    for (Node n : m.g.nodes()) {
      String id = n.id();
      boolean change = lostByFailure.contains(id) || gained.contains(id);
      boolean was = m.suspended(id, t);
      boolean now = r.isSuspended(id, t);
      int recent = m.recent(id, t);
      if (m.flapMax == 0) {
        assertThat(now).as("flap limit off: %s never suspended", id).isFalse();
        continue;
      }
      if (change) {
        if (recent + 1 >= m.flapMax) {
          assertThat(now).as("%s suspended at its %d-th change within the window", id,
              recent + 1).isTrue();
          m.suspend(id, t);
          stats.suspensions++;
        } else {
          List<Long> keep = new ArrayList<>();
          for (long f : m.flaps.get(id)) {
            if (t - f < m.window) {
              keep.add(f);
            }
          }
          keep.add(t);
          m.flaps.put(id, keep);
          assertThat(now).as("%s not suspended after %d changes", id, recent + 1)
              .isEqualTo(was);
        }
      } else if (now && !was) {
        // A would-be preemption or rebalance that would be the maxChanges-th.
        assertThat(recent + 1).as("%s suspended instead of its %d-th change", id, recent + 1)
            .isGreaterThanOrEqualTo(m.flapMax);
        assertThat(receiver(st(view, id), false) && !m.inHoldDown(id, t)
            && t >= m.readyAt(st(view, id), id, t) && m.pol.preempt())
            .as("%s suspended for a would-be change it could make", id).isTrue();
        m.suspend(id, t);
        stats.suspensions++;
        stats.wouldBeSuspensions++;
      } else {
        assertThat(now).as("suspension of %s unchanged", id).isEqualTo(was);
      }
      long end = m.suspEnd.get(id);
      if (end != NONE && end != NEVER && end > t) {
        assertThat(r.isSuspended(id, end - 1)).as("%s suspended until %d", id, end).isTrue();
        assertThat(r.isSuspended(id, end)).as("%s suspended until %d", id, end).isFalse();
      }
    }
  }

  /** A/P: who wins an election, and that a ready better receiver preempts. */
  static void checkActivePassiveChoice(Model m, Stats stats, Map<InetAddress, String> before,
      ClusterView view, long t, Map<InetAddress, String> after, Map<String, Node> nodes) {
    String cur = before.values().iterator().next();
    String now = after.values().iterator().next();
    String pin = view.pinnedOwner();
    if (pin != null) {
      boolean pinOk = receiver(st(view, pin), m.suspended(pin, t))
          || (pin.equals(cur) && holdCapable(st(view, pin), m.suspended(pin, t)));
      if (pinOk) {
        assertThat(now).as("A/P pinned to %s", pin).isEqualTo(pin);
        return;
      }
    }
    boolean curCapable = !cur.equals("-") && holdCapable(st(view, cur), m.suspended(cur, t));
    if (!curCapable) {
      // Election: the best receiver outside hold-down, else the best receiver.
      String best = null;
      String bestAny = null;
      for (String id : nodes.keySet()) {
        if (!receiver(st(view, id), m.suspended(id, t))) {
          continue;
        }
        if (bestAny == null || better(view, id, bestAny)) {
          bestAny = id;
        }
        if (!m.inHoldDown(id, t) && (best == null || better(view, id, best))) {
          best = id;
        }
      }
      String expected = best != null ? best : bestAny == null ? "-" : bestAny;
      assertThat(now).as("A/P election (owner %s lost)", cur).isEqualTo(expected);
      return;
    }
    if (!m.pol.preempt()) {
      assertThat(now).as("A/P without preemption keeps healthy owner").isEqualTo(cur);
      return;
    }
    // Preemption: among ready, better receivers outside hold-down that would not be suspended
    // for it, the best takes the group.
    String best = null;
    for (String id : nodes.keySet()) {
      NodeStatus s = st(view, id);
      if (id.equals(cur) || !receiver(s, m.suspended(id, t)) || m.inHoldDown(id, t)
          || s.effectivePriority() <= st(view, cur).effectivePriority()
          || t < m.readyAt(s, id, t) || m.wouldSuspend(id, t)) {
        continue;
      }
      if (best == null || better(view, id, best)) {
        best = id;
      }
    }
    stats.preemptChecks++;
    if (best != null) {
      assertThat(now).as("A/P: %s is ready, better than owner %s and must preempt", best, cur)
          .isEqualTo(best);
    } else {
      assertThat(now).as("A/P keeps healthy owner %s", cur).isEqualTo(cur);
    }
  }

  /**
   * A/A: a pin to a receiver without a capacity limit always holds (the target may have been
   * suspended in this very call, as a would-be rebalance taker at its flap limit).
   */
  static void checkActiveActivePins(ClusterView view, long t, Plan r,
      Map<InetAddress, String> after, Map<String, Node> nodes) {
    for (Map.Entry<InetAddress, String> e : view.pins().entrySet()) {
      String target = e.getValue();
      Node n = nodes.get(target);
      if (n.capacity() == null && receiver(st(view, target), r.isSuspended(target, t))) {
        assertThat(after.get(e.getKey())).as("pinned %s", e.getKey()).isEqualTo(target);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Determinism and stability
  // ---------------------------------------------------------------------------------------------

  /** Compares {@code b} with {@code a} (owners {@code aOwners}), both for the same members. */
  static void assertSamePlan(String what, VipGroup g, Plan a, Map<InetAddress, String> aOwners,
      Plan b, long t) {
    assertThat(owners(b)).as(what + ": owners").isEqualTo(aOwners);
    assertThat(moveSet(b)).as(what + ": moves").isEqualTo(moveSet(a));
    assertThat(b.nextChangeAt()).as(what + ": nextChangeAt").isEqualTo(a.nextChangeAt());
    assertThat(b.hasQuorum()).as(what + ": quorum").isEqualTo(a.hasQuorum());
    for (Node n : g.nodes()) {
      assertThat(b.isSuspended(n.id(), t)).as(what + ": suspended " + n.id())
          .isEqualTo(a.isSuspended(n.id(), t));
      assertThat(b.lostOwnershipAt(n.id())).as(what + ": lostOwnershipAt " + n.id())
          .isEqualTo(a.lostOwnershipAt(n.id()));
    }
  }

  /** Replanning with the same view (now and later, before nextChangeAt) moves nothing. */
  static void checkStable(Planner planner, Random r, ClusterView view, Plan plan,
      Map<InetAddress, String> owners, long t) {
    Plan again = planner.plan(view, plan, t);
    assertThat(again.moves()).as("same view again at %d: no moves", t).isEmpty();
    assertThat(again.assignment().unowned()).isEqualTo(plan.assignment().unowned());
    Plan third = planner.plan(view, again, t);
    assertThat(third).as("steady state returns the same Plan object").isSameAs(again);
    long next = plan.nextChangeAt();
    long horizon = next == NEVER ? sat(t, sec(3600)) : next;
    if (horizon - 1 > t) {
      Plan before = planner.plan(view, plan, horizon - 1);
      assertThat(before.moves()).as("at nextChangeAt-1 = %d: no moves", horizon - 1).isEmpty();
      long mid = t + 1 + (long) (r.nextDouble() * (horizon - 1 - t));
      Plan between = planner.plan(view, plan, mid);
      assertThat(between.moves()).as("at %d before nextChangeAt %d: no moves", mid, next)
          .isEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Random walks
  // ---------------------------------------------------------------------------------------------

  static List<String> suspendedIds(VipGroup g, Plan p, long t) {
    List<String> out = new ArrayList<>();
    for (Node n : g.nodes()) {
      if (p.isSuspended(n.id(), t)) {
        out.add(n.id());
      }
    }
    return out;
  }

  /** One random walk of {@code steps} view changes over time, checking every plan. */
  static void walk(long seed, Mode mode, int steps, Stats stats) {
    walk(seed, new Shape(mode), steps, stats);
  }

  static void walk(long seed, Shape shape, int steps, Stats stats) {
    Mode mode = shape.mode;
    Random r = new Random(seed);
    VipGroup g = randomGroup(r, shape);
    VipGroup gp = permuted(g, r);
    Planner planner = Planner.of(g);
    Planner permutedPlanner = Planner.of(gp);
    Model m = new Model(g);
    List<Node> nodes = new ArrayList<>(g.nodes());
    List<VirtualIp> vips = new ArrayList<>(g.vips());
    long t = r.nextBoolean() ? r.nextLong() >> 2 : 0;
    ClusterView view = randomView(r, g, t);
    Plan plan = planner.initial();
    Plan pplan = permutedPlanner.initial();
    Map<InetAddress, String> owners = owners(plan);
    for (int step = 0; step < steps; step++) {
      // Time passes: not at all, a nanosecond, a little, a lot, or to (just before) the next
      // change the previous plan announced.
      long next = plan.nextChangeAt();
      int dt = r.nextInt(20);
      if (dt < 2) {
        t += 0;
      } else if (dt < 3) {
        t += 1;
      } else if (dt < 8) {
        t += r.nextInt(1000) * MS;
      } else if (dt < 13) {
        t += sec(1 + r.nextInt(30));
      } else if (dt < 14) {
        t += sec(60 + r.nextInt(600));
      } else if (next != NEVER) {
        t = Math.max(t, dt < 17 ? next : next - 1);
      }
      // The view changes: liveness, eligibility, priority, pins.
      ClusterView.Builder vb = view.toBuilder();
      int changes = r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(2);
      for (int c = 0; c < changes; c++) {
        Node n = nodes.get(r.nextInt(nodes.size()));
        NodeStatus s = st(view, n.id());
        int what = r.nextInt(10);
        if (what < 6) {
          Liveness l = randomLiveness(r);
          if (l == s.liveness()) {
            l = Liveness.values()[(l.ordinal() + 1 + r.nextInt(2)) % 3];
          }
          s = s.withLiveness(l, t);
        } else if (what < 9) {
          Eligibility e = randomEligibility(r);
          s = s.withEligibility(e == s.eligibility() ? Eligibility.ELIGIBLE : e, t);
        } else {
          s = s.withPriority(randomPriority(r, n));
        }
        vb.node(n.id(), s);
      }
      if (r.nextInt(10) == 0) {
        if (mode == Mode.ACTIVE_PASSIVE) {
          vb.pin(r.nextBoolean() ? null : nodes.get(r.nextInt(nodes.size())).id());
        } else if (r.nextBoolean()) {
          vb.pin(vips.get(r.nextInt(vips.size())), nodes.get(r.nextInt(nodes.size())).id());
        } else {
          for (VirtualIp v : vips) {
            vb.unpin(v);
          }
        }
      }
      view = vb.build();
      // An operator clears a suspension now and then.
      if (r.nextInt(8) == 0) {
        for (Node n : nodes) {
          if (plan.isSuspended(n.id(), t) && r.nextBoolean()) {
            plan = plan.withSuspensionCleared(n.id());
            pplan = pplan.withSuspensionCleared(n.id());
            m.clear(n.id());
            assertThat(plan.isSuspended(n.id(), t)).isFalse();
            break;
          }
        }
      }
      String at = "step " + step + " at " + t + ": ";
      Plan result;
      try {
        result = planner.plan(view, plan, t);
      } catch (RuntimeException e) {
        throw new AssertionError(at + "planner threw " + e, e);
      }
      Map<InetAddress, String> resultOwners = owners(result);
      try {
        assertSamePlan("fresh planner", g, result, resultOwners,
            Planner.of(g).plan(view, plan, t), t);
        Plan presult = permutedPlanner.plan(view, pplan, t);
        assertSamePlan("permuted group", g, result, resultOwners, presult, t);
        check(m, stats, plan, owners, view, t, result, resultOwners);
        checkStable(planner, r, view, result, resultOwners, t);
        pplan = presult;
      } catch (AssertionError e) {
        throw new AssertionError(at + e.getMessage() + "\n  group " + g + "\n  previous " + plan
            + "\n  view " + view + "\n  result " + result, e);
      }
      if (TRACE) {
        System.out.println(at + view + "\n    -> " + result.moves() + " next "
            + result.nextChangeAt() + " suspended " + suspendedIds(g, result, t));
      }
      plan = result;
      owners = resultOwners;
    }
  }

  @Test
  void randomWalksActivePassive() {
    Stats stats = new Stats();
    forSeeds("randomWalksActivePassive", 400, seed -> walk(seed, Mode.ACTIVE_PASSIVE, 30, stats));
    System.out.println("A/P walks: " + stats);
    if (System.getProperty("vipha.seed") == null) {
      assertThat(stats.reasons.keySet()).as("reasons seen").contains(MoveReason.ELECTED,
          MoveReason.OWNER_DEAD, MoveReason.OWNER_INELIGIBLE, MoveReason.DRAINED,
          MoveReason.FLAP_SUSPENDED, MoveReason.PREEMPTED, MoveReason.SWITCHOVER,
          MoveReason.QUORUM_LOST);
      assertThat(stats.suspensions).as("flap suspensions").isPositive();
      assertThat(stats.wouldBeSuspensions).as("would-be suspensions").isPositive();
      assertThat(stats.holdDownIgnored).as("hold-down ignored").isPositive();
    }
  }

  @Test
  void randomWalksActiveActive() {
    Stats stats = new Stats();
    forSeeds("randomWalksActiveActive", 400, seed -> walk(seed, Mode.ACTIVE_ACTIVE, 30, stats));
    System.out.println("A/A walks: " + stats);
    if (System.getProperty("vipha.seed") == null) {
      assertThat(stats.reasons.keySet()).as("reasons seen").contains(MoveReason.ELECTED,
          MoveReason.OWNER_DEAD, MoveReason.OWNER_INELIGIBLE, MoveReason.DRAINED,
          MoveReason.FLAP_SUSPENDED, MoveReason.REBALANCED, MoveReason.SWITCHOVER,
          MoveReason.QUORUM_LOST);
      assertThat(stats.suspensions).as("flap suspensions").isPositive();
      assertThat(stats.wouldBeSuspensions).as("would-be suspensions").isPositive();
      assertThat(stats.holdDownIgnored).as("hold-down ignored").isPositive();
    }
  }

  /** Few nodes that die and come back often, preemption on and a flap limit always set. */
  @Test
  void randomWalksWithFlappingNodes() {
    Stats stats = new Stats();
    forSeeds("randomWalksWithFlappingNodes", 300, seed -> {
      Shape shape = new Shape(seed % 2 == 0 ? Mode.ACTIVE_PASSIVE : Mode.ACTIVE_ACTIVE);
      shape.minNodes = 2;
      shape.maxNodes = 4;
      shape.maxVips = 16;
      shape.preempt = true;
      shape.flapsAlways = true;
      shape.quorum = false;
      walk(seed, shape, 60, stats);
    });
    System.out.println("Flapping walks: " + stats);
    if (System.getProperty("vipha.seed") == null) {
      assertThat(stats.suspensions).as("flap suspensions").isGreaterThan(100);
      assertThat(stats.wouldBeSuspensions).as("would-be suspensions").isGreaterThan(30);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Scenario properties
  // ---------------------------------------------------------------------------------------------

  /** A view of {@code g} at {@code t}: nodes alive (or dead or not eligible) for an hour. */
  static ClusterView aliveOrDownView(Random r, VipGroup g, long t, int downPercent) {
    ClusterView.Builder b = ClusterView.builder();
    long since = t - sec(3600);
    for (Node n : g.nodes()) {
      NodeStatus s = NodeStatus.alive(since, n.priority(), n.weight());
      if (r.nextInt(100) < downPercent) {
        s = r.nextBoolean() ? s.withLiveness(Liveness.DEAD, since)
            : s.withEligibility(r.nextBoolean() ? Eligibility.DISQUALIFIED
                : Eligibility.DRAINING, since);
      }
      b.node(n.id(), s);
    }
    return b.build();
  }

  static List<String> receivers(VipGroup g, ClusterView view, Plan p, long t) {
    List<String> out = new ArrayList<>();
    for (Node n : g.nodes()) {
      if (receiver(st(view, n.id()), p.isSuspended(n.id(), t))) {
        out.add(n.id());
      }
    }
    return out;
  }

  /** VIPs that no receiver can take: what exceeds the receivers' free capacity. */
  static long expectedUnowned(VipGroup g, List<String> receivers, Map<String, Integer> load,
      long homeless) {
    long room = 0;
    for (String id : receivers) {
      room += (long) capacity(g.node(id).orElseThrow()) - load.getOrDefault(id, 0);
    }
    return Math.max(0, homeless - room);
  }

  /** Checks loads against the shares (when the shares can hold every VIP). */
  static boolean checkBalanced(String what, VipGroup g, ClusterView view, Plan p, long t,
      boolean equalUnlimited, List<String> receivers) {
    Map<String, Integer> share = shares(g, view, p, t);
    Map<String, Integer> load = loads(g, p);
    long room = 0;
    for (String id : receivers) {
      room += share.get(id);
    }
    int v = g.vips().size();
    if (room < v) {
      return false;
    }
    for (Node n : g.nodes()) {
      assertThat(load.get(n.id())).as("%s: load of %s within its share %s (loads %s)", what,
          n.id(), share, load).isLessThanOrEqualTo(share.get(n.id()));
    }
    if (equalUnlimited && !receivers.isEmpty()) {
      int max = Collections.max(load.values());
      assertThat(max).as("%s: max load with equal weights", what)
          .isLessThanOrEqualTo((v + receivers.size() - 1) / receivers.size());
    }
    return true;
  }

  /**
   * A/A, from no owners: every VIP gets an owner while receivers have room, within the shares;
   * then one receiver dies: exactly its VIPs move, each to a survivor, still within the shares.
   *
   * <p>The views hold no SUSPECT nodes, which count in W but take nothing; the example test
   * {@code ActiveActivePlannerTest#vipsBeyondTheSharesGoToTheLeastLoadedReceivers} covers them,
   * and the walks cover them for every other rule.
   */
  @Test
  void activeActiveBalanceAndSingleFailure() {
    int[] exercised = {0, 0};
    forSeeds("activeActiveBalanceAndSingleFailure", 600, seed -> {
      Random r = new Random(seed);
      Shape shape = new Shape(Mode.ACTIVE_ACTIVE);
      shape.quorum = false;
      shape.equalWeights = r.nextBoolean();
      shape.capacities = r.nextBoolean();
      if (r.nextInt(4) == 0) {
        shape.maxNodes = 40;
        shape.maxVips = 600;
      }
      VipGroup g = randomGroup(r, shape);
      boolean equalUnlimited = shape.equalWeights && g.nodes().stream()
          .allMatch(n -> n.capacity() == null);
      Planner planner = Planner.of(g);
      long t1 = r.nextLong() >> 2;
      ClusterView v1 = aliveOrDownView(r, g, t1, 15);
      Plan p1 = planner.plan(v1, planner.initial(), t1);
      List<String> rec1 = receivers(g, v1, p1, t1);
      assertThat((long) p1.assignment().unowned()).as("unowned after election")
          .isEqualTo(expectedUnowned(g, rec1, Map.of(), g.vips().size()));
      for (Move mv : p1.moves()) {
        assertThat(mv.reason()).isEqualTo(MoveReason.ELECTED);
        assertThat(mv.makeBeforeBreak()).isFalse();
        assertThat(rec1).contains(mv.to());
      }
      boolean balanced = checkBalanced("election", g, v1, p1, t1, equalUnlimited, rec1);
      if (rec1.isEmpty()) {
        return;
      }
      // One receiver dies.
      String x = rec1.get(r.nextInt(rec1.size()));
      long t2 = t1 + r.nextInt(10_000) * MS;
      ClusterView v2 = v1.toBuilder()
          .node(x, st(v1, x).withLiveness(Liveness.DEAD, t2)).build();
      Plan p2 = planner.plan(v2, p1, t2);
      if (!p2.hasQuorum()) {
        return; // x was the last reachable node: even Quorum.none() needs one
      }
      List<VirtualIp> lost = p1.assignment().vipsOf(x);
      List<String> rec2 = receivers(g, v2, p2, t2);
      Map<String, Integer> kept = loads(g, p1);
      kept.put(x, 0);
      assertThat((long) p2.assignment().unowned()).as("unowned after %s died", x).isEqualTo(
          expectedUnowned(g, rec2, kept, lost.size() + p1.assignment().unowned()));
      if (balanced) {
        exercised[0]++;
        Set<VirtualIp> moved = new HashSet<>();
        for (Move mv : p2.moves()) {
          moved.add(mv.vip());
          assertThat(mv.from()).as("only %s's VIPs move: %s", x, mv).isEqualTo(x);
          assertThat(mv.reason()).isEqualTo(MoveReason.OWNER_DEAD);
          assertThat(mv.makeBeforeBreak()).isFalse();
          if (mv.to() != null) {
            assertThat(rec2).contains(mv.to());
          }
        }
        assertThat(moved).as("exactly %s's VIPs move", x)
            .containsExactlyInAnyOrderElementsOf(lost);
        if (checkBalanced("after " + x + " died", g, v2, p2, t2, equalUnlimited, rec2)) {
          exercised[1]++;
        }
      }
    });
    if (System.getProperty("vipha.seed") == null) {
      assertThat(exercised[0]).as("balanced elections followed by a failure").isGreaterThan(300);
      assertThat(exercised[1]).as("balanced after the failure").isGreaterThan(300);
    }
  }

  /**
   * A/A: a node dies and comes back. With preemption it takes VIPs only once ready and out of
   * hold-down, the nodes above their share give only their excess, and afterwards nobody exceeds
   * its share; without preemption nothing moves to it.
   */
  @Test
  void returningNode() {
    int[] rebalanced = {0};
    forSeeds("returningNode", 400, seed -> {
      Random r = new Random(seed);
      Shape shape = new Shape(Mode.ACTIVE_ACTIVE);
      shape.minNodes = 2;
      shape.quorum = false;
      shape.capacities = false;
      shape.flaps = false;
      shape.preempt = r.nextBoolean();
      if (r.nextInt(4) == 0) {
        shape.maxNodes = 40;
        shape.maxVips = 600;
      }
      VipGroup g = randomGroup(r, shape);
      Planner planner = Planner.of(g);
      long delay = g.policy().preemptDelay().toNanos();
      long hold = g.policy().holdDown().toNanos();
      long t0 = r.nextLong() >> 2;
      ClusterView v1 = aliveOrDownView(r, g, t0, 0);
      Plan p1 = planner.plan(v1, planner.initial(), t0);
      String x = g.nodes().get(r.nextInt(g.nodes().size())).id();
      long t1 = t0 + r.nextInt(60_000) * MS;
      ClusterView v2 = v1.toBuilder().node(x, st(v1, x).withLiveness(Liveness.DEAD, t1)).build();
      Plan p2 = planner.plan(v2, p1, t1);
      long t2 = t1 + (r.nextBoolean() ? 0 : r.nextInt(20_000) * MS);
      ClusterView v3 = v2.toBuilder().node(x, st(v2, x).withLiveness(Liveness.ALIVE, t2)).build();
      Map<String, Integer> share = shares(g, v3, p2, t2);
      Map<String, Integer> before = loads(g, p2);
      int excess = 0;
      for (Node n : g.nodes()) {
        excess += Math.max(0, before.get(n.id()) - share.get(n.id()));
      }
      long xReady = Math.max(t2 + delay, t1 + hold);
      Plan cur = planner.plan(v3, p2, t2);
      long t = t2;
      int moves = 0;
      Set<VirtualIp> movedOnce = new HashSet<>();
      for (int i = 0; i < 6; i++) {
        for (Move mv : cur.moves()) {
          assertThat(g.policy().preempt()).as("without preemption nothing moves: %s", mv)
              .isTrue();
          assertThat(mv.reason()).isEqualTo(MoveReason.REBALANCED);
          assertThat(mv.makeBeforeBreak()).isTrue();
          assertThat(movedOnce.add(mv.vip())).as("%s moves once", mv.vip()).isTrue();
          assertThat(before.get(mv.from())).as("%s was above its share", mv.from())
              .isGreaterThan(share.get(mv.from()));
          if (x.equals(mv.to())) {
            assertThat(t).as("%s receives once ready and out of hold-down", x).isEqualTo(xReady);
          } else {
            assertThat(t).as("others receive at once").isEqualTo(t2);
          }
          moves++;
        }
        long next = cur.nextChangeAt();
        if (next == NEVER) {
          break;
        }
        assertThat(planner.plan(v3, cur, next - 1).moves()).as("at %d", next - 1).isEmpty();
        t = next;
        cur = planner.plan(v3, cur, t);
      }
      assertThat(cur.nextChangeAt()).as("settles").isEqualTo(NEVER);
      assertThat(planner.plan(v3, cur, sat(t, sec(3600))).moves()).as("later").isEmpty();
      if (g.policy().preempt()) {
        assertThat(moves).as("only the excess moves").isEqualTo(excess);
        Map<String, Integer> after = loads(g, cur);
        for (Node n : g.nodes()) {
          assertThat(after.get(n.id())).as("%s within its share", n.id())
              .isLessThanOrEqualTo(share.get(n.id()));
        }
        if (excess > 0) {
          rebalanced[0]++;
        }
      } else {
        assertThat(moves).isZero();
        assertThat(cur.assignment().count(x)).as("%s takes nothing", x).isZero();
      }
    });
    if (System.getProperty("vipha.seed") == null) {
      assertThat(rebalanced[0]).as("returns with a rebalance").isGreaterThan(50);
    }
  }

  /**
   * A/P: a node with a higher priority comes back; nothing moves one nanosecond before it has
   * been ready for the preempt delay (and nextChangeAt names that instant); then it preempts.
   */
  @Test
  void activePassivePreemptsAtTheExactInstant() {
    forSeeds("activePassivePreemptsAtTheExactInstant", 400, seed -> {
      Random r = new Random(seed);
      Shape shape = new Shape(Mode.ACTIVE_PASSIVE);
      shape.minNodes = 2;
      shape.quorum = false;
      shape.flaps = false;
      shape.preempt = true;
      VipGroup g = randomGroup(r, shape);
      Planner planner = Planner.of(g);
      long delay = g.policy().preemptDelay().toNanos();
      List<Node> nodes = new ArrayList<>(g.nodes());
      Node b = nodes.get(r.nextInt(nodes.size()));
      long t0 = r.nextLong() >> 2;
      ClusterView.Builder vb = ClusterView.builder();
      int top = Integer.MIN_VALUE;
      for (Node n : nodes) {
        if (n != b) {
          vb.node(n.id(), NodeStatus.alive(t0 - sec(3600), n.priority(), n.weight()));
          top = Math.max(top, n.priority());
        }
      }
      int bp = top + 1 + r.nextInt(50);
      vb.node(b.id(), NodeStatus.dead(t0 - sec(3600), bp, b.weight()));
      ClusterView v1 = vb.build();
      Plan p1 = planner.plan(v1, planner.initial(), t0);
      String owner = p1.assignment().owner(g.vips().get(0));
      assertThat(owner).isNotNull().isNotEqualTo(b.id());
      long back = t0 + r.nextInt(10_000) * MS;
      ClusterView v2 = v1.toBuilder().node(b.id(), NodeStatus.alive(back, bp, b.weight()))
          .build();
      long at = back + delay;
      Plan p2 = planner.plan(v2, p1, back);
      if (delay > 0) {
        assertThat(p2.moves()).as("no move when %s comes back", b.id()).isEmpty();
        assertThat(p2.nextChangeAt()).as("nextChangeAt = readyAt + delay").isEqualTo(at);
        Plan p3 = planner.plan(v2, p2, at - 1);
        assertThat(p3.moves()).as("no move 1ns before").isEmpty();
        assertThat(p3.nextChangeAt()).isEqualTo(at);
        p2 = planner.plan(v2, p3, at);
      }
      assertThat(p2.moves()).hasSize(g.vips().size()).allSatisfy(mv -> {
        assertThat(mv.from()).isEqualTo(owner);
        assertThat(mv.to()).isEqualTo(b.id());
        assertThat(mv.reason()).isEqualTo(MoveReason.PREEMPTED);
        assertThat(mv.makeBeforeBreak()).isTrue();
      });
      assertThat(p2.lostOwnershipAt(owner)).isEqualTo(at);
      assertThat(p2.nextChangeAt()).isEqualTo(NEVER);
    });
  }
}
