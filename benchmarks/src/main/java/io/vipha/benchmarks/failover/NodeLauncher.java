package io.vipha.benchmarks.failover;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * How the harness starts one node of the VIP group: the pluggable part, so that the same
 * topology, probe and scenarios measure vipha (vipd) and keepalived.
 */
interface NodeLauncher {
  /**
   * The cluster as both implementations see it; {@code raise} is added to every priority (the
   * reload scenario's priority change, which keeps the order and so the owner).
   */
  record Cluster(int nodes, int intervalMs, int deadAfter, int leaseSeconds, Path dir,
      Topology topology, int raise) {
    /** The cluster with every priority at its default ({@code raise} 0). */
    Cluster(int nodes, int intervalMs, int deadAfter, int leaseSeconds, Path dir,
        Topology topology) {
      this(nodes, intervalMs, deadAfter, leaseSeconds, dir, topology, 0);
    }

    /** Priority of node index {@code i}: n1 150, n2 100, n3 50, each plus {@code raise}. */
    int priority(int i) {
      return 150 - 50 * i + raise;
    }

    /** The heartbeat (VRRP unicast) address of node index {@code i}. */
    String heartbeat(int i) {
      return "198.51.100." + (i + 1);
    }

    /** The failure detection time, {@code intervalMs × deadAfter}, in milliseconds. */
    long detectionMs() {
      return (long) intervalMs * deadAfter;
    }
  }

  /** Short name for tables ({@code vipha}, {@code keepalived}). */
  String name();

  /** How many nodes the group has: n1, n2, n3 by default. */
  default int nodes() {
    return 3;
  }

  /** Writes whatever configuration the nodes need into {@code cluster.dir()}. */
  void configure(Cluster cluster) throws IOException;

  /**
   * Starts node index {@code i} in its namespace; the returned process (and its descendants) is
   * the node. Output goes to {@code log}.
   */
  Process start(Cluster cluster, int i, Path log) throws IOException;

  /**
   * Whether a process killed with SIGKILL leaves its VIPs to a kernel lease (vipha) rather than
   * on the host for good (keepalived).
   */
  boolean leasesAddresses();

  /**
   * How many reloads node index {@code i} has applied since it started, as it reports them;
   * {@code output} is what it wrote to its log so far.
   */
  long reloads(Cluster cluster, int i, String output) throws IOException;

  /**
   * The role changes (VIP acquired or released, VRRP state entered) that {@code output}, a
   * stretch of a node's log, reports, one line each, in order.
   */
  List<String> transitions(String output);

  /**
   * Whether a node whose output since its start is {@code output} is past its start-up (vipd:
   * its warm-up ended), so that an event finds a settled group; true when there is none.
   */
  default boolean warm(String output) {
    return true;
  }

  /** {@link #warm(String)} for node index {@code i}, for launchers that differ per node. */
  default boolean warm(int i, String output) {
    return warm(output);
  }
}
