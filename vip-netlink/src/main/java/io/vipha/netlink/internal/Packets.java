package io.vipha.netlink.internal;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

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

  /** The length of {@link #garp}'s payload. */
  static final int GARP_LENGTH = 28;
  /** The length of {@link #unsolicitedNa}'s packet. */
  static final int NA_LENGTH = 40 + 24 + 8;
  private static final byte[] ALL_NODES_BYTES = ALL_NODES.getAddress();
  private static final byte[] NO_MAC = new byte[6];

  /**
   * A gratuitous ARP for {@code ip} at {@code mac}: sender and target protocol address are both
   * {@code ip}. The request form has a zero target hardware address (RFC 5227 announcement), the
   * reply form the broadcast address.
   */
  public static byte[] garp(int operation, byte[] mac, byte[] ip) {
    byte[] out = new byte[GARP_LENGTH];
    garp(out, operation, mac, ip);
    return out;
  }

  /** {@link #garp(int, byte[], byte[])} written into {@code out}'s first 28 bytes. */
  static void garp(byte[] out, int operation, byte[] mac, byte[] ip) {
    int i = u16(out, 0, 1);
    i = u16(out, i, 0x0800);
    out[i++] = 6;
    out[i++] = 4;
    i = u16(out, i, operation);
    i = put(out, i, mac);
    i = put(out, i, ip);
    i = put(out, i, operation == ARP_REQUEST ? NO_MAC : BROADCAST);
    put(out, i, ip);
  }

  /**
   * An unsolicited neighbour advertisement (RFC 4861 §7.2.6) from {@code target} to ff02::1:
   * hop limit 255, Override set, Solicited and Router clear, with the target link-layer address
   * option carrying {@code mac}.
   */
  public static byte[] unsolicitedNa(byte[] mac, byte[] target) {
    byte[] packet = new byte[NA_LENGTH];
    unsolicitedNa(packet, mac, target);
    return packet;
  }

  /** {@link #unsolicitedNa(byte[], byte[])} written into {@code packet}'s first 72 bytes. */
  static void unsolicitedNa(byte[] packet, byte[] mac, byte[] target) {
    int i = u16(packet, 0, 0x6000);
    i = u16(packet, i, 0);
    i = u16(packet, i, NA_LENGTH - 40);
    packet[i++] = (byte) ICMPV6;
    packet[i++] = (byte) 255;
    i = put(packet, i, target);
    i = put(packet, i, ALL_NODES_BYTES);
    packet[i++] = (byte) NEIGHBOR_ADVERTISEMENT;
    packet[i++] = 0;
    i = u16(packet, i, 0); // the checksum, zero while it is computed
    i = u16(packet, i, OVERRIDE >>> 16);
    i = u16(packet, i, 0);
    i = put(packet, i, target);
    packet[i++] = 2;
    packet[i++] = 1;
    put(packet, i, mac);
    int sum = icmpv6Checksum(packet);
    packet[42] = (byte) (sum >>> 8);
    packet[43] = (byte) sum;
  }

  /** Writes {@code value}'s low 16 bits big-endian at {@code i}; the index after them. */
  private static int u16(byte[] out, int i, int value) {
    out[i] = (byte) (value >>> 8);
    out[i + 1] = (byte) value;
    return i + 2;
  }

  /** Copies {@code bytes} to {@code i}; the index after them. */
  private static int put(byte[] out, int i, byte[] bytes) {
    System.arraycopy(bytes, 0, out, i, bytes.length);
    return i + bytes.length;
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
