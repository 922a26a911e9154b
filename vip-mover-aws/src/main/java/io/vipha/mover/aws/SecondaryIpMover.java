package io.vipha.mover.aws;

import io.vipha.VirtualIp;
import io.vipha.spi.MoverResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.AssignPrivateIpAddressesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeNetworkInterfacesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeNetworkInterfacesResponse;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.NetworkInterface;
import software.amazon.awssdk.services.ec2.model.NetworkInterfacePrivateIpAddress;
import software.amazon.awssdk.services.ec2.model.UnassignPrivateIpAddressesRequest;

/**
 * Moves a secondary private IPv4 address to this node's network interface with {@code
 * AssignPrivateIpAddresses}, reassignment allowed. Each interface that ever claimed the address
 * carries tag {@code vipha:epoch:ADDRESS}; the highest of them, over the interfaces of this
 * interface's subnet, is the stored epoch, so it survives a release.
 */
final class SecondaryIpMover extends Ec2Mover {
  /** Pages of DescribeNetworkInterfaces read at most for one view. */
  private static final int MAX_PAGES = 10;

  private volatile @Nullable String subnet;

  SecondaryIpMover(Ec2Settings settings, String node, Ec2Client ec2, Verify verify) {
    super(settings, node, ec2, verify);
  }

  private String eni() {
    return Objects.requireNonNull(settings.networkInterfaceId(), "networkInterfaceId");
  }

  static String epochKey(String ip) {
    return EPOCH_TAG + ":" + ip;
  }

  @Override
  View read(VirtualIp vip, Deadline deadline) {
    if (!vip.isIpv4()) {
      throw new Answer(MoverResult.failed("aws-secondary-ip moves IPv4 addresses; "
          + vip.address().getHostAddress() + " is IPv6"));
    }
    String ip = vip.address().getHostAddress();
    String key = epochKey(ip);
    String subnetId = subnet(deadline);
    long epoch = 0;
    long own = 0;
    String holder = null;
    for (NetworkInterface n : describe(deadline, Filter.builder().name("tag-key").values(key)
        .build(), Filter.builder().name("subnet-id").values(subnetId).build())) {
      long e = epochOf(n.tagSet(), key, n.networkInterfaceId());
      epoch = Math.max(epoch, e);
      if (eni().equals(n.networkInterfaceId())) {
        own = e;
      }
      if (holds(n, ip)) {
        holder = n.networkInterfaceId();
      }
    }
    if (holder == null) {
      for (NetworkInterface n : describe(deadline, Filter.builder()
          .name("addresses.private-ip-address").values(ip).build(),
          Filter.builder().name("subnet-id").values(subnetId).build())) {
        if (holds(n, ip)) {
          holder = n.networkInterfaceId();
        }
      }
    }
    return new View(holder, null, epoch, eni().equals(holder), own, eni());
  }

  private static boolean holds(NetworkInterface n, String ip) {
    for (NetworkInterfacePrivateIpAddress a : n.privateIpAddresses()) {
      if (ip.equals(a.privateIpAddress()) && !Boolean.TRUE.equals(a.primary())) {
        return true;
      }
    }
    return false;
  }

  /** This interface's subnet, read once: an address moves only within its subnet. */
  private String subnet(Deadline deadline) {
    String known = subnet;
    if (known != null) {
      return known;
    }
    List<NetworkInterface> own = call("DescribeNetworkInterfaces", deadline,
        o -> ec2.describeNetworkInterfaces(DescribeNetworkInterfacesRequest.builder()
            .networkInterfaceIds(eni()).overrideConfiguration(o).build())).networkInterfaces();
    if (own.size() != 1 || own.get(0).subnetId() == null) {
      throw new Answer(MoverResult.failed("EC2 knows no network interface " + eni()
          + " with a subnet; fix \"networkInterfaceId\""));
    }
    subnet = own.get(0).subnetId();
    return own.get(0).subnetId();
  }

  private List<NetworkInterface> describe(Deadline deadline, Filter... filters) {
    List<NetworkInterface> all = new ArrayList<>();
    String token = null;
    for (int page = 0; page < MAX_PAGES; page++) {
      String from = token;
      DescribeNetworkInterfacesResponse r = call("DescribeNetworkInterfaces", deadline,
          o -> ec2.describeNetworkInterfaces(DescribeNetworkInterfacesRequest.builder()
              .filters(filters).nextToken(from).overrideConfiguration(o).build()));
      all.addAll(r.networkInterfaces());
      token = r.nextToken();
      if (token == null || token.isEmpty()) {
        return all;
      }
    }
    throw new Answer(MoverResult.failed("DescribeNetworkInterfaces returned more than "
        + MAX_PAGES + " pages"));
  }

  @Override
  void writeEpoch(VirtualIp vip, String resource, long epoch, Deadline deadline) {
    tag(resource, List.of(tagOf(epochKey(vip.address().getHostAddress()),
        Long.toString(epoch))), deadline);
  }

  @Override
  @Nullable String move(VirtualIp vip, View before, Deadline deadline) {
    call("AssignPrivateIpAddresses", deadline, o -> ec2.assignPrivateIpAddresses(
        AssignPrivateIpAddressesRequest.builder().networkInterfaceId(eni())
            .privateIpAddresses(vip.address().getHostAddress()).allowReassignment(true)
            .overrideConfiguration(o).build()));
    return null;
  }

  @Override
  void letGo(VirtualIp vip, View now, Deadline deadline) {
    call("UnassignPrivateIpAddresses", deadline, o -> ec2.unassignPrivateIpAddresses(
        UnassignPrivateIpAddressesRequest.builder().networkInterfaceId(eni())
            .privateIpAddresses(vip.address().getHostAddress()).overrideConfiguration(o)
            .build()));
  }
}
