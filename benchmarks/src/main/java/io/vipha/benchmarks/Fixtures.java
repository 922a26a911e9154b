package io.vipha.benchmarks;

import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.plan.ClusterView;
import io.vipha.plan.NodeStatus;
import io.vipha.plan.Plan;
import io.vipha.plan.Planner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Groups, views and plans shared by the benchmarks and {@link PlacementQuality}. Every policy has
 * preemption on with a zero preempt delay; the other settings are the defaults (hold-down 5s, flap
 * limit 4 changes per minute), so the instants below are spaced to stay clear of them.
 */
final class Fixtures {
  /** One second in nanoseconds. */
  static final long SECOND = 1_000_000_000L;
  /** When every node became alive. */
  static final long T_UP = 0;
  /** When the first plan is made. */
  static final long T_START = SECOND;
  /** When a node fails. */
  static final long T_FAIL = 10 * SECOND;
  /** When the failed node is back (after the 5s hold-down). */
  static final long T_RETURN = 20 * SECOND;

  /** Active/Active: nodes. */
  static final int AA_NODES = 64;
  /** Active/Active: VIPs. */
  static final int AA_VIPS = 4096;
  /** Active/Active: the node that fails and comes back. */
  static final String AA_FAILED = "n07";

  /** Active/Passive: nodes, with priorities 150, 100 and 50. */
  static final int AP_NODES = 3;
  /** Active/Passive: VIPs (one IPv4, one IPv6), as a typical small A/P group. */
  static final int AP_VIPS = 2;

  private Fixtures() {}

  /** "n00", "n01", ... ("n100" and up sort after "n10" but before "n11": fine, ids only). */
  static String nodeId(int i) {
    return String.format("n%02d", i);
  }

  /** The IPv6 address of VIP {@code i} (prefix length /64) of the Active/Active group. */
  static String aaVipCidr(int i) {
    return "2001:db8::" + Integer.toHexString(i + 1) + "/64";
  }

  /** 64 nodes of weight 1, 4,096 IPv6 VIPs, preempt on with a zero delay. */
  static VipGroup activeActiveGroup() {
    return activeActiveGroup(AA_NODES, AA_VIPS);
  }

  /** {@code nodes} (at most 254) nodes of weight 1, {@code vips} IPv6 VIPs, as above. */
  static VipGroup activeActiveGroup(int nodes, int vips) {
    VipGroup.Builder b = VipGroup.builder().name("aa").mode(Mode.ACTIVE_ACTIVE);
    for (int i = 0; i < nodes; i++) {
      int k = i;
      b.node(n -> n.id(nodeId(k)).heartbeat("198.51.100." + (k + 1)));
    }
    for (int i = 0; i < vips; i++) {
      int k = i;
      b.vip(v -> v.address(aaVipCidr(k)).interfaceName("eth0"));
    }
    return b.policy(p -> p.preempt(true).preemptDelay(Duration.ZERO)).build();
  }

  /** 3 nodes, 2 VIPs, preempt on with a zero delay. */
  static VipGroup activePassiveGroup() {
    VipGroup.Builder b = VipGroup.builder().name("ap").mode(Mode.ACTIVE_PASSIVE);
    for (int i = 0; i < AP_NODES; i++) {
      int k = i;
      b.node(n -> n.id(nodeId(k)).heartbeat("198.51.100." + (k + 1)).priority(150 - 50 * k));
    }
    b.vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"));
    b.vip(v -> v.address("2001:db8::10/64").interfaceName("eth0"));
    return b.policy(p -> p.preempt(true).preemptDelay(Duration.ZERO)).build();
  }

  /** The HMAC key (id 1) of the agents' heartbeats. */
  static final byte[] HEARTBEAT_KEY = "0123456789abcdef0123456789abcdef".getBytes(
      StandardCharsets.US_ASCII);

  /** {@link #agentGroup(String, String, String)} at 198.51.100.1–3. */
  static VipGroup.Builder agentGroup() {
    return agentGroup("198.51.100.1", "198.51.100.2", "198.51.100.3");
  }

  /**
   * The agents' group: Active/Passive "web", n1 (priority 200), n2 (150) and n3 (100) at the
   * given heartbeat addresses, VIPs 192.0.2.10/24 and 2001:db8::10/64 on eth0, the default policy.
   */
  static VipGroup.Builder agentGroup(String n1, String n2, String n3) {
    return VipGroup.builder().name("web").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .vip(v -> v.address("2001:db8::10/64").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat(n1).priority(200))
        .node(n -> n.id("n2").heartbeat(n2).priority(150))
        .node(n -> n.id("n3").heartbeat(n3).priority(100));
  }

  /** Every node of {@code group} alive since {@link #T_UP}, priority from the model, weight 1. */
  static ClusterView allAlive(VipGroup group) {
    ClusterView.Builder vb = ClusterView.builder();
    group.nodes().forEach(n -> vb.node(n.id(), NodeStatus.alive(T_UP, n.priority(), 1)));
    return vb.build();
  }

  /** {@code view} with node {@code id} dead since {@code since}. */
  static ClusterView dead(ClusterView view, String id, long since) {
    NodeStatus s = view.status(id);
    if (s == null) {
      throw new IllegalArgumentException(id);
    }
    return view.toBuilder().node(id, NodeStatus.dead(since, s.effectivePriority(), 1)).build();
  }

  /** {@code view} with node {@code id} alive (again) since {@code since}. */
  static ClusterView alive(ClusterView view, String id, long since) {
    NodeStatus s = view.status(id);
    if (s == null) {
      throw new IllegalArgumentException(id);
    }
    return view.toBuilder().node(id, NodeStatus.alive(since, s.effectivePriority(), 1)).build();
  }

  /**
   * The settled plan for {@code view}: planned from scratch at {@code T_START}, then once more
   * with nothing changed, so that its move list is empty — what the planner sees in steady state.
   */
  static Plan settled(Planner planner, ClusterView view) {
    Plan first = planner.plan(view, planner.initial(), T_START);
    Plan settled = planner.plan(view, first, T_START + 1);
    check(settled.moves().isEmpty(), "the plan did not settle: " + settled.moves().size());
    return settled;
  }

  /** The VIPs of {@code group}, as the model holds them. */
  static VirtualIp[] vips(VipGroup group) {
    return group.vips().toArray(new VirtualIp[0]);
  }

  static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException(what);
    }
  }
}
