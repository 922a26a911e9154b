package io.vipha.spi;

import io.vipha.Lease;
import io.vipha.VirtualIp;
import java.time.Duration;
import java.util.Set;
import org.jspecify.annotations.Nullable;

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

  /**
   * {@link #assign(VirtualIp, Lease)} under a fencing {@code epoch} (see {@link
   * Coordinator#fence}): the epoch of the claim that allows this node to hold {@code vip}, 0 when
   * the coordinator does not fence. A backend that can pass a fencing token on (to a cloud API,
   * say) overrides this; the default ignores the epoch.
   */
  default void assign(VirtualIp vip, Lease lease, long epoch) throws BackendException {
    assign(vip, lease);
  }

  /**
   * Takes {@code vip}: {@link #assign(VirtualIp, Lease, long)}, then its first {@link #announce}
   * at once. The agent calls this when it takes a VIP that it announces itself (one no {@link
   * AddressMover} moves). A backend that can send the announcement the moment the address is on
   * the host, before anything else reads the change, overrides it; the default makes the two
   * calls.
   *
   * @return null when the announcement went out; otherwise why it did not (the address was added,
   *     so the VIP is held either way)
   * @throws BackendException when the address was not added (then nothing was announced)
   */
  default @Nullable BackendException assignAndAnnounce(VirtualIp vip, Lease lease, long epoch)
      throws BackendException {
    assign(vip, lease, epoch);
    try {
      announce(vip);
      return null;
    } catch (BackendException e) {
      return e;
    }
  }

  /**
   * Touches what {@link #assignAndAnnounce} of {@code vip} would (the link's lookup, the
   * request's and the frames' encoding), changing nothing and sending nothing, so that a
   * take-over that follows within a millisecond finds that code and data in the CPU's caches.
   * The agent calls it on its loop again and again in the last moments before a coordinator's
   * take-over deadline (see {@link Coordinator.Context#warmTake}). It never throws; the default
   * does nothing.
   */
  default void warmTake(VirtualIp vip) {}

  /**
   * How long after its kernel lease ends an address may still be on the host: the host's own
   * lateness in removing an expired address. A fencing coordinator that bounds the lease (see
   * {@link Coordinator.Fence#leaseNanos()}) counts it in. The default is zero, for a backend that
   * removes an address the instant its lease ends.
   */
  default Duration leaseOverrun() {
    return Duration.ZERO;
  }

  /** Removes {@code vip}; succeeds when it is already absent. */
  void release(VirtualIp vip) throws BackendException;

  /**
   * Sends one announcement for {@code vip}: gratuitous ARP for IPv4, unsolicited neighbour
   * advertisement for IPv6. The agent repeats it as the announce policy says.
   */
  void announce(VirtualIp vip) throws BackendException;

  /**
   * The addresses the host holds on {@code interfaces}. The caller only reads the set; a backend
   * may return the same set again while those addresses are unchanged (so that the agent's
   * periodic reconcile allocates nothing), and never changes a set it has returned.
   */
  Set<HostAddress> list(Set<String> interfaces) throws BackendException;

  /**
   * Host changes a backend reports as they happen, so that the agent need not wait for its next
   * periodic reconcile. Calls come one at a time, in order, from the backend's own thread (or,
   * for some backends, from a thread calling the backend); the agent moves them onto its event
   * loop.
   */
  interface Listener {
    /** Addresses on {@code interfaceName} changed (added, removed, expired). */
    void addressesChanged(String interfaceName);

    /**
     * {@code interfaceName} is now up (administratively up with carrier) or not (down, no
     * carrier, or removed).
     */
    void linkChanged(String interfaceName, boolean up);
  }

  /**
   * Reports host changes to {@code listener} until the returned handle is cancelled: first the
   * current state of every link, then every change. A backend that cannot watch reports nothing
   * (the default); the agent then relies on its periodic reconcile alone.
   */
  default Cancellable watch(Listener listener) throws BackendException {
    return () -> {};
  }

  /** Releases the backend's own resources (sockets); never removes addresses. */
  @Override
  default void close() {}
}
