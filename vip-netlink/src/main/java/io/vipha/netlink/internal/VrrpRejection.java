package io.vipha.netlink.internal;

/**
 * Why a {@link VrrpDecoder} dropped a packet, in the order it checks. Each is counted; none
 * throws.
 */
public enum VrrpRejection {
  /** Fewer bytes than the IP header, the length it declares, or the fixed VRRP header. */
  TRUNCATED,
  /** Not IPv4 or IPv6, or an IPv4 header length below 20 bytes. */
  BAD_IP_HEADER,
  /** An IP protocol (IPv4) or next header (IPv6) other than 112. */
  WRONG_PROTOCOL,
  /** A TTL or hop limit other than 255: the packet crossed a router. */
  WRONG_TTL,
  /** A VRRP version other than 3. */
  WRONG_VERSION,
  /** A packet type other than advertisement (1). */
  WRONG_TYPE,
  /** An address count of 0, or one that does not match the message's length. */
  WRONG_ADDRESS_COUNT,
  /** An advertisement interval of 0. */
  ZERO_INTERVAL,
  /**
   * An IPv4 checksum of the other form: with the pseudo-header when this side leaves it out, or
   * the other way round. The sender's setting differs from this side's.
   */
  OTHER_CHECKSUM_FORM,
  /** A checksum that is wrong in every form. */
  BAD_CHECKSUM
}
