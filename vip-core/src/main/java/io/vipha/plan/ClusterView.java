package io.vipha.plan;

import io.vipha.VirtualIp;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * What one node knows of the cluster at an instant: the status of every node of the group and
 * any planned switchover (a pin). Immutable; build a new view when something changes.
 */
public final class ClusterView {
  final String[] ids; // sorted
  final NodeStatus[] statuses; // same order as ids
  final @Nullable String pinnedOwner;
  final Map<InetAddress, String> pins;
  /** What a planner derived from this view for its group; written once, read by any planner. */
  volatile @Nullable Check check;

  /** A view checked against a group: its pins as canonical indexes. Immutable. */
  static final class Check {
    final Canon canon;
    final int[] pinOf;
    final int pinnedIndex;

    Check(Canon canon, int[] pinOf, int pinnedIndex) {
      this.canon = canon;
      this.pinOf = pinOf;
      this.pinnedIndex = pinnedIndex;
    }
  }

  private ClusterView(String[] ids, NodeStatus[] statuses, @Nullable String pinnedOwner,
      Map<InetAddress, String> pins) {
    this.ids = ids;
    this.statuses = statuses;
    this.pinnedOwner = pinnedOwner;
    this.pins = pins;
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this view's nodes and pins. */
  public Builder toBuilder() {
    Builder b = new Builder();
    for (int i = 0; i < ids.length; i++) {
      b.nodes.put(ids[i], statuses[i]);
    }
    b.pinnedOwner = pinnedOwner;
    b.pins.putAll(pins);
    return b;
  }

  /** The status of node {@code id}, or null if the view does not hold it. */
  public @Nullable NodeStatus status(String id) {
    int i = Arrays.binarySearch(ids, id);
    return i < 0 ? null : statuses[i];
  }

  /** Every node's status, by id. */
  public Map<String, NodeStatus> statuses() {
    Map<String, NodeStatus> m = new TreeMap<>();
    for (int i = 0; i < ids.length; i++) {
      m.put(ids[i], statuses[i]);
    }
    return Collections.unmodifiableMap(m);
  }

  /** Active/Passive switchover target, or null. */
  public @Nullable String pinnedOwner() {
    return pinnedOwner;
  }

  /** Active/Active switchover targets by VIP address. */
  public Map<InetAddress, String> pins() {
    return pins;
  }

  /** Nodes that count towards quorum: alive or suspect. */
  public int reachable() {
    int n = 0;
    for (NodeStatus s : statuses) {
      if (s.liveness() != Liveness.DEAD) {
        n++;
      }
    }
    return n;
  }

  @Override
  public String toString() {
    return "ClusterView" + statuses() + (pinnedOwner == null ? "" : " pinned to " + pinnedOwner)
        + (pins.isEmpty() ? "" : " pins " + pins);
  }

  /** Builds a {@link ClusterView}. */
  public static final class Builder {
    private final Map<String, NodeStatus> nodes = new TreeMap<>();
    private @Nullable String pinnedOwner;
    private final Map<InetAddress, String> pins = new HashMap<>();

    private Builder() {}

    /** Sets the status of node {@code id}. */
    public Builder node(String id, NodeStatus status) {
      nodes.put(id, status);
      return this;
    }

    /**
     * Active/Passive switchover: while set and the node is eligible, it owns the group, whatever
     * the priorities. Null clears it.
     */
    public Builder pin(@Nullable String nodeId) {
      this.pinnedOwner = nodeId;
      return this;
    }

    /** Active/Active switchover: while set and the node is eligible, it owns {@code vip}. */
    public Builder pin(VirtualIp vip, String nodeId) {
      pins.put(vip.address(), nodeId);
      return this;
    }

    /** Removes the Active/Active pin of {@code vip}. */
    public Builder unpin(VirtualIp vip) {
      pins.remove(vip.address());
      return this;
    }

    /** The view. */
    public ClusterView build() {
      String[] ids = nodes.keySet().toArray(new String[0]);
      NodeStatus[] st = nodes.values().toArray(new NodeStatus[0]);
      return new ClusterView(ids, st, pinnedOwner, Map.copyOf(pins));
    }
  }
}
