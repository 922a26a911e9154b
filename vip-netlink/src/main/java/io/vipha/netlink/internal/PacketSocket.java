package io.vipha.netlink.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.vipha.VirtualIp;
import io.vipha.internal.AcquireTrace;
import io.vipha.spi.BackendException;

/**
 * An AF_PACKET datagram socket (protocol 0: it receives nothing) that sends link-layer payloads
 * to a given interface and hardware address; the kernel adds the Ethernet header. Needs
 * CAP_NET_RAW.
 */
public final class PacketSocket implements AutoCloseable {
  private final int fd;
  private final Memory address = new Memory(20);
  private final Memory payload = new Memory(128);
  /** The frames of {@link #announce}, written in place for each. */
  private final byte[] garp = new byte[Packets.GARP_LENGTH];
  private final byte[] na = new byte[Packets.NA_LENGTH];
  private final AddressBytes addresses = new AddressBytes();
  private boolean closed;

  /** Opens the socket in the calling thread's network namespace. */
  public PacketSocket() throws BackendException {
    try {
      fd = LibC.socket(Nl.AF_PACKET, Nl.SOCK_DGRAM | Nl.SOCK_CLOEXEC, 0);
    } catch (LastErrorException e) {
      throw Errno.error(e.getErrorCode(), "opening an AF_PACKET socket to announce addresses",
          "CAP_NET_RAW", "");
    }
  }

  /**
   * Sends one gratuitous ARP in both forms (request, then reply) for an IPv4 {@code vip}, or one
   * unsolicited neighbour advertisement to ff02::1 for an IPv6 one, from {@code link}'s hardware
   * address {@code mac} (6 bytes).
   */
  public synchronized void announce(Link link, VirtualIp vip, byte[] mac, String where)
      throws BackendException {
    byte[] ip = addresses.of(vip.address());
    if (vip.isIpv4()) {
      Packets.garp(garp, Packets.ARP_REQUEST, mac, ip);
      announce(link, Nl.ETH_P_ARP, Packets.BROADCAST, garp, "a gratuitous ARP request", vip,
          where);
      AcquireTrace.mark(AcquireTrace.FRAME);
      Packets.garp(garp, Packets.ARP_REPLY, mac, ip);
      announce(link, Nl.ETH_P_ARP, Packets.BROADCAST, garp, "a gratuitous ARP reply", vip, where);
    } else {
      Packets.unsolicitedNa(na, mac, ip);
      announce(link, Nl.ETH_P_IPV6, Packets.ALL_NODES_MAC, na,
          "an unsolicited neighbour advertisement", vip, where);
    }
  }

  /** Sends one announcement frame; its description is made only for an error. */
  private void announce(Link link, int protocol, byte[] to, byte[] frame, String kind,
      VirtualIp vip, String where) throws BackendException {
    int errno = sendFrame(link.index(), protocol, to, frame);
    if (errno != 0) {
      throw Errno.error(errno, "sending " + kind + " for " + vip.cidr() + " on " + link.name()
          + where, "CAP_NET_RAW", "");
    }
  }

  /**
   * Builds one frame of each kind that {@link #announce} sends, into this socket's buffers, and
   * hands one to the kernel for interface index 0, which no interface has, so that nothing is
   * sent: a process's first announcement then runs code, the native call included, that has
   * run before.
   *
   * @return the error number of that refused send ({@code ENXIO}, 6), or 0 if a kernel sent it
   */
  public synchronized int prepare() {
    byte[] mac = new byte[6];
    Packets.garp(garp, Packets.ARP_REQUEST, mac, new byte[4]);
    Packets.unsolicitedNa(na, mac, new byte[16]);
    payload.write(0, na, 0, na.length);
    // One send to interface index 0, which the kernel refuses (ENXIO: no such device) before
    // anything reaches a link: the native call an announcement makes has then been made once.
    return sendFrame(0, Nl.ETH_P_ARP, Packets.BROADCAST, garp);
  }

  /**
   * Runs the path of {@link #announce} of {@code vip} without sending: its first frame is built
   * into this socket's buffer and handed to the kernel for interface index 0, which refuses it.
   * For warm-ups just before a take-over; returns the error number of that refusal.
   */
  public synchronized int warm(VirtualIp vip, byte[] mac) {
    byte[] ip = addresses.of(vip.address());
    if (vip.isIpv4()) {
      Packets.garp(garp, Packets.ARP_REQUEST, mac, ip);
      return sendFrame(0, Nl.ETH_P_ARP, Packets.BROADCAST, garp);
    }
    Packets.unsolicitedNa(na, mac, ip);
    return sendFrame(0, Nl.ETH_P_IPV6, Packets.ALL_NODES_MAC, na);
  }

  /**
   * Sends {@code data} as one frame of EtherType {@code protocol} to {@code mac} on interface
   * {@code index}.
   */
  public void send(int index, int protocol, byte[] mac, byte[] data, String what)
      throws BackendException {
    int errno = sendFrame(index, protocol, mac, data);
    if (errno != 0) {
      throw Errno.error(errno, "sending " + what, "CAP_NET_RAW", "");
    }
  }

  /** Sends one frame; 0, or the error number of the refusal. */
  private synchronized int sendFrame(int index, int protocol, byte[] mac, byte[] data) {
    address.clear();
    address.setShort(0, (short) Nl.AF_PACKET);
    address.setByte(2, (byte) (protocol >>> 8));
    address.setByte(3, (byte) protocol);
    address.setInt(4, index);
    address.setByte(11, (byte) mac.length);
    address.write(12, mac, 0, mac.length);
    payload.write(0, data, 0, data.length);
    try {
      LibC.sendto(fd, payload, data.length, 0, address, 20);
      return 0;
    } catch (LastErrorException e) {
      return e.getErrorCode();
    }
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      LibC.closeQuietly(fd);
    }
  }
}
