/**
 * The Linux backend of vipha: {@link io.vipha.netlink.NetlinkBackend} applies address changes
 * through rtnetlink and announces them with gratuitous ARP and unsolicited neighbour
 * advertisements, through JNA; {@link io.vipha.netlink.VrrpCoordinator} makes a group a VRRPv3
 * virtual router beside keepalived nodes and routers.
 */
@NullMarked
package io.vipha.netlink;

import org.jspecify.annotations.NullMarked;
