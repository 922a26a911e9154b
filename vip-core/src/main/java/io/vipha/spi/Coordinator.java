package io.vipha.spi;

import io.vipha.ValidationException;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.plan.Eligibility;
import io.vipha.plan.Liveness;
import java.io.IOException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Tells an agent what its peers are doing. The agent runs the planner on what the coordinator
 * reports; the default coordinator exchanges authenticated heartbeats. All methods are called on
 * the agent's event loop, and the coordinator calls its {@link Context} only from that loop.
 */
public interface Coordinator extends AutoCloseable {
  /**
   * A switchover request: move {@code vip} (or, when null, the whole Active/Passive group) to
   * {@code target}, or clear the request when {@code target} is null. The request with the
   * highest {@code epoch} for a VIP wins, on every node.
   *
   * @param vip the VIP, or null for the whole group
   * @param target the node, or null to clear
   * @param epoch wall-clock milliseconds on the node that made the request
   */
  record Pin(@Nullable VirtualIp vip, @Nullable String target, long epoch) {}

  /** What this node advertises. */
  record LocalState(int effectivePriority, Eligibility eligibility, boolean quorum,
      Set<VirtualIp> held, List<Pin> pins) {
    /** Copies the collections. */
    public LocalState {
      Objects.requireNonNull(eligibility, "eligibility");
      held = Set.copyOf(held);
      pins = List.copyOf(pins);
    }
  }

  /**
   * What this node knows of a peer.
   *
   * @param nodeId the peer
   * @param liveness alive, suspect or dead
   * @param since when the liveness last changed (the agent's clock)
   * @param effectivePriority the priority it advertises
   * @param eligibility whether it says it may own VIPs
   * @param eligibilitySince when its eligibility last changed (the agent's clock)
   * @param held the VIPs it says it holds now
   * @param pins the switchover requests it knows
   * @param incarnation its incarnation (changes on every restart)
   * @param left whether it said it was leaving (a graceful stop) rather than falling silent
   * @param cutOff whether its heartbeats arrive but say it does not hear this node; {@code
   *     liveness} is then dead (nothing can be decided with it) although it runs and serves
   * @param lapsed whether it has been silent for the detection time minus one interval, though
   *     not yet declared dead: it no longer vouches for this node's quorum, so a holder that
   *     keeps fewer than a quorum this way lets go before the peers declare it dead
   */
  record PeerState(String nodeId, Liveness liveness, long since, int effectivePriority,
      Eligibility eligibility, long eligibilitySince, Set<VirtualIp> held, List<Pin> pins,
      long incarnation, boolean left, boolean cutOff, boolean lapsed) {
    /** Copies the collections. */
    public PeerState {
      Objects.requireNonNull(nodeId, "nodeId");
      Objects.requireNonNull(liveness, "liveness");
      Objects.requireNonNull(eligibility, "eligibility");
      held = Set.copyOf(held);
      pins = List.copyOf(pins);
    }
  }

  /** The agent, as the coordinator sees it. */
  interface Context {
    /** The agent's event loop and clock. */
    Scheduler loop();

    /** The group. */
    VipGroup group();

    /** This node's id. */
    String nodeId();

    /**
     * This process's incarnation: higher than that of every earlier process of this node that
     * saved its state (see {@link StateStore}), otherwise from the wall clock.
     */
    long incarnation();

    /**
     * What to advertise now. Called for every heartbeat; the agent returns the same object until
     * what it says changes, so a coordinator may keep what it derives from it (an encoding, say)
     * for as long as it gets the same object back.
     */
    LocalState local();

    /** A peer's state changed. */
    void peer(PeerState state);

    /**
     * How long after its kernel lease ends a VIP may still be on this node's host: the backend's
     * {@link AddressBackend#leaseOverrun()}. The default is zero.
     */
    default Duration leaseOverrun() {
      return Duration.ZERO;
    }

