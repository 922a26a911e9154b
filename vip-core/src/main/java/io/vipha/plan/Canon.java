package io.vipha.plan;

import io.vipha.Node;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.internal.Hashing;
import io.vipha.internal.VipOrder;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

/**
 * A group in canonical order: nodes sorted by id, VIPs sorted by address bytes. Every index in
 * the planner refers to this order, so the answer never depends on the order of the input.
 */
final class Canon {
  final VipGroup group;
  final Node[] nodes;
  final String[] ids;
  final VirtualIp[] vips;
  final long[] nodeHash;
  final long[] vipHash;
  final Map<InetAddress, Integer> vipIndex;
  final Map<String, Integer> nodeIndex;

  Canon(VipGroup group) {
    this.group = group;
    this.nodes = group.nodes().toArray(new Node[0]);
    Arrays.sort(nodes, Comparator.comparing(Node::id));
    this.ids = new String[nodes.length];
    this.nodeHash = new long[nodes.length];
    this.nodeIndex = new HashMap<>();
    for (int i = 0; i < nodes.length; i++) {
      ids[i] = nodes[i].id();
      nodeHash[i] = hash(ids[i].getBytes(StandardCharsets.UTF_8));
      nodeIndex.put(ids[i], i);
    }
    this.vips = VipOrder.of(group);
    this.vipHash = new long[vips.length];
    this.vipIndex = new HashMap<>();
    for (int i = 0; i < vips.length; i++) {
      vipHash[i] = hash(vips[i].address().getAddress());
      vipIndex.put(vips[i].address(), i);
    }
  }

  /** True when {@code other} describes the same nodes and VIPs in the same canonical order. */
  boolean sameMembers(Canon other) {
    return other == this || (Arrays.equals(ids, other.ids) && Arrays.equals(vips, other.vips));
  }

  /** FNV-1a followed by the SplitMix64 finaliser: stable across JVMs and runs. */
  static long hash(byte[] bytes) {
    return Hashing.mix(Hashing.fnv1a(bytes));
  }

  /**
   * Weighted rendezvous score of node {@code n} for VIP {@code v}: {@code w / -ln(u)} with
   * {@code u} uniform in (0, 1) from the pair's hash. The highest score wins; a node's chance of
   * winning is proportional to its weight. {@link StrictMath} keeps it identical on every JVM.
   */
  double score(int n, int v, int weight) {
    long h = Hashing.mix(nodeHash[n] ^ (vipHash[v] * 0x9e3779b97f4a7c15L));
    double u = ((h >>> 11) + 0.5) * 0x1.0p-53;
    return weight / -StrictMath.log(u);
  }
}
