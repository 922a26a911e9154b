package io.vipha.agent;

import io.vipha.spi.DatagramTransport;
import io.vipha.spi.Scheduler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heartbeats over UDP: unicast from a bound address, optionally joined to a multicast group. A
 * receiver thread reads datagrams and hands copies to the agent's event loop.
 */
public final class UdpTransport implements DatagramTransport {
  private static final Logger LOG = LoggerFactory.getLogger(UdpTransport.class);
  private static final int MAX_DATAGRAM = 65_507;

  private final InetSocketAddress bind;
  private final @Nullable InetAddress multicastGroup;
  private final @Nullable NetworkInterface multicastInterface;
  private final AtomicLong sendErrors = new AtomicLong();
  private @Nullable DatagramChannel channel;
  private @Nullable Thread reader;
  private final ByteBuffer out = ByteBuffer.allocateDirect(MAX_DATAGRAM);

  /** Unicast on {@code bind}. */
  public UdpTransport(InetSocketAddress bind) {
    this(bind, null, null);
  }

  /** Unicast on {@code bind}, and receiving {@code group} on {@code iface}. */
  public UdpTransport(InetSocketAddress bind, @Nullable InetAddress group,
      @Nullable NetworkInterface iface) {
    this.bind = bind;
    this.multicastGroup = group;
    this.multicastInterface = iface;
    if (group != null && (!group.isMulticastAddress() || iface == null)) {
      throw new IllegalArgumentException("multicast needs a multicast group address and an"
          + " interface, got " + group + " on " + iface);
    }
  }

  @Override
  public void open(Scheduler loop, Receiver receiver) throws IOException {
    InetAddress g = multicastGroup;
    DatagramChannel ch = DatagramChannel.open(bind.getAddress() instanceof java.net.Inet6Address
        ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
    try {
      ch.setOption(StandardSocketOptions.SO_REUSEADDR, g != null);
      if (g != null) {
        ch.bind(new InetSocketAddress(bind.getPort()));
        ch.join(g, java.util.Objects.requireNonNull(multicastInterface));
        ch.setOption(StandardSocketOptions.IP_MULTICAST_IF, multicastInterface);
      } else {
        ch.bind(bind);
      }
    } catch (IOException e) {
      ch.close();
      throw new IOException("cannot bind the heartbeat socket to " + bind + ": " + e.getMessage()
          + " (is the address configured on this host and the port free?)", e);
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
    } catch (IOException e) {
      if (sendErrors.getAndIncrement() % 100 == 0) {
        LOG.warn("heartbeat send to {} failed: {}", to, e.toString());
      }
    }
  }

  /** Datagrams that could not be sent. */
  public long sendErrors() {
    return sendErrors.get();
  }

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
