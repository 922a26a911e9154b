package io.vipha.plan;

import io.vipha.VirtualIp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Who owns each VIP of a group. Immutable.
 *
 * <p>Stored as a base array shared between successive assignments plus a small sorted overlay of
 * the VIPs that changed since, so that a replan allocates in proportion to the VIPs it moves. The
 * overlay is folded into a new base once it holds more than a sixteenth of the VIPs.
 */
public final class Assignment {
  final Canon canon;
  private final short[] base; // by canonical VIP index; -1 = no owner
  private final int[] keys; // sorted VIP indexes that override base
  private final short[] vals;

  private Assignment(Canon canon, short[] base, int[] keys, short[] vals) {
    this.canon = canon;
    this.base = base;
    this.keys = keys;
    this.vals = vals;
  }

  /** An assignment from a full owner array (node indexes, -1 for none). */
  static Assignment of(Canon canon, int[] owners) {
    short[] b = new short[owners.length];
    for (int v = 0; v < owners.length; v++) {
      b[v] = (short) owners[v];
    }
    return new Assignment(canon, b, new int[0], new short[0]);
  }

  /** The owner index of canonical VIP {@code v}, or -1. */
  int ownerIndex(int v) {
    if (keys.length > 0) {
      int i = Arrays.binarySearch(keys, v);
      if (i >= 0) {
        return vals[i];
      }
    }
    return base[v];
  }

  /** Writes every owner index into {@code out} (length = VIP count). */
  void copyTo(int[] out) {
    for (int v = 0; v < base.length; v++) {
      out[v] = base[v];
    }
    for (int i = 0; i < keys.length; i++) {
      out[keys[i]] = vals[i];
    }
  }

  /**
   * This assignment with {@code count} VIPs changed: {@code vips} (ascending canonical indexes)
   * now owned by {@code to}. Allocates in proportion to the overlay, not to the VIP count, until
   * the overlay is folded.
   */
  Assignment with(int[] vips, int[] to, int count) {
    int[] k = new int[keys.length + count];
    short[] o = new short[keys.length + count];
    int a = 0;
    int b = 0;
    int n = 0;
    while (a < keys.length || b < count) {
      if (b >= count || (a < keys.length && keys[a] < vips[b])) {
        k[n] = keys[a];
        o[n++] = vals[a++];
      } else {
        if (a < keys.length && keys[a] == vips[b]) {
          a++;
        }
        k[n] = vips[b];
        o[n++] = (short) to[b++];
      }
    }
    if (n > Math.max(8, base.length / 16)) {
      short[] folded = base.clone();
      for (int i = 0; i < n; i++) {
        folded[k[i]] = o[i];
      }
      return new Assignment(canon, folded, new int[0], new short[0]);
    }
    return new Assignment(canon, base, n == k.length ? k : Arrays.copyOf(k, n),
        n == o.length ? o : Arrays.copyOf(o, n));
  }

  /** Whether every VIP has the owner {@code owners} gives it. */
  boolean sameOwners(int[] owners) {
    for (int v = 0; v < owners.length; v++) {
      if (ownerIndex(v) != owners[v]) {
        return false;
      }
    }
    return true;
  }

  /** The id of the node that owns {@code vip}, or null if nobody does (or it is not a member). */
  public @Nullable String owner(VirtualIp vip) {
    Integer i = canon.vipIndex.get(vip.address());
    if (i == null) {
      return null;
    }
    int o = ownerIndex(i);
    return o < 0 ? null : canon.ids[o];
  }

  /** The VIPs owned by node {@code id}, in address order. */
  public List<VirtualIp> vipsOf(String id) {
    List<VirtualIp> out = new ArrayList<>();
    Integer n = canon.nodeIndex.get(id);
    if (n != null) {
      for (int v = 0; v < base.length; v++) {
        if (ownerIndex(v) == n) {
          out.add(canon.vips[v]);
        }
      }
    }
    return Collections.unmodifiableList(out);
  }

  /** How many VIPs node {@code id} owns. */
  public int count(String id) {
    Integer n = canon.nodeIndex.get(id);
    int c = 0;
    if (n != null) {
      for (int v = 0; v < base.length; v++) {
        if (ownerIndex(v) == n) {
          c++;
        }
      }
    }
    return c;
  }

  /** Every VIP (in address order) with its owner's id, or null when it has none. */
  public Map<VirtualIp, @Nullable String> owners() {
    Map<VirtualIp, @Nullable String> m = new LinkedHashMap<>();
    for (int v = 0; v < base.length; v++) {
      int o = ownerIndex(v);
      m.put(canon.vips[v], o < 0 ? null : canon.ids[o]);
    }
    return Collections.unmodifiableMap(m);
  }

  /** VIPs that no node owns. */
  public int unowned() {
    int c = 0;
    for (int v = 0; v < base.length; v++) {
      if (ownerIndex(v) < 0) {
        c++;
      }
    }
    return c;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Assignment && ((Assignment) o).owners().equals(owners());
  }

  @Override
  public int hashCode() {
    return owners().hashCode();
  }

  @Override
  public String toString() {
    return owners().toString();
  }
}
