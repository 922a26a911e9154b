package io.vipha.spi;

import io.vipha.Lease;
import io.vipha.VirtualIp;
import java.util.Set;

/**
 * Applies address changes to a host. Every method is idempotent: assigning an address that is
 * present renews it, releasing one that is absent succeeds. Calls come from the agent's event
 * loop, one at a time, and should return quickly (a netlink round trip, not a retry loop).
 */
public interface AddressBackend extends AutoCloseable {
  /**
   * Adds {@code vip}, or renews it when present, with the given kernel lease ({@link
   * Lease#forever()} for no expiry).
   */
  void assign(VirtualIp vip, Lease lease) throws BackendException;

  /** Removes {@code vip}; succeeds when it is already absent. */
  void release(VirtualIp vip) throws BackendException;

  /**
   * Sends one announcement for {@code vip}: gratuitous ARP for IPv4, unsolicited neighbour
   * advertisement for IPv6. The agent repeats it as the announce policy says.
   */
  void announce(VirtualIp vip) throws BackendException;

  /** The addresses the host holds on {@code interfaces}. */
  Set<HostAddress> list(Set<String> interfaces) throws BackendException;

  /** Releases the backend's own resources (sockets); never removes addresses. */
  @Override
  default void close() {}
}
