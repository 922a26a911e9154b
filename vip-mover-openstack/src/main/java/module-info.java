/**
 * Address movers for OpenStack Neutron, found through {@link java.util.ServiceLoader}: {@code
 * openstack-floating-ip} (reassociates a floating IP) and {@code openstack-port-address} (the VIP
 * in the allowed address pairs of this node's port). Keystone v3 and Neutron v2.0 over the JDK's
 * HTTP client; nothing of OpenStack's SDKs. The package is not exported: the providers are found
 * through their {@code provides}.
 */
module io.vipha.mover.openstack {
  requires io.vipha.core;
  requires java.net.http;
  requires com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.dataformat.yaml;
  requires org.slf4j;
  requires static org.jspecify;

  provides io.vipha.spi.MoverProvider with
      io.vipha.mover.openstack.FloatingIpMoverProvider,
      io.vipha.mover.openstack.PortAddressMoverProvider;
}
