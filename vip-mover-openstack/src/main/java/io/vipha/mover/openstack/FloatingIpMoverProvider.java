package io.vipha.mover.openstack;

/**
 * The {@code openstack-floating-ip} mover: points a Neutron floating IP at this node's port.
 * Settings: {@code floatingIpId}, {@code portId} (this node's), optional {@code fixedIpAddress},
 * {@code cloud}, {@code cloudsFile}, {@code region}, {@code neutronEndpoint}.
 */
public final class FloatingIpMoverProvider extends NeutronMoverProvider {
  /** The provider as {@link java.util.ServiceLoader} makes it: credentials from the process. */
  public FloatingIpMoverProvider() {
    this(Environment.system());
  }

  FloatingIpMoverProvider(Environment environment) {
    super(Settings.FLOATING_IP, environment, FloatingIpMover::new);
  }
}
