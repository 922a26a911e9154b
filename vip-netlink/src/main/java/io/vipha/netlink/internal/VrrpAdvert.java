package io.vipha.netlink.internal;

import java.nio.ByteBuffer;

/**
 * A decoded advertisement: a view over the buffer the {@link VrrpDecoder} was given, valid until
 * its next {@code decode} call or until the buffer changes. Reading it allocates nothing.
 */
public final class VrrpAdvert {
  private ByteBuffer buffer = ByteBuffer.allocate(0);
  private int message;
  private int addressLength;
  private int source;
  private int destination;
  private int ttl;

  VrrpAdvert() {}

  void wrap(ByteBuffer b, int message, int addressLength, int source, int destination,
      int ttl) {
    this.buffer = b;
    this.message = message;
    this.addressLength = addressLength;
    this.source = source;
    this.destination = destination;
    this.ttl = ttl;
  }

  /** Whether the advertisement came over IPv6. */
  public boolean isIpv6() {
    return addressLength == 16;
  }

  /** The length of each address, 4 or 16. */
  public int addressLength() {
    return addressLength;
  }

  /** The TTL or hop limit it arrived with. */
  public int ttl() {
    return ttl;
  }

  /** The virtual router id. */
  public int vrid() {
    return VrrpCodec.u8(buffer, message + VrrpCodec.VRID_OFFSET);
  }

  /** The sender's priority: 0 when it leaves, 255 when it owns the addresses. */
  public int priority() {
    return VrrpCodec.u8(buffer, message + VrrpCodec.PRIORITY_OFFSET);
  }

  /** The advertisement interval in centiseconds, 1-4095. */
  public int interval() {
    return VrrpCodec.u16(buffer, message + VrrpCodec.INTERVAL_OFFSET) & VrrpCodec.MAX_INTERVAL;
  }

  /** The checksum as sent. */
  public int checksum() {
    return VrrpCodec.u16(buffer, message + VrrpCodec.CHECKSUM_OFFSET);
  }

  /** The number of addresses. */
  public int addressCount() {
    return VrrpCodec.u8(buffer, message + VrrpCodec.COUNT_OFFSET);
  }

  /** The length of the VRRP message. */
  public int length() {
    return VrrpCodec.messageLength(addressCount(), addressLength);
  }

  /** Copies address {@code i} into {@code out[0, addressLength)}. */
  public void address(int i, byte[] out) {
    buffer.get(message + VrrpCodec.HEADER_LENGTH + i * addressLength, out, 0, addressLength);
  }

  /** Copies the sender's address into {@code out[0, addressLength)}. */
  public void source(byte[] out) {
    buffer.get(source, out, 0, addressLength);
  }

  /** Copies the destination address into {@code out[0, addressLength)}. */
  public void destination(byte[] out) {
    buffer.get(destination, out, 0, addressLength);
  }

  /**
   * Compares the sender's address with {@code local} (of the same length) as unsigned numbers:
   * negative, zero or positive as the sender's is lower, equal or higher. RFC 5798 §6.4.3 breaks
   * a tie of priorities by the higher primary address.
   */
  public int compareSource(byte[] local) {
    for (int i = 0; i < addressLength; i++) {
      int d = VrrpCodec.u8(buffer, source + i) - (local[i] & 0xFF);
      if (d != 0) {
        return d;
      }
    }
    return 0;
  }

  /**
   * Whether the advertisement carries exactly the addresses of {@code packed} (each {@code
   * addressLength} bytes, in any order, none repeated), as a master of the group must.
   */
  public boolean carriesExactly(byte[] packed) {
    int count = addressCount();
    if (packed.length != count * addressLength) {
      return false;
    }
    int base = message + VrrpCodec.HEADER_LENGTH;
    for (int p = 0; p < packed.length; p += addressLength) {
      boolean found = false;
      for (int i = 0; i < count && !found; i++) {
        found = equals(base + i * addressLength, packed, p);
      }
      if (!found) {
        return false;
      }
    }
    return true;
  }

  private boolean equals(int at, byte[] packed, int from) {
    for (int k = 0; k < addressLength; k++) {
      if (buffer.get(at + k) != packed[from + k]) {
        return false;
      }
    }
    return true;
  }
}
