package io.vipha;

import io.vipha.internal.Problems;
import io.vipha.internal.Addresses;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A member of a {@link VipGroup}.
 *
 * @param id unique within the group: 1–64 letters, digits or {@code . _ -}, starting with a letter
 *     or digit
 * @param heartbeat the addresses where the node sends and receives heartbeats (at least one)
 * @param priority 1–254, higher wins; 255 is reserved for an address owner as in VRRP
 * @param weight share of the VIPs in Active/Active, 1–1000 (default 1)
 * @param capacity the most VIPs the node may hold, or null for no limit
 */
public record Node(
    String id,
    List<InetSocketAddress> heartbeat,
    int priority,
    int weight,
    @Nullable Integer capacity) {

  /** The port used when a heartbeat address has none: {@value}. */
  public static final int DEFAULT_HEARTBEAT_PORT = 7405;
  /** Default priority: {@value}. */
  public static final int DEFAULT_PRIORITY = 100;

  static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** Validates every field; throws {@link ValidationException} naming all problems. */
  public Node {
    Objects.requireNonNull(id, "id");
    heartbeat = List.copyOf(heartbeat);
    Problems p = new Problems();
    check(p, id, heartbeat, priority, weight, capacity);
    p.throwIfAny();
  }

  /** A new builder with priority {@value #DEFAULT_PRIORITY} and weight 1. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this node's values. */
  public Builder toBuilder() {
    Builder b = new Builder().id(id).priority(priority).weight(weight).capacity(capacity);
    b.heartbeat.addAll(heartbeat);
    return b;
  }

  private static void check(Problems p, @Nullable String id,
      List<? extends @Nullable InetSocketAddress> heartbeat,
      int priority, int weight, @Nullable Integer capacity) {
    if (id == null) {
      p.add("id", null, "is required; name the node, e.g. n1");
    } else if (!ID.matcher(id).matches()) {
      p.add("id", id, "is not a valid node id; use 1–64 letters, digits or . _ - starting with a"
          + " letter or digit");
    }
    if (heartbeat.isEmpty()) {
      p.add("heartbeat", null, "is empty; give at least one address such as 192.0.2.1:"
          + DEFAULT_HEARTBEAT_PORT);
    }
    for (int i = 0; i < heartbeat.size(); i++) {
      InetSocketAddress a = heartbeat.get(i);
      if (a == null) {
        continue; // unparsable text, already reported
      }
      if (a.isUnresolved() || a.getAddress() == null) {
        p.add("heartbeat[" + i + "]", a.getHostString(), "is not an IP address; vipha never"
            + " resolves names: write an IP literal");
      } else if (a.getAddress().isAnyLocalAddress()) {
        p.add("heartbeat[" + i + "]", Addresses.text(a), "is the unspecified address; peers"
            + " need a routable address of this node");
      } else if (a.getPort() == 0) {
        p.add("heartbeat[" + i + "]", Addresses.text(a), "has port 0; peers cannot send"
            + " heartbeats to it: use 1–65535, e.g. " + DEFAULT_HEARTBEAT_PORT);
      }
      for (int j = 0; j < i; j++) {
        if (a.equals(heartbeat.get(j))) {
          p.add("heartbeat[" + i + "]", Addresses.text(a), "repeats heartbeat[" + j + "];"
              + " remove one");
          break; // name the first occurrence only
        }
      }
    }
    if (priority == 255) {
      p.add("priority", priority, "is reserved for an address owner (as in VRRP); use 1–254");
    } else if (priority < 1 || priority > 254) {
      p.add("priority", priority, "is out of range; use 1–254 (higher wins)");
    }
    if (weight < 1 || weight > 1000) {
      p.add("weight", weight, "is out of range; use 1–1000 (share of VIPs in Active/Active)");
    }
    if (capacity != null && (capacity < 1 || capacity > VipGroup.MAX_VIPS)) {
      p.add("capacity", capacity, "is out of range; use 1–" + VipGroup.MAX_VIPS
          + ", or leave it out for no limit");
    }
  }

  /** Builds a {@link Node}; {@link #build()} reports every problem at once. */
  public static final class Builder {
    private @Nullable String id;
    private final List<@Nullable InetSocketAddress> heartbeat = new ArrayList<>();
    private int priority = DEFAULT_PRIORITY;
    private int weight = 1;
    private @Nullable Integer capacity;
    private final Problems parseProblems = new Problems();

    private Builder() {}

    /** The node id, e.g. {@code n1}. */
    public Builder id(String id) {
      this.id = id;
      return this;
    }

    /**
     * Adds a heartbeat address: {@code 192.0.2.1}, {@code 192.0.2.1:7405}, {@code 2001:db8::1} or
     * {@code [2001:db8::1]:7405}; without a port, {@value #DEFAULT_HEARTBEAT_PORT}.
     */
    public Builder heartbeat(String endpoint) {
      InetSocketAddress a = Addresses.parseEndpoint(endpoint.trim(), DEFAULT_HEARTBEAT_PORT);
      if (a == null) {
        parseProblems.add("heartbeat[" + heartbeat.size() + "]", endpoint,
            "is not an IP address with an optional port; write e.g. 192.0.2.1:7405 or"
                + " [2001:db8::1]:7405");
        heartbeat.add(null);
        return this;
      }
      heartbeat.add(a);
      return this;
    }

    /** Adds a heartbeat address. */
    public Builder heartbeat(InetSocketAddress endpoint) {
      heartbeat.add(endpoint);
      return this;
    }

    /** 1–254, higher wins (default {@value #DEFAULT_PRIORITY}). */
    public Builder priority(int priority) {
      this.priority = priority;
      return this;
    }

    /** Share of the VIPs in Active/Active, 1–1000 (default 1). */
    public Builder weight(int weight) {
      this.weight = weight;
      return this;
    }

    /** The most VIPs this node may hold, or null for no limit (default). */
    public Builder capacity(@Nullable Integer capacity) {
      this.capacity = capacity;
      return this;
    }

    List<ValidationException.Problem> problems() {
      Problems p = new Problems();
      p.addAll("", parseProblems.list());
      check(p, id, heartbeat, priority, weight, capacity);
      return p.list();
    }

    /** The node; throws {@link ValidationException} listing every problem. */
    public Node build() {
      List<ValidationException.Problem> problems = problems();
      if (!problems.isEmpty()) {
        throw new ValidationException(problems);
      }
      List<InetSocketAddress> endpoints = new ArrayList<>();
      for (InetSocketAddress a : heartbeat) {
        endpoints.add(Objects.requireNonNull(a));
      }
      return new Node(Objects.requireNonNull(id), endpoints, priority, weight, capacity);
    }
  }
}
