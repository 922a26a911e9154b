package io.vipha.netlink.internal;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Writes the advertisements of one virtual router, allocation-free once built: the VRID, the
 * interval and the addresses are fixed, the priority, the addresses of the IP header and the
 * IPv4 identification vary per packet.
 *
 * <p>It writes whole IP packets: an IPv4 packet as a raw socket with {@code IP_HDRINCL} sends it
 * (the kernel fills in nothing that is already set), or an IPv6 packet whose payload, from
 * {@link VrrpCodec#IPV6_HEADER_LENGTH} on, a raw IPv6 socket sends (the kernel writes the IPv6
 * header itself). Either way the checksum is the one the receivers check.
 */
public final class VrrpEncoder {
  private final int vrid;
  private final int interval;
  private final byte[] addresses;
  private final int count;
  private final int addressLength;
  private final boolean ipv4PseudoHeader;

  /**
   * An encoder for a virtual router.
   *
   * @param vrid the virtual router id, 1-255
   * @param interval the advertisement interval in centiseconds, 1-4095
   * @param addresses 1-255 addresses, all IPv4 or all IPv6
   * @param ipv4PseudoHeader whether the IPv4 checksum covers the pseudo-header (RFC 5798,
   *     keepalived's default) or only the message (RFC 9568); IPv6 always covers it
   * @throws IllegalArgumentException when a value is out of range or the families are mixed
   */
  public VrrpEncoder(int vrid, int interval, List<InetAddress> addresses,
      boolean ipv4PseudoHeader) {
    if (vrid < 1 || vrid > 255) {
      throw new IllegalArgumentException("a VRID is 1-255; got " + vrid);
    }
    if (interval < 1 || interval > VrrpCodec.MAX_INTERVAL) {
      throw new IllegalArgumentException("an advertisement interval is 1-4095 centiseconds; got "
          + interval);
    }
    if (addresses.isEmpty() || addresses.size() > VrrpCodec.MAX_ADDRESSES) {
      throw new IllegalArgumentException("an advertisement carries 1-255 addresses; got "
          + addresses.size());
    }
    this.addressLength = addresses.get(0).getAddress().length;
    this.count = addresses.size();
    this.addresses = new byte[count * addressLength];
    for (int i = 0; i < count; i++) {
      byte[] a = addresses.get(i).getAddress();
      if (a.length != addressLength) {
        throw new IllegalArgumentException("an advertisement carries addresses of one family;"
            + " got " + addresses);
      }
      System.arraycopy(a, 0, this.addresses, i * addressLength, addressLength);
    }
    this.vrid = vrid;
    this.interval = interval;
    this.ipv4PseudoHeader = ipv4PseudoHeader;
  }

  /** Whether the addresses are IPv6 ones. */
  public boolean isIpv6() {
    return addressLength == 16;
  }

  /** The length of the VRRP message. */
  public int messageLength() {
    return VrrpCodec.messageLength(count, addressLength);
  }

  /** The length of the whole IP packet {@link #encode} writes. */
  public int packetLength() {
    return messageLength() + (isIpv6() ? VrrpCodec.IPV6_HEADER_LENGTH
        : VrrpCodec.IPV4_HEADER_LENGTH);
  }

  /** The addresses, each {@code 4} or {@code 16} bytes, in order; a copy. */
  public byte[] addresses() {
    return addresses.clone();
  }

  /**
   * Writes the advertisement as a whole IP packet at {@code out}'s position (which is left as it
   * is), TTL or hop limit 255.
   *
   * @param source this node's address on the interface (4 or 16 bytes, as the VIPs)
   * @param destination the VRRP group or a unicast peer
   * @param priority 0-255
   * @param id the IPv4 identification (ignored for IPv6); the kernel replaces 0 with its own
   * @return the packet's length
   * @throws IndexOutOfBoundsException when {@code out} has less room than {@link #packetLength}
   */
  public int encode(ByteBuffer out, byte[] source, byte[] destination, int priority, int id) {
    int at = out.position();
    int length = messageLength();
    int message;
    int src;
    int dst;
    if (isIpv6()) {
      message = at + VrrpCodec.IPV6_HEADER_LENGTH;
      VrrpCodec.put16(out, at, 0x6000);
      VrrpCodec.put16(out, at + 2, 0);
      VrrpCodec.put16(out, at + 4, length);
      out.put(at + 6, (byte) VrrpCodec.PROTOCOL);
      out.put(at + 7, (byte) VrrpCodec.TTL);
      src = at + 8;
      dst = at + 24;
    } else {
      message = at + VrrpCodec.IPV4_HEADER_LENGTH;
      out.put(at, (byte) 0x45);
      out.put(at + 1, (byte) VrrpCodec.IPV4_TOS);
      VrrpCodec.put16(out, at + 2, VrrpCodec.IPV4_HEADER_LENGTH + length);
      VrrpCodec.put16(out, at + 4, id);
      VrrpCodec.put16(out, at + 6, 0);
      out.put(at + 8, (byte) VrrpCodec.TTL);
      out.put(at + 9, (byte) VrrpCodec.PROTOCOL);
      VrrpCodec.put16(out, at + 10, 0);
      src = at + 12;
      dst = at + 16;
    }
    out.put(src, source, 0, addressLength);
    out.put(dst, destination, 0, addressLength);
    out.put(message, (byte) (VrrpCodec.VERSION << 4 | VrrpCodec.TYPE_ADVERTISEMENT));
    out.put(message + VrrpCodec.VRID_OFFSET, (byte) vrid);
    out.put(message + VrrpCodec.PRIORITY_OFFSET, (byte) priority);
    out.put(message + VrrpCodec.COUNT_OFFSET, (byte) count);
    VrrpCodec.put16(out, message + VrrpCodec.INTERVAL_OFFSET, interval);
    VrrpCodec.put16(out, message + VrrpCodec.CHECKSUM_OFFSET, 0);
    out.put(message + VrrpCodec.HEADER_LENGTH, addresses, 0, addresses.length);
    long pseudo = isIpv6() || ipv4PseudoHeader
        ? VrrpCodec.pseudoHeaderSum(out, src, dst, addressLength, length) : 0;
    VrrpCodec.put16(out, message + VrrpCodec.CHECKSUM_OFFSET,
        VrrpCodec.checksum(out, message, length, pseudo));
    if (!isIpv6()) {
      VrrpCodec.put16(out, at + 10, VrrpCodec.ipv4HeaderChecksum(out, at,
          VrrpCodec.IPV4_HEADER_LENGTH));
    }
    return message - at + length;
  }
}
