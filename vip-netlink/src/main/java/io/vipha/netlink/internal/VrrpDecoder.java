package io.vipha.netlink.internal;

import io.vipha.internal.DropCounters;
import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;

/**
 * Checks VRRP version 3 advertisements, allocation-free, and never throws whatever the bytes.
 *
 * <p>{@link #decode} takes a whole IP packet between the buffer's position and limit: an IPv4
 * packet as a raw IPv4 socket of protocol 112 receives it, or an IPv6 packet with its fixed
 * header (a raw IPv6 socket delivers only the payload; the receiver writes the header from the
 * source, destination and hop limit it was told). Bytes past the length the IP header declares
 * (link-layer padding) are ignored. The checks run in the order of {@link VrrpRejection}'s
 * constants; the IPv4 header checksum is not checked (the kernel has). What the group decides
 * (the VRID, the addresses, the interval) is left to the caller.
 *
 * <p>Every rejection is counted per reason and every acceptance in total; the counters may be
 * read from any thread. The decoder itself is single-threaded: one per receiving thread.
 */
public final class VrrpDecoder {
  private final boolean ipv4PseudoHeader;
  private final boolean checkTtl;
  private final VrrpAdvert advert = new VrrpAdvert();
  private final DropCounters<VrrpRejection> counters = new DropCounters<>(VrrpRejection.class);
  private @Nullable VrrpRejection last;

  /**
   * A decoder.
   *
   * @param ipv4PseudoHeader whether IPv4 checksums cover the pseudo-header (RFC 5798, keepalived's
   *     default) or only the message (RFC 9568)
   * @param checkTtl whether a TTL or hop limit other than 255 is rejected (RFC 5798 §7.1);
   *     keepalived skips the check for unicast peers, which may be routed
   */
  public VrrpDecoder(boolean ipv4PseudoHeader, boolean checkTtl) {
    this.ipv4PseudoHeader = ipv4PseudoHeader;
    this.checkTtl = checkTtl;
  }

  /**
   * Decodes the IP packet in {@code packet[position, limit)}; the buffer's position, limit and
   * order are left as they are.
   *
   * @return the decoder's view (valid until the next call), or null when the packet was dropped
   *     ({@link #lastRejection()} says why)
   */
  public @Nullable VrrpAdvert decode(ByteBuffer packet) {
    VrrpRejection r = check(packet);
    last = r;
    if (r != null) {
      counters.drop(r);
      return null;
    }
    counters.accept();
    return advert;
  }

  /** Why the last packet was dropped, or null when it was accepted (or none was decoded). */
  public @Nullable VrrpRejection lastRejection() {
    return last;
  }

  /** Packets dropped for {@code reason} since this decoder was built. */
  public long rejected(VrrpRejection reason) {
    return counters.dropped(reason);
  }

  /** Packets dropped for any reason since this decoder was built. */
  public long rejectedTotal() {
    return counters.droppedTotal();
  }

  /** Packets accepted since this decoder was built. */
  public long accepted() {
    return counters.accepted();
  }

  private @Nullable VrrpRejection check(ByteBuffer b) {
    int start = b.position();
    int available = b.limit() - start;
    if (available < 1) {
      return VrrpRejection.TRUNCATED;
    }
    int version = VrrpCodec.u8(b, start) >>> 4;
    int message;
    int length;
    int addressLength;
    int source;
    int destination;
    int ttl;
    int protocol;
    if (version == 4) {
      if (available < VrrpCodec.IPV4_HEADER_LENGTH) {
        return VrrpRejection.TRUNCATED;
      }
      int headerLength = (VrrpCodec.u8(b, start) & 0x0F) * 4;
      if (headerLength < VrrpCodec.IPV4_HEADER_LENGTH) {
        return VrrpRejection.BAD_IP_HEADER;
      }
      int total = VrrpCodec.u16(b, start + 2);
      if (total > available || total < headerLength + VrrpCodec.HEADER_LENGTH) {
        return VrrpRejection.TRUNCATED;
      }
      addressLength = 4;
      ttl = VrrpCodec.u8(b, start + 8);
      protocol = VrrpCodec.u8(b, start + 9);
      source = start + 12;
      destination = start + 16;
      message = start + headerLength;
      length = total - headerLength;
    } else if (version == 6) {
      if (available < VrrpCodec.IPV6_HEADER_LENGTH) {
        return VrrpRejection.TRUNCATED;
      }
      length = VrrpCodec.u16(b, start + 4);
      if (length > available - VrrpCodec.IPV6_HEADER_LENGTH || length < VrrpCodec.HEADER_LENGTH) {
        return VrrpRejection.TRUNCATED;
      }
      addressLength = 16;
      protocol = VrrpCodec.u8(b, start + 6);
      ttl = VrrpCodec.u8(b, start + 7);
      source = start + 8;
      destination = start + 24;
      message = start + VrrpCodec.IPV6_HEADER_LENGTH;
    } else {
      return VrrpRejection.BAD_IP_HEADER;
    }
    if (protocol != VrrpCodec.PROTOCOL) {
      return VrrpRejection.WRONG_PROTOCOL;
    }
    if (checkTtl && ttl != VrrpCodec.TTL) {
      return VrrpRejection.WRONG_TTL;
    }
    int versionType = VrrpCodec.u8(b, message);
    if (versionType >>> 4 != VrrpCodec.VERSION) {
      return VrrpRejection.WRONG_VERSION;
    }
    if ((versionType & 0x0F) != VrrpCodec.TYPE_ADVERTISEMENT) {
      return VrrpRejection.WRONG_TYPE;
    }
    int count = VrrpCodec.u8(b, message + VrrpCodec.COUNT_OFFSET);
    if (count == 0 || VrrpCodec.messageLength(count, addressLength) != length) {
      return VrrpRejection.WRONG_ADDRESS_COUNT;
    }
    if ((VrrpCodec.u16(b, message + VrrpCodec.INTERVAL_OFFSET) & VrrpCodec.MAX_INTERVAL) == 0) {
      return VrrpRejection.ZERO_INTERVAL;
    }
    long pseudo = VrrpCodec.pseudoHeaderSum(b, source, destination, addressLength, length);
    boolean withPseudo = addressLength == 16 || ipv4PseudoHeader;
    if (VrrpCodec.checksum(b, message, length, withPseudo ? pseudo : 0) != 0) {
      if (addressLength == 4
          && VrrpCodec.checksum(b, message, length, withPseudo ? 0 : pseudo) == 0) {
        return VrrpRejection.OTHER_CHECKSUM_FORM;
      }
      return VrrpRejection.BAD_CHECKSUM;
    }
    advert.wrap(b, message, addressLength, source, destination, ttl);
    return null;
  }
}
