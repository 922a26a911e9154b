/**
 * Address movers for OpenStack Neutron. {@link
 * io.vipha.mover.openstack.FloatingIpMoverProvider} ({@code openstack-floating-ip}) points a
 * floating IP at this node's port; {@link io.vipha.mover.openstack.PortAddressMoverProvider}
 * ({@code openstack-port-address}) puts the VIP in the allowed address pairs of this node's port.
 * Both store the fencing epoch in a Neutron tag and write with {@code If-Match:
 * revision_number=N}.
 */
@NullMarked
package io.vipha.mover.openstack;

import org.jspecify.annotations.NullMarked;
