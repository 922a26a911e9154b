package io.vipha.plan;

import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The planner's answer: the {@link Assignment}, the {@link Move}s that lead to it from the
 * previous plan, the next instant at which the answer could change without new input, and the
 * bookkeeping that hold-down and flap limits need (passed back in as the next call's
 * {@code previous}). Immutable.
 */
public final class Plan {
  /** {@link #nextChangeAt()} when nothing is pending. */
  public static final long NEVER = Long.MAX_VALUE;
  static final long NONE = Long.MIN_VALUE;

  /** {@code a + b}, or {@link #NEVER} where the sum overflows. */
  static long addSat(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? NEVER : r;
  }

  final Canon canon;
  final Assignment assignment;
  final List<Move> moves;
  final long nextChangeAt;
  final boolean quorum;
  final long[] lostAt; // per node: when it last lost ownership, NONE if never
  final long[][] flaps; // per node: instants of its recent own-caused ownership changes
  final long[] suspendedUntil; // per node: NONE, an instant, or NEVER (until cleared)
  /** Per node: its last loss was a planned move, so its return is not a flap. */
  final boolean[] returnPlanned;
  private @Nullable Plan settled;

  Plan(Canon canon, Assignment assignment, List<Move> moves, long nextChangeAt, boolean quorum,
      long[] lostAt, long[][] flaps, long[] suspendedUntil, boolean[] returnPlanned) {
    this.canon = canon;
    this.assignment = assignment;
    this.moves = moves;
    this.nextChangeAt = nextChangeAt;
    this.quorum = quorum;
    this.lostAt = lostAt;
    this.flaps = flaps;
    this.suspendedUntil = suspendedUntil;
    this.returnPlanned = returnPlanned;
  }

  /** The starting point: nobody owns anything, nothing has happened yet. */
  public static Plan initial(VipGroup group) {
    return initial(new Canon(group));
  }

  static Plan initial(Canon canon) {
    int n = canon.nodes.length;
    int[] owners = new int[canon.vips.length];
    Arrays.fill(owners, -1);
    long[] lost = new long[n];
    Arrays.fill(lost, NONE);
    long[] susp = new long[n];
    Arrays.fill(susp, NONE);
    long[][] flaps = new long[n][];
    Arrays.fill(flaps, new long[0]);
    return new Plan(canon, Assignment.of(canon, owners), List.of(), NEVER, true, lost, flaps,
        susp, new boolean[n]);
  }

  /** Who owns each VIP. */
  public Assignment assignment() {
    return assignment;
  }

  /** The moves from the previous plan to this one; empty when nothing changed. */
  public List<Move> moves() {
    return moves;
  }

  /**
   * The instant (nanoseconds) at which the answer could change without new input, such as a
   * preempt delay, hold-down or suspension running out; {@link #NEVER} if none. Call the planner
   * again then.
   */
  public long nextChangeAt() {
    return nextChangeAt;
  }

  /** Whether the observer had quorum. */
  public boolean hasQuorum() {
    return quorum;
  }

  /** Whether node {@code id} is suspended for flapping at {@code now}. */
  public boolean isSuspended(String id, long now) {
    Integer i = canon.nodeIndex.get(id);
    return i != null && suspendedUntil[i] != NONE && now < suspendedUntil[i];
  }

  /** When node {@code id} last lost ownership, or {@link Long#MIN_VALUE} if never. */
  public long lostOwnershipAt(String id) {
    Integer i = canon.nodeIndex.get(id);
    return i == null ? NONE : lostAt[i];
  }

  /**
   * When node {@code id}'s flap suspension ends: {@link Long#MIN_VALUE} when it has none, {@link
   * #NEVER} when it lasts until cleared (an instant in the past once it is over).
   */
  public long suspendedUntil(String id) {
    return suspendedUntil[index(id)];
  }

  /** Node {@code id}'s flap history and suspension, to keep across a restart. */
  public FlapRecord flapRecord(String id) {
    int i = index(id);
    List<Long> changes = new java.util.ArrayList<>(flaps[i].length);
    for (long t : flaps[i]) {
      changes.add(t);
    }
    return new FlapRecord(changes, suspendedUntil[i], returnPlanned[i]);
  }

  /**
   * This plan with node {@code id}'s flap history and suspension replaced by {@code record}: how
   * a restarted node resumes what its last process remembered.
   */
  public Plan withFlapRecord(String id, FlapRecord record) {
    int i = index(id);
    long[] susp = suspendedUntil.clone();
    susp[i] = record.suspendedUntil();
    long[][] f = flaps.clone();
    f[i] = record.changes().stream().mapToLong(Long::longValue).toArray();
    boolean[] planned = returnPlanned.clone();
    planned[i] = record.returnPlanned();
    long next = nextChangeAt;
    if (susp[i] != NONE && susp[i] != NEVER) {
      next = Math.min(next, susp[i]);
    }
    return new Plan(canon, assignment, List.of(), next, quorum, lostAt, f, susp, planned);
  }

  private int index(String id) {
    Integer i = canon.nodeIndex.get(id);
    if (i == null) {
      throw new IllegalArgumentException("node " + id + " is not in group " + canon.group.name());
    }
    return i;
  }

