package io.vipha.internal;

import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import java.util.Arrays;

/**
 * The canonical order of a group's VIPs: by address bytes, IPv4 before IPv6. Every node computes
 * the same order from the same group, so a VIP's index in it can travel on the wire.
 */
public final class VipOrder {
  private VipOrder() {}

  /** The group's VIPs in canonical order. */
  public static VirtualIp[] of(VipGroup group) {
    VirtualIp[] vips = group.vips().toArray(new VirtualIp[0]);
    Arrays.sort(vips, (a, b) -> compare(a.address().getAddress(), b.address().getAddress()));
    return vips;
  }

  private static int compare(byte[] a, byte[] b) {
    if (a.length != b.length) {
      return Integer.compare(a.length, b.length);
    }
    return Arrays.compareUnsigned(a, b);
  }
}
