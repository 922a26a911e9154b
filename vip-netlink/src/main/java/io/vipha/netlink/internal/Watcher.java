package io.vipha.netlink.internal;

import io.vipha.spi.AddressBackend;
import io.vipha.spi.BackendException;
import io.vipha.spi.Cancellable;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadFactory;

/**
 * Watches a NETLINK_ROUTE socket subscribed to the link, IPv4 address and IPv6 address groups
 * and reports to a {@link AddressBackend.Listener} from its own daemon thread: a link whose
 * up/down state changed, or removed (down); addresses changed on an interface. When the kernel
 * drops events because the socket buffer overflowed (ENOBUFS), it re-reads every link and reports
 * what changed, plus an address change on every interface.
 */
public final class Watcher implements Cancellable {
  private static final int GROUPS = Nl.RTMGRP_LINK | Nl.RTMGRP_IPV4_IFADDR
      | Nl.RTMGRP_IPV6_IFADDR;

  private final NetlinkSocket socket;
  private final Rtnl rtnl;
  private final AddressBackend.Listener listener;
  private final MessageReader in;
  private final Map<Integer, String> names = new HashMap<>();
  private final Map<String, Boolean> up = new HashMap<>();
  private final Thread thread;
  private volatile boolean cancelled;

  private Watcher(NetlinkSocket socket, Rtnl rtnl, AddressBackend.Listener listener,
      String name, ThreadFactory threads) {
    this.socket = socket;
    this.rtnl = rtnl;
    this.listener = listener;
    this.in = new MessageReader(socket.receiveBuffer());
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
    Watcher w = new Watcher(subscribed.socket, rtnl, listener, name, threads);
    try {
      w.resync(false);
    } catch (BackendException e) {
      subscribed.socket.close();
      throw e;
    }
    w.thread.start();
    return w;
  }

  @Override
  public void cancel() {
    cancelled = true;
    if (Thread.currentThread() != thread) {
      try {
        thread.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void run() {
    try {
      while (!cancelled) {
        int n = socket.receiveOrErrno();
        if (cancelled) {
          break;
        }
        if (n == -Errno.ENOBUFS) {
          resyncQuietly();
        } else if (n > 0) {
          in.reset(n);
          try {
            while (in.next()) {
              event();
            }
          } catch (MalformedReplyException e) {
            // An unreadable event: re-read the state rather than guess.
            resyncQuietly();
          }
        } else if (n < 0 && n != -Errno.EAGAIN && n != -Errno.EINTR) {
          pause();
        }
      }
    } finally {
      socket.close();
    }
  }

  private void event() throws MalformedReplyException {
    switch (in.type()) {
      case Nl.RTM_NEWLINK -> {
        Link l = Link.decode(in);
        names.put(l.index(), l.name());
        state(l.name(), l.up());
      }
      case Nl.RTM_DELLINK -> {
        Link l = Link.decode(in);
        names.remove(l.index());
        up.remove(l.name());
        report(l.name(), false);
      }
      case Nl.RTM_NEWADDR, Nl.RTM_DELADDR -> {
        in.requirePayload(Nl.IFADDRMSG, "ifaddrmsg");
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
    for (Link l : rtnl.links()) {
      seen.put(l.index(), l.name());
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