  /** This plan with node {@code id}'s flap suspension and flap history cleared (operator). */
  public Plan withSuspensionCleared(String id) {
    int i = index(id);
    long[] susp = suspendedUntil.clone();
    susp[i] = NONE;
    long[][] f = flaps.clone();
    f[i] = new long[0];
    return new Plan(canon, assignment, List.of(), nextChangeAt, quorum, lostAt, f, susp,
        returnPlanned);
  }

  /**
   * This plan's bookkeeping with the owners replaced by {@code owners} (VIPs it does not name
   * have no owner). An agent uses it to plan from who actually holds each VIP, as its peers
   * report, so that every node converges on the same answer even after their histories differ.
   * Returns this plan when the owners are already the same. Records no hold-down; see {@link
   * #withOwners(Map, Map, long)}.
   *
   * @throws IllegalArgumentException when a VIP or node is not in the group
   */
  public Plan withOwners(Map<VirtualIp, String> owners) {
    int[] o = new int[canon.vips.length];
    Arrays.fill(o, -1);
    for (Map.Entry<VirtualIp, String> e : owners.entrySet()) {
      Integer v = canon.vipIndex.get(e.getKey().address());
      Integer n = canon.nodeIndex.get(e.getValue());
      if (v == null || n == null) {
        throw new IllegalArgumentException(e.getKey().cidr() + " -> " + e.getValue()
            + ": not a VIP and node of group " + canon.group.name());
      }
      o[v] = n;
    }
    if (assignment.sameOwners(o)) {
      return this;
    }
    return new Plan(canon, Assignment.of(canon, o), List.of(), nextChangeAt, quorum, lostAt,
        flaps, suspendedUntil, returnPlanned);
  }

  /**
   * {@link #withOwners(Map)}, and in Active/Passive an owner of this plan that held a VIP in
   * {@code previous} (the last observation) and that another node replaced in {@code owners} lost
   * the group at {@code now}: its hold-down starts, as if this plan had moved the group itself. A
   * node that learns of a move from the holders (a peer preempted before this node planned it)
   * then judges the loser's hold-down as the nodes that made the move do. An owner this plan only
   * named, without holding, loses nothing.
   *
   * @param owners who holds each VIP now
   * @param previous who held each VIP at the last observation
   * @param now the instant of this observation
   * @throws IllegalArgumentException when a VIP or node is not in the group
   */
  public Plan withOwners(Map<VirtualIp, String> owners, Map<VirtualIp, String> previous,
      long now) {
    Plan p = withOwners(owners);
    if (p == this || canon.group.mode() != Mode.ACTIVE_PASSIVE) {
      return p;
    }
    long[] lost = lostAt;
    for (Map.Entry<VirtualIp, String> e : owners.entrySet()) {
      String before = previous.get(e.getKey());
      Integer v = canon.vipIndex.get(e.getKey().address());
      int was = v == null ? -1 : assignment.ownerIndex(v);
      if (before != null && was >= 0 && before.equals(canon.ids[was])
          && !before.equals(e.getValue()) && lost[was] != now) {
        if (lost == lostAt) {
          lost = lostAt.clone();
        }
        lost[was] = now;
      }
    }
    return lost == lostAt ? p : new Plan(canon, p.assignment, List.of(), nextChangeAt, quorum,
        lost, flaps, suspendedUntil, returnPlanned);
  }

  /**
   * This plan carried to {@code to}, another configuration of its group: the owners of the VIPs
   * that stay (by address), the records of the nodes that stay; no moves.
   */
  Plan carriedTo(Canon to) {
    if (to.sameMembers(canon)) {
      return new Plan(to, Assignment.of(to, owners(to)), List.of(), nextChangeAt, quorum, lostAt,
          flaps, suspendedUntil, returnPlanned);
    }
    int n = to.ids.length;
    long[] lost = new long[n];
    long[][] f = new long[n][];
    long[] susp = new long[n];
    boolean[] planned = new boolean[n];
    for (int i = 0; i < n; i++) {
      Integer was = canon.nodeIndex.get(to.ids[i]);
      lost[i] = was == null ? NONE : lostAt[was];
      f[i] = was == null ? new long[0] : flaps[was];
      susp[i] = was == null ? NONE : suspendedUntil[was];
      planned[i] = was != null && returnPlanned[was];
    }
    return new Plan(to, Assignment.of(to, owners(to)), List.of(), nextChangeAt, quorum, lost, f,
        susp, planned);
  }

  /** The owner indexes in {@code to} of its VIPs: this plan's owner where both know them. */
  private int[] owners(Canon to) {
    int[] o = new int[to.vips.length];
    for (int v = 0; v < o.length; v++) {
      Integer was = canon.vipIndex.get(to.vips[v].address());
      int owner = was == null ? -1 : assignment.ownerIndex(was);
      Integer now = owner < 0 ? null : to.nodeIndex.get(canon.ids[owner]);
      o[v] = now == null ? -1 : now;
    }
    return o;
  }

  /** The same state with no moves: what the next call returns when nothing changes. */
  Plan settled() {
    if (moves.isEmpty()) {
      return this;
    }
    Plan s = settled;
    if (s == null) {
      s = new Plan(canon, assignment, List.of(), nextChangeAt, quorum, lostAt, flaps,
          suspendedUntil, returnPlanned);
      settled = s;
    }
    return s;
  }

  @Override
  public String toString() {
    return "Plan{" + assignment + ", moves=" + moves + (quorum ? "" : ", no quorum")
        + (nextChangeAt == NEVER ? "" : ", next change at " + nextChangeAt) + "}";
  }
}
