package io.vipha.testing;

import io.vipha.Lease;
import io.vipha.VirtualIp;
import io.vipha.spi.AddressBackend;
import io.vipha.spi.BackendException;
import io.vipha.spi.Cancellable;
import io.vipha.spi.HostAddress;
import io.vipha.spi.Scheduler;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * One host's addresses, in memory. It honours kernel leases against the scheduler's clock,
 * records every announcement, can be told to fail, and lets a test change addresses behind the
 * agent's back (as an operator with {@code ip addr} would). Changes made by hand and links set
 * down or up are reported to {@linkplain #watch watchers} at once, on the caller's thread. Its
 * addresses may be read ({@link #holds}, {@link #addresses}) from a test's thread while an agent's
 * own event loop thread changes them.
 */
public final class InMemoryBackend implements AddressBackend {
  /** One announcement sent. */
  public record Announcement(long at, VirtualIp vip) {}

  private final Scheduler clock;
  private final Set<String> interfaces;
  private final Map<HostAddress, Long> expiry = new LinkedHashMap<>(); // NEVER = forever
  private final List<Announcement> announcements = new ArrayList<>();
  private final Set<String> linksDown = new TreeSet<>();
  private final List<Listener> watchers = new CopyOnWriteArrayList<>();
  private @Nullable BackendException failure;
  private int calls;

  /** A host with the given interfaces, leases timed by {@code clock}. */
  public InMemoryBackend(Scheduler clock, Set<String> interfaces) {
    this.clock = clock;
    this.interfaces = Set.copyOf(interfaces);
  }

  /** A host with interface {@code eth0}. */
  public InMemoryBackend(Scheduler clock) {
    this(clock, Set.of("eth0"));
  }

  @Override
  public synchronized void assign(VirtualIp vip, Lease lease) throws BackendException {
    check(vip);
    long until = lease.isForever() ? Long.MAX_VALUE
        : clock.nanoTime() + java.util.Objects.requireNonNull(lease.duration()).toNanos();
    expire();
    HostAddress a = HostAddress.of(vip);
    expiry.keySet().removeIf(h -> h.matches(vip));
    expiry.put(a, until);
  }

  @Override
  public synchronized void release(VirtualIp vip) throws BackendException {
    check(vip);
    expiry.keySet().removeIf(h -> h.matches(vip));
  }

  @Override
  public synchronized void announce(VirtualIp vip) throws BackendException {
    check(vip);
    announcements.add(new Announcement(clock.nanoTime(), vip));
  }

  @Override
  public synchronized Set<HostAddress> list(Set<String> ifaces) throws BackendException {
    calls++;
    fail();
    expire();
    Set<HostAddress> out = new HashSet<>();
    for (HostAddress a : expiry.keySet()) {
      if (ifaces.contains(a.interfaceName())) {
        out.add(a);
      }
    }
    return out;
  }

  /** Reports the links' state (every interface up unless {@link #setLink set} down), then changes. */
  @Override
  public Cancellable watch(Listener listener) throws BackendException {
    calls++;
    fail();
    watchers.add(listener);
    for (String i : new TreeSet<>(interfaces)) {
      listener.linkChanged(i, !linksDown.contains(i));
    }
    return () -> watchers.remove(listener);
  }

  private void check(VirtualIp vip) throws BackendException {
    calls++;
    fail();
    if (!interfaces.contains(vip.interfaceName())) {
      throw new BackendException(BackendException.Kind.NO_SUCH_INTERFACE, "interface "
          + vip.interfaceName() + " does not exist; this host has " + new java.util.TreeSet<>(
          interfaces));
    }
  }

  private void fail() throws BackendException {
    BackendException f = failure;
    if (f != null) {
      throw f;
    }
  }

  private void expire() {
    long now = clock.nanoTime();
    expiry.values().removeIf(t -> t <= now);
  }

  /** Makes every later call throw {@code error} until {@link #heal()}. */
  public void failWith(BackendException error) {
    this.failure = error;
  }

  /** Stops failing. */
  public void heal() {
    this.failure = null;
  }

  /** Whether the host holds {@code vip} now (leases honoured). */
  public synchronized boolean holds(VirtualIp vip) {
    expire();
    for (HostAddress a : expiry.keySet()) {
      if (a.matches(vip)) {
        return true;
      }
    }
    return false;
  }

  /** Every address the host holds now. */
  public synchronized Set<HostAddress> addresses() {
    expire();
    return Collections.unmodifiableSet(new HashSet<>(expiry.keySet()));
  }

  /** Adds an address behind the agent's back, with no lease. */
  public void addByHand(VirtualIp vip) {
    synchronized (this) {
      expiry.put(HostAddress.of(vip), Long.MAX_VALUE);
    }
    addressesChanged(vip.interfaceName());
  }

  /** Removes an address behind the agent's back. */
  public void removeByHand(VirtualIp vip) {
    synchronized (this) {
      expiry.keySet().removeIf(h -> h.matches(vip));
    }
    addressesChanged(vip.interfaceName());
  }

  /** Sets link {@code iface} up or down (a cable pulled, {@code ip link set down}). */
  public void setLink(String iface, boolean up) {
    if (up ? linksDown.remove(iface) : linksDown.add(iface)) {
      for (Listener l : watchers) {
        l.linkChanged(iface, up);
      }
    }
  }

  /** Whether link {@code iface} is up. */
  public boolean linkUp(String iface) {
    return !linksDown.contains(iface);
  }

  private void addressesChanged(String iface) {
    for (Listener l : watchers) {
      l.addressesChanged(iface);
    }
  }

  /** Removes every address, as a power-off does. */
  public synchronized void clear() {
    expiry.clear();
  }

  /** Every announcement sent so far. */
  public List<Announcement> announcements() {
    return Collections.unmodifiableList(announcements);
  }

  /** Calls made so far. */
  public int calls() {
    return calls;
  }
}
