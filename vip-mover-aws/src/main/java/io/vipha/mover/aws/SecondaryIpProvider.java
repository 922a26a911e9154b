package io.vipha.mover.aws;

import io.vipha.spi.AddressMover;

/**
 * Mover type {@code aws-secondary-ip}: the VIP's IPv4 address as a secondary private address of
 * this node's network interface. Settings: {@code region}, {@code networkInterfaceId}; optional
 * {@code endpoint}, {@code credentialsFile}, {@code profile}.
 */
public final class SecondaryIpProvider extends Ec2MoverProvider {
  /** The provider, as {@link java.util.ServiceLoader} creates it. */
  public SecondaryIpProvider() {
    super(Ec2Settings.Kind.SECONDARY_IP);
  }

  @Override
  AddressMover create(Ec2Settings settings, String node) {
    return new SecondaryIpMover(settings, node, Ec2Clients.of(settings),
        Ec2Mover.Verify.DEFAULT);
  }
}
