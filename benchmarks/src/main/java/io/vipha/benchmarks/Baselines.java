package io.vipha.benchmarks;

import io.vipha.Node;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.internal.Hashing;
import io.vipha.internal.VipOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;

/**
 * The two stateless baselines the planner is compared with, on the same canonical order as the
 * planner (nodes sorted by id, VIPs sorted by address bytes) and the same hash as the planner's
 * package-private {@code Canon}: FNV-1a over the bytes followed by the SplitMix64 finaliser.
 *
 * <ul>
 *   <li>{@link #hashModN}: VIP {@code v} goes to the {@code hash(address) mod k}-th of the
 *       {@code k} alive nodes.
 *   <li>{@link #rendezvous}: VIP {@code v} goes to the alive node with the highest weighted
 *       rendezvous score {@code w / -ln(u)}, exactly {@code Canon.score} (all weights 1 here);
 *       no stickiness, no load bound. Ties: the lowest node index.
 * </ul>
 *
 * <p>Both return a fresh owner array (node index per VIP index), as the planner returns a fresh
 * immutable assignment.
 */
final class Baselines {
  final String[] ids;
  final VirtualIp[] vips;
  final long[] nodeHash;
  final long[] vipHash;
  final int[] weight;

  Baselines(VipGroup group) {
    Node[] nodes = group.nodes().toArray(new Node[0]);
    Arrays.sort(nodes, Comparator.comparing(Node::id));
    ids = new String[nodes.length];
    nodeHash = new long[nodes.length];
    weight = new int[nodes.length];
    for (int i = 0; i < nodes.length; i++) {
      ids[i] = nodes[i].id();
      nodeHash[i] = hash(ids[i].getBytes(StandardCharsets.UTF_8));
      weight[i] = nodes[i].weight();
    }
    vips = VipOrder.of(group);
    vipHash = new long[vips.length];
    for (int v = 0; v < vips.length; v++) {
      vipHash[v] = hash(vips[v].address().getAddress());
    }
  }

  /** The index of node {@code id} in canonical order. */
  int nodeIndex(String id) {
    int i = Arrays.binarySearch(ids, id);
    if (i < 0) {
      throw new IllegalArgumentException(id);
    }
    return i;
  }

  /** Hash mod n: owner of each VIP given which nodes are alive. */
  int[] hashModN(boolean[] alive) {
    int[] up = new int[ids.length];
    int k = 0;
    for (int i = 0; i < alive.length; i++) {
      if (alive[i]) {
        up[k++] = i;
      }
    }
    int[] owners = new int[vipHash.length];
    for (int v = 0; v < owners.length; v++) {
      owners[v] = k == 0 ? -1 : up[(int) Long.remainderUnsigned(vipHash[v], k)];
    }
    return owners;
  }

  /** Plain (weighted) rendezvous hashing: owner of each VIP given which nodes are alive. */
  int[] rendezvous(boolean[] alive) {
    int[] owners = new int[vipHash.length];
    for (int v = 0; v < owners.length; v++) {
      int best = -1;
      double bs = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < alive.length; i++) {
        if (alive[i]) {
          double s = score(i, v, weight[i]);
          if (s > bs) {
            bs = s;
            best = i;
          }
        }
      }
      owners[v] = best;
    }
    return owners;
  }

  /** Same as {@code Canon.score}. */
  double score(int n, int v, int w) {
    long h = mix(nodeHash[n] ^ (vipHash[v] * 0x9e3779b97f4a7c15L));
    double u = ((h >>> 11) + 0.5) * 0x1.0p-53;
    return w / -StrictMath.log(u);
  }

  /** Same as {@code Canon.hash}: FNV-1a, then the SplitMix64 finaliser. */
  static long hash(byte[] bytes) {
    return mix(Hashing.fnv1a(bytes));
  }

  /** The SplitMix64 finaliser, as the planner uses it. */
  static long mix(long z) {
    return Hashing.mix(z);
  }
}
