package io.vipha.plan;

import io.vipha.FailoverPolicy;
import io.vipha.Mode;
import io.vipha.NoQuorumAction;
import io.vipha.VipGroup;
import io.vipha.internal.Addresses;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Decides who owns each VIP of one group: a pure, deterministic function of the group, a {@link
 * ClusterView}, the previous {@link Plan} and the instant {@code now}. Every node that runs it on
 * the same view reaches the same answer, whatever the order of nodes and VIPs in the group.
 *
 * <pre>{@code
 * Planner planner = Planner.of(group);
 * Plan plan = planner.initial();
 * plan = planner.plan(view, plan, clock.nanos());   // apply plan.moves(); call again on new input
 * }</pre>
 *
 * <p><b>Active/Passive</b>: the highest effective priority among eligible nodes owns every VIP
 * (ties: the lowest node id). A healthy owner keeps the group unless preemption is on and a node
 * with a strictly higher priority has been eligible for the preempt delay.
 *
 * <p><b>Active/Active</b>: weighted rendezvous hashing with stickiness and bounded load. A VIP
 * stays with its owner while the owner may hold it; VIPs without an owner go to the eligible node
 * with the highest rendezvous score among those below their share {@code ceil(vips × weight /
 * totalWeight)} (and capacity). Under preemption, nodes above their share hand just their excess
 * to nodes that have been eligible for the preempt delay.
 *
 * <p>A planner instance keeps scratch buffers so that a steady-state call allocates nothing; it
 * must be used by one thread at a time. Instants are nanoseconds on the caller's monotonic clock.
 *
 * <p>Its parts: {@link Canon} (the group in canonical order and the rendezvous scores), {@link
 * FlapCounter} (the flap limit's arithmetic), {@link Plan} (what is carried from call to call)
 * and this class, one call's decision: classify the nodes, decide for the mode (Active/Passive:
 * election, switchover and preemption; Active/Active: stickiness, pins, rebalance and orphans),
 * then record moves, hold-downs and flaps. The two modes stay here (over 400 lines) because they
 * share the per-node scratch arrays of one call (who may hold, receive, is in hold-down, gained
 * or lost by failure or by a planned move), which a split would have to pass around or expose.
 */
public final class Planner {
  private static final MoveReason[] REASONS = MoveReason.values();
  private static final byte KEEP = -1;

  private final Canon canon;
  private final boolean activeActive;
  private final boolean preempt;
  private final long preemptDelay;
  private final long holdDown;
  private final FlapCounter flapCounter;
  private final int quorumSize;
  private final boolean keepWithoutQuorum;
  private final int[] capacity;

  private final boolean[] holdCapable;
  private final boolean[] receiver;
  private final boolean[] inHoldDown;
  private final long[] readyAt;
  private final boolean[] lostByFailure;
  private final boolean[] gained;
  /** Per node, in this call: it lost a VIP through a planned move (switchover, drain). */
  private final boolean[] plannedLoss;
  private final int[] load;
  private final int[] cap;
  private final int[] work;
  private final byte[] why;
  private int[] pinOf;
  private final int[] takers;
  private final int[] prevOwn;
  private final int[] changedVips;
  private final int[] changedTo;
  private @Nullable Assignment prevOwnFrom;
  private @Nullable ClusterView checkedView;
  private @Nullable ClusterView lastView;
  private @Nullable Plan lastResult;
  private long lastNow;
  private int pinnedIndex = -1;
  private long next;
  private long @Nullable [] newSuspended;

