package io.vipha.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import io.vipha.AnnouncePolicy;
import io.vipha.Exposure;
import io.vipha.FailoverPolicy;
import io.vipha.FlapLimit;
import io.vipha.Lease;
import io.vipha.Mode;
import io.vipha.NoQuorumAction;
import io.vipha.Node;
import io.vipha.Quorum;
import io.vipha.ValidationException;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.internal.Durations;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reads a group of a configuration document (its name, mode, VIPs, nodes and policy) into the
 * model's builders, and re-roots the builders' problems under {@code groups[i]}. The model's
 * rules are not repeated here; the daemon object is {@link DaemonReader}'s.
 */
final class GroupReader {
  static final List<String> GROUP = List.of("name", "mode", "vips", "nodes", "policy",
      "daemon");
  static final List<String> VIP = List.of("address", "interface", "exposure", "label");
  static final List<String> NODE = List.of("id", "heartbeat", "priority", "weight", "capacity");
  static final List<String> POLICY = List.of("preempt", "preemptDelay", "holdDown", "flapLimit",
      "heartbeatInterval", "deadAfter", "quorum", "noQuorum", "announce", "lease");
  static final List<String> FLAP_LIMIT = List.of("maxChanges", "window", "suspendFor");
  static final List<String> ANNOUNCE = List.of("count", "interval", "refresh");

  private final ConfigProblems problems;

  GroupReader(ConfigProblems problems) {
    this.problems = problems;
  }

  /** The group, or null when the model rejected it (its problems reported). */
  @Nullable VipGroup group(Fields g) {
    VipGroup.Builder b = VipGroup.builder();
    g.string("name", b::name);
    g.choice("mode", Mode.class, b::mode);
    g.objects("vips", VIP, "a VIP", vip -> b.vip(v -> {
      if (vip != null) {
        vip(vip, v);
      }
    }));
    g.objects("nodes", NODE, "a node", node -> b.node(n -> {
      if (node != null) {
        node(node, n);
      }
    }));
    Fields policy = g.object("policy", POLICY);
    if (policy != null) {
      b.policy(p -> policy(policy, p));
    }
    try {
      return b.build();
    } catch (ValidationException e) {
      problems.reportModel(e, g.path);
      return null;
    }
  }

  private static void vip(Fields o, VirtualIp.Builder v) {
    o.string("address", v::address);
    o.string("interface", v::interfaceName);
    o.choice("exposure", Exposure.class, v::exposure);
    o.string("label", v::label);
  }

  private static void node(Fields o, Node.Builder n) {
    o.string("id", n::id);
    o.strings("heartbeat", "an address such as \"198.51.100.1:7405\"", endpoint ->
        // Unusable entries still take their place, so the model's indices match the file's; the
        // model's problem with "" is superseded by the one already reported.
        n.heartbeat(endpoint == null ? "" : endpoint));
    o.integer("priority", n::priority);
    o.integer("weight", n::weight);
    o.integer("capacity", n::capacity);
  }

  private void policy(Fields o, FailoverPolicy.Builder p) {
    o.bool("preempt", p::preempt);
    o.duration("preemptDelay", p::preemptDelay);
    o.duration("holdDown", p::holdDown);
    Fields flap = o.object("flapLimit", FLAP_LIMIT);
    if (flap != null) {
      Integer maxChanges = flap.integer("maxChanges");
      Duration window = flap.duration("window");
      p.flapLimit(maxChanges == null ? FlapLimit.DEFAULT.maxChanges() : maxChanges,
          window == null ? FlapLimit.DEFAULT.window() : window,
          flap.duration("suspendFor")); // absent: suspended until an operator clears the node
    }
    o.duration("heartbeatInterval", p::heartbeatInterval);
    o.integer("deadAfter", p::deadAfter);
    quorum(o, p);
    o.choice("noQuorum", NoQuorumAction.class, p::noQuorum);
    Fields announce = o.object("announce", ANNOUNCE);
    if (announce != null) {
      Integer count = announce.integer("count");
      Duration every = announce.duration("interval");
      p.announce(count == null ? AnnouncePolicy.DEFAULT.count() : count,
          every == null ? AnnouncePolicy.DEFAULT.interval() : every);
      p.announceRefresh(announce.duration("refresh")); // absent: no periodic refresh
    }
    lease(o, p);
  }

  private void lease(Fields o, FailoverPolicy.Builder p) {
    JsonNode lease = o.node.get("lease");
    String leasePath = o.child("lease");
    if (lease != null && problems.expect(lease, leasePath, JsonNodeType.STRING,
        "a duration or \"forever\"")) {
      String text = lease.textValue();
      Duration d = Durations.parse(text);
      if (text.equalsIgnoreCase("forever")) {
        p.lease(Lease.forever());
      } else if (d != null) {
        p.lease(d);
      } else {
        problems.report(leasePath, text, "is not a duration or \"forever\"; "
            + Fields.DURATION_HINT);
      }
    }
  }

  private void quorum(Fields o, FailoverPolicy.Builder p) {
    JsonNode q = o.node.get("quorum");
    String path = o.child("quorum");
    if (q == null) {
      return;
    }
    if (q.isNumber()) {
      o.integer("quorum", p::quorumSize); // the model checks the size
    } else if (problems.expect(q, path, JsonNodeType.STRING, "\"none\", \"majority\" or a"
        + " number of nodes")) {
      String text = q.textValue();
      if (text.equalsIgnoreCase("none")) {
        p.quorum(Quorum.none());
      } else if (text.equalsIgnoreCase("majority")) {
        p.quorum(Quorum.majority());
      } else {
        problems.report(path, text, "is not a quorum; use \"none\", \"majority\" or a number of"
            + " nodes such as 2");
      }
    }
  }
}
