package io.vipha.mover.aws;

import io.vipha.spi.AddressMover;

/**
 * Mover type {@code aws-eip}: an Elastic IP associated with this node's network interface or
 * instance. Settings: {@code region}; {@code networkInterfaceId} or {@code instanceId}; optional
 * {@code allocationId} (else the Elastic IP whose public address is the VIP's), {@code
 * privateIpAddress}, {@code endpoint}, {@code credentialsFile}, {@code profile}.
 */
public final class ElasticIpProvider extends Ec2MoverProvider {
  /** The provider, as {@link java.util.ServiceLoader} creates it. */
  public ElasticIpProvider() {
    super(Ec2Settings.Kind.EIP);
  }

  @Override
  AddressMover create(Ec2Settings settings, String node) {
    return new ElasticIpMover(settings, node, Ec2Clients.of(settings), Ec2Mover.Verify.DEFAULT);
  }
}