  private Planner(VipGroup group, @Nullable String flapNode) {
    this.canon = new Canon(group);
    int only = -1;
    if (flapNode != null) {
      Integer i = canon.nodeIndex.get(flapNode);
      if (i == null) {
        throw new IllegalArgumentException("node " + flapNode + " is not a member of group "
            + group.name());
      }
      only = i;
    }
    FailoverPolicy p = group.policy();
    this.flapCounter = new FlapCounter(p, only);
    this.activeActive = group.mode() == Mode.ACTIVE_ACTIVE;
    this.preempt = p.preempt();
    this.preemptDelay = nanos(p.preemptDelay());
    this.holdDown = nanos(p.holdDown());
    this.quorumSize = group.quorumSize();
    this.keepWithoutQuorum = p.noQuorum() == NoQuorumAction.KEEP;
    int n = canon.nodes.length;
    int v = canon.vips.length;
    this.capacity = new int[n];
    for (int i = 0; i < n; i++) {
      Integer c = canon.nodes[i].capacity();
      capacity[i] = c == null ? Integer.MAX_VALUE : c;
    }
    holdCapable = new boolean[n];
    receiver = new boolean[n];
    inHoldDown = new boolean[n];
    readyAt = new long[n];
    lostByFailure = new boolean[n];
    gained = new boolean[n];
    plannedLoss = new boolean[n];
    load = new int[n];
    cap = new int[n];
    work = new int[v];
    why = new byte[v];
    pinOf = new int[0];
    takers = new int[n];
    prevOwn = new int[v];
    changedVips = new int[v];
    changedTo = new int[v];
  }

  /** A planner for {@code group}; its flap limit counts and suspends every node. */
  public static Planner of(VipGroup group) {
    return new Planner(group, null);
  }

  /**
   * A planner for the node {@code nodeId} of {@code group}, as its runtime uses it: the flap
   * limit counts and suspends only that node, which advertises its suspension; every other node's
   * suspension comes from the view ({@link Eligibility#SUSPENDED}). Observers that suspended a
   * peer on their own could disagree with it (a restarted peer has no history) and both would own
   * the same VIPs; this way there is one source of truth per node.
   *
   * @throws IllegalArgumentException when the node is not a member of the group
   */
  public static Planner forNode(VipGroup group, String nodeId) {
    return new Planner(group, nodeId);
  }

  /** One-off convenience: {@code Planner.of(group).plan(view, previous, now)}. */
  public static Plan plan(VipGroup group, ClusterView view, Plan previous, long now) {
    return of(group).plan(view, previous, now);
  }

  /** The group this planner decides for. */
  public VipGroup group() {
    return canon.group;
  }

  /**
   * {@code previous}, a plan of another configuration of this planner's group (VIPs or nodes
   * added or removed, priorities or timers changed), carried over: the owners of the VIPs that
   * stay and the hold-down, flap and suspension records of the nodes that stay; added VIPs have
   * no owner and added nodes no history. How a running node keeps its plan across a change of
   * its group.
   */
  public Plan carry(Plan previous) {
    return previous.carriedTo(canon);
  }

  /** The plan before any decision: no owners, no history. */
  public Plan initial() {
    return Plan.initial(canon);
  }

  /**
   * The next plan.
   *
   * @param view what the observer knows now; it must hold exactly the group's nodes
   * @param previous the plan this call follows ({@link #initial()} at first)
   * @param now the current instant, nanoseconds on the caller's monotonic clock
   * @return the new plan; {@code previous} itself (or its move-less twin) when nothing changed
   * @throws IllegalArgumentException when the view or the previous plan belong to another group
   */
  public Plan plan(ClusterView view, Plan previous, long now) {
    if (view == lastView && previous == lastResult && previous.moves.isEmpty()
        && now >= lastNow && now < previous.nextChangeAt) {
      // The last call, on this view, settled on `previous`, and nothing can change before
      // previous.nextChangeAt: the answer is `previous` again.
      return previous;
    }
    Plan result = compute(view, previous, now);
    lastView = view;
    lastResult = result;
    lastNow = now;
    return result;
  }

  private Plan compute(ClusterView view, Plan previous, long now) {
    if (previous.canon != canon && !previous.canon.sameMembers(canon)) {
      throw new IllegalArgumentException("the previous plan belongs to another group than "
          + canon.group.name());
    }
    checkView(view);
    next = Plan.NEVER;
    newSuspended = null;
    NodeStatus[] st = view.statuses;
    boolean quorum = view.reachable() >= quorumSize;
    classify(st, previous, now);
    if (previous.assignment != prevOwnFrom) {
      previous.assignment.copyTo(prevOwn);
      prevOwnFrom = previous.assignment;
    }
    int[] prevOwners = prevOwn;
    if (!quorum) {
      decideWithoutQuorum(prevOwners);
    } else if (activeActive) {
      decideActiveActive(st, previous, now, view.pins.isEmpty());
    } else {
      decideActivePassive(st, previous, now, pinnedIndex);
    }
    return finish(st, previous, now, quorum);
  }

