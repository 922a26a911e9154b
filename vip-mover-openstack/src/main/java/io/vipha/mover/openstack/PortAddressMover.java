package io.vipha.mover.openstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vipha.VirtualIp;
import io.vipha.spi.MoverResult;
import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code openstack-port-address}: the VIP in the {@code allowed_address_pairs} of this node's
 * port, the epoch in the port's tag {@code vipha-ADDRESS-N}. Other ports are read and changed
 * only when named in {@code peerPortIds}: a claim then takes the VIP off every named port that
 * holds it, and the stored epoch is the highest on any of them.
 */
final class PortAddressMover extends NeutronMover<PortAddressMover.Ports> {
  /** A read of this node's port and the named peers. */
  record Ports(@Nullable String target, long revision, long epoch, boolean here,
      JsonNode own, Map<String, JsonNode> holders) implements State {
    @Override
    public boolean ours() {
      return here && holders.isEmpty();
    }
  }

  private final List<String> peers;

  PortAddressMover(String node, Settings settings, Neutron neutron, Duration readBackPause) {
    super(node, settings.get(Settings.PORT_ID), neutron, readBackPause);
    this.peers = settings.peerPorts();
  }

  static String address(VirtualIp vip) {
    String cidr = vip.cidr();
    return cidr.substring(0, cidr.indexOf('/'));
  }

  static EpochTag tag(VirtualIp vip) {
    return new EpochTag("vipha-" + address(vip) + "-");
  }

  @Override
  String describe(VirtualIp vip) {
    return "VIP " + address(vip) + " on port " + portId;
  }

  @Override
  Ports read(VirtualIp vip, Deadline deadline) throws Refusal {
    EpochTag tag = tag(vip);
    JsonNode own = port(portId, deadline);
    long epoch = tag.epoch(own.path("tags"));
    boolean here = holds(own, vip);
    Map<String, JsonNode> holders = new LinkedHashMap<>();
    for (String peer : peers) {
      JsonNode p = port(peer, deadline);
      epoch = Math.max(epoch, tag.epoch(p.path("tags")));
      if (holds(p, vip)) {
        holders.put(peer, p);
      }
    }
    String target = here ? portId : holders.isEmpty() ? null : holders.keySet().iterator().next();
    return new Ports(target, own.path("revision_number").asLong(), epoch, here, own, holders);
  }

  private JsonNode port(String id, Deadline deadline) throws Refusal {
    JsonNode port = neutron.get("/ports/" + id, "GET port " + id, deadline).path("port");
    if (!port.path("revision_number").canConvertToLong()) {
      throw new Refusal(MoverResult.failed("Neutron's port " + id + " has no revision_number; "
          + "the standard-attr-revisions extension is needed"));
    }
    return port;
  }

  @Override
  long point(Ports s, VirtualIp vip, long epoch, Deadline deadline)
      throws Refusal, PreconditionFailed {
    long revision = s.revision();
    if (!s.here()) {
      ArrayNode pairs = pairsWithout(s.own(), vip);
      pairs.addObject().put("ip_address", address(vip));
      revision = writePairs(portId, pairs, revision, deadline);
    }
    if (tag(vip).epoch(s.own().path("tags")) != epoch) {
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      body.set("tags", tag(vip).with(s.own().path("tags"), epoch));
      neutron.put("/ports/" + portId + "/tags", body, revision, "PUT tags of port " + portId,
          deadline);
    }
    for (Map.Entry<String, JsonNode> peer : s.holders().entrySet()) {
      writePairs(peer.getKey(), pairsWithout(peer.getValue(), vip),
          peer.getValue().path("revision_number").asLong(), deadline);
    }
    return revision;
  }

  @Override
  void raise(Ports s, VirtualIp vip, long epoch, Deadline deadline)
      throws Refusal, PreconditionFailed {
    point(s, vip, epoch, deadline);
  }

  @Override
  long unpoint(Ports s, VirtualIp vip, Deadline deadline) throws Refusal, PreconditionFailed {
    return writePairs(portId, pairsWithout(s.own(), vip), s.revision(), deadline);
  }

  private long writePairs(String id, ArrayNode pairs, long revision, Deadline deadline)
      throws Refusal, PreconditionFailed {
    ObjectNode body = wrap("port", "allowed_address_pairs", pairs);
    return neutron.put("/ports/" + id, body, revision, "PUT allowed_address_pairs of port " + id,
        deadline).path("port").path("revision_number").asLong(revision + 1);
  }

  private static ArrayNode pairsWithout(JsonNode port, VirtualIp vip) {
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    for (JsonNode pair : port.path("allowed_address_pairs")) {
      if (!matches(pair, vip)) {
        out.add(pair.deepCopy());
      }
    }
    return out;
  }

  static boolean holds(JsonNode port, VirtualIp vip) {
    for (JsonNode pair : port.path("allowed_address_pairs")) {
      if (matches(pair, vip)) {
        return true;
      }
    }
    return false;
  }

  /** A pair for exactly the VIP's address: {@code A} or {@code A/32} ({@code A/128}). */
  private static boolean matches(JsonNode pair, VirtualIp vip) {
    String text = pair.path("ip_address").asText("");
    int slash = text.indexOf('/');
    InetAddress a = Settings.parseLiteral(slash < 0 ? text : text.substring(0, slash));
    if (a == null || !a.equals(vip.address())) {
      return false;
    }
    if (slash < 0) {
      return true;
    }
    String full = vip.isIpv4() ? "32" : "128";
    return text.substring(slash + 1).equals(full);
  }
}
