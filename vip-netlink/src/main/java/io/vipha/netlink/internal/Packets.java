package io.vipha.netlink.internal;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * The announcement payloads, as they follow the Ethernet header (the AF_PACKET datagram socket
 * adds it): gratuitous ARP in its request and reply forms, and the IPv6 packet of an unsolicited
 * neighbour advertisement with its ICMPv6 checksum.
 */
public final class Packets {
  /** The all-nodes multicast address ff02::1. */
  public static final Inet6Address ALL_NODES;
  /** Ethernet broadcast. */
  static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};
  /** The Ethernet multicast address of ff02::1 (33:33 and its last 32 bits). */
  static final byte[] ALL_NODES_MAC = {0x33, 0x33, 0, 0, 0, 1};
  static final int ARP_REQUEST = 1;
  static final int ARP_REPLY = 2;
  static final int NEIGHBOR_ADVERTISEMENT = 136;
  static final int OVERRIDE = 0x20000000;
  private static final int ICMPV6 = 58;

  static {
    try {
      ALL_NODES = (Inet6Address) InetAddress.getByAddress(new byte[] {(byte) 0xff, 2, 0, 0, 0,
          0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
    } catch (UnknownHostException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private Packets() {}

  /**
   * A gratuitous ARP for {@code ip} at {@code mac}: sender and target protocol address are both
   * {@code ip}. The request form has a zero target hardware address (RFC 5227 announcement), the
   * reply form the broadcast address.
   */
  public static byte[] garp(int operation, byte[] mac, byte[] ip) {
    ByteBuffer b = ByteBuffer.allocate(28);
    b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4)
        .putShort((short) operation).put(mac).put(ip)
        .put(operation == ARP_REQUEST ? new byte[6] : BROADCAST).put(ip);
    return b.array();
  }

  /**
   * An unsolicited neighbour advertisement (RFC 4861 §7.2.6) from {@code target} to ff02::1:
   * hop limit 255, Override set, Solicited and Router clear, with the target link-layer address
   * option carrying {@code mac}.
   */
  public static byte[] unsolicitedNa(byte[] mac, byte[] target) {
    int icmpLength = 24 + 8;
    ByteBuffer b = ByteBuffer.allocate(40 + icmpLength);
    b.putInt(0x60000000).putShort((short) icmpLength).put((byte) ICMPV6).put((byte) 255)
        .put(target).put(ALL_NODES.getAddress());
    b.put((byte) NEIGHBOR_ADVERTISEMENT).put((byte) 0).putShort((short) 0).putInt(OVERRIDE)
        .put(target).put((byte) 2).put((byte) 1).put(mac);
    byte[] packet = b.array();
    int sum = icmpv6Checksum(packet);
    packet[42] = (byte) (sum >>> 8);
    packet[43] = (byte) sum;
    return packet;
  }

  /**
   * The ICMPv6 checksum of the IPv6 packet {@code p} (RFC 4443 §2.3): the one's complement sum
   * over the pseudo-header (source, destination, upper-layer length, next header) and the
   * ICMPv6 message, whose checksum field counts as it stands (zero when computing).
   */
  public static int icmpv6Checksum(byte[] p) {
    int length = ((p[4] & 0xFF) << 8) | (p[5] & 0xFF);
    long sum = 0;
    for (int i = 8; i < 40; i += 2) {
      sum += ((p[i] & 0xFF) << 8) | (p[i + 1] & 0xFF);
    }
    sum += length;
    sum += ICMPV6;
    for (int i = 40; i < 40 + length; i += 2) {
      int hi = p[i] & 0xFF;
      int lo = i + 1 < 40 + length ? p[i + 1] & 0xFF : 0;
      sum += (hi << 8) | lo;
    }
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xFFFF) + (sum >>> 16);
    }
    return (int) (~sum & 0xFFFF);
  }
}
