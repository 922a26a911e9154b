/**
 * The Linux backend of vipha: rtnetlink addresses and links, gratuitous ARP and unsolicited
 * neighbour advertisement, and the VRRPv3 coordinator, through JNA.
 */
module io.vipha.netlink {
  requires transitive io.vipha.core;
  requires com.sun.jna;
  requires org.slf4j;
  requires static org.jspecify;

  exports io.vipha.netlink;
}
