package io.vipha.mover.aws;

import io.vipha.VirtualIp;
import io.vipha.spi.MoverResult;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Address;
import software.amazon.awssdk.services.ec2.model.AssociateAddressRequest;
import software.amazon.awssdk.services.ec2.model.DescribeAddressesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeAddressesResponse;
import software.amazon.awssdk.services.ec2.model.DisassociateAddressRequest;

/**
 * Points an Elastic IP at this node's network interface (or instance) with {@code
 * AssociateAddress}, reassociation allowed. The epoch is tag {@code vipha:epoch} of the
 * allocation, beside {@code vipha:node}; it stays there after a release, as the high-water mark.
 */
final class ElasticIpMover extends Ec2Mover {

  ElasticIpMover(Ec2Settings settings, String node, Ec2Client ec2, Verify verify) {
    super(settings, node, ec2, verify);
  }

  @Override
  View read(VirtualIp vip, Deadline deadline) {
    Address a = describe(vip, deadline);
    String target = a.networkInterfaceId() != null ? a.networkInterfaceId() : a.instanceId();
    long epoch = epochOf(a.tags(), EPOCH_TAG, a.allocationId());
    return new View(target, a.associationId(), epoch, pointsHere(a), epoch, a.allocationId());
  }

  private Address describe(VirtualIp vip, Deadline deadline) {
    String allocation = settings.allocationId();
    String publicIp = vip.address().getHostAddress();
    if (allocation == null && !vip.isIpv4()) {
      throw new Answer(MoverResult.failed("an Elastic IP is an IPv4 address, not "
          + publicIp + "; set \"allocationId\" or give the VIP the Elastic IP's address"));
    }
    DescribeAddressesResponse r = call("DescribeAddresses", deadline, o -> ec2.describeAddresses(
        (allocation != null ? DescribeAddressesRequest.builder().allocationIds(allocation)
            : DescribeAddressesRequest.builder().publicIps(publicIp))
            .overrideConfiguration(o).build()));
    List<Address> found = r.addresses();
    if (found.size() != 1 || found.get(0).allocationId() == null) {
      throw new Answer(MoverResult.failed("EC2 knows " + (found.isEmpty() ? "no" : found.size())
          + " VPC Elastic IP " + (allocation != null ? "with allocation " + allocation
          : "with public address " + publicIp) + "; allocate it or fix the mover's settings"));
    }
    return found.get(0);
  }

  private boolean pointsHere(Address a) {
    boolean target = settings.networkInterfaceId() != null
        ? settings.networkInterfaceId().equals(a.networkInterfaceId())
        : Objects.equals(settings.instanceId(), a.instanceId());
    String ip = settings.privateIpAddress();
    return target && a.associationId() != null
        && (ip == null || ip.equals(a.privateIpAddress()));
  }

  @Override
  void writeEpoch(VirtualIp vip, String resource, long epoch, Deadline deadline) {
    tag(resource, List.of(tagOf(EPOCH_TAG, Long.toString(epoch)), tagOf(NODE_TAG, node)),
        deadline);
  }

  @Override
  @Nullable String move(VirtualIp vip, View before, Deadline deadline) {
    AssociateAddressRequest.Builder b = AssociateAddressRequest.builder()
        .allocationId(before.resource())
        .allowReassociation(true)
        .privateIpAddress(settings.privateIpAddress());
    if (settings.networkInterfaceId() != null) {
      b.networkInterfaceId(settings.networkInterfaceId());
    } else {
      b.instanceId(settings.instanceId());
    }
    return call("AssociateAddress", deadline,
        o -> ec2.associateAddress(b.overrideConfiguration(o).build())).associationId();
  }

  @Override
  void letGo(VirtualIp vip, View now, Deadline deadline) {
    String association = Objects.requireNonNull(now.marker(), "association");
    call("DisassociateAddress", deadline, o -> ec2.disassociateAddress(
        DisassociateAddressRequest.builder().associationId(association)
            .overrideConfiguration(o).build()));
  }
}
