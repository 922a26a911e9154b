package io.vipha.agent;

import io.vipha.FailoverPolicy;
import io.vipha.Lease;
import io.vipha.Quorum;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.internal.Rehearsals;
import io.vipha.internal.ShadowLoop;
import io.vipha.spi.AddressBackend;
import io.vipha.spi.Cancellable;
import io.vipha.spi.Coordinator;
import io.vipha.spi.HostAddress;
import io.vipha.spi.Scheduler;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The take-over rehearsal at start: a standby runs its reconcile's take branch (the fence, the
 * backend's add, the holding, the announcer's burst, the {@code Acquired} event) for the first
 * time at its first failover, in the interpreter and loading classes. So a real-time agent
 * drives a shadow of itself through many take-overs and releases on a thread of its own when it
 * starts: a {@link VipAgent} of this node alone with the same VIPs and policy, on a {@link
 * ShadowLoop} (a virtual clock), with an in-memory backend, a coordinator that grants and
 * revokes its fence as a VRRP router would, no listener and no state snapshots. It shares
 * nothing with the real agent: no address is added, no frame sent, no event heard, no counter
 * or state file touched, nothing logged, the real backend never called, and the trace is muted
 * on its thread. Afterwards the shadow serves the agent's warm-ups: {@link Shadow#warm}, run by
 * the loop just before a VRRP take-over (see {@code Coordinator.Context.warmTake}).
 */
final class Rehearsal {
  /** Take-overs per rehearsal: enough that the compiler takes the branch's methods. */
  static final int ROUNDS = 2_000;
  /** The most wall time a rehearsal runs for. */
  static final long BUDGET_NANOS = 250_000_000L;

  private Rehearsal() {}

  /**
   * Starts {@code agent}'s rehearsal on a thread of its own; returns the thread. After its rounds
   * it hands its shadow to {@code done} (for the {@linkplain Shadow#warm warm-ups} on the agent's
   * loop) and touches it no more. It never calls the agent's backend: a backend rehearses its
   * own part of a warm-up on objects of its own, and a take on the loop would otherwise wait for
   * a lock that this thread, which any other may preempt, holds.
   */
  static Thread start(VipAgent agent, Consumer<Shadow> done) {
    VipGroup g = agent.group;
    String node = agent.nodeId;
    return Rehearsals.start("vipha-rehearsal-" + g.name(), () -> {
      Shadow s = new Shadow(g, node);
      s.rounds(ROUNDS, BUDGET_NANOS);
      done.accept(s);
    });
  }

  /**
   * Runs up to {@code rounds} take-overs and releases of the VIPs of {@code group} by a shadow
   * of node {@code nodeId}, stopping after {@code budgetNanos} of wall time; returns how many
   * VIPs the shadow added.
   */
  static int run(VipGroup group, String nodeId, int rounds, long budgetNanos) {
    Shadow s = new Shadow(group, nodeId);
    s.rounds(rounds, budgetNanos);
    s.coordinator.master(false);
    return s.backend.added;
  }

  /**
   * A shadow of a node: a {@link VipAgent} of this node alone with the group's VIPs and policy,
   * on a virtual clock, with an in-memory backend and a coordinator that grants and revokes its
   * fence. Used by one thread at a time.
   */
  static final class Shadow {
    private final ShadowLoop loop = new ShadowLoop();
    private final ShadowBackend backend = new ShadowBackend();
    private final ShadowCoordinator coordinator = new ShadowCoordinator();
    private final long interval;
    private final VipGroup group;

    Shadow(VipGroup group, String nodeId) {
      this.group = group;
      FailoverPolicy policy = group.policy();
      Quorum q = policy.quorum();
      if (q.kind() == Quorum.Kind.SIZE && q.size() > 1) { // one node alone: its own majority
        policy = policy.toBuilder().quorum(Quorum.majority()).build();
      }
      VipGroup.Builder b = VipGroup.builder().name(group.name()).mode(group.mode())
          .node(group.node(nodeId).orElseThrow()).policy(policy);
      group.vips().forEach(b::vip);
      VipGroup alone = b.build();
      VipAgent shadow = VipAgent.builder().group(alone).nodeId(nodeId).backend(backend)
          .coordinator(coordinator).scheduler(loop).build();
      interval = alone.policy().heartbeatInterval().toNanos();
      shadow.noSnapshots();
      shadow.start();
      loop.advance(shadow.joinTime + interval);
    }

    /** Up to {@code rounds} rounds, stopping after {@code budgetNanos} of wall time. */
    void rounds(int rounds, long budgetNanos) {
      long deadline = System.nanoTime() + budgetNanos;
      for (int i = 0; i < rounds && System.nanoTime() - deadline < 0; i++) {
        round();
      }
    }

    /**
     * The warm-up of a take-over (see {@link Coordinator.Context#warmTake}): one {@link #round},
     * then {@code backend}'s {@linkplain AddressBackend#warmTake warm take} of each VIP.
     */
    void warm(AddressBackend backend) {
      round();
      List<VirtualIp> vips = group.vips();
      for (int i = 0; i < vips.size(); i++) {
        backend.warmTake(vips.get(i));
      }
    }

    /**
     * One release and take-over of the shadow's VIPs: the fence revoked, an interval, the fence
     * granted (the VIPs taken and announced), an interval (the burst's repeats).
     */
    void round() {
      coordinator.master(false);
      loop.advance(interval);
      coordinator.master(true);
      loop.advance(interval);
    }
  }

  /** A coordinator of this node alone that grants its fence while it is "master". */
  private static final class ShadowCoordinator implements Coordinator {
    private @Nullable Context ctx;
    private boolean master = true;

    @Override
    public void start(Context context) {
      ctx = context;
      Scheduler loop = context.loop();
      long every = context.group().policy().heartbeatInterval().toNanos();
      // The agent's stall guard watches for its local state being asked for, as a tick would.
      loop.schedule(every, new Runnable() {
        @Override
        public void run() {
          context.local();
          loop.schedule(every, this);
        }
      });
    }

    void master(boolean m) {
      master = m;
      Objects.requireNonNull(ctx).fenceChanged();
    }

    @Override
    public Fence fence(VirtualIp vip) {
      return master ? Fence.UNFENCED : Fence.REVOKE;
    }

    @Override
    public boolean makeBeforeBreak() {
      return false;
    }

    @Override
    public void publishNow() {}

    @Override
    public void leave() {}

    @Override
    public void close() {}
  }

  /** Addresses in memory; reports each change to the watch as the kernel would. */
  private static final class ShadowBackend implements AddressBackend {
    private final Set<HostAddress> held = new LinkedHashSet<>();
    private @Nullable Listener listener;
    int added;

    @Override
    public void assign(VirtualIp vip, Lease lease) {
      if (held.add(HostAddress.of(vip))) {
        added++;
        changed(vip);
      }
    }

    @Override
    public void release(VirtualIp vip) {
      if (held.remove(HostAddress.of(vip))) {
        changed(vip);
      }
    }

    private void changed(VirtualIp vip) {
      Listener l = listener;
      if (l != null) {
        l.addressesChanged(vip.interfaceName());
      }
    }

    @Override
    public void announce(VirtualIp vip) {}

    @Override
    public Set<HostAddress> list(Set<String> interfaces) {
      Set<HostAddress> out = new LinkedHashSet<>();
      for (HostAddress h : held) {
        if (interfaces.contains(h.interfaceName())) {
          out.add(h);
        }
      }
      return out;
    }

    @Override
    public Cancellable watch(Listener l) {
      listener = l;
      return () -> listener = null;
    }
  }
}
