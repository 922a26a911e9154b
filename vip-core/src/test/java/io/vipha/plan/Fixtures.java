package io.vipha.plan;

import io.vipha.FailoverPolicy;
import io.vipha.Mode;
import io.vipha.Node;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Small helpers shared by the planner tests: groups, views and readable summaries of plans. */
final class Fixtures {
  static final long SECOND = 1_000_000_000L;
  static final long MS = 1_000_000L;

  private Fixtures() {}

  /** Nanoseconds of {@code s} seconds. */
  static long sec(long s) {
    return s * SECOND;
  }

  /**
   * A group with nodes {@code ids} (priorities {@code prios}, weight 1) and {@code vips} IPv4
   * VIPs 192.0.2.1.. on eth0.
   */
  static VipGroup group(Mode mode, int vips, String[] ids, int[] prios,
      Consumer<FailoverPolicy.Builder> policy) {
    VipGroup.Builder b = VipGroup.builder().name("g").mode(mode);
    for (int i = 0; i < vips; i++) {
      int k = i;
      b.vip(v -> v.address("192.0.2." + (k + 1) + "/24").interfaceName("eth0"));
    }
    for (int i = 0; i < ids.length; i++) {
      int k = i;
      b.node(n -> n.id(ids[k]).heartbeat("198.51.100." + (k + 1)).priority(prios[k]));
    }
    b.policy(policy);
    return b.build();
  }

  /** The VIP of {@code group} with address {@code 192.0.2.<last>}. */
  static VirtualIp vip(VipGroup group, int last) {
    for (VirtualIp v : group.vips()) {
      if (v.address().getHostAddress().equals("192.0.2." + last)) {
        return v;
      }
    }
    throw new IllegalArgumentException("no VIP 192.0.2." + last);
  }

  /** The status the group configures for node {@code n}: alive and eligible since {@code t}. */
  static NodeStatus alive(Node n, long since) {
    return NodeStatus.alive(since, n.priority(), n.weight());
  }

  /** A view in which every node of {@code group} is alive and eligible since {@code since}. */
  static ClusterView.Builder allAlive(VipGroup group, long since) {
    ClusterView.Builder b = ClusterView.builder();
    for (Node n : group.nodes()) {
      b.node(n.id(), alive(n, since));
    }
    return b;
  }

  /** {@code view} with node {@code id} at liveness {@code l} since {@code t}. */
  static ClusterView live(ClusterView view, String id, Liveness l, long t) {
    NodeStatus s = view.status(id);
    if (s == null) {
      throw new IllegalArgumentException(id);
    }
    return view.toBuilder().node(id, s.withLiveness(l, t)).build();
  }

  /** {@code view} with node {@code id} at eligibility {@code e} since {@code t}. */
  static ClusterView elig(ClusterView view, String id, Eligibility e, long t) {
    NodeStatus s = view.status(id);
    if (s == null) {
      throw new IllegalArgumentException(id);
    }
    return view.toBuilder().node(id, s.withEligibility(e, t)).build();
  }

  /** Owners by VIP address; absent owner as "-". */
  static Map<InetAddress, String> owners(Plan p) {
    Map<InetAddress, String> m = new HashMap<>();
    p.assignment().owners().forEach((v, o) -> m.put(v.address(), o == null ? "-" : o));
    return m;
  }

  /** The set of distinct owners (no owner as "-"). */
  static Set<String> ownerSet(Plan p) {
    return new HashSet<>(owners(p).values());
  }

  /** Moves as a set (the order of the list carries no meaning). */
  static Set<List<Object>> moveSet(Plan p) {
    Set<List<Object>> s = new HashSet<>();
    for (Move m : p.moves()) {
      s.add(Arrays.asList(m.vip().address(), m.from(), m.to(), m.reason(), m.makeBeforeBreak()));
    }
    return s;
  }

  /** Loads by node id (nodes with nothing included). */
  static Map<String, Integer> loads(VipGroup g, Plan p) {
    Map<String, Integer> m = new TreeMap<>();
    for (Node n : g.nodes()) {
      m.put(n.id(), p.assignment().count(n.id()));
    }
    return m;
  }

  /** The reasons of every move. */
  static List<MoveReason> reasons(Plan p) {
    List<MoveReason> r = new ArrayList<>();
    for (Move m : p.moves()) {
      r.add(m.reason());
    }
    return r;
  }
}
