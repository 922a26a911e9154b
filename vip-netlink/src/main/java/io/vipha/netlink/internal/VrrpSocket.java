package io.vipha.netlink.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.vipha.spi.BackendException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * A raw socket of protocol 112 (VRRP) bound to one interface and joined to the VRRP group on it,
 * which sends and receives whole IP packets as {@link VrrpEncoder} writes them and {@link
 * VrrpDecoder} reads them. Its own multicast is not looped back. Needs CAP_NET_RAW. One thread
 * sends, one receives; neither allocates.
 *
 * <p>IPv4 ({@link #ipv4}): {@code IP_HDRINCL}, so the header, TTL 255 included, is the encoder's;
 * packets are received with their header, so that the decoder checks the TTL.
 *
 * <p>IPv6 ({@link #ipv6}): a raw IPv6 socket sends and receives only the payload. It sends the
 * packet's payload from the given link-local source ({@code IPV6_PKTINFO}) with hop limit 255
 * ({@code IPV6_MULTICAST_HOPS}, {@code IPV6_UNICAST_HOPS}), and writes the fixed IPv6 header of
 * each packet it receives in front of the payload from what the kernel reports: the source, the
 * destination ({@code IPV6_RECVPKTINFO}) and the hop limit ({@code IPV6_RECVHOPLIMIT}). The
 * checksum, with the pseudo-header, is the encoder's and the decoder's, not the kernel's ({@code
 * IPV6_CHECKSUM} stays off): the kernel would drop a wrong one silently, where the decoder counts
 * it.
 */
public final class VrrpSocket implements AutoCloseable {
  /** The largest packet: an IPv4 header with options and 255 IPv6-sized addresses. */
  static final int BUFFER = 4200;
  private static final int RECEIVE_TIMEOUT_MILLIS = 200;
  private static final int HEADER = VrrpCodec.IPV6_HEADER_LENGTH;
  /** {@code struct sockaddr_in6}. */
  private static final int SOCKADDR_IN6 = 28;
  /** {@code struct msghdr} (LP64). */
  private static final int MSGHDR = 56;
  /** {@code CMSG_SPACE(sizeof(struct in6_pktinfo))}. */
  private static final int PKTINFO_SPACE = 40;
  private static final int CONTROL = 128;

  private final int fd;
  private final boolean ipv6;
  private final int index;
  private final ByteBuffer out = ByteBuffer.allocateDirect(BUFFER);
  private final Pointer outPointer = Native.getDirectBufferPointer(out);
  private final ByteBuffer in = ByteBuffer.allocateDirect(BUFFER);
  private final Pointer inPointer = Native.getDirectBufferPointer(in);
  private final Memory destination = new Memory(SOCKADDR_IN6);
  private final Memory sendMessage = new Memory(MSGHDR);
  private final Memory sendVector = new Memory(16);
  private final Memory sendControl = new Memory(PKTINFO_SPACE);
  private final Memory receiveMessage = new Memory(MSGHDR);
  private final Memory receiveVector = new Memory(16);
  private final Memory receiveName = new Memory(SOCKADDR_IN6);
  private final Memory receiveControl = new Memory(CONTROL);
  private boolean closed;

  private VrrpSocket(Link link, byte @Nullable [] source)
      throws BackendException {
    ipv6 = source != null;
    index = link.index();
    try {
      fd = LibC.socket(ipv6 ? Nl.AF_INET6 : Nl.AF_INET, Nl.SOCK_RAW | Nl.SOCK_CLOEXEC,
          VrrpCodec.PROTOCOL);
    } catch (LastErrorException e) {
      throw Errno.error(e.getErrorCode(), "opening a raw " + (ipv6 ? "IPv6" : "IPv4")
          + " socket of protocol 112 (VRRP)", "CAP_NET_RAW", "");
    }
    try {
      byte[] name = (link.name() + "\0").getBytes(StandardCharsets.US_ASCII);
      Memory device = new Memory(name.length);
      device.write(0, name, 0, name.length);
      LibC.setsockopt(fd, Nl.SOL_SOCKET, Nl.SO_BINDTODEVICE, device, name.length);
      if (source == null) {
        setUpIpv4(link);
      } else {
        setUpIpv6(link, source);
      }
      Memory tv = new Memory(16);
      tv.setLong(0, 0);
      tv.setLong(8, RECEIVE_TIMEOUT_MILLIS * 1000L);
      LibC.setsockopt(fd, Nl.SOL_SOCKET, Nl.SO_RCVTIMEO, tv, 16);
    } catch (LastErrorException e) {
      close();
      throw Errno.error(e.getErrorCode(), "setting up the VRRP socket on " + link.name(),
          "CAP_NET_RAW", "");
    }
  }

  /**
   * Opens an IPv4 socket in the calling thread's network namespace on interface {@code link},
   * joined to 224.0.0.18.
   *
   * @throws BackendException when the socket cannot be opened or set up (PERMISSION without
   *     CAP_NET_RAW)
   */
  public static VrrpSocket ipv4(Link link) throws BackendException {
    return new VrrpSocket(link, null);
  }

  /**
   * Opens an IPv6 socket in the calling thread's network namespace on interface {@code link},
   * joined to ff02::12, sending from {@code linkLocal} (16 bytes, an address of the interface).
   *
   * @throws BackendException when the socket cannot be opened or set up (PERMISSION without
   *     CAP_NET_RAW)
   */
  public static VrrpSocket ipv6(Link link, byte[] linkLocal) throws BackendException {
    if (linkLocal.length != 16) {
      throw new IllegalArgumentException("an IPv6 address is 16 bytes; got " + linkLocal.length);
    }
    return new VrrpSocket(link, linkLocal.clone());
  }

  private void setUpIpv4(Link link) {
    setInt(Nl.IPPROTO_IP, Nl.IP_HDRINCL, 1);
    Memory mreqn = new Memory(12); // struct ip_mreqn: group, local address (any), index
    mreqn.clear();
    mreqn.write(0, VrrpCodec.IPV4_GROUP, 0, 4);
    mreqn.setInt(8, link.index());
    LibC.setsockopt(fd, Nl.IPPROTO_IP, Nl.IP_ADD_MEMBERSHIP, mreqn, 12);
    LibC.setsockopt(fd, Nl.IPPROTO_IP, Nl.IP_MULTICAST_IF, mreqn, 12);
    setInt(Nl.IPPROTO_IP, Nl.IP_MULTICAST_LOOP, 0);
  }

  private void setUpIpv6(Link link, byte[] source) {
    Memory mreq = new Memory(20); // struct ipv6_mreq: group, interface index
    mreq.write(0, VrrpCodec.IPV6_GROUP, 0, 16);
    mreq.setInt(16, link.index());
    LibC.setsockopt(fd, Nl.IPPROTO_IPV6, Nl.IPV6_ADD_MEMBERSHIP, mreq, 20);
    setInt(Nl.IPPROTO_IPV6, Nl.IPV6_MULTICAST_IF, link.index());
    setInt(Nl.IPPROTO_IPV6, Nl.IPV6_MULTICAST_LOOP, 0);
    setInt(Nl.IPPROTO_IPV6, Nl.IPV6_MULTICAST_HOPS, VrrpCodec.TTL);
    setInt(Nl.IPPROTO_IPV6, Nl.IPV6_UNICAST_HOPS, VrrpCodec.TTL);
    setInt(Nl.IPPROTO_IPV6, Nl.IPV6_RECVPKTINFO, 1);
    setInt(Nl.IPPROTO_IPV6, Nl.IPV6_RECVHOPLIMIT, 1);
    // The pktinfo that sets the source of every packet: CMSG_LEN(20), level, type, data.
    sendControl.clear();
    sendControl.setLong(0, 16 + 20);
    sendControl.setInt(8, Nl.IPPROTO_IPV6);
    sendControl.setInt(12, Nl.IPV6_PKTINFO);
    sendControl.write(16, source, 0, 16);
    sendControl.setInt(32, link.index());
    sendVector.setPointer(0, outPointer.share(HEADER));
    message(sendMessage, destination, sendVector, sendControl, PKTINFO_SPACE);
    receiveVector.setPointer(0, inPointer.share(HEADER));
    receiveVector.setLong(8, BUFFER - HEADER);
  }

  /**
   * Fills {@code struct msghdr} {@code m}: an IPv6 socket address, one I/O vector, a control
   * buffer of {@code controlLength} bytes (the kernel rewrites the lengths on receipt).
   */
  private static void message(Memory m, Pointer name, Pointer vector, Pointer control,
      long controlLength) {
    m.clear();
    m.setPointer(0, name);
    m.setInt(8, SOCKADDR_IN6);
    m.setPointer(16, vector);
    m.setLong(24, 1);
    m.setPointer(32, control);
    m.setLong(40, controlLength);
  }

  private void setInt(int level, int option, int value) {
    Memory v = new Memory(4);
    v.setInt(0, value);
    LibC.setsockopt(fd, level, option, v, 4);
  }

  /** Whether this is an IPv6 socket. */
  public boolean isIpv6() {
    return ipv6;
  }

  /** The buffer {@link #send} sends from: write a whole IP packet at position 0. */
  public ByteBuffer sendBuffer() {
    return out;
  }

  /**
   * Sends the packet of {@code length} bytes in the send buffer to {@code to} (4 or 16 bytes):
   * all of it over IPv4, its payload over IPv6.
   *
   * @throws BackendException when the kernel refuses it
   */
  public void send(int length, byte[] to) throws BackendException {
    destination.clear();
    try {
      if (ipv6) {
        destination.setShort(0, (short) Nl.AF_INET6);
        destination.write(8, to, 0, 16);
        destination.setInt(24, index); // the scope of ff02::12 and of link-local peers
        sendVector.setLong(8, length - HEADER);
        LibC.sendmsg(fd, sendMessage, 0);
      } else {
        destination.setShort(0, (short) Nl.AF_INET);
        destination.write(4, to, 0, 4);
        LibC.sendto(fd, outPointer, length, 0, destination, 16);
      }
    } catch (LastErrorException e) {
      throw Errno.error(e.getErrorCode(), "sending a VRRP advertisement", "CAP_NET_RAW", "");
    }
  }

  /** The buffer {@link #receive} fills: the packet from position 0. */
  public ByteBuffer receiveBuffer() {
    return in;
  }

  /**
   * Waits up to 200 ms for one packet and returns its length, IP header included, or 0 when none
   * came (or the call was interrupted), so that the receiving thread can notice that it should
   * stop.
   *
   * @throws BackendException when the socket failed
   */
  public int receive() throws BackendException {
    try {
      if (!ipv6) {
        return (int) LibC.recv(fd, inPointer, BUFFER, 0);
      }
      message(receiveMessage, receiveName, receiveVector, receiveControl, CONTROL);
      int n = (int) LibC.recvmsg(fd, receiveMessage, 0);
      return n < 0 ? n : writeIpv6Header(n);
    } catch (LastErrorException e) {
      if (e.getErrorCode() == Errno.EAGAIN || e.getErrorCode() == Errno.EINTR) {
        return 0;
      }
      throw Errno.error(e.getErrorCode(), "receiving VRRP advertisements", "CAP_NET_RAW", "");
    }
  }

  /**
   * Writes the fixed IPv6 header of the payload of {@code n} bytes just received: hop limit 0
   * and destination :: when the kernel did not report them, which the decoder then refuses.
   */
  private int writeIpv6Header(int n) {
    int hopLimit = 0;
    for (int b = 0; b < HEADER; b++) {
      in.put(b, (byte) 0);
    }
    long length = receiveMessage.getLong(40);
    long at = 0;
    while (at + 16 <= length) {
      long size = receiveControl.getLong(at);
      if (size < 16 || at + size > length) {
        break;
      }
      int level = receiveControl.getInt(at + 8);
      int type = receiveControl.getInt(at + 12);
      if (level == Nl.IPPROTO_IPV6 && type == Nl.IPV6_PKTINFO && size >= 16 + 16) {
        for (int i = 0; i < 16; i++) {
          in.put(24 + i, receiveControl.getByte(at + 16 + i));
        }
      } else if (level == Nl.IPPROTO_IPV6 && type == Nl.IPV6_HOPLIMIT && size >= 16 + 4) {
        hopLimit = receiveControl.getInt(at + 16);
      }
      at += (size + 7) & ~7L;
    }
    in.put(0, (byte) 0x60);
    VrrpCodec.put16(in, 4, n);
    in.put(6, (byte) VrrpCodec.PROTOCOL);
    in.put(7, (byte) hopLimit);
    for (int i = 0; i < 16; i++) {
      in.put(8 + i, receiveName.getByte(8 + i));
    }
    return HEADER + n;
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      LibC.closeQuietly(fd);
    }
  }
}