    /**
     * When this node's flap suspension ends, on the loop's clock: {@link Long#MIN_VALUE} when it
     * is not suspended, {@link Long#MAX_VALUE} when it is until an operator clears it. The
     * coordinator advertises it, so that peers can remind a restarted process of it.
     */
    default long suspendedUntil() {
      return Long.MIN_VALUE;
    }

    /**
     * A peer reminds this node of the flap suspension it last advertised, which ends at {@code
     * until} (the loop's clock; {@link Long#MAX_VALUE}: until cleared). A process that has just
     * started and lost its own record resumes it.
     */
    default void suspensionEchoed(long until) {}

    /**
     * The coordinator noticed that this node's own loop stalled for {@code nanos} (a long GC
     * pause, say), long enough that peers may have declared it dead.
     */
    void stalled(long nanos);

    /**
     * A {@linkplain Coordinator#fence fence} changed (a claim was won or lost, the connection to
     * the coordination service came or went): the agent reconciles now rather than at its next
     * interval. The default does nothing; the agent's own context reconciles.
     */
    default void fenceChanged() {}

    /**
     * Runs the agent's take-over path without effect, for a coordinator whose take-over deadline
     * is near (a VRRP backup's Master_Down_Timer): a shadow of the agent takes its VIPs from a
     * backend in memory, and the real backend {@linkplain AddressBackend#warmTake warms} each
     * VIP's take. Call it from the warm-up of a {@linkplain Scheduler#preciseTimer(Runnable,
     * Runnable) precise timer}; the take-over that follows then runs with its code and data in
     * the CPU's caches. Nothing is added, sent, logged, counted or published. The default does
     * nothing.
     */
    default void warmTake() {}
  }

  /**
   * What a fencing coordinator allows for one VIP now. {@link Verdict#GRANT}: add the VIP or renew
   * its kernel lease, under {@code epoch}, for no longer than {@code leaseNanos}; {@link
   * Verdict#WAIT}: neither add nor renew it (a held VIP stays on the host until its kernel lease
   * runs out); {@link Verdict#REVOKE}: remove it now.
   *
   * @param verdict what the agent may do
   * @param epoch the claim's epoch, higher for every later claim of the VIP (0 when unfenced)
   * @param leaseNanos how long from now the VIP may stay on the host under a grant, the backend's
   *     {@linkplain AddressBackend#leaseOverrun() overrun} included: the agent sets the policy's
   *     lease or, when shorter, this bound less the overrun, floored to whole seconds, and neither
   *     adds nor renews when that leaves less than one second; {@link Long#MAX_VALUE} for no bound
   *     beyond the policy's lease
   */
  record Fence(Verdict verdict, long epoch, long leaseNanos) {
    /** Allows everything under epoch 0: the answer of a coordinator that does not fence. */
    public static final Fence UNFENCED = new Fence(Verdict.GRANT, 0);
    /** Neither add nor renew. */
    public static final Fence WAIT = new Fence(Verdict.WAIT, 0);
    /** Remove now. */
    public static final Fence REVOKE = new Fence(Verdict.REVOKE, 0);

    /** What the agent may do. */
    public enum Verdict {
      /** Add or renew. */
      GRANT,
      /** Neither add nor renew; keep what the host holds until its lease runs out. */
      WAIT,
      /** Remove. */
      REVOKE
    }

    /** Checks the verdict and the bound. */
    public Fence {
      Objects.requireNonNull(verdict, "verdict");
      if (leaseNanos < 0) {
        throw new IllegalArgumentException("leaseNanos must not be negative: " + leaseNanos);
      }
    }

    /** {@code verdict} under {@code epoch}, with no bound beyond the policy's lease. */
    public Fence(Verdict verdict, long epoch) {
      this(verdict, epoch, Long.MAX_VALUE);
    }

    /** Add or renew under {@code epoch}. */
    public static Fence grant(long epoch) {
      return new Fence(Verdict.GRANT, epoch);
    }

