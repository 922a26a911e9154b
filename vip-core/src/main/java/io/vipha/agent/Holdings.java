package io.vipha.agent;

import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.plan.Eligibility;
import io.vipha.plan.Liveness;
import io.vipha.spi.Coordinator.PeerState;
import io.vipha.spi.HostAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The VIPs this node holds and when it took each, and the conflict rule: who holds each VIP as
 * every node observes it, one holder when several claim one.
 */
final class Holdings {
  /** Whether the conflict rule decides between holders (off only in the checker's self-test). */
  private final boolean conflictRule;
  private final Set<VirtualIp> held = new LinkedHashSet<>();
  /** When this node last added each VIP it holds. */
  private final Map<VirtualIp, Long> acquiredAt = new HashMap<>();
  /** Since when and why this node holds each VIP, as the snapshot shows it. */
  private final Map<VirtualIp, AgentState.Holding> holdings = new HashMap<>();
  /** Each VIP's own host address, as {@link #present} looks it up. */
  private final Map<VirtualIp, HostAddress> exact = new HashMap<>();
  /** The set {@link #present} last searched, and whether it found each VIP there. */
  private @Nullable Set<HostAddress> searched;
  private final Map<VirtualIp, Boolean> found = new HashMap<>();
  /** Counts the changes of {@link #held}: what this node advertises is rebuilt when it moves. */
  private long version;

  Holdings(boolean conflictRule) {
    this.conflictRule = conflictRule;
  }

  /** The held VIPs, live and in the order taken; callers only read it. */
  Set<VirtualIp> held() {
    return held;
  }

  /** A number that changes whenever the held VIPs do. */
  long version() {
    return version;
  }

  /** A copy, for loops that release. */
  List<VirtualIp> list() {
    return new ArrayList<>(held);
  }

  boolean holds(VirtualIp v) {
    return held.contains(v);
  }

  boolean isEmpty() {
    return held.isEmpty();
  }

  /** On start, at {@code now}: {@code v} was left on the host. */
  void found(VirtualIp v, long now) {
    take(v);
    holdings.put(v, new AgentState.Holding(now, "LEFTOVER"));
  }

  /** This node added {@code v} at {@code now}, for the move reason {@code reason}. */
  void acquired(VirtualIp v, long now, String reason) {
    take(v);
    acquiredAt.put(v, now);
    holdings.put(v, new AgentState.Holding(now, reason));
  }

  void released(VirtualIp v) {
    if (held.remove(v)) {
      version++;
    }
    holdings.remove(v);
  }

  private void take(VirtualIp v) {
    if (held.add(v)) {
      version++;
    }
  }

  /** Since when and why this node holds each VIP; callers only read it. */
  Map<VirtualIp, AgentState.Holding> holdings() {
    return holdings;
  }

  /** When this node last added {@code v}; {@link Long#MIN_VALUE} if never. */
  long acquiredAt(VirtualIp v) {
    return acquiredAt.getOrDefault(v, Long.MIN_VALUE);
  }

  /**
   * Whether the host's addresses include {@code v} (on its interface, with any prefix). Asks the
   * set first, with {@code v}'s own address and prefix, so that the reconcile's usual case, an
   * address as this node added it or a host without any, needs no iterator. Any other VIP is
   * searched for once per set: a backend returns the same set while the host is unchanged.
   */
  boolean present(Set<HostAddress> actual, VirtualIp v) {
    if (actual.isEmpty()) {
      return false;
    }
    if (actual.contains(exact.computeIfAbsent(v, HostAddress::of))) {
      return true;
    }
    if (actual != searched) { // (a backend returns the same set only while it is true)
      searched = actual;
      found.clear();
    }
    Boolean known = found.get(v);
    if (known != null) {
      return known;
    }
    boolean any = false;
    for (HostAddress a : actual) {
      if (a.matches(v)) {
        any = true;
        break;
      }
    }
    found.put(v, any);
    return any;
  }

  /**
   * Who holds each VIP now: this node's own holdings and what each peer last reported. When
   * several hold one VIP (a healed partition, a handover in flight), every node picks the same
   * one: a reachable holder before a dead one, an eligible one before one that is draining,
   * disqualified or suspended (it is handing over), then the highest effective priority, then
   * the lowest id. A dead peer's last report counts only when no reachable node holds the VIP.
   */
  Map<VirtualIp, String> observedOwners(VipGroup group, String nodeId, int selfPriority,
      boolean selfEligible, Collection<PeerState> peers) {
    Map<VirtualIp, String> owners = new HashMap<>();
    for (VirtualIp v : group.vips()) {
      String chosen = held.contains(v) ? nodeId : null;
      int chosenPriority = selfPriority;
      boolean chosenDead = false;
      boolean chosenEligible = selfEligible;
      for (PeerState p : peers) {
        if (!p.held().contains(v)) {
          continue;
        }
        boolean dead = p.liveness() == Liveness.DEAD;
        boolean eligible = p.eligibility() == Eligibility.ELIGIBLE;
        boolean better;
        if (chosen == null) {
          better = true;
        } else if (!conflictRule && chosen.equals(nodeId)) {
          better = false;
        } else if (dead != chosenDead) {
          better = !dead;
        } else if (eligible != chosenEligible) {
          better = eligible;
        } else if (p.effectivePriority() != chosenPriority) {
          better = p.effectivePriority() > chosenPriority;
        } else {
          better = p.nodeId().compareTo(chosen) < 0;
        }
        if (better) {
          chosen = p.nodeId();
          chosenPriority = p.effectivePriority();
          chosenDead = dead;
          chosenEligible = eligible;
        }
      }
      if (chosen != null) {
        owners.put(v, chosen);
      }
    }
    return owners;
  }
}