  /**
   * Checks that {@code view} holds exactly the group's nodes and that its pins name members, and
   * resolves the pins to canonical indexes. The result is kept on the view, so a view is checked
   * once however often it is planned, by this planner or another of the same group.
   */
  private void checkView(ClusterView view) {
    if (view == checkedView) {
      return;
    }
    ClusterView.Check c = view.check;
    if (c == null || (c.canon != canon && !c.canon.sameMembers(canon))) {
      c = check(view);
      view.check = c;
    }
    pinOf = c.pinOf;
    pinnedIndex = c.pinnedIndex;
    checkedView = view;
  }

  private ClusterView.Check check(ClusterView view) {
    if (!Arrays.equals(view.ids, canon.ids)) {
      throw new IllegalArgumentException("the view holds nodes " + Arrays.toString(view.ids)
          + " but group " + canon.group.name() + " has " + Arrays.toString(canon.ids));
    }
    String pinned = view.pinnedOwner;
    Integer pinnedAt = pinned == null ? null : canon.nodeIndex.get(pinned);
    if (pinned != null && pinnedAt == null) {
      throw new IllegalArgumentException("switchover target " + pinned + " is not a node of group "
          + canon.group.name());
    }
    int[] pins = new int[canon.vips.length];
    Arrays.fill(pins, -1);
    for (Map.Entry<InetAddress, String> e : view.pins.entrySet()) {
      Integer v = canon.vipIndex.get(e.getKey());
      Integer n = canon.nodeIndex.get(e.getValue());
      if (v == null || n == null) {
        throw new IllegalArgumentException("switchover of " + Addresses.text(e.getKey()) + " to "
            + e.getValue() + ": " + (v == null ? "not a VIP" : "not a node") + " of group "
            + canon.group.name());
      }
      pins[v] = n;
    }
    return new ClusterView.Check(canon, pins, pinnedAt == null ? -1 : pinnedAt);
  }

  /** Works out, per node, whether it may hold and receive VIPs, hold-down and readiness. */
  private void classify(NodeStatus[] st, Plan prev, long now) {
    for (int i = 0; i < st.length; i++) {
      NodeStatus s = st[i];
      long su = prev.suspendedUntil[i];
      boolean flapSuspended = su != Plan.NONE && now < su;
      if (flapSuspended && su != Plan.NEVER) {
        next = Math.min(next, su);
      }
      holdCapable[i] = s.liveness() != Liveness.DEAD && s.eligibility() == Eligibility.ELIGIBLE
          && !flapSuspended;
      receiver[i] = holdCapable[i] && s.liveness() == Liveness.ALIVE;
      // Only a receiver's readiness is used: alive and eligible since the later of the two.
      long ready = Math.max(s.livenessSince(), s.eligibilitySince());
      if (su != Plan.NONE && !flapSuspended) {
        ready = Math.max(ready, su);
      }
      readyAt[i] = receiver[i] ? Plan.addSat(ready, preemptDelay) : Plan.NEVER;
      long lost = prev.lostAt[i];
      long hdEnd = lost == Plan.NONE ? Plan.NONE : Plan.addSat(lost, holdDown);
      inHoldDown[i] = hdEnd != Plan.NONE && now < hdEnd;
      if (receiver[i] && inHoldDown[i]) {
        next = Math.min(next, hdEnd);
      }
      lostByFailure[i] = false;
      gained[i] = false;
      plannedLoss[i] = false;
    }
  }