    /**
     * Add or renew under {@code epoch}, with the VIP off the host (its kernel lease and the
     * backend's overrun over) within {@code leaseNanos} from now.
     */
    public static Fence grant(long epoch, long leaseNanos) {
      return new Fence(Verdict.GRANT, epoch, leaseNanos);
    }

    /** Whether the agent may add or renew the VIP. */
    public boolean granted() {
      return verdict == Verdict.GRANT;
    }
  }

  /**
   * Fencing: whether this node may hold {@code vip} now, and under which epoch. The agent asks
   * before every backend call that adds the VIP or renews its kernel lease, and at every
   * reconcile for each VIP it holds; it acts only on a grant and removes the VIP on a revoke. A
   * coordinator whose service decides ownership (ZooKeeper, say) answers from its claims, so that
   * a node cut off from the service stops renewing before another node can win the VIP. Called
   * on the loop; must not block. The default grants everything under epoch 0.
   */
  default Fence fence(VirtualIp vip) {
    return Fence.UNFENCED;
  }

  /**
   * Whether a planned move (switchover, drain, graceful stop) may add the VIP on its new owner
   * before the old owner removes it. A coordinator whose claims are exclusive answers false: the
   * old owner then removes the VIP at once and gives up its claim, and the new owner adds it once
   * it wins the claim. The default is true.
   */
  default boolean makeBeforeBreak() {
    return true;
  }

  /**
   * A coordinator's own state at one moment, for status output and metrics. Each map keeps its
   * order and has the same names every time the coordinator is asked, so that metrics can be
   * registered once.
   *
   * @param kind what coordinates, e.g. {@code vrrp}
   * @param state its state now, one of {@code states}
   * @param states every state it may report
   * @param values numbers that go up and down (a priority), by name
   * @param texts what is no number (an address), by name; empty when not known
   * @param counters counts since the start, by name
   * @param dropped packets or messages dropped since the start, by reason
   */
  record Status(String kind, String state, List<String> states, Map<String, Long> values,
      Map<String, String> texts, Map<String, Long> counters, Map<String, Long> dropped) {
    /** Checks that {@code state} is one of {@code states}; copies the collections. */
    public Status {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(state, "state");
      states = List.copyOf(states);
      if (!states.contains(state)) {
        throw new IllegalArgumentException("state " + state + " is not one of " + states);
      }
      values = ordered(values);
      texts = ordered(texts);
      counters = ordered(counters);
      dropped = ordered(dropped);
    }

    private static <V> Map<String, V> ordered(Map<String, V> m) {
      return Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }
  }

  /**
   * This coordinator's own state for status output and metrics (a VRRP router's state and
   * master, a session's state), or empty when it has none to show: the default. Called from any
   * thread; must not block.
   */
  default Optional<Status> status() {
    return Optional.empty();
  }

  /** Starts exchanging state; throws when the transport cannot open. */
  void start(Context context) throws IOException;

  /**
   * The problems that keep this coordinator from applying {@code group} while it runs, each a
   * change that needs a restart (for example this node's address its transport is bound to);
   * empty when it can apply it. Called on the loop, after {@link #start}, before {@link
   * #reconfigure}; the agent then refuses the whole change and lists these with its own. The
   * default has none.
   */
  default List<ValidationException.Problem> reconfigureProblems(VipGroup group) {
    return List.of();
  }

  /**
   * The agent's group changed to {@code group} (same name, mode and node; {@link
   * Context#group()} returns it from now on): take the peers added and removed, their addresses
   * and the timers, keeping what is known of the peers that stay. Called on the loop, after
   * {@link #start} and only with a group that {@link #reconfigureProblems} accepted. The
   * default does nothing, which suits a coordinator that reads the group from the context
   * whenever it needs it.
   */
  default void reconfigure(VipGroup group) {}

  /** The local state changed: advertise it now rather than at the next interval. */
  void publishNow();

  /** Tells peers that this node is leaving for good (graceful stop), then stops sending. */
  void leave();

  /** Stops and releases the transport. */
  @Override
  void close();
}
