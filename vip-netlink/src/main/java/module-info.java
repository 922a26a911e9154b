/**
 * The Linux backend of vipha: rtnetlink addresses and links, gratuitous ARP and unsolicited
 * neighbour advertisement, through JNA.
 */
module io.vipha.netlink {
  requires transitive io.vipha.core;
  requires com.sun.jna;
  requires static org.jspecify;

  exports io.vipha.netlink;
}
