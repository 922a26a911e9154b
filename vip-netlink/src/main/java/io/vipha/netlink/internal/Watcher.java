package io.vipha.netlink.internal;

import io.vipha.VirtualIp;
import io.vipha.spi.AddressBackend;
import io.vipha.spi.BackendException;
import io.vipha.spi.Cancellable;
import io.vipha.spi.HostAddress;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import org.jspecify.annotations.Nullable;

/**
 * Watches a NETLINK_ROUTE socket subscribed to the link, IPv4 address and IPv6 address groups
 * and reports to a {@link AddressBackend.Listener}: a link whose up/down state changed, or
 * removed (down); addresses changed on an interface. When the kernel drops events because the
 * socket buffer overflowed (ENOBUFS), it re-reads every link and reports what changed, plus an
 * address change on every interface.
 *
 * <p>It also keeps every link as last reported (index and hardware address), for {@link
 * #link}, and every address, for {@link #addresses}; only a change of the set of addresses is
 * reported, not an event that changes none (a renewal's new lifetimes, a flag). Events are read
 * by its daemon thread, or by a caller of {@link #link} or {@link #addresses}, which first reads
 * what is queued: one reader at a time, so the listener hears the events in order, one at a
 * time, from either thread.
 */
public final class Watcher implements Cancellable {
  private static final int GROUPS = Nl.RTMGRP_LINK | Nl.RTMGRP_IPV4_IFADDR
      | Nl.RTMGRP_IPV6_IFADDR;
  /** The interface index of a rehearsal's made-up reports (no link has it). */
  private static final int SHADOW_INDEX = Integer.MAX_VALUE;
  private static final String SHADOW_NAME = "vipha-rehearsal";

  private final NetlinkSocket socket;
  private final Rtnl rtnl;
  private final AddressBackend.Listener listener;
  private final MessageReader in;
  private final Map<Integer, String> names = new HashMap<>();
  private final Map<String, Boolean> up = new HashMap<>();
  /** Every link by name, as last reported. */
  private final Map<String, Link> links = new HashMap<>();
  /** Every address, as last reported. */
  private final AddressTable table = new AddressTable();
  private final AddressBytes addressBytes = new AddressBytes();
  /** Counts the changes of {@link #names}. */
  private long namesVersion;
  /** What {@link #addresses} returned last: for which interfaces, at which versions. */
  private @Nullable Set<HostAddress> listed;
  private @Nullable Set<String> listedFor;
  private long listedAt = -1;
  private long listedNamesAt = -1;
  /**
   * Held by whoever reads events (the thread or a caller of {@link #link}, {@link #addresses} or
   * {@link #added}); guards the maps and the table. Contended at every renewal (the thread reads
   * the event the caller's change made), so it allocates nothing when contended.
   */
  private final SpinLock reading = new SpinLock();
  private final Thread thread;
  private volatile boolean cancelled;
  private boolean closed;

  private Watcher(NetlinkSocket socket, Rtnl rtnl, AddressBackend.Listener listener,
      String name, ThreadFactory threads) {
    this(socket, rtnl, listener, name, threads, socket.receiveBuffer());
  }

  /** A watcher that reads its events from {@code events} (a rehearsal's shadow: made up). */
  private Watcher(NetlinkSocket socket, Rtnl rtnl, AddressBackend.Listener listener,
      String name, ThreadFactory threads, ByteBuffer events) {
    this.socket = socket;
    this.rtnl = rtnl;
    this.listener = listener;
    this.in = new MessageReader(events);
    this.thread = threads.newThread(this::run);
    thread.setName("vipha-netlink-watch" + name);
    thread.setDaemon(true);
  }

  /** Opens the subscribed socket in the calling thread's network namespace. */
  public static NetlinkSocketHolder subscribe() throws BackendException {
    return subscribe(4 * 1024 * 1024);
  }

