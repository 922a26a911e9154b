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
    int offset = locate(m);
    byte[] chosen = new byte[size(m.u8(0))];
    m.copy(offset, chosen, chosen.length);
    int flags = m.u8(2);
    String label = null;
    long preferred = -1;
    long valid = -1;
    m.attributes(Nl.IFADDRMSG);
    while (m.nextAttribute()) {
      switch (m.attrType()) {
        case Nl.IFA_LABEL -> label = m.attrString();
        case Nl.IFA_FLAGS -> flags = m.attrU32();
        case Nl.IFA_CACHEINFO -> {
          preferred = lifetime(m.attrU32(0));
          valid = lifetime(m.attrU32(1));
        }
        default -> { }
      }
    }
    try {
      return new Address(InetAddress.getByAddress(chosen), m.u8(1), m.i32(4), flags, label,
          preferred, valid);
    } catch (UnknownHostException e) {
      throw new MalformedReplyException("address of " + chosen.length + " bytes");
    }
  }

  /**
   * Checks the {@code ifaddrmsg} of the RTM_NEWADDR or RTM_DELADDR message at {@code m} and finds
   * its address, without copying it: IFA_LOCAL for IPv4 (on a point-to-point link IFA_ADDRESS is
   * the peer's), else IFA_ADDRESS, else IFA_LOCAL; the buffer offset of its {@link #size} bytes.
   */
  static int locate(MessageReader m) throws MalformedReplyException {
    m.requirePayload(Nl.IFADDRMSG, "ifaddrmsg");
    int family = m.u8(0);
    int size = size(family);
    int prefix = m.u8(1);
    if (prefix > size * 8) {
      throw new MalformedReplyException("prefix length " + prefix + " is too long");
    }
    int local = -1;
    int localLength = 0;
    int address = -1;
    int addressLength = 0;
    m.attributes(Nl.IFADDRMSG);
    while (m.nextAttribute()) {
      if (m.attrType() == Nl.IFA_LOCAL) {
        local = m.attrOffset();
        localLength = m.attrLength();
      } else if (m.attrType() == Nl.IFA_ADDRESS) {
        address = m.attrOffset();
        addressLength = m.attrLength();
      }
    }
    boolean useLocal = family == Nl.AF_INET && local >= 0 || address < 0;
    int chosen = useLocal ? local : address;
    if (chosen < 0 || (useLocal ? localLength : addressLength) != size) {
      throw new MalformedReplyException("address message for interface " + m.i32(4)
          + " has no " + size + "-byte address");
    }
    return chosen;
  }

  /** The bytes of an address of {@code family} (AF_INET or AF_INET6). */
  static int size(int family) throws MalformedReplyException {
    if (family == Nl.AF_INET) {
      return 4;
    } else if (family == Nl.AF_INET6) {
      return 16;
    }
    throw new MalformedReplyException("address family " + family + " is neither IPv4 nor IPv6");
  }

  private static long lifetime(int seconds) {
    return seconds == Nl.INFINITY ? -1 : Integer.toUnsignedLong(seconds);
  }
}
