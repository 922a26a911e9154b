package io.vipha.agent;

import io.vipha.Node;
import io.vipha.VirtualIp;
import io.vipha.agent.VipAgent.Phase;
import io.vipha.internal.heartbeat.HeartbeatDecoder;
import io.vipha.internal.heartbeat.HeartbeatEncoder;
import io.vipha.internal.heartbeat.HeartbeatKeys;
import io.vipha.internal.heartbeat.ReplayGuard;
import io.vipha.plan.ClusterView;
import io.vipha.plan.Eligibility;
import io.vipha.plan.Liveness;
import io.vipha.plan.NodeStatus;
import io.vipha.plan.Plan;
import io.vipha.plan.Planner;
import io.vipha.spi.Scheduler.Timer;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * The warm-up after start: a freshly started process (a JVM that still loads classes and
 * compiles its hot path) stalls now and then in its first seconds. While warming, this node is
 * not eligible (its heartbeats say so, as for a health check that has not passed yet), so no
 * node plans to hand it a VIP that a live peer serves: it preempts only once warm. It is warm
 * once its event loop has run for the warm-up time without a stall (a tick more than one
 * heartbeat interval late; each stall starts the time over), at the latest five warm-up times
 * after the start. Meanwhile every tick runs the heartbeat codec (sign, authenticate, replay
 * check) and the planner on synthetic input, so that the JIT compiles them before they matter.
 *
 * <p>The warm-up never keeps a VIP from being served: when the plan leaves a VIP without an
 * owner although this node has quorum (nobody else can take it: a node alone, a cluster
 * starting, an owner that died with no other standby), the node is warm at once ({@link
 * #neededBy}), and it takes a VIP nobody holds after one more heartbeat interval ({@link
 * #justNeeded}). A single-node group has nobody to preempt and does not warm up.
 */
final class Warmup {
  /** The warm-up ends at the latest this many warm-up times after the start. */
  static final int MAX_FACTOR = 5;
  /** Codec round trips per tick. */
  private static final int ROUND_TRIPS = 8;
  private static final String CHECK = "warm-up";

  private final VipAgent a;
  private final long duration;
  private boolean warming;
  private long startedAt;
  private long quietSince;
  private long expectedAt;
  private int stalls;
  /** When the warm-up ended because a VIP had no other owner; {@code Long.MIN_VALUE}: never. */
  private long neededAt = Long.MIN_VALUE;
  private @Nullable Timer timer;
  private @Nullable Exercise exercise;

  Warmup(VipAgent agent, long duration) {
    this.a = agent;
    this.duration = duration;
  }

  /** Whether this node is still warming up: it then advertises itself as not eligible. */
  boolean warming() {
    return warming;
  }

  /** The agent started at {@code now}. */
  void start(long now) {
    if (duration == 0 || a.group.nodes().size() == 1) {
      return;
    }
    warming = true;
    startedAt = now;
    quietSince = now;
    exercise = new Exercise(a);
    timer = a.loop.timer(this::tick);
    schedule(now);
  }

  private void schedule(long now) {
    long interval = a.policy.heartbeatInterval().toNanos();
    expectedAt = now + interval;
    Timer t = timer;
    if (t != null) {
      t.arm(interval);
    }
  }

  private void tick() {
    Phase phase = a.phase();
    if (!warming || phase == Phase.STOPPING || phase == Phase.STOPPED) {
      return;
    }
    long now = a.loop.nanoTime();
    if (now - expectedAt > a.policy.heartbeatInterval().toNanos()) {
      stalls++;
      quietSince = now;
    }
    Exercise e = exercise;
    if (e != null) {
      e.run();
    }
    now = a.loop.nanoTime();
    if (now - quietSince >= duration || now - startedAt >= MAX_FACTOR * duration) {
      end(now, "warm");
      a.planning.localChanged();
      return;
    }
    schedule(now);
  }

  /**
   * While warming: whether {@code plan}, made with this node not eligible, leaves a VIP without an
   * owner although the node has quorum. Then nobody else can serve it, the warm-up ends now, and
   * the caller plans again.
   */
  boolean neededBy(Plan plan) {
    if (!warming || !plan.hasQuorum()) {
      return false;
    }
    for (VirtualIp v : a.group.vips()) {
      if (plan.assignment().owner(v) == null) {
        long now = a.loop.nanoTime();
        neededAt = now;
        end(now, "needed: " + v.cidr() + " has no other owner");
        a.coordinator.publishNow();
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the warm-up ended less than a heartbeat interval ago because a VIP had no other
   * owner: other nodes still warming may have found the same at the same moment, and have not
   * told this node yet that they are eligible now. Until their news arrives, this node takes no
   * VIP that nobody holds, so that only the one they all plan takes it.
   */
  boolean justNeeded(long now) {
    return neededAt != Long.MIN_VALUE
        && now - neededAt < a.policy.heartbeatInterval().toNanos();
  }

  private void end(long now, String why) {
    warming = false;
    exercise = null;
    Timer t = timer;
    if (t != null) {
      t.cancel();
      timer = null;
    }
    if (!a.standing.isDisqualified()) { // not still held back by a health check, say
      a.standing.eligibleFrom(now);
    }
    a.events.emit(new AgentEvent.HealthChanged(now, CHECK, true,
        a.standing.effectivePriority(), a.standing.isDisqualified(), String.format(
            java.util.Locale.ROOT, "%s after %d ms (%d stall%s)", why, (now - startedAt)
                / 1_000_000, stalls, stalls == 1 ? "" : "s")));
  }

  /**
   * The hot path on synthetic input: heartbeats of this group signed and authenticated with a
   * throwaway key, and this group planned with its owner alive and dead in turn, by a planner of
   * its own (the agent's keeps its last call).
   */
  private static final class Exercise {
    private final HeartbeatEncoder encoder;
    private final HeartbeatDecoder decoder;
    private final byte[] buf = new byte[2048];
    private final String group;
    private final Planner planner;
    private final ClusterView[] views = new ClusterView[2];
    private Plan plan;
    private long sequence;
    private int turn;

    Exercise(VipAgent a) {
      byte[] key = new byte[HeartbeatKeys.MIN_KEY_LENGTH];
      ThreadLocalRandom.current().nextBytes(key);
      HeartbeatKeys keys = HeartbeatKeys.of(1, key);
      group = a.group.name();
      encoder = new HeartbeatEncoder(keys, group, a.nodeId).incarnation(1);
      decoder = new HeartbeatDecoder(keys, ReplayGuard.forNodes(List.of(a.nodeId)));
      planner = Planner.forNode(a.group, a.nodeId);
      List<Node> nodes = a.group.nodes();
      for (int k = 0; k < views.length; k++) {
        ClusterView.Builder b = ClusterView.builder();
        for (int i = 0; i < nodes.size(); i++) {
          Node n = nodes.get(i);
          Liveness l = k == 1 && i == 0 ? Liveness.DEAD : Liveness.ALIVE;
          b.node(n.id(), new NodeStatus(l, 0, n.priority(), Eligibility.ELIGIBLE, 0,
              n.weight()));
        }
        views[k] = b.build();
      }
      plan = planner.initial();
    }

    void run() {
      for (int i = 0; i < ROUND_TRIPS; i++) {
        int len = encoder.sequence(++sequence).priority(1 + (int) (sequence % 254))
            .encode(buf, 0);
        decoder.decode(buf, 0, len, group);
      }
      turn ^= 1;
      plan = planner.plan(views[turn], plan, 1_000_000_000L * sequence);
    }
  }
}