  /** The same with a receive buffer of {@code kernelBuffer} bytes (small ones in tests). */
  static NetlinkSocketHolder subscribe(int kernelBuffer) throws BackendException {
    return new NetlinkSocketHolder(new NetlinkSocket(GROUPS, kernelBuffer, 200));
  }

  /** A subscribed socket, opened before the first link dump so that no change falls between. */
  public static final class NetlinkSocketHolder {
    final NetlinkSocket socket;

    NetlinkSocketHolder(NetlinkSocket socket) {
      this.socket = socket;
    }
  }

  /**
   * Reports every link's state, then starts the thread that reports changes, made by {@code
   * threads}.
   */
  public static Watcher start(NetlinkSocketHolder subscribed, Rtnl rtnl,
      AddressBackend.Listener listener, String name, ThreadFactory threads)
      throws BackendException {
    Watcher w = unstarted(subscribed, rtnl, listener, name, threads);
    w.thread.start();
    return w;
  }

  /** {@link #start} without the thread (for tests: events are read by {@link #link} only). */
  static Watcher unstarted(NetlinkSocketHolder subscribed, Rtnl rtnl,
      AddressBackend.Listener listener, String name, ThreadFactory threads)
      throws BackendException {
    Watcher w = new Watcher(subscribed.socket, rtnl, listener, name, threads);
    try {
      w.reading.lock();
      try {
        w.resync(false);
      } finally {
        w.reading.unlock();
      }
    } catch (BackendException e) {
      subscribed.socket.close();
      throw e;
    }
    return w;
  }