  private void decideWithoutQuorum(int[] prevOwners) {
    for (int v = 0; v < work.length; v++) {
      int o = prevOwners[v];
      if (keepWithoutQuorum || o < 0) {
        work[v] = o;
        why[v] = KEEP;
      } else {
        work[v] = -1;
        why[v] = (byte) MoveReason.QUORUM_LOST.ordinal();
      }
    }
  }

  private void decideActivePassive(NodeStatus[] st, Plan prev, long now, int p) {
    int cur = work.length == 0 ? -1 : prevOwn[0];
    int target = cur;
    MoveReason reason = MoveReason.ELECTED;
    if (p >= 0 && (receiver[p] || (p == cur && holdCapable[p]))) {
      target = p;
      reason = MoveReason.SWITCHOVER;
      if (cur >= 0 && cur != p) {
        plannedLoss[cur] = true;
      }
    } else if (cur >= 0 && holdCapable[cur]) {
      if (preempt) {
        int best = preemptor(st, prev, cur, now);
        if (best >= 0) {
          target = best;
          reason = MoveReason.PREEMPTED;
          gained[best] = true;
        }
      }
    } else {
      reason = cur < 0 ? MoveReason.ELECTED : lossReason(st[cur], prev, cur, now);
      target = bestByPriority(st, true);
      if (target < 0) {
        target = bestByPriority(st, false);
      }
      if (cur >= 0) {
        markLoss(cur, reason);
      }
    }
    byte r = (byte) reason.ordinal();
    for (int v = 0; v < work.length; v++) {
      work[v] = target;
      why[v] = prevOwn[v] == target ? KEEP : r;
    }
  }

  /**
   * Active/Passive preemption of the healthy owner {@code cur}: the best receiver (outside
   * hold-down) with a strictly higher priority that has been ready for the preempt delay, or -1.
   * A candidate for which the preemption would be its flap limit's last change is suspended
   * instead, and the next one is considered. Candidates still within their delay and better than
   * the resulting owner set {@link #next}.
   */
  private int preemptor(NodeStatus[] st, Plan prev, int cur, long now) {
    int floor = st[cur].effectivePriority();
    int best;
    while (true) {
      best = -1;
      for (int i = 0; i < st.length; i++) {
        if (i != cur && receiver[i] && !inHoldDown[i] && now >= readyAt[i]
            && st[i].effectivePriority() > floor
            && (best < 0 || st[i].effectivePriority() > st[best].effectivePriority())) {
          best = i;
        }
      }
      if (best < 0 || !wouldSuspend(prev, best, now)) {
        break;
      }
      suspend(prev, best, now);
      holdCapable[best] = false;
      receiver[best] = false;
    }
    int above = best < 0 ? floor : st[best].effectivePriority();
    for (int i = 0; i < st.length; i++) {
      if (i != cur && receiver[i] && !inHoldDown[i] && now < readyAt[i]
          && st[i].effectivePriority() > above) {
        next = Math.min(next, readyAt[i]);
      }
    }
    return best;
  }

  /** The receiver with the highest effective priority (ties: lowest id), or -1. */
  private int bestByPriority(NodeStatus[] st, boolean honourHoldDown) {
    int best = -1;
    for (int i = 0; i < st.length; i++) {
      if (!receiver[i] || (honourHoldDown && inHoldDown[i])) {
        continue;
      }
      if (best < 0 || st[i].effectivePriority() > st[best].effectivePriority()) {
        best = i;
      }
    }
    return best;
  }

  private MoveReason lossReason(NodeStatus s, Plan prev, int i, long now) {
    if (s.liveness() == Liveness.DEAD) {
      return MoveReason.OWNER_DEAD;
    }
    long[] suspended = newSuspended;
    long su = (suspended == null ? prev.suspendedUntil : suspended)[i];
    if (s.eligibility() == Eligibility.SUSPENDED || (su != Plan.NONE && now < su)) {
      return MoveReason.FLAP_SUSPENDED;
    }
    if (s.eligibility() == Eligibility.DRAINING) {
      return MoveReason.DRAINED;
    }
    return MoveReason.OWNER_INELIGIBLE;
  }

