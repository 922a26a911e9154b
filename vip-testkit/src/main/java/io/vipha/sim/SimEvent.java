package io.vipha.sim;

import java.util.Objects;

/**
 * One entry of a simulation's timeline.
 *
 * @param at virtual time since the simulation started, in nanoseconds
 * @param node the node it concerns, or {@code ""} for the network or the client
 * @param type what kind of entry
 * @param vip the VIP it concerns (its CIDR), or {@code ""}
 * @param text a readable description
 */
public record SimEvent(long at, String node, Type type, String vip, String text) {
  /** Kinds of timeline entries. */
  public enum Type {
    /** A fault or an operator action was injected. */
    FAULT,
    /** A host added a VIP (agent, or by hand). */
    ADDED,
    /** A host lost a VIP (released, removed by hand, lease expired, power off). */
    REMOVED,
    /** The client's cache entry for a VIP now points at this node. */
    CLIENT_MOVED,
    /** The client's packets to a VIP stopped reaching a holder. */
    OUTAGE_BEGIN,
    /** The client's packets to a VIP reach a holder again; the text gives the outage length. */
    OUTAGE_END,
    /** Something an agent reported (peer down, quorum lost, stall, backend error …). */
    AGENT
  }

  /** Checks the fields. */
  public SimEvent {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(vip, "vip");
    Objects.requireNonNull(text, "text");
  }

  /** One line: {@code t=  1.234567s n1 ADDED 192.0.2.10/24 assigned}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(Simulation.formatTime(at)).append(' ');
    sb.append(node.isEmpty() ? "-" : node).append(' ').append(type);
    if (!vip.isEmpty()) {
      sb.append(' ').append(vip);
    }
    if (!text.isEmpty()) {
      sb.append(' ').append(text);
    }
    return sb.toString();
  }
}