  @Override
  public void cancel() {
    cancelled = true;
    if (thread.getState() == Thread.State.NEW) {
      close();
    } else if (Thread.currentThread() != thread) {
      try {
        thread.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void close() {
    reading.lock();
    try {
      closed = true;
      socket.close();
    } finally {
      reading.unlock();
    }
  }

  /**
   * The link named {@code name} as the kernel last reported it, once the events queued so far
   * are read (waiting while the thread reads them); null when there is no such link or this
   * watcher is cancelled (then the caller asks the kernel itself).
   */
  public @Nullable Link link(String name) {
    Link l = lockLink(name);
    if (l != null) {
      unlockLink();
    }
    return l;
  }

  /**
   * {@link #link}, but the reading stays held when a link is returned, so that this watcher reads
   * nothing until the caller's {@link #unlockLink}: a take-over adds an address and announces it
   * with the link read once, before the thread reads the report of that add. Null (and nothing
   * held) when there is no such link or this watcher is cancelled.
   */
  public @Nullable Link lockLink(String name) {
    if (cancelled) {
      return null;
    }
    reading.lock();
    Link l = null;
    try {
      l = readFirst() ? links.get(name) : null;
      return l;
    } finally {
      if (l == null) {
        reading.unlock();
      }
    }
  }

  /** Ends the hold of a {@link #lockLink} that returned a link. */
  public void unlockLink() {
    reading.unlock();
  }

  /**
   * The watch's side of the take-over rehearsal at start. A backup's watch thread otherwise
   * handles its first address report at a failover, that of its own add, in code that has not
   * run, while the loop waits for it to read the link and announce. Up to {@code rounds} times
   * within {@code budgetNanos}, a shadow watcher reads a link as an assign or announcement does
   * (through its lock, after reading what is queued on a socket of its own that joined no group,
   * so nothing) and handles a made-up report of 192.0.2.1/24 added and removed on an interface
   * index no link has. The shadow has its own socket, maps, address table, lock and listener (one
   * that counts); no real watcher, event or listener is touched. Returns the rounds in which the
   * shadow reported both changes (0 if its socket cannot be opened).
   */
  public static int rehearse(Rtnl rtnl, int rounds, long budgetNanos) {
    NetlinkSocket quiet;
    try {
      quiet = new NetlinkSocket(0, 4096, 200);
    } catch (BackendException e) {
      return 0;
    }
    try {
      MessageWriter w = new MessageWriter(256);
      byte[] a = {(byte) 192, 0, 2, 1};
      w.begin(Nl.RTM_NEWADDR, 0, 0).ifaddrmsg(Nl.AF_INET, 24, 0, Nl.RT_SCOPE_UNIVERSE,
          SHADOW_INDEX).attr(Nl.IFA_LOCAL, a).attr(Nl.IFA_ADDRESS, a).attrU32(Nl.IFA_FLAGS, 0)
          .cacheInfo(10, 10).end();
      w.begin(Nl.RTM_DELADDR, 0, 0).ifaddrmsg(Nl.AF_INET, 24, 0, Nl.RT_SCOPE_UNIVERSE,
          SHADOW_INDEX).attr(Nl.IFA_LOCAL, a).attr(Nl.IFA_ADDRESS, a).end();
      int n = w.size();
      int[] reported = new int[1];
      AddressBackend.Listener counts = new AddressBackend.Listener() {
        @Override
        public void addressesChanged(String interfaceName) {
          reported[0]++;
        }

        @Override
        public void linkChanged(String interfaceName, boolean up) {}
      };
      Watcher shadow = new Watcher(quiet, rtnl, counts, "-rehearsal", Thread::new, w.buffer());
      shadow.names.put(SHADOW_INDEX, SHADOW_NAME);
      long deadline = System.nanoTime() + budgetNanos;
      for (int i = 0; i < rounds && System.nanoTime() - deadline < 0; i++) {
        shadow.link(SHADOW_NAME);
        shadow.reading.lock();
        try {
          shadow.in.reset(n);
          while (shadow.in.next()) {
            shadow.event();
          }
        } catch (MalformedReplyException e) {
          break; // (cannot happen: the reports are well formed)
        } finally {
          shadow.reading.unlock();
        }
      }
      return reported[0] / 2;
    } finally {
      quiet.close();
    }
  }

  /**
   * The addresses on {@code interfaces} as the kernel last reported them, once the events queued
   * so far are read (so never older than the last change the kernel made before this call); the
   * same unmodifiable set as last time while neither they nor {@code interfaces} changed. Null
   * when this watcher is cancelled (the caller then asks the kernel).
   */
  public @Nullable Set<HostAddress> addresses(Set<String> interfaces) {
    if (cancelled) {
      return null;
    }
    reading.lock();
    try {
      if (!readFirst()) {
        return null;
      }
      Set<HostAddress> out = listed;
      if (out != null && listedAt == table.version() && listedNamesAt == namesVersion
          && (interfaces == listedFor || interfaces.equals(listedFor))) {
        return out;
      }
      Map<Integer, String> wanted = new HashMap<>();
      for (Map.Entry<Integer, String> e : names.entrySet()) {
        if (interfaces.contains(e.getValue())) {
          wanted.put(e.getKey(), e.getValue());
        }
      }
      out = Set.copyOf(table.list(wanted));
      listed = out;
      listedFor = interfaces;
      listedAt = table.version();
      listedNamesAt = namesVersion;
      return out;
    } finally {
      reading.unlock();
    }
  }

  /**
   * Records that the kernel acknowledged adding {@code vip} on link {@code index}, so that a
   * listing made right after the add shows it: the kernel reports a new IPv6 address from a work
   * queue, once duplicate address detection has begun, which may be after the acknowledgement
   * (an IPv4 address is reported before it, so the backend records IPv6 addresses only). Reports
   * nothing (the change is the caller's own).
   */
  public void added(int index, VirtualIp vip) {
    if (cancelled) {
      return;
    }
    reading.lock();
    try {
      if (!closed) {
        table.put(index, vip.address(), addressBytes.of(vip.address()), vip.prefixLength());
      }
    } finally {
      reading.unlock();
    }
  }

  /**
   * With {@link #reading} held: reads the events queued (unless called from a listener, inside
   * the reading); false when this watcher is closed.
   */
  private boolean readFirst() {
    if (closed) {
      return false;
    }
    if (reading.holdCount() == 1) {
      readQueued(false);
    }
    return true;
  }

  private void run() {
    try {
      while (!cancelled) {
        int n = socket.awaitOrErrno();
        if (cancelled) {
          break;
        }
        if (n > 0 || n == -Errno.ENOBUFS) { // (the wait took the error: resync below)
          reading.lock();
          try {
            readQueued(n == -Errno.ENOBUFS);
          } finally {
            reading.unlock();
          }
        } else if (n < 0 && n != -Errno.EAGAIN && n != -Errno.EINTR) {
          pause();
        }
      }
    } finally {
      close();
    }
  }

  /**
   * Reads and handles every event queued, without waiting; then, after an overflow or an
   * unreadable event ({@code resync} or met here), re-reads the state rather than guess. With
   * {@link #reading} held.
   */
  private void readQueued(boolean resync) {
    boolean again = resync;
    while (true) {
      int n = socket.receiveNowOrErrno();
      if (n == -Errno.ENOBUFS) {
        again = true;
        continue;
      }
      if (n <= 0) {
        break;
      }
      in.reset(n);
      try {
        while (in.next()) {
          event();
        }
      } catch (MalformedReplyException e) {
        again = true;
      }
    }
    if (again) {
      resyncQuietly();
    }
  }

  private void event() throws MalformedReplyException {
    switch (in.type()) {
      case Nl.RTM_NEWLINK -> {
        Link l = Link.decode(in);
        String was = names.put(l.index(), l.name());
        if (was != null && !was.equals(l.name())) {
          links.remove(was); // renamed
        }
        if (!l.name().equals(was)) {
          namesVersion++;
        }
        links.put(l.name(), l);
        state(l.name(), l.up());
      }
      case Nl.RTM_DELLINK -> {
        Link l = Link.decode(in);
        names.remove(l.index());
        namesVersion++;
        links.remove(l.name());
        up.remove(l.name());
        report(l.name(), false);
      }
      case Nl.RTM_NEWADDR, Nl.RTM_DELADDR -> {
        if (!table.apply(in, in.type() == Nl.RTM_NEWADDR)) {
          return; // no address added or removed: new lifetimes or flags
        }
        int index = in.i32(4);
        String name = names.get(index);
        if (name == null) {
          resyncQuietly();
          name = names.get(index);
        }
        if (name != null) {
          addresses(name);
        }
      }
      default -> { }
    }
  }

  private void state(String name, boolean now) {
    Boolean was = up.put(name, now);
    if (was == null || was != now) {
      report(name, now);
    }
  }

  /** Re-reads the links; reports changed ones (all when {@code addresses}, also addresses). */
  private void resync(boolean addresses) throws BackendException {
    Map<Integer, String> seen = new HashMap<>();
    List<Link> now = rtnl.links();
    links.clear();
    for (Link l : now) {
      seen.put(l.index(), l.name());
      links.put(l.name(), l);
      if (!addresses && !up.containsKey(l.name())) {
        up.put(l.name(), l.up());
        report(l.name(), l.up());
      } else {
        state(l.name(), l.up());
      }
    }
    for (String gone : names.values()) {
      if (!seen.containsValue(gone) && up.remove(gone) != null) {
        report(gone, false);
      }
    }
    names.clear();
    names.putAll(seen);
    namesVersion++;
    table.reset(rtnl.addresses());
    if (addresses) {
      for (String name : seen.values()) {
        addresses(name);
      }
    }
  }

  private void resyncQuietly() {
    try {
      resync(true);
    } catch (BackendException e) {
      pause();
    }
  }

  private void report(String name, boolean isUp) {
    try {
      listener.linkChanged(name, isUp);
    } catch (RuntimeException e) {
      listenerFailed(e);
    }
  }

  private void addresses(String name) {
    try {
      listener.addressesChanged(name);
    } catch (RuntimeException e) {
      listenerFailed(e);
    }
  }

  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A listener threw: report it as an uncaught exception would be, and keep watching. */
  private void listenerFailed(RuntimeException e) {
    thread.getUncaughtExceptionHandler().uncaughtException(thread, e);
  }
}
