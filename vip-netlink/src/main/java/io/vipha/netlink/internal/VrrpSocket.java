package io.vipha.netlink.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.vipha.spi.BackendException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A raw IPv4 socket of protocol 112 (VRRP) bound to one interface and joined to 224.0.0.18 on
 * it: it sends whole IP packets ({@code IP_HDRINCL}: the header is the encoder's, TTL 255) and
 * receives them with their IPv4 header, so that the decoder checks the TTL. Its own multicast is
 * not looped back. Needs CAP_NET_RAW. One thread sends, one receives.
 */
public final class VrrpSocket implements AutoCloseable {
  /** The largest packet: an IPv4 header with options and 255 IPv6-sized addresses. */
  static final int BUFFER = 4200;
  private static final int RECEIVE_TIMEOUT_MILLIS = 200;

  private final int fd;
  private final ByteBuffer out = ByteBuffer.allocateDirect(BUFFER);
  private final Pointer outPointer = Native.getDirectBufferPointer(out);
  private final ByteBuffer in = ByteBuffer.allocateDirect(BUFFER);
  private final Pointer inPointer = Native.getDirectBufferPointer(in);
  private final Memory destination = new Memory(16);
  private boolean closed;

  /**
   * Opens the socket in the calling thread's network namespace on interface {@code link}.
   *
   * @throws BackendException when the socket cannot be opened or set up (PERMISSION without
   *     CAP_NET_RAW)
   */
  public VrrpSocket(Link link) throws BackendException {
    try {
      fd = LibC.socket(Nl.AF_INET, Nl.SOCK_RAW | Nl.SOCK_CLOEXEC, VrrpCodec.PROTOCOL);
    } catch (LastErrorException e) {
      throw Errno.error(e.getErrorCode(), "opening a raw socket of protocol 112 (VRRP)",
          "CAP_NET_RAW", "");
    }
    try {
      Memory one = new Memory(4);
      one.setInt(0, 1);
      LibC.setsockopt(fd, Nl.IPPROTO_IP, Nl.IP_HDRINCL, one, 4);
      byte[] name = (link.name() + "\0").getBytes(StandardCharsets.US_ASCII);
      Memory device = new Memory(name.length);
      device.write(0, name, 0, name.length);
      LibC.setsockopt(fd, Nl.SOL_SOCKET, Nl.SO_BINDTODEVICE, device, name.length);
      Memory mreqn = new Memory(12); // struct ip_mreqn: group, local address (any), index
      mreqn.clear();
      mreqn.write(0, VrrpCodec.IPV4_GROUP, 0, 4);
      mreqn.setInt(8, link.index());
      LibC.setsockopt(fd, Nl.IPPROTO_IP, Nl.IP_ADD_MEMBERSHIP, mreqn, 12);
      LibC.setsockopt(fd, Nl.IPPROTO_IP, Nl.IP_MULTICAST_IF, mreqn, 12);
      Memory zero = new Memory(4);
      zero.setInt(0, 0);
      LibC.setsockopt(fd, Nl.IPPROTO_IP, Nl.IP_MULTICAST_LOOP, zero, 4);
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

  /** The buffer {@link #send} sends from: write a packet at position 0. */
  public ByteBuffer sendBuffer() {
    return out;
  }

  /**
   * Sends the {@code length} bytes of the send buffer, an IPv4 packet, to {@code to} (4 bytes).
   *
   * @throws BackendException when the kernel refuses it
   */
  public void send(int length, byte[] to) throws BackendException {
    destination.clear();
    destination.setShort(0, (short) Nl.AF_INET);
    destination.write(4, to, 0, 4);
    try {
      LibC.sendto(fd, outPointer, length, 0, destination, 16);
    } catch (LastErrorException e) {
      throw Errno.error(e.getErrorCode(), "sending a VRRP advertisement", "CAP_NET_RAW", "");
    }
  }

  /** The buffer {@link #receive} fills: the packet from position 0. */
  public ByteBuffer receiveBuffer() {
    return in;
  }

  /**
   * Waits up to 200 ms for one packet and returns its length, or 0 when none came (or the call
   * was interrupted), so that the receiving thread can notice that it should stop.
   *
   * @throws BackendException when the socket failed
   */
  public int receive() throws BackendException {
    try {
      return (int) LibC.recv(fd, inPointer, BUFFER, 0);
    } catch (LastErrorException e) {
      if (e.getErrorCode() == Errno.EAGAIN || e.getErrorCode() == Errno.EINTR) {
        return 0;
      }
      throw Errno.error(e.getErrorCode(), "receiving VRRP advertisements", "CAP_NET_RAW", "");
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
