package io.vipha.testing;

import io.vipha.Lease;
import io.vipha.VirtualIp;
import io.vipha.spi.AddressBackend;
import io.vipha.spi.BackendException;
import io.vipha.spi.Cancellable;
import io.vipha.spi.HostAddress;
import io.vipha.spi.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * One host's addresses, in memory. It honours kernel leases against the scheduler's clock (an
 * address stays for its lease and the {@linkplain #leaseOverrun() overrun} it is built with, as a
 * kernel that removes expired addresses late does), records every announcement, can be told to
 * fail, and lets a test change addresses behind the agent's back (as an operator with {@code ip
 * addr} would). Changes made by hand and links set down or up are reported to {@linkplain #watch
 * watchers} at once, on the caller's thread. Its addresses may be read ({@link #holds}, {@link
 * #addresses}) from a test's thread while an agent's own event loop thread changes them.
 */
public final class InMemoryBackend implements AddressBackend {
  /** One announcement sent. */
  public record Announcement(long at, VirtualIp vip) {}

  private final Scheduler clock;
  private final Set<String> interfaces;
  private final Duration overrun;
  /** The addresses held, each with its lease's end ({@link Long#MAX_VALUE}: no lease). */
  private final List<Slot> slots = new ArrayList<>();
  /** What {@link #list} returned last, for which interfaces, and whether it is still true. */
  private @Nullable Set<HostAddress> listed;
  private @Nullable Set<String> listedFor;
  private boolean listedStale = true;
  private final List<Announcement> announcements = new ArrayList<>();
  private final Set<String> linksDown = new TreeSet<>();
  private final List<Listener> watchers = new CopyOnWriteArrayList<>();
  private @Nullable BackendException failure;
  private @Nullable BackendException announceFailure;
  private int calls;
  private final AtomicInteger warmTakes = new AtomicInteger();

  /** A host with the given interfaces, leases timed by {@code clock}. */
  public InMemoryBackend(Scheduler clock, Set<String> interfaces) {
    this(clock, interfaces, Duration.ZERO);
  }

  /**
   * A host with the given interfaces that removes an address {@code leaseOverrun} after its lease
   * ends (a model of the Linux kernel, which removes expired addresses up to about a second
   * late), and says so in {@link #leaseOverrun()}.
   */
  public InMemoryBackend(Scheduler clock, Set<String> interfaces, Duration leaseOverrun) {
    if (leaseOverrun.isNegative()) {
      throw new IllegalArgumentException("leaseOverrun must not be negative: " + leaseOverrun);
    }
    this.clock = clock;
    this.interfaces = Set.copyOf(interfaces);
    this.overrun = leaseOverrun;
  }

  /** A host with interface {@code eth0}. */
  public InMemoryBackend(Scheduler clock) {
    this(clock, Set.of("eth0"));
  }

  @Override
  public synchronized void assign(VirtualIp vip, Lease lease) throws BackendException {
    check(vip);
    long until = lease.isForever() ? Long.MAX_VALUE : clock.nanoTime()
        + java.util.Objects.requireNonNull(lease.duration()).toNanos() + overrun.toNanos();
    expire();
    // (A renewal of an address as it is changes its lease only: nothing allocated.)
    int i = find(vip);
    if (i >= 0 && slots.get(i).address.prefixLength() == vip.prefixLength()) {
      slots.get(i).until = until;
      return;
    }
    remove(vip);
    slots.add(new Slot(HostAddress.of(vip), until));
    listedStale = true;
  }

  /** How long after its lease ends this host still holds an address (zero unless built so). */
  @Override
  public Duration leaseOverrun() {
    return overrun;
  }

  /** Counts the call ({@link #warmTakes}); changes nothing, as the contract asks. */
  @Override
  public void warmTake(VirtualIp vip) {
    warmTakes.incrementAndGet();
  }

  @Override
  public synchronized void release(VirtualIp vip) throws BackendException {
    check(vip);
    remove(vip);
  }

