package io.vipha.mover.openstack;

/**
 * The {@code openstack-port-address} mover: puts the VIP in the allowed address pairs of this
 * node's Neutron port. Settings: {@code portId} (this node's), optional {@code peerPortIds} (the
 * other nodes' ports, comma-separated: the VIP is taken off them), {@code cloud}, {@code
 * cloudsFile}, {@code region}, {@code neutronEndpoint}.
 */
public final class PortAddressMoverProvider extends NeutronMoverProvider {
  /** The provider as {@link java.util.ServiceLoader} makes it: credentials from the process. */
  public PortAddressMoverProvider() {
    this(Environment.system());
  }

  PortAddressMoverProvider(Environment environment) {
    super(Settings.PORT_ADDRESS, environment, PortAddressMover::new);
  }
}
