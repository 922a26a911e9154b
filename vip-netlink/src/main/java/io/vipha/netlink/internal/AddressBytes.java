package io.vipha.netlink.internal;

import java.net.InetAddress;
import java.util.IdentityHashMap;

/**
 * The bytes of addresses, each taken once: {@link InetAddress#getAddress()} copies them at
 * every call, and a VIP's address is the same instance at every renewal and announcement. Not
 * thread-safe; callers never modify the arrays it returns.
 */
final class AddressBytes {
  /** More distinct addresses than this (a reconfigured group's old ones) start afresh. */
  private static final int MAX = 4096;

  private final IdentityHashMap<InetAddress, byte[]> bytes = new IdentityHashMap<>();

  /** The bytes of {@code address} (4 or 16), shared: never modify them. */
  byte[] of(InetAddress address) {
    byte[] b = bytes.get(address);
    if (b == null) {
      if (bytes.size() >= MAX) {
        bytes.clear();
      }
      b = address.getAddress();
      bytes.put(address, b);
    }
    return b;
  }
}
