package io.vipha.agent;

import io.vipha.internal.Addresses;
import io.vipha.spi.DatagramTransport;
import io.vipha.spi.Scheduler;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heartbeats over UDP: unicast from a bound address, optionally joined to a multicast group. A
 * receiver thread reads datagrams into a ring of reused buffers that the agent's event loop
 * drains.
 *
 * <p>A unicast transport ({@link #UdpTransport(InetSocketAddress)}) binds exactly the given
 * address. A multicast transport ({@link #multicast(InetSocketAddress, String)}) binds the
 * wildcard address on the group's port with {@code SO_REUSEADDR}, joins the group on one named
 * interface, sends its multicast through that interface ({@code IP_MULTICAST_IF}, or the IPv6
 * equivalent for groups such as {@code ff02::/16}) and still receives unicast on that port, so
 * with multicast every node's heartbeat port must be the group's port. Multicast loopback is left
 * at the system default (on): a node receives its own multicast heartbeats, which the {@link
 * HeartbeatCoordinator} ignores.
 *
 * <p>The receiver thread is made by a {@link ThreadFactory} when one is given ({@link
 * #UdpTransport(InetSocketAddress, ThreadFactory)}, {@link #multicast(InetSocketAddress, String,
 * ThreadFactory)}), e.g. to run it at a real-time priority; the transport names it {@code
 * vipha-udp-ADDRESS} and makes it a daemon thread.
 */
public final class UdpTransport implements DatagramTransport {
  private static final Logger LOG = LoggerFactory.getLogger(UdpTransport.class);
  private static final int MAX_DATAGRAM = 65_507;

  private final InetSocketAddress bind;
  private final @Nullable InetAddress multicastGroup;
  private final @Nullable String multicastInterface;
  private final Selecting selecting;
  private final ThreadFactory threads;
  private final AtomicLong sendErrors = new AtomicLong();
  private @Nullable DatagramChannel channel;
  private @Nullable Selector selector;
  private @Nullable Thread reader;
  private @Nullable InetSocketAddress local;
  /** Destinations sent to so far; touched by the sending thread (the loop) only. */
  private final Set<InetSocketAddress> destinations = new HashSet<>();
  private final Object peerLock = new Object();
  /** Channels connected to peers, for the receiver thread to take up; guarded by peerLock. */
  private final List<Peer> newPeers = new ArrayList<>();
  /** Whether the receiver thread has ended; guarded by peerLock. */
  private boolean readerDone;
  private final ByteBuffer out = ByteBuffer.allocateDirect(MAX_DATAGRAM);

  /**
   * Unicast on {@code bind}: the socket is bound to exactly that address and port.
   *
   * @param bind the local address and port to bind
   */
  public UdpTransport(InetSocketAddress bind) {
    this(bind, Thread::new, Selecting.SYSTEM);
  }

  /**
   * Unicast on {@code bind}, the receiver thread made by {@code receiverThreads}.
   *
   * @param bind the local address and port to bind
   * @param receiverThreads makes the receiver thread when the transport is opened
   */
  public UdpTransport(InetSocketAddress bind, ThreadFactory receiverThreads) {
    this(bind, Objects.requireNonNull(receiverThreads, "receiverThreads"), Selecting.SYSTEM);
  }

  /** Unicast on {@code bind}, its receiver's selector opened and waited on by {@code selecting}. */
  UdpTransport(InetSocketAddress bind, Selecting selecting) {
    this(bind, Thread::new, selecting);
  }

  private UdpTransport(InetSocketAddress bind, ThreadFactory receiverThreads,
      Selecting selecting) {
    this.bind = bind;
    this.multicastGroup = null;
    this.multicastInterface = null;
    this.threads = receiverThreads;
    this.selecting = selecting;
  }

  /**
   * How the receiver thread opens its selector and waits on it: the system's way ({@link
   * #SYSTEM}), or in tests one that fails or holds the thread on demand.
   */
  interface Selecting {
    Selecting SYSTEM = new Selecting() {};

    default Selector open() throws IOException {
      return Selector.open();
    }

    default void select(Selector sel, Consumer<SelectionKey> ready) throws IOException {
      sel.select(ready);
    }
  }

  private UdpTransport(InetSocketAddress group, String interfaceName,
      ThreadFactory receiverThreads) {
    InetAddress g = group.getAddress();
    if (g == null || !g.isMulticastAddress()) {
      throw new IllegalArgumentException(group + " is not a multicast group address");
    }
    if (interfaceName.isBlank()) {
      throw new IllegalArgumentException("multicast needs the name of the network interface to"
          + " join " + group + " on, e.g. eth0; got an empty name");
    }
    this.bind = new InetSocketAddress(wildcard(g), group.getPort());
    this.multicastGroup = g;
    this.multicastInterface = interfaceName;
    this.selecting = Selecting.SYSTEM;
    this.threads = Objects.requireNonNull(receiverThreads, "receiverThreads");
  }

  /**
   * Multicast and unicast on the group's port: binds the wildcard address on {@code
   * group.getPort()} (with {@code SO_REUSEADDR}), joins {@code group} on the interface named
   * {@code interfaceName} and sends multicast through that interface. Unicast datagrams to any
   * local address on that port are received too.
   *
   * <p>The interface is looked up when the transport is opened; {@link #open} fails with an
   * {@link IOException} naming the interfaces that exist when there is none by that name.
   *
   * @param group the multicast group and port, e.g. {@code 239.255.86.1:7405} or {@code
   *     [ff02::86]:7405}
   * @param interfaceName the network interface to join the group on, e.g. {@code eth0}
   * @return a transport, not yet open
   * @throws IllegalArgumentException when {@code group} is not a multicast address or the name
   *     is empty
   */
  public static UdpTransport multicast(InetSocketAddress group, String interfaceName) {
    return new UdpTransport(group, interfaceName, Thread::new);
  }

  /**
   * {@link #multicast(InetSocketAddress, String)}, the receiver thread made by {@code
   * receiverThreads}.
   */
  public static UdpTransport multicast(InetSocketAddress group, String interfaceName,
      ThreadFactory receiverThreads) {
    return new UdpTransport(group, interfaceName, receiverThreads);
  }

  private static InetAddress wildcard(InetAddress like) {
    try {
      return InetAddress.getByAddress(new byte[like instanceof Inet6Address ? 16 : 4]);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * The network interface called {@code name}.
   *
   * @throws IOException when there is none; the message names {@code name} and lists the
   *     interfaces that exist
   */
  static NetworkInterface interfaceNamed(String name) throws IOException {
    NetworkInterface nif = NetworkInterface.getByName(name);
    if (nif != null) {
      return nif;
    }
    String known;
    try {
      known = NetworkInterface.networkInterfaces().map(NetworkInterface::getName).sorted()
          .collect(Collectors.joining(", "));
    } catch (IOException e) {
      known = "(cannot list them: " + e.getMessage() + ")";
    }
    throw new IOException("no network interface named \"" + name + "\" to join the multicast"
        + " group on; this host has: " + (known.isEmpty() ? "(none)" : known));
  }

  /**
   * Binds the socket, joins the multicast group if there is one, and starts the receiver thread.
   *
   * @throws IOException when the interface does not exist, the address cannot be bound (not
   *     configured on this host, or the port in use) or the group cannot be joined
   */
  @Override
  public void open(Scheduler loop, Receiver receiver) throws IOException {
    InetAddress g = multicastGroup;
    String ifName = multicastInterface;
    NetworkInterface nif = ifName == null ? null : interfaceNamed(ifName);
    DatagramChannel ch = DatagramChannel.open(bind.getAddress() instanceof Inet6Address
        ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
    try {
      ch.setOption(StandardSocketOptions.SO_REUSEADDR, g != null);
      ch.bind(bind);
      if (g == null) {
        // Bound alone, so a port in use fails above; now the channels connected to each peer
        // may share the port.
        ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      }
    } catch (IOException e) {
      ch.close();
      throw new IOException("cannot bind the heartbeat socket to " + Addresses.text(bind)
          + ": " + e.getMessage()
          + (g == null ? " (is the address configured on this host and the port free?)"
              : " (is the port free?)"), e);
    }
    if (g != null && nif != null) {
      try {
        ch.join(g, nif);
        ch.setOption(StandardSocketOptions.IP_MULTICAST_IF, nif);
      } catch (IOException | RuntimeException e) {
        ch.close();
        throw new IOException("cannot join multicast group " + Addresses.text(g) + " on "
            + nif.getName() + ": " + e.getMessage() + " (is the interface up and does it"
            + " support multicast?)", e);
      }
    }
    Selector sel;
    try {
      ch.configureBlocking(false);
      sel = selecting.open();
      ch.register(sel, SelectionKey.OP_READ);
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    local = (InetSocketAddress) ch.getLocalAddress();
    selector = sel;
    channel = ch;
    Inbox inbox = new Inbox(loop, receiver);
    Thread t = threads.newThread(() -> readLoop(sel, ch, inbox));
    t.setName("vipha-udp-" + bind);
    t.setDaemon(true);
    reader = t;
    t.start();
  }

  /** A channel connected to one peer's heartbeat address, which it receives from. */
  private record Peer(InetSocketAddress address, DatagramChannel channel) {}

  /**
   * The first time a unicast transport sends to {@code to}, it opens a channel bound to its own
   * address and connected to {@code to}: the kernel hands that channel the datagrams from {@code
   * to}, which it reads without decoding a sender address (with more than one peer, {@link
   * DatagramChannel#receive} makes new address objects for nearly every datagram). Anything else
   * still arrives on the main channel. Not done with multicast, whose datagrams would then arrive
   * twice.
   */
  private void connect(InetSocketAddress to) {
    InetSocketAddress from = local;
    Selector sel = selector;
    InetAddress a = to.getAddress();
    if (from == null || sel == null || multicastGroup != null || a == null
        || a.isMulticastAddress() || (a instanceof Inet6Address)
            != (from.getAddress() instanceof Inet6Address)) {
      return;
    }
    DatagramChannel c = null;
    try {
      c = DatagramChannel.open(a instanceof Inet6Address
          ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
      c.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      c.bind(from);
      c.connect(to);
      c.configureBlocking(false);
      synchronized (peerLock) {
        if (!readerDone) {
          newPeers.add(new Peer(to, c));
          c = null;
        }
      }
      sel.wakeup();
    } catch (IOException | RuntimeException e) {
      LOG.debug("heartbeats from {} arrive on the main channel: {}", to, e.toString());
    } finally {
      closeQuietly(c);
    }
  }

  private static void closeQuietly(@Nullable Channel c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException e) {
        LOG.debug("closing a heartbeat channel: {}", e.toString());
      }
    }
  }

  private void readLoop(Selector sel, DatagramChannel main, Inbox inbox) {
    ByteBuffer in = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    Consumer<SelectionKey> ready = key -> readReady(key, in, inbox);
    try {
      while (main.isOpen()) {
        synchronized (peerLock) {
          for (int i = 0; i < newPeers.size(); i++) {
            Peer p = newPeers.get(i);
            try {
              p.channel().register(sel, SelectionKey.OP_READ, p.address());
            } catch (ClosedChannelException e) {
              LOG.debug("heartbeats from {} arrive on the main channel: {}", p.address(), e);
            }
          }
          newPeers.clear();
        }
        selecting.select(sel, ready);
      }
    } catch (IOException e) {
      LOG.warn("heartbeat receiving stopped: {}", e.toString());
    } catch (ClosedSelectorException | RejectedExecutionException e) {
      // closed, or the loop is
    } finally {
      synchronized (peerLock) {
        readerDone = true;
        for (int i = 0; i < newPeers.size(); i++) {
          closeQuietly(newPeers.get(i).channel());
        }
        newPeers.clear();
      }
      for (SelectionKey k : sel.keys()) {
        closeQuietly(k.channel());
      }
      try {
        sel.close();
      } catch (IOException e) {
        LOG.debug("closing the heartbeat selector: {}", e.toString());
      }
    }
  }

  /** Hands every datagram waiting on {@code key}'s channel to the inbox. */
  private static void readReady(SelectionKey key, ByteBuffer in, Inbox inbox) {
    DatagramChannel ch = (DatagramChannel) key.channel();
    Object peer = key.attachment();
    try {
      while (true) {
        in.clear();
        InetSocketAddress from;
        if (peer instanceof InetSocketAddress) {
          if (ch.read(in) <= 0) {
            return;
          }
          from = (InetSocketAddress) peer;
        } else {
          SocketAddress sender = ch.receive(in);
          if (sender == null) {
            return;
          }
          if (!(sender instanceof InetSocketAddress)) {
            continue;
          }
          from = (InetSocketAddress) sender;
        }
        inbox.offer(from, in.flip());
      }
    } catch (ClosedChannelException e) {
      key.cancel();
    } catch (IOException e) {
      if (peer == null) {
        LOG.warn("heartbeat receive failed: {}", e.toString());
      } else if (LOG.isDebugEnabled()) {
        // The ICMP error of an earlier heartbeat to this peer (no one listening, no route),
        // which only a connected socket is told of: the peer's silence tells the same.
        LOG.debug("heartbeats to {} fail: {}", peer, e.toString());
      }
    }
  }

  /**
   * Datagrams on their way from the receiver thread to the loop: a ring of reused buffers (one
   * producer, one consumer) drained by one task, handed to the loop only when the ring was
   * empty. Nothing is allocated per datagram (a buffer grows once for a larger datagram); when
   * the loop falls {@value #RING} datagrams behind, newer ones are dropped and counted.
   */
  private static final class Inbox implements Runnable {
    private static final int RING = 64;
    private final Scheduler loop;
    private final Receiver receiver;
    private final byte[][] data = new byte[RING][512];
    private final int[] length = new int[RING];
    private final @Nullable InetSocketAddress[] from = new InetSocketAddress[RING];
    /** Datagrams taken by the loop; written by the loop only. */
    private final AtomicLong head = new AtomicLong();
    /** Datagrams put in; written by the receiver thread only. */
    private final AtomicLong tail = new AtomicLong();
    /** Whether the drain task is handed over and has not started yet. */
    private final AtomicBoolean handedOver = new AtomicBoolean();
    private long dropped;

    Inbox(Scheduler loop, Receiver receiver) {
      this.loop = loop;
      this.receiver = receiver;
    }

    /** On the receiver thread: copies {@code datagram} into the ring, wakes the loop if idle. */
    void offer(InetSocketAddress sender, ByteBuffer datagram) {
      long t = tail.get();
      if (t - head.get() == RING) {
        if (dropped++ % 100 == 0) {
          LOG.warn("the event loop is {} heartbeats behind: dropped {} so far", RING, dropped);
        }
        return;
      }
      int i = (int) (t % RING);
      int n = datagram.remaining();
      if (data[i].length < n) {
        data[i] = new byte[n];
      }
      datagram.get(data[i], 0, n);
      length[i] = n;
      from[i] = sender;
      tail.set(t + 1);
      if (!handedOver.getAndSet(true)) {
        loop.execute(this);
      }
    }

    /** On the loop: hands every datagram in the ring to the receiver. */
    @Override
    public void run() {
      handedOver.set(false);
      long end = tail.get();
      for (long h = head.get(); h < end; h++) {
        int i = (int) (h % RING);
        InetSocketAddress sender = Objects.requireNonNull(from[i]);
        from[i] = null;
        try {
          receiver.receive(sender, data[i], 0, length[i]);
        } catch (RuntimeException e) {
          LOG.warn("a heartbeat from {} could not be handled", sender, e);
        }
        head.set(h + 1);
      }
    }
  }

  @Override
  public void send(InetSocketAddress to, byte[] data, int offset, int length) {
    DatagramChannel ch = channel;
    if (ch == null) {
      return;
    }
    if (destinations.add(to)) {
      connect(to);
    }
    try {
      out.clear();
      out.put(data, offset, length).flip();
      ch.send(out, to);
    } catch (IOException | UnsupportedAddressTypeException e) {
      // (The second: a peer address of the other IP family than the bound one, e.g. a peer that
      // also lists an IPv6 address to a node bound to IPv4. Counted, so the other sends go on.)
      if (sendErrors.getAndIncrement() % 100 == 0) {
        LOG.warn("heartbeat send to {} failed: {}", to, e.toString());
      }
    }
  }

  /**
   * Datagrams that could not be sent.
   *
   * @return the count since this transport was made
   */
  public long sendErrors() {
    return sendErrors.get();
  }

  /** Stops the receiver thread and closes the sockets (leaving the group). */
  @Override
  public void close() {
    closeQuietly(channel);
    Thread t = reader;
    if (t != null) {
      t.interrupt(); // out of its select: it sees the channel closed and closes the rest
    }
  }
}
