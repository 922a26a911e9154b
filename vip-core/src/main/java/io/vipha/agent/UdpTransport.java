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
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heartbeats over UDP: unicast from a bound address, optionally joined to a multicast group. A
 * receiver thread reads datagrams and hands copies to the agent's event loop.
 *
 * <p>A unicast transport ({@link #UdpTransport(InetSocketAddress)}) binds exactly the given
 * address. A multicast transport ({@link #multicast(InetSocketAddress, String)}) binds the
 * wildcard address on the group's port with {@code SO_REUSEADDR}, joins the group on one named
 * interface, sends its multicast through that interface ({@code IP_MULTICAST_IF}, or the IPv6
 * equivalent for groups such as {@code ff02::/16}) and still receives unicast on that port, so
 * with multicast every node's heartbeat port must be the group's port. Multicast loopback is left
 * at the system default (on): a node receives its own multicast heartbeats, which the {@link
 * HeartbeatCoordinator} ignores.
 */
public final class UdpTransport implements DatagramTransport {
  private static final Logger LOG = LoggerFactory.getLogger(UdpTransport.class);
  private static final int MAX_DATAGRAM = 65_507;

  private final InetSocketAddress bind;
  private final @Nullable InetAddress multicastGroup;
  private final @Nullable String multicastInterface;
  private final AtomicLong sendErrors = new AtomicLong();
  private @Nullable DatagramChannel channel;
  private @Nullable Thread reader;
  private final ByteBuffer out = ByteBuffer.allocateDirect(MAX_DATAGRAM);

  /**
   * Unicast on {@code bind}: the socket is bound to exactly that address and port.
   *
   * @param bind the local address and port to bind
   */
  public UdpTransport(InetSocketAddress bind) {
    this.bind = bind;
    this.multicastGroup = null;
    this.multicastInterface = null;
  }

  private UdpTransport(InetSocketAddress group, String interfaceName) {
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
    return new UdpTransport(group, interfaceName);
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
    channel = ch;
    Thread t = new Thread(() -> readLoop(ch, loop, receiver), "vipha-udp-" + bind);
    t.setDaemon(true);
    reader = t;
    t.start();
  }

  private static void readLoop(DatagramChannel ch, Scheduler loop, Receiver receiver) {
    ByteBuffer in = ByteBuffer.allocate(MAX_DATAGRAM);
    while (ch.isOpen()) {
      try {
        in.clear();
        SocketAddress from = ch.receive(in);
        if (!(from instanceof InetSocketAddress)) {
          continue;
        }
        byte[] copy = Arrays.copyOf(in.array(), in.position());
        InetSocketAddress sender = (InetSocketAddress) from;
        loop.execute(() -> receiver.receive(sender, copy, 0, copy.length));
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        LOG.warn("heartbeat receive failed: {}", e.toString());
      }
    }
  }

  @Override
  public void send(InetSocketAddress to, byte[] data, int offset, int length) {
    DatagramChannel ch = channel;
    if (ch == null) {
      return;
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

  /** Stops the receiver thread and closes the socket (leaving the group). */
  @Override
  public void close() {
    DatagramChannel ch = channel;
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        LOG.debug("closing {}: {}", bind, e.toString());
      }
    }
    Thread t = reader;
    if (t != null) {
      t.interrupt();
    }
  }
}
