package io.vipha.zookeeper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.plan.Eligibility;
import io.vipha.spi.Coordinator.LocalState;
import io.vipha.spi.Coordinator.Pin;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a member znode holds: a node's advertised state as JSON, e.g. {@code
 * {"incarnation":7,"priority":110,"eligibility":"ELIGIBLE","quorum":true,
 * "held":["192.0.2.10/24"],"pins":[],"leaving":false,"outliveMs":0}}. VIPs are named by their
 * CIDR text. {@code outliveMs} is how long after its session's end the node's VIPs may still be
 * on its host (milliseconds, rounded up); {@link #outliveNanos} is -1 when it is missing.
 */
record MemberData(long incarnation, int priority, Eligibility eligibility, boolean quorum,
    Set<VirtualIp> held, List<Pin> pins, boolean leaving, long outliveNanos) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MS = 1_000_000L;

  static MemberData of(long incarnation, LocalState s, boolean leaving, long outliveNanos) {
    return new MemberData(incarnation, s.effectivePriority(), s.eligibility(), s.quorum(),
        s.held(), s.pins(), leaving, outliveNanos);
  }

  byte[] encode() {
    ObjectNode o = JSON.createObjectNode();
    o.put("incarnation", incarnation);
    o.put("priority", priority);
    o.put("eligibility", eligibility.name());
    o.put("quorum", quorum);
    ArrayNode h = o.putArray("held");
    held.stream().map(VirtualIp::cidr).sorted().forEach(h::add);
    ArrayNode p = o.putArray("pins");
    for (Pin pin : pins) {
      ObjectNode n = p.addObject();
      VirtualIp v = pin.vip();
      n.put("vip", v == null ? null : v.cidr());
      n.put("target", pin.target());
      n.put("epoch", pin.epoch());
    }
    o.put("leaving", leaving);
    if (outliveNanos >= 0) {
      o.put("outliveMs", (outliveNanos + MS - 1) / MS);
    }
    try {
      return JSON.writeValueAsBytes(o);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads {@code bytes}, keeping the VIPs of {@code group}; null when they are not such JSON. */
  static @Nullable MemberData decode(byte @Nullable [] bytes, VipGroup group) {
    if (bytes == null || bytes.length == 0) {
      return null;
    }
    try {
      JsonNode o = JSON.readTree(bytes);
      Map<String, VirtualIp> byCidr = new HashMap<>();
      for (VirtualIp v : group.vips()) {
        byCidr.put(v.cidr(), v);
      }
      Set<VirtualIp> held = new LinkedHashSet<>();
      for (JsonNode h : o.path("held")) {
        VirtualIp v = byCidr.get(h.asText());
        if (v != null) {
          held.add(v);
        }
      }
      List<Pin> pins = new ArrayList<>();
      for (JsonNode n : o.path("pins")) {
        JsonNode vn = n.path("vip");
        VirtualIp v = vn.isTextual() ? byCidr.get(vn.asText()) : null;
        if (vn.isTextual() && v == null) {
          continue; // a VIP this node's group does not have
        }
        JsonNode t = n.path("target");
        pins.add(new Pin(v, t.isTextual() ? t.asText() : null, n.path("epoch").asLong()));
      }
      JsonNode outlive = o.path("outliveMs");
      long outliveNanos = outlive.canConvertToLong() && outlive.asLong() >= 0
          && outlive.asLong() <= Long.MAX_VALUE / MS ? outlive.asLong() * MS : -1;
      return new MemberData(o.path("incarnation").asLong(), o.path("priority").asInt(),
          Eligibility.valueOf(o.path("eligibility").asText("DISQUALIFIED")),
          o.path("quorum").asBoolean(), held, pins, o.path("leaving").asBoolean(),
          outliveNanos);
    } catch (IOException | IllegalArgumentException e) {
      return null;
    }
  }
}
