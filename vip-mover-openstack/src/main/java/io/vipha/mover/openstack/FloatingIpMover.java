package io.vipha.mover.openstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vipha.VirtualIp;
import io.vipha.spi.MoverResult;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * {@code openstack-floating-ip}: associates a floating IP with this node's port ({@code PUT
 * /v2.0/floatingips/ID}), the epoch in its tag {@code vipha-epoch-N}. The VIP names what is
 * moved; the floating IP is the one in the settings, whatever its address.
 */
final class FloatingIpMover extends NeutronMover<FloatingIpMover.Fip> {
  static final EpochTag TAG = new EpochTag("vipha-epoch-");

  /** A read of the floating IP. */
  record Fip(@Nullable String target, long revision, long epoch, boolean here, JsonNode tags)
      implements State {}

  private final String floatingIpId;
  private final @Nullable String fixedIpAddress;
  private final String path;

  FloatingIpMover(String node, Settings settings, Neutron neutron, Duration readBackPause) {
    super(node, settings.get(Settings.PORT_ID), neutron, readBackPause);
    this.floatingIpId = settings.get(Settings.FLOATING_IP_ID);
    this.fixedIpAddress = settings.optional(Settings.FIXED_IP_ADDRESS);
    this.path = "/floatingips/" + floatingIpId;
  }

  @Override
  String describe(VirtualIp vip) {
    return "floating IP " + floatingIpId;
  }

  @Override
  Fip read(VirtualIp vip, Deadline deadline) throws Refusal {
    JsonNode fip = neutron.get(path, "GET floating IP " + floatingIpId, deadline)
        .path("floatingip");
    if (!fip.path("revision_number").canConvertToLong()) {
      throw new Refusal(MoverResult.failed("Neutron's floating IP " + floatingIpId
          + " has no revision_number; the standard-attr-revisions extension is needed"));
    }
    String port = fip.path("port_id").isTextual() ? fip.path("port_id").asText() : null;
    boolean here = port != null && port.equalsIgnoreCase(portId) && (fixedIpAddress == null
        || sameAddress(fixedIpAddress, fip.path("fixed_ip_address").asText("")));
    JsonNode tags = fip.path("tags");
    return new Fip(port, fip.path("revision_number").asLong(), TAG.epoch(tags), here, tags);
  }

  @Override
  long point(Fip s, VirtualIp vip, long epoch, Deadline deadline)
      throws Refusal, PreconditionFailed {
    ObjectNode body = wrap("floatingip", "port_id", JsonNodeFactory.instance.textNode(portId));
    if (fixedIpAddress != null) {
      ((ObjectNode) body.get("floatingip")).put("fixed_ip_address", fixedIpAddress);
    }
    JsonNode fip = neutron.put(path, body, s.revision(), "PUT floating IP " + floatingIpId
        + " to port " + portId, deadline).path("floatingip");
    long revision = fip.path("revision_number").asLong(s.revision() + 1);
    writeTag(s.tags(), epoch, revision, deadline);
    return revision;
  }

  @Override
  void raise(Fip s, VirtualIp vip, long epoch, Deadline deadline)
      throws Refusal, PreconditionFailed {
    writeTag(s.tags(), epoch, s.revision(), deadline);
  }

  @Override
  long unpoint(Fip s, VirtualIp vip, Deadline deadline) throws Refusal, PreconditionFailed {
    JsonNode fip = neutron.put(path, wrap("floatingip", "port_id", null), s.revision(),
        "PUT floating IP " + floatingIpId + " to no port", deadline).path("floatingip");
    return fip.path("revision_number").asLong(s.revision() + 1);
  }

  private void writeTag(JsonNode tags, long epoch, long revision, Deadline deadline)
      throws Refusal, PreconditionFailed {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.set("tags", TAG.with(tags, epoch));
    neutron.put(path + "/tags", body, revision, "PUT tags of floating IP " + floatingIpId,
        deadline);
  }

  static boolean sameAddress(String a, String b) {
    if (a.equalsIgnoreCase(b)) {
      return true;
    }
    var x = Settings.parseLiteral(a);
    var y = Settings.parseLiteral(b);
    return x != null && x.equals(y);
  }
}
