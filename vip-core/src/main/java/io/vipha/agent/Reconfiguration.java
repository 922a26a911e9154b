package io.vipha.agent;

import io.vipha.ValidationException;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.agent.VipAgent.Phase;
import io.vipha.health.HealthCheck;
import io.vipha.internal.Problems;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A changed group and health checks applied to the agent ({@link VipAgent#reconfigure}): checks
 * that the change can apply while the agent runs, then hands each part its share, and plans
 * once. A running agent keeps its role; only the planner's normal rules move VIPs afterwards.
 */
final class Reconfiguration {
  private final VipAgent a;

  Reconfiguration(VipAgent agent) {
    this.a = agent;
  }

  /**
   * Checks and applies the change; throws {@link ValidationException} (every problem) or, once
   * the agent is stopping, {@link IllegalStateException}, changing nothing.
   */
  void apply(VipGroup group, List<HealthCheck> checks) {
    Phase phase = a.phase();
    if (phase == Phase.STOPPING || phase == Phase.STOPPED) {
      throw new IllegalStateException("the agent is " + phase.name().toLowerCase(
          java.util.Locale.ROOT) + "; a stopped agent takes no new configuration");
    }
    boolean started = phase != Phase.NEW;
    Problems p = problems(group, checks);
    if (started && group.node(a.nodeId).isPresent()) {
      p.list().addAll(a.coordinator.reconfigureProblems(group));
    }
    p.throwIfAny();
    VipGroup old = a.group;
    Set<VirtualIp> removed = new LinkedHashSet<>(old.vips());
    removed.removeAll(group.vips());
    a.takeGroup(group);
    a.memory.policy(group.policy());
    a.planning.regroup(group);
    a.peers.regroup(group);
    a.standing.regroup(checks, started);
    a.announcer.regroup(old.policy().announce().refresh(), started);
    a.events.emit(new AgentEvent.Reconfigured(a.loop.nanoTime(), group.nodes().size(),
        group.vips().size(), checks.size()));
    a.reconciler.retire(removed);
    if (!started) {
      a.snapshot();
      return;
    }
    a.coordinator.reconfigure(group);
    a.planning.localChanged();
  }

  /** Every reason why {@code group} and {@code checks} cannot replace the running ones. */
  Problems problems(VipGroup group, List<HealthCheck> checks) {
    Problems p = new Problems();
    VipGroup now = a.group;
    if (!group.name().equals(now.name())) {
      p.add("name", group.name(), "differs from the running group's name " + now.name()
          + "; another group needs a restart of the agent");
    }
    if (group.mode() != now.mode()) {
      p.add("mode", group.mode(), "differs from the running mode " + now.mode()
          + "; changing the mode needs a restart of the agent");
    }
    if (group.node(a.nodeId).isEmpty()) {
      p.add("nodes", null, "do not include this node " + a.nodeId
          + "; changing the node id needs a restart of the agent");
    }
    try {
      HealthCheck.requireUniqueNames(checks);
    } catch (ValidationException e) {
      p.addAll("", e.problems());
    }
    return p;
  }
}