  private void decideActiveActive(NodeStatus[] st, Plan prev, long now, boolean noPins) {
    // A rebalance may suspend would-be takers for flapping. A suspended node may hold nothing
    // and its weight leaves the shares, so decide again from the start without it, exactly as
    // if it had been suspended before this call. Every round suspends at least one more node.
    while (!assignActiveActive(st, prev, now, noPins)) {
      // decided again
    }
  }

  /** One round of {@link #decideActiveActive}; false when a rebalance suspended a node. */
  private boolean assignActiveActive(NodeStatus[] st, Plan prev, long now, boolean noPins) {
    int n = st.length;
    int vips = work.length;
    long totalWeight = 0;
    for (int i = 0; i < n; i++) {
      load[i] = 0;
      lostByFailure[i] = false;
      gained[i] = false;
      plannedLoss[i] = false;
      if (holdCapable[i]) {
        totalWeight += st[i].weight();
      }
    }
    for (int i = 0; i < n; i++) {
      cap[i] = holdCapable[i]
          ? (int) Math.min(capacity[i], ceilDiv((long) vips * st[i].weight(), totalWeight)) : 0;
    }
    int[] prevOwners = prevOwn;
    boolean orphans = false;
    for (int v = 0; v < vips; v++) {
      int o = prevOwners[v];
      int p = noPins ? -1 : pinOf[v];
      if (p >= 0 && (receiver[p] || (p == o && holdCapable[p])) && load[p] < capacity[p]) {
        work[v] = p;
        load[p]++;
        why[v] = p == o ? KEEP : (byte) MoveReason.SWITCHOVER.ordinal();
        if (o >= 0 && o != p) {
          plannedLoss[o] = true;
        }
      } else if (o >= 0 && holdCapable[o] && load[o] < capacity[o]) {
        work[v] = o;
        load[o]++;
        why[v] = KEEP;
      } else {
        work[v] = -1;
        orphans = true;
        MoveReason r = o < 0 ? MoveReason.ELECTED
            : holdCapable[o] ? MoveReason.NO_CAPACITY : lossReason(st[o], prev, o, now);
        why[v] = (byte) r.ordinal();
        if (o >= 0) {
          markLoss(o, r);
        }
      }
    }
    if (preempt && !rebalance(st, prev, now, noPins)) {
      return false;
    }
    if (orphans) {
      placeOrphans(st);
    }
    return true;
  }

