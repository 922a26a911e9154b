package io.vipha.netlink.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.jspecify.annotations.Nullable;

/**
 * An address as rtnetlink reports it.
 *
 * @param address the address (IFA_LOCAL for IPv4, IFA_ADDRESS for IPv6)
 * @param prefixLength its prefix length
 * @param index the interface index
 * @param flags {@code IFA_F_*} flags (the 32-bit IFA_FLAGS when present)
 * @param label the IPv4 label, or null
 * @param preferred preferred lifetime left, seconds ({@code -1}: forever, or not reported)
 * @param valid valid lifetime left, seconds ({@code -1}: forever, or not reported)
 */
public record Address(InetAddress address, int prefixLength, int index, int flags,
    @Nullable String label, long preferred, long valid) {

  /** Decodes an RTM_NEWADDR or RTM_DELADDR message. */
  static Address decode(MessageReader m) throws MalformedReplyException {
    m.requirePayload(Nl.IFADDRMSG, "ifaddrmsg");
    int family = m.u8(0);
    int prefix = m.u8(1);
    int flags = m.u8(2);
    int index = m.i32(4);
    int size;
    if (family == Nl.AF_INET) {
      size = 4;
    } else if (family == Nl.AF_INET6) {
      size = 16;
    } else {
      throw new MalformedReplyException("address family " + family + " is neither IPv4 nor"
          + " IPv6");
    }
    if (prefix > size * 8) {
      throw new MalformedReplyException("prefix length " + prefix + " is too long");
    }
    byte[] local = null;
    byte[] address = null;
    String label = null;
    long preferred = -1;
    long valid = -1;
    m.attributes(Nl.IFADDRMSG);
    while (m.nextAttribute()) {
      switch (m.attrType()) {
        case Nl.IFA_LOCAL -> local = m.attrBytes();
        case Nl.IFA_ADDRESS -> address = m.attrBytes();
        case Nl.IFA_LABEL -> label = m.attrString();
        case Nl.IFA_FLAGS -> flags = m.attrU32();
        case Nl.IFA_CACHEINFO -> {
          preferred = lifetime(m.attrU32(0));
          valid = lifetime(m.attrU32(1));
        }
        default -> { }
      }
    }
    byte[] chosen = family == Nl.AF_INET && local != null ? local : address;
    if (chosen == null) {
      chosen = local;
    }
    if (chosen == null || chosen.length != size) {
      throw new MalformedReplyException("address message for interface " + index
          + " has no " + size + "-byte address");
    }
    try {
      return new Address(InetAddress.getByAddress(chosen), prefix, index, flags, label,
          preferred, valid);
    } catch (UnknownHostException e) {
      throw new MalformedReplyException("address of " + chosen.length + " bytes");
    }
  }

  private static long lifetime(int seconds) {
    return seconds == Nl.INFINITY ? -1 : Integer.toUnsignedLong(seconds);
  }
}
