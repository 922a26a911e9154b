package io.vipha.sim;

import io.vipha.Lease;
import io.vipha.VirtualIp;
import io.vipha.spi.AddressBackend;
import io.vipha.spi.BackendException;
import io.vipha.spi.HostAddress;
import io.vipha.spi.StateStore;
import io.vipha.testing.InMemoryStateStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One host's addresses: kernel leases timed by the host's clock, announcements onto the segment,
 * injectable failures. It outlives the processes that use it, as a kernel does.
 */
final class SimHost implements AddressBackend {
  private final Simulation sim;
  private final SimNode node;
  private final Set<String> interfaces;
  /** VIP to lease expiry on the host clock; Long.MAX_VALUE for none. */
  private final Map<VirtualIp, Long> held = new LinkedHashMap<>();
  /** The group's VIPs by identity, for {@link #holds} without hashing records. */
  private final java.util.IdentityHashMap<VirtualIp, Integer> index =
      new java.util.IdentityHashMap<>();
  /** Whether the VIP with each index is held (mirrors {@link #held}). */
  private final boolean[] holding;
  private @Nullable BackendException failure;
  /** The host's disk: the node state its processes save; it survives crashes and power-offs. */
  private final InMemoryStateStore store;

  SimHost(Simulation sim, SimNode node, Set<String> interfaces) {
    this.sim = sim;
    this.node = node;
    this.interfaces = Set.copyOf(interfaces);
    java.util.List<VirtualIp> vips = sim.group().vips();
    for (int i = 0; i < vips.size(); i++) {
      index.put(vips.get(i), i);
    }
    this.holding = new boolean[vips.size()];
    this.store = new InMemoryStateStore(node.id() + "'s disk");
  }

  private void mark(VirtualIp vip, boolean on) {
    Integer i = index.get(vip);
    if (i == null) {
      int k = sim.group().vips().indexOf(vip);
      i = k < 0 ? null : k;
    }
    if (i != null) {
      holding[i] = on;
    }
  }

  @Override
  public void assign(VirtualIp vip, Lease lease) throws BackendException {
    check(vip);
    long until;
    if (lease.isForever()) {
      until = Long.MAX_VALUE;
    } else {
      long d = Objects.requireNonNull(lease.duration()).toNanos();
      until = node.clock().nanoTime() + d;
      node.clock().schedule(d, () -> expire(vip, until));
    }
    boolean had = held.containsKey(vip);
    held.put(vip, until);
    mark(vip, true);
    if (!had) {
      sim.addressChanged(node, vip, true, "assigned");
    }
  }

  private void expire(VirtualIp vip, long until) {
    Long t = held.get(vip);
    if (t != null && t == until) {
      held.remove(vip);
      mark(vip, false);
      sim.addressChanged(node, vip, false, "lease expired");
    }
  }

  @Override
  public void release(VirtualIp vip) throws BackendException {
    check(vip);
    remove(vip, "released");
  }

  @Override
  public void announce(VirtualIp vip) throws BackendException {
    check(vip);
    sim.announced(node, vip);
  }

  @Override
  public Set<HostAddress> list(Set<String> ifaces) throws BackendException {
    fail();
    Set<HostAddress> out = new HashSet<>();
    for (VirtualIp v : held.keySet()) {
      if (ifaces.contains(v.interfaceName())) {
        out.add(HostAddress.of(v));
      }
    }
    return out;
  }

  private void check(VirtualIp vip) throws BackendException {
    fail();
    if (!interfaces.contains(vip.interfaceName())) {
      throw new BackendException(BackendException.Kind.NO_SUCH_INTERFACE, "interface "
          + vip.interfaceName() + " does not exist on " + node.id());
    }
  }

  private void fail() throws BackendException {
    BackendException f = failure;
    if (f != null) {
      throw f;
    }
  }

  /** Where the node's processes keep their state. */
  StateStore stateStore() {
    return store;
  }

  void failWith(@Nullable BackendException error) {
    this.failure = error;
  }

  boolean failing() {
    return failure != null;
  }

  /** Whether the host holds the group's VIP with index {@code vipIndex}. */
  boolean holds(int vipIndex) {
    return holding[vipIndex];
  }

  boolean holds(VirtualIp vip) {
    Integer i = index.get(vip);
    return i != null ? holding[i] : held.containsKey(vip);
  }

  Set<VirtualIp> holdings() {
    return Set.copyOf(held.keySet());
  }

  void addByHand(VirtualIp vip) {
    mark(vip, true);
    if (held.put(vip, Long.MAX_VALUE) == null) {
      sim.addressChanged(node, vip, true, "added by hand");
    }
  }

  boolean remove(VirtualIp vip, String why) {
    if (held.remove(vip) != null) {
      mark(vip, false);
      sim.addressChanged(node, vip, false, why);
      return true;
    }
    return false;
  }

  void clear(String why) {
    for (VirtualIp v : new ArrayList<>(held.keySet())) {
      remove(v, why);
    }
  }
}
