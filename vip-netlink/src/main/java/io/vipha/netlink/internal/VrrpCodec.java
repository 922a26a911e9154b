package io.vipha.netlink.internal;

import java.nio.ByteBuffer;

/**
 * The VRRP version 3 advertisement (RFC 5798 §5, RFC 9568 §5) and the IP headers around it, as a
 * raw socket of protocol 112 receives them: constants, offsets and the Internet checksum.
 *
 * <pre>
 * offset  size  field
 *      0     1  version (3) in the high nibble, type (1: advertisement) in the low one
 *      1     1  virtual router id, 1-255
 *      2     1  priority: 0 leaving, 1-254 backup, 255 address owner
 *      3     1  count of addresses, at least 1
 *      4     2  4 reserved bits (sent as 0, ignored on receipt), the advertisement interval in
 *               centiseconds in the low 12 bits
 *      6     2  checksum
 *      8  4×n  the IPv4 addresses, or
 *      8 16×n  the IPv6 addresses
 * </pre>
 *
 * <p>The checksum is the Internet checksum (RFC 1071) of the message. Over IPv6 it also covers
 * the pseudo-header of RFC 8200 §8.1 (source, destination, length, next header 112). Over IPv4
 * RFC 5798 asks for the IPv4 pseudo-header (source, destination, zero, protocol 112, length),
 * which keepalived 2.2.7 sends by default; RFC 9568 leaves it out, as keepalived with {@code
 * v3_checksum_as_v2}, Cisco and Juniper do. Both sides of a group must use the same form.
 */
public final class VrrpCodec {
  /** The IP protocol number of VRRP. */
  public static final int PROTOCOL = 112;
  /** The version this codec speaks. */
  public static final int VERSION = 3;
  /** The only packet type: an advertisement. */
  public static final int TYPE_ADVERTISEMENT = 1;
  /** The TTL (IPv4) or hop limit (IPv6) every advertisement is sent with and checked for. */
  public static final int TTL = 255;
  /** The length of the fixed part of the message, before the addresses. */
  public static final int HEADER_LENGTH = 8;
  /** The largest advertisement interval, in centiseconds (12 bits). */
  public static final int MAX_INTERVAL = 0xFFF;
  /** The largest address count (8 bits). */
  public static final int MAX_ADDRESSES = 255;
  /** The length of an IPv4 header without options, as this codec writes it. */
  public static final int IPV4_HEADER_LENGTH = 20;
  /** The length of the fixed IPv6 header. */
  public static final int IPV6_HEADER_LENGTH = 40;
  /** Type of service of IPv4 advertisements: precedence 6, internetwork control. */
  public static final int IPV4_TOS = 0xC0;
  /** The IPv4 multicast group of VRRP, 224.0.0.18. */
  static final byte[] IPV4_GROUP = {(byte) 224, 0, 0, 18};
  /** The IPv6 multicast group of VRRP, ff02::12. */
  static final byte[] IPV6_GROUP = {(byte) 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      0, 0x12};

  static final int VRID_OFFSET = 1;
  static final int PRIORITY_OFFSET = 2;
  static final int COUNT_OFFSET = 3;
  static final int INTERVAL_OFFSET = 4;
  static final int CHECKSUM_OFFSET = 6;

  private VrrpCodec() {}

  /** The VRRP multicast group of a family: 224.0.0.18 or ff02::12; a copy. */
  public static byte[] group(boolean ipv6) {
    return (ipv6 ? IPV6_GROUP : IPV4_GROUP).clone();
  }

  /** The length of a message carrying {@code count} addresses of {@code addressLength} bytes. */
  public static int messageLength(int count, int addressLength) {
    return HEADER_LENGTH + count * addressLength;
  }

  /** The unsigned byte at absolute index {@code i} of {@code b}. */
  static int u8(ByteBuffer b, int i) {
    return b.get(i) & 0xFF;
  }

  /** The big-endian unsigned 16-bit value at absolute index {@code i}, whatever b's order. */
  static int u16(ByteBuffer b, int i) {
    return (u8(b, i) << 8) | u8(b, i + 1);
  }

  /** Writes {@code v} big-endian at absolute index {@code i}, whatever b's order. */
  static void put16(ByteBuffer b, int i, int v) {
    b.put(i, (byte) (v >>> 8));
    b.put(i + 1, (byte) v);
  }

  /**
   * The one's complement sum, not yet folded, of the big-endian 16-bit words of {@code b[from,
   * to)}; an odd last byte counts as its word's high byte.
   */
  static long sum(ByteBuffer b, int from, int to) {
    long s = 0;
    int i = from;
    for (; i + 1 < to; i += 2) {
      s += u16(b, i);
    }
    if (i < to) {
      s += u8(b, i) << 8;
    }
    return s;
  }

  /** The 16-bit one's complement of the folded sum {@code s}: the Internet checksum. */
  static int fold(long s) {
    while ((s >>> 16) != 0) {
      s = (s & 0xFFFF) + (s >>> 16);
    }
    return (int) (~s & 0xFFFF);
  }

  /**
   * The sum of the pseudo-header (RFC 768 for IPv4, RFC 8200 §8.1 for IPv6): the addresses at
   * {@code b[source, source+n)} and {@code b[destination, destination+n)} with {@code n} 4 or
   * 16, the protocol and the upper-layer length. Both layouts sum to the same words.
   */
  static long pseudoHeaderSum(ByteBuffer b, int source, int destination, int addressLength,
      int length) {
    return sum(b, source, source + addressLength) + sum(b, destination,
        destination + addressLength) + PROTOCOL + length;
  }

  /**
   * The checksum of the message at {@code b[message, message+length)}, whose checksum field
   * counts as it stands, plus {@code pseudo} (0 for none). Writing it into a message whose field
   * was zero makes the message check: its checksum is then 0.
   */
  static int checksum(ByteBuffer b, int message, int length, long pseudo) {
    return fold(sum(b, message, message + length) + pseudo);
  }

  /** The IPv4 header checksum of the header at {@code b[at, at+length)}. */
  static int ipv4HeaderChecksum(ByteBuffer b, int at, int length) {
    return fold(sum(b, at, at + length));
  }
}