  /**
   * Under preemption: nodes above their share give the excess to ready nodes below it. Returns
   * false when a node it picked as taker was suspended instead (flap limit): the caller decides
   * again without that node, and the moves made so far in this round are discarded.
   */
  private boolean rebalance(NodeStatus[] st, Plan prev, long now, boolean noPins) {
    int n = st.length;
    boolean donors = false;
    for (int i = 0; i < n; i++) {
      if (receiver[i] && load[i] > cap[i]) {
        donors = true;
        break;
      }
    }
    if (!donors) {
      return true;
    }
    int ready = 0;
    long pending = Plan.NEVER; // merged into next only when this round stands
    for (int i = 0; i < n; i++) {
      if (!receiver[i] || inHoldDown[i] || load[i] >= cap[i]) {
        continue;
      }
      if (now < readyAt[i]) {
        pending = Math.min(pending, readyAt[i]);
      } else {
        ready++;
      }
    }
    if (ready == 0) {
      next = Math.min(next, pending);
      return true;
    }
    // Only ready takers that still have room can receive; score the candidates against those.
    int takerCount = 0;
    for (int i = 0; i < n; i++) {
      if (isReadyTaker(i, now)) {
        takers[takerCount++] = i;
      }
    }
    int count = 0;
    for (int v = 0; v < work.length; v++) {
      int o = work[v];
      if (o >= 0 && receiver[o] && load[o] > cap[o] && (noPins || pinOf[v] != o)) {
        count++;
      }
    }
    // Candidates in descending order of their best taker's score, ties by VIP index: the
    // (positive) score's bits with the low 16 replaced by the candidate's rank, sorted as longs.
    long[] order = new long[count];
    int[] cand = new int[count];
    count = 0;
    for (int v = 0; v < work.length; v++) {
      int o = work[v];
      if (o >= 0 && receiver[o] && load[o] > cap[o] && (noPins || pinOf[v] != o)) {
        double s = 0;
        for (int t = 0; t < takerCount; t++) {
          int i = takers[t];
          s = Math.max(s, canon.score(i, v, st[i].weight()));
        }
        long desc = Long.MAX_VALUE - Double.doubleToRawLongBits(s);
        order[count] = (desc & ~0xFFFFL) | count;
        cand[count] = v;
        count++;
      }
    }
    Arrays.sort(order);
    for (long key : order) {
      int v = cand[(int) (key & 0xFFFF)];
      int o = work[v];
      if (load[o] <= cap[o]) {
        continue;
      }
      int taker = -1;
      double ts = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < n; i++) {
        if (isReadyTaker(i, now)) {
          double s = canon.score(i, v, st[i].weight());
          if (s > ts) {
            ts = s;
            taker = i;
          }
        }
      }
      if (taker < 0) {
        break;
      }
      if (!gained[taker] && wouldSuspend(prev, taker, now)) {
        suspend(prev, taker, now);
        holdCapable[taker] = false;
        receiver[taker] = false;
        return false;
      }
      work[v] = taker;
      load[o]--;
      load[taker]++;
      why[v] = (byte) MoveReason.REBALANCED.ordinal();
      gained[taker] = true;
    }
    next = Math.min(next, pending);
    return true;
  }

  /** Whether node {@code i} may take a donor's VIP now: ready, outside hold-down, below share. */
  private boolean isReadyTaker(int i, long now) {
    return receiver[i] && !inHoldDown[i] && now >= readyAt[i] && load[i] < cap[i];
  }

  /** VIPs without an owner go to the best-scoring node below its share, then below capacity. */
  private void placeOrphans(NodeStatus[] st) {
    int n = st.length;
    for (int v = 0; v < work.length; v++) {
      if (work[v] >= 0) {
        continue;
      }
      // Below its share: the best rendezvous score wins. Beyond the shares (suspect nodes hold
      // theirs, capacities differ): the least loaded for its weight, so receivers stay balanced.
      int best = -1;
      for (int pass = 0; pass < 3 && best < 0; pass++) {
        double bs = Double.NEGATIVE_INFINITY;
        double bestLoad = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
          if (!receiver[i] || (pass < 2 && inHoldDown[i])
              || load[i] >= (pass == 0 ? cap[i] : capacity[i])) {
            continue;
          }
          double s = canon.score(i, v, st[i].weight());
          double relative = pass == 0 ? 0 : (load[i] + 1.0) / st[i].weight();
          if (relative < bestLoad || (relative == bestLoad && s > bs)) {
            bestLoad = relative;
            bs = s;
            best = i;
          }
        }
      }
      if (best >= 0) {
        work[v] = best;
        load[best]++;
      }
    }
  }

  /** Records why node {@code i} lost a VIP in this call: a failure, or a planned move. */
  private void markLoss(int i, MoveReason r) {
    if (r == MoveReason.OWNER_DEAD || r == MoveReason.OWNER_INELIGIBLE) {
      lostByFailure[i] = true;
    } else if (r == MoveReason.DRAINED) {
      plannedLoss[i] = true;
    }
  }

  /** Whether a gain of node {@code i} now is a flap: not its return from a planned move. */
  private boolean gainCounts(Plan prev, int i) {
    return !prev.returnPlanned[i] && !plannedLoss[i];
  }

  /** Whether a gain of node {@code i} now would be its flap limit's last change. */
  private boolean wouldSuspend(Plan prev, int i, long now) {
    return gainCounts(prev, i) && flapCounter.atLimit(i, prev.flaps[i], now);
  }

  private void suspend(Plan prev, int i, long now) {
    long[] s = newSuspended;
    if (s == null) {
      s = prev.suspendedUntil.clone();
      newSuspended = s;
    }
    s[i] = flapCounter.suspensionEnd(now);
    if (s[i] != Plan.NEVER) {
      next = Math.min(next, s[i]);
    }
  }

  private Plan finish(NodeStatus[] st, Plan prev, long now, boolean quorum) {
    int[] prevOwners = prevOwn;
    int moved = 0;
    for (int v = 0; v < work.length; v++) {
      if (work[v] != prevOwners[v]) {
        moved++;
      }
    }
    if (moved == 0 && newSuspended == null && quorum == prev.quorum
        && next == prev.nextChangeAt) {
      return prev.settled();
    }
    Assignment assignment = prev.assignment;
    List<Move> moves = List.of();
    long[] lostAt = prev.lostAt;
    long[][] flaps = prev.flaps;
    boolean[] planned = prev.returnPlanned;
    long[] suspended = newSuspended == null ? prev.suspendedUntil : newSuspended;
    if (suspended != prev.suspendedUntil) {
      // Suspended instead of a would-be change: like a suspension at the limit (recordChange),
      // it uses up the changes that led to it, so the count starts afresh.
      for (int i = 0; i < suspended.length; i++) {
        if (suspended[i] != prev.suspendedUntil[i]) {
          if (flaps == prev.flaps) {
            flaps = prev.flaps.clone();
          }
          flaps[i] = new long[0];
        }
      }
    }
    if (moved > 0) {
      int c = 0;
      for (int v = 0; v < work.length; v++) {
        if (work[v] != prevOwners[v]) {
          changedVips[c] = v;
          changedTo[c++] = work[v];
        }
      }
      assignment = prev.assignment.with(changedVips, changedTo, c);
      List<Move> list = new ArrayList<>(moved);
      lostAt = prev.lostAt.clone();
      for (int v = 0; v < work.length; v++) {
        int from = prevOwners[v];
        int to = work[v];
        if (from == to) {
          continue;
        }
        MoveReason r = why[v] == KEEP ? MoveReason.REBALANCED : REASONS[why[v]];
        boolean mbb = from >= 0 && to >= 0 && st[from].liveness() != Liveness.DEAD;
        list.add(new Move(canon.vips[v], from < 0 ? null : canon.ids[from],
            to < 0 ? null : canon.ids[to], r, mbb));
        if (from >= 0 && (!activeActive || lostByFailure[from])) {
          lostAt[from] = now;
        }
      }
      moves = Collections.unmodifiableList(list);
      for (int i = 0; i < st.length; i++) {
        boolean counted = lostByFailure[i] || (gained[i] && gainCounts(prev, i));
        // A planned loss makes the node's next return planned; a failure or a return ends that.
        boolean ret = plannedLoss[i] || (prev.returnPlanned[i] && !lostByFailure[i] && !gained[i]);
        if (ret != planned[i]) {
          if (planned == prev.returnPlanned) {
            planned = prev.returnPlanned.clone();
          }
          planned[i] = ret;
        }
        if (counted) {
          if (flaps == prev.flaps) {
            flaps = prev.flaps.clone();
          }
          if (suspended == prev.suspendedUntil) {
            suspended = prev.suspendedUntil.clone();
          }
          recordChange(flaps, suspended, i, now);
        }
      }
    }
    return new Plan(canon, assignment, moves, next, quorum, lostAt, flaps, suspended, planned);
  }

  /** Records a failure-driven ownership change of node {@code i}; suspends it at the limit. */
  private void recordChange(long[][] flaps, long[] suspended, int i, long now) {
    if (!flapCounter.counts(i)) {
      return;
    }
    int recent = flapCounter.recent(flaps[i], now);
    if (flapCounter.reachesLimit(recent)) {
      flaps[i] = new long[0];
      suspended[i] = flapCounter.suspensionEnd(now);
      if (suspended[i] != Plan.NEVER) {
        next = Math.min(next, suspended[i]);
      }
      return;
    }
    flaps[i] = flapCounter.append(flaps[i], recent, now);
  }

  private static long ceilDiv(long a, long b) {
    return b == 0 ? 0 : (a + b - 1) / b;
  }

  private static long nanos(Duration d) {
    return d.toNanos();
  }
}
