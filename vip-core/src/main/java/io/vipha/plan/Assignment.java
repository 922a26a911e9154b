package io.vipha.plan;

import io.vipha.VirtualIp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Who owns each VIP of a group. Immutable. */
public final class Assignment {
  final Canon canon;
  final int[] owners; // by canonical VIP index; -1 = no owner

  Assignment(Canon canon, int[] owners) {
    this.canon = canon;
    this.owners = owners;
  }

  /** The id of the node that owns {@code vip}, or null if nobody does (or it is not a member). */
  public @Nullable String owner(VirtualIp vip) {
    Integer i = canon.vipIndex.get(vip.address());
    if (i == null) {
      return null;
    }
    int o = owners[i];
    return o < 0 ? null : canon.ids[o];
  }

  /** The VIPs owned by node {@code id}, in address order. */
  public List<VirtualIp> vipsOf(String id) {
    List<VirtualIp> out = new ArrayList<>();
    Integer n = canon.nodeIndex.get(id);
    if (n != null) {
      for (int v = 0; v < owners.length; v++) {
        if (owners[v] == n) {
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
      for (int o : owners) {
        if (o == n) {
          c++;
        }
      }
    }
    return c;
  }

  /** Every VIP (in address order) with its owner's id, or null when it has none. */
  public Map<VirtualIp, @Nullable String> owners() {
    Map<VirtualIp, @Nullable String> m = new LinkedHashMap<>();
    for (int v = 0; v < owners.length; v++) {
      m.put(canon.vips[v], owners[v] < 0 ? null : canon.ids[owners[v]]);
    }
    return Collections.unmodifiableMap(m);
  }

  /** VIPs that no node owns. */
  public int unowned() {
    int c = 0;
    for (int o : owners) {
      if (o < 0) {
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
