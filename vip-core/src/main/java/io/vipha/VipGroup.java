package io.vipha;

import io.vipha.internal.Problems;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A set of VIPs that move together under one {@link Mode} and {@link FailoverPolicy}, among a
 * fixed set of {@link Node}s.
 *
 * <pre>{@code
 * VipGroup web = VipGroup.builder()
 *     .name("web")
 *     .mode(Mode.ACTIVE_PASSIVE)
 *     .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
 *     .node(n -> n.id("n1").heartbeat("198.51.100.1").priority(200))
 *     .node(n -> n.id("n2").heartbeat("198.51.100.2").priority(100))
 *     .build();
 * }</pre>
 *
 * @param name 1–64 letters, digits or {@code . _ -}, starting with a letter or digit
 * @param mode Active/Passive or Active/Active
 * @param vips the group's VIPs, at least one, each address once
 * @param nodes the group's nodes, at least one, each id once
 * @param policy when and how VIPs move
 */
public record VipGroup(
    String name, Mode mode, List<VirtualIp> vips, List<Node> nodes, FailoverPolicy policy) {

  /** The most VIPs a group may hold: {@value}. */
  public static final int MAX_VIPS = 65_536;
  /** The most nodes a group may hold: {@value}. */
  public static final int MAX_NODES = 256;

  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** Validates the whole group; throws {@link ValidationException} naming all problems. */
  public VipGroup {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(policy, "policy");
    vips = List.copyOf(vips);
    nodes = List.copyOf(nodes);
    Problems p = new Problems();
    check(p, name, mode, vips, nodes, policy.quorum());
    p.throwIfAny();
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this group's values. */
  public Builder toBuilder() {
    Builder b = new Builder().name(name).mode(mode).policy(policy);
    vips.forEach(b::vip);
    nodes.forEach(b::node);
    return b;
  }

  /** The node with this id, if it is a member. */
  public Optional<Node> node(String id) {
    for (Node n : nodes) {
      if (n.id().equals(id)) {
        return Optional.of(n);
      }
    }
    return Optional.empty();
  }

  /** Alive nodes (this one included) needed to own VIPs, from the policy's quorum. */
  public int quorumSize() {
    return policy.quorum().required(nodes.size());
  }

  private static void check(Problems p, @Nullable String name, @Nullable Mode mode,
      List<VirtualIp> vips, List<Node> nodes, Quorum quorum) {
    checkNameAndMode(p, name, mode);
    checkCounts(p, vips.size(), nodes.size());
    checkMembers(p, mode, vips, nodes, quorum);
  }

  private static void checkNameAndMode(Problems p, @Nullable String name, @Nullable Mode mode) {
    if (name == null) {
      p.add("name", null, "is required; name the group, e.g. web");
    } else if (!NAME.matcher(name).matches()) {
      p.add("name", name, "is not a valid group name; use 1–64 letters, digits or . _ - starting"
          + " with a letter or digit");
    }
    if (mode == null) {
      p.add("mode", null, "is required; use ACTIVE_PASSIVE or ACTIVE_ACTIVE (the ModeAdvisor"
          + " recommends one)");
    }
  }

  private static void checkCounts(Problems p, int vips, int nodes) {
    if (vips == 0) {
      p.add("vips", null, "is empty; a group needs at least one VIP");
    } else if (vips > MAX_VIPS) {
      p.add("vips", String.valueOf(vips), "holds too many VIPs; split the group (at most "
          + MAX_VIPS + ")");
    }
    if (nodes == 0) {
      p.add("nodes", null, "is empty; a group needs at least one node");
    } else if (nodes > MAX_NODES) {
      p.add("nodes", String.valueOf(nodes), "holds too many nodes; at most " + MAX_NODES);
    }
  }

  /**
   * The rules across members. A null entry stands for a member that is itself invalid (already
   * reported): it is skipped, but still counts in {@code vips.size()} and {@code nodes.size()}.
   */
  private static void checkMembers(Problems p, @Nullable Mode mode,
      List<? extends @Nullable VirtualIp> vips, List<? extends @Nullable Node> nodes,
      Quorum quorum) {
    Map<InetAddress, Integer> seenVip = new HashMap<>();
    for (int i = 0; i < vips.size(); i++) {
      VirtualIp v = vips.get(i);
      if (v == null) {
        continue;
      }
      Integer first = seenVip.putIfAbsent(v.address(), i);
      if (first != null) {
        p.add("vips[" + i + "].address", v.cidr(), "repeats vips[" + first + "]; each address may"
            + " appear once");
      }
      if (mode == Mode.ACTIVE_ACTIVE && v.exposure() == Exposure.PUBLIC) {
        p.add("vips[" + i + "].exposure", "PUBLIC", "is not allowed in an ACTIVE_ACTIVE group: a"
            + " public VIP always runs Active/Passive at the VIP layer; put it in an"
            + " ACTIVE_PASSIVE group");
      }
    }
    Map<String, Integer> seenId = new HashMap<>();
    Map<InetSocketAddress, String> seenHeartbeat = new HashMap<>();
    long capacity = 0;
    for (int i = 0; i < nodes.size(); i++) {
      Node n = nodes.get(i);
      if (n == null) {
        capacity += MAX_VIPS; // unknown: do not report a total capacity it may well reach
        continue;
      }
      Integer first = seenId.putIfAbsent(n.id(), i);
      if (first != null) {
        p.add("nodes[" + i + "].id", n.id(), "repeats nodes[" + first + "]; node ids must be"
            + " unique");
      }
      for (int j = 0; j < n.heartbeat().size(); j++) {
        InetSocketAddress a = n.heartbeat().get(j);
        String owner = seenHeartbeat.putIfAbsent(a, "nodes[" + i + "]");
        if (owner != null && !owner.equals("nodes[" + i + "]")) {
          p.add("nodes[" + i + "].heartbeat[" + j + "]", io.vipha.internal.Addresses.text(a),
              "is already used by " + owner + "; each node needs its own heartbeat address");
        }
      }
      Integer c = n.capacity();
      capacity += c == null ? MAX_VIPS : c;
      if (mode == Mode.ACTIVE_PASSIVE && c != null && c < vips.size()) {
        p.add("nodes[" + i + "].capacity", String.valueOf(c), "is below the group's "
            + vips.size() + " VIPs; an Active/Passive owner holds all of them: raise it or leave"
            + " it out");
      }
    }
    if (mode == Mode.ACTIVE_ACTIVE && !nodes.isEmpty() && capacity < vips.size()) {
      p.add("nodes", null, "have a total capacity of " + capacity + ", below the group's "
          + vips.size() + " VIPs; raise capacities or add nodes");
    }
    if (quorum.kind() == Quorum.Kind.SIZE && !nodes.isEmpty() && quorum.size() > nodes.size()) {
      p.add("policy.quorum", String.valueOf(quorum.size()), "is larger than the group's "
          + nodes.size() + " nodes; no node could ever own the VIPs: use at most " + nodes.size()
          + " or \"majority\"");
    }
  }

  /** Builds a {@link VipGroup}; {@link #build()} reports every problem in the group at once. */
  public static final class Builder {
    private @Nullable String name;
    private @Nullable Mode mode;
    private final List<VirtualIp.Builder> vips = new ArrayList<>();
    private final List<Node.Builder> nodes = new ArrayList<>();
    private FailoverPolicy.Builder policy = FailoverPolicy.builder();

    private Builder() {}

    /** The group name, e.g. {@code web}. */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** Active/Passive or Active/Active. */
    public Builder mode(Mode mode) {
      this.mode = mode;
      return this;
    }

    /** Adds a VIP. */
    public Builder vip(VirtualIp vip) {
      vips.add(vip.toBuilder());
      return this;
    }

    /** Adds a VIP described by {@code spec}, validated with the group. */
    public Builder vip(Consumer<VirtualIp.Builder> spec) {
      VirtualIp.Builder b = VirtualIp.builder();
      spec.accept(b);
      vips.add(b);
      return this;
    }

    /** Adds a node. */
    public Builder node(Node node) {
      nodes.add(node.toBuilder());
      return this;
    }

    /** Adds a node described by {@code spec}, validated with the group. */
    public Builder node(Consumer<Node.Builder> spec) {
      Node.Builder b = Node.builder();
      spec.accept(b);
      nodes.add(b);
      return this;
    }

    /** The failover policy (default {@link FailoverPolicy#defaults()}). */
    public Builder policy(FailoverPolicy policy) {
      this.policy = policy.toBuilder();
      return this;
    }

    /** Edits the failover policy, starting from the current one. */
    public Builder policy(Consumer<FailoverPolicy.Builder> spec) {
      spec.accept(policy);
      return this;
    }

    /** The group; throws {@link ValidationException} listing every problem with its path. */
    public VipGroup build() {
      Problems p = new Problems();
      // An invalid member stays in the list as null, so that the cross-member rules still run
      // on the valid ones under their own index.
      List<@Nullable VirtualIp> builtVips = new ArrayList<>();
      for (int i = 0; i < vips.size(); i++) {
        List<ValidationException.Problem> ps = vips.get(i).problems();
        p.addAll("vips[" + i + "]", ps);
        builtVips.add(ps.isEmpty() ? vips.get(i).build() : null);
      }
      List<@Nullable Node> builtNodes = new ArrayList<>();
      for (int i = 0; i < nodes.size(); i++) {
        List<ValidationException.Problem> ps = nodes.get(i).problems();
        p.addAll("nodes[" + i + "]", ps);
        builtNodes.add(ps.isEmpty() ? nodes.get(i).build() : null);
      }
      List<ValidationException.Problem> policyProblems = policy.problems();
      p.addAll("policy", policyProblems);
      FailoverPolicy built = policyProblems.isEmpty() ? policy.build() : null;
      checkNameAndMode(p, name, mode);
      checkCounts(p, vips.size(), nodes.size());
      checkMembers(p, mode, builtVips, builtNodes,
          built == null ? policy.validQuorumOrNone() : built.quorum());
      p.throwIfAny();
      return new VipGroup(Objects.requireNonNull(name), Objects.requireNonNull(mode),
          allPresent(builtVips), allPresent(builtNodes), Objects.requireNonNull(built));
    }

    private static <T> List<T> allPresent(List<@Nullable T> list) {
      List<T> present = new ArrayList<>(list.size());
      for (T t : list) {
        present.add(Objects.requireNonNull(t));
      }
      return present;
    }
  }
}