  @Override
  public synchronized void announce(VirtualIp vip) throws BackendException {
    check(vip);
    BackendException f = announceFailure;
    if (f != null) {
      throw f;
    }
    announcements.add(new Announcement(clock.nanoTime(), vip));
  }

  /**
   * The addresses on {@code ifaces}; the same set as last time while they and {@code ifaces}
   * are unchanged, so that an agent's periodic reconcile allocates nothing here.
   */
  @Override
  public synchronized Set<HostAddress> list(Set<String> ifaces) throws BackendException {
    calls++;
    fail();
    expire();
    Set<HostAddress> out = listed;
    if (out != null && !listedStale && ifaces == listedFor) { // (identity: no iterator)
      return out;
    }
    Set<HostAddress> found = new HashSet<>();
    for (Slot slot : slots) {
      if (ifaces.contains(slot.address.interfaceName())) {
        found.add(slot.address);
      }
    }
    out = Collections.unmodifiableSet(found);
    listed = out;
    listedFor = ifaces;
    listedStale = false;
    return out;
  }

  /** An address held, and when its lease ends. */
  private static final class Slot {
    final HostAddress address;
    long until;

    Slot(HostAddress address, long until) {
      this.address = address;
      this.until = until;
    }
  }

  /** The index of the slot that holds {@code vip} (any prefix), or -1. */
  private int find(VirtualIp vip) {
    for (int i = 0; i < slots.size(); i++) {
      if (slots.get(i).address.matches(vip)) {
        return i;
      }
    }
    return -1;
  }

  private void remove(VirtualIp vip) {
    for (int i = slots.size() - 1; i >= 0; i--) {
      if (slots.get(i).address.matches(vip)) {
        slots.remove(i);
        listedStale = true;
      }
    }
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
    for (int i = slots.size() - 1; i >= 0; i--) {
      if (slots.get(i).until <= now) {
        slots.remove(i);
        listedStale = true;
      }
    }
  }

  /** Makes every later call throw {@code error} until {@link #heal()}. */
  public void failWith(BackendException error) {
    this.failure = error;
  }

  /**
   * Makes every later announcement throw {@code error} until {@link #heal()}, as a host without
   * CAP_NET_RAW refuses them, while addresses still change.
   */
  public void failAnnouncementsWith(BackendException error) {
    this.announceFailure = error;
  }

  /** Stops failing. */
  public void heal() {
    this.failure = null;
    this.announceFailure = null;
  }

  /** Whether the host holds {@code vip} now (leases honoured). */
  public synchronized boolean holds(VirtualIp vip) {
    expire();
    return find(vip) >= 0;
  }

  /** Every address the host holds now. */
  public synchronized Set<HostAddress> addresses() {
    expire();
    Set<HostAddress> out = new HashSet<>();
    for (Slot slot : slots) {
      out.add(slot.address);
    }
    return Collections.unmodifiableSet(out);
  }

  /** Adds an address behind the agent's back, with no lease. */
  public void addByHand(VirtualIp vip) {
    synchronized (this) {
      HostAddress a = HostAddress.of(vip);
      for (int i = slots.size() - 1; i >= 0; i--) {
        if (slots.get(i).address.equals(a)) {
          slots.remove(i);
        }
      }
      slots.add(new Slot(a, Long.MAX_VALUE));
      listedStale = true;
    }
    addressesChanged(vip.interfaceName());
  }

  /** Removes an address behind the agent's back. */
  public void removeByHand(VirtualIp vip) {
    synchronized (this) {
      remove(vip);
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
    slots.clear();
    listedStale = true;
  }

  /** Every announcement sent so far. */
  public List<Announcement> announcements() {
    return Collections.unmodifiableList(announcements);
  }

  /** Calls made so far. */
  public int calls() {
    return calls;
  }

  /** {@linkplain #warmTake Warm takes} asked for so far (not counted in {@link #calls}). */
  public int warmTakes() {
    return warmTakes.get();
  }
}
