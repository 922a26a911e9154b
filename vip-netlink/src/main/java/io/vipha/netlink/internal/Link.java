package io.vipha.netlink.internal;

/**
 * A network interface as rtnetlink reports it.
 *
 * @param index the interface index
 * @param name the interface name
 * @param mac the hardware address (empty when it has none, as on some tunnels)
 * @param flags {@code IFF_*} flags
 * @param operState RFC 2863 operational state ({@code IF_OPER_UP} is 6), or -1 when not reported
 */
public record Link(int index, String name, byte[] mac, int flags, int operState) {
  /** Administratively up and running (carrier, RFC 2863 state up or unknown). */
  public boolean up() {
    return (flags & Nl.IFF_UP) != 0 && (flags & Nl.IFF_RUNNING) != 0;
  }

  /** Decodes an RTM_NEWLINK or RTM_DELLINK message. */
  static Link decode(MessageReader m) throws MalformedReplyException {
    m.requirePayload(Nl.IFINFOMSG, "ifinfomsg");
    int index = m.i32(4);
    int flags = m.i32(8);
    String name = null;
    byte[] mac = new byte[0];
    int oper = -1;
    m.attributes(Nl.IFINFOMSG);
    while (m.nextAttribute()) {
      switch (m.attrType()) {
        case Nl.IFLA_IFNAME -> name = m.attrString();
        case Nl.IFLA_ADDRESS -> mac = m.attrBytes();
        case Nl.IFLA_OPERSTATE -> oper = m.attrU8();
        default -> { }
      }
    }
    if (name == null || name.isEmpty()) {
      throw new MalformedReplyException("link " + index + " has no IFLA_IFNAME");
    }
    return new Link(index, name, mac, flags, oper);
  }
}
