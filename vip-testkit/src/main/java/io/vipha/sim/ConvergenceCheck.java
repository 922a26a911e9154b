package io.vipha.sim;

import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.agent.AgentState;
import io.vipha.agent.VipAgent;
import io.vipha.plan.Eligibility;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The explorer's judgement of the group's state: converged (every VIP held once, on the
 * segment, by a running, eligible node that every running agent names as its owner), and settled
 * (converged, every node healthy, running and mutually reachable, every VIP reached by the
 * client), the state before a fault whose outage the explorer bounds.
 */
final class ConvergenceCheck {
  private final Simulation sim;
  private final VipGroup group;
  private final List<SimNode> nodes;

  ConvergenceCheck(Simulation sim) {
    this.sim = sim;
    this.group = sim.group();
    this.nodes = sim.nodes();
  }

  /** Every node healthy and running, and every VIP held once by the owner all agree on. */
  boolean settled() {
    for (SimNode n : nodes) {
      VipAgent a = n.agent();
      if (a == null || !n.running() || !n.onSegment() || !n.healthy() || n.backendFailing()) {
        return false;
      }
      AgentState s = a.state();
      if (s.phase() != VipAgent.Phase.RUNNING || s.eligibility() != Eligibility.ELIGIBLE) {
        return false;
      }
      for (SimNode o : nodes) {
        if (sim.blocked(n.id(), o.id())) {
          return false;
        }
      }
    }
    return converged() && allReached();
  }

  private boolean allReached() {
    for (VirtualIp v : group.vips()) {
      if (!sim.clientReaches(v)) {
        return false;
      }
    }
    return true;
  }

  /** {@link #problems()} is empty; without building any text. */
  boolean converged() {
    List<VirtualIp> vips = group.vips();
    AgentState[] states = new AgentState[nodes.size()];
    for (int i = 0; i < nodes.size(); i++) {
      SimNode n = nodes.get(i);
      VipAgent a = n.agent();
      if (a != null && n.running()) {
        states[i] = a.state();
      }
    }
    for (int k = 0; k < vips.size(); k++) {
      int holder = -1;
      for (int i = 0; i < nodes.size(); i++) {
        if (nodes.get(i).host().holds(k)) {
          if (holder >= 0) {
            return false;
          }
          holder = i;
        }
      }
      if (holder < 0 || states[holder] == null || !nodes.get(holder).onSegment()) {
        return false;
      }
      AgentState hs = states[holder];
      if (hs.phase() != VipAgent.Phase.RUNNING || hs.eligibility() == Eligibility.DISQUALIFIED
          || hs.eligibility() == Eligibility.DRAINING) {
        return false;
      }
      String id = nodes.get(holder).id();
      VirtualIp v = vips.get(k);
      for (AgentState st : states) {
        if (st != null && !id.equals(st.owners().get(v))) {
          return false;
        }
      }
    }
    return true;
  }

  /** Why the group has not converged, one phrase per problem; empty when it has. */
  String problems() {
    List<String> problems = new ArrayList<>();
    Map<String, AgentState> states = new HashMap<>();
    for (SimNode n : nodes) {
      VipAgent a = n.agent();
      if (a != null && n.running()) {
        states.put(n.id(), a.state());
      }
    }
    for (VirtualIp v : group.vips()) {
      List<SimNode> holders = new ArrayList<>();
      for (SimNode n : nodes) {
        if (n.holds(v)) {
          holders.add(n);
        }
      }
      if (holders.size() != 1) {
        problems.add(v.cidr() + " held by " + Verdict.names(holders));
        continue;
      }
      SimNode h = holders.get(0);
      AgentState hs = states.get(h.id());
      if (hs == null || !h.onSegment()) {
        problems.add(v.cidr() + " held by " + h.id() + " whose process is not running");
        continue;
      }
      if (hs.phase() != VipAgent.Phase.RUNNING || hs.eligibility() == Eligibility.DISQUALIFIED
          || hs.eligibility() == Eligibility.DRAINING) {
        problems.add(v.cidr() + " held by " + h.id() + " which is " + hs.phase() + "/"
            + hs.eligibility());
      }
      for (Map.Entry<String, AgentState> e : states.entrySet()) {
        String o = e.getValue().owners().get(v);
        if (!h.id().equals(o)) {
          problems.add(e.getKey() + " thinks " + v.cidr() + " belongs to " + o + ", " + h.id()
              + " holds it");
        }
      }
    }
    return String.join("; ", problems);
  }
}
