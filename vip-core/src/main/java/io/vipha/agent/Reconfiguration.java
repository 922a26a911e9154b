package io.vipha.agent;

import io.vipha.ValidationException;
import io.vipha.VipGroup;
import io.vipha.health.HealthCheck;
import io.vipha.internal.Problems;
import java.util.List;

/**
 * A changed group and health checks applied to the running agent ({@link
 * VipAgent#reconfigure}): checks that the change can apply live, then hands each part its share.
 */
final class Reconfiguration {
  private final VipAgent a;

  Reconfiguration(VipAgent agent) {
    this.a = agent;
  }

  /** Checks and applies the change; throws {@link ValidationException} changing nothing. */
  void apply(VipGroup group, List<HealthCheck> checks) {
    problems(group, checks).throwIfAny();
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
