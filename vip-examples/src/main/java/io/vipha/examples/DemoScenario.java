package io.vipha.examples;

import io.vipha.FailoverPolicy;
import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.sim.Simulation;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A group and the script it goes through: start, then an owner's host loses power and returns,
 * a partition and its heal, a process crash with the host up and the restart, a graceful leave
 * and the return, and a health check that fails and passes again. The policy preempts, so every
 * return takes the node's VIP back (Active/Passive) or its share of them (Active/Active).
 *
 * @param title what the group is, for people
 * @param group the group
 * @param steps the script, beginning with the start
 */
record DemoScenario(String title, VipGroup group, List<Step> steps) {

  /**
   * One step of the script.
   *
   * @param marker a short label for the SVG timeline, e.g. {@code power off n1}
   * @param text what happens, for people
   * @param action injects it into the simulation
   */
  record Step(String marker, String text, Consumer<Simulation> action) {}

  /** Three nodes of priorities 200, 150 and 100 share one VIP; n1 owns it when all is well. */
  static DemoScenario activePassive(FailoverPolicy policy) {
    VipGroup group = VipGroup.builder().name("ap").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1").priority(200))
        .node(n -> n.id("n2").heartbeat("198.51.100.2").priority(150))
        .node(n -> n.id("n3").heartbeat("198.51.100.3").priority(100))
        .policy(policy)
        .build();
    return new DemoScenario("Active/Passive: 3 nodes (n1 priority 200, n2 150, n3 100),"
        + " 1 VIP 192.0.2.10/24", group,
        script("n1", "n1", "n1", "n1", "n1", true));
  }

  /** Four equal nodes share sixteen VIPs, four each when all is well. */
  static DemoScenario activeActive(FailoverPolicy policy) {
    VipGroup.Builder b = VipGroup.builder().name("aa").mode(Mode.ACTIVE_ACTIVE).policy(policy);
    for (int i = 1; i <= 4; i++) {
      int k = i;
      b.node(n -> n.id("n" + k).heartbeat("198.51.100." + k));
    }
    for (int i = 1; i <= 16; i++) {
      int k = i;
      b.vip(v -> v.address("192.0.2." + (10 + k) + "/24").interfaceName("eth0"));
    }
    return new DemoScenario("Active/Active: 4 equal nodes n1-n4, 16 VIPs 192.0.2.11-26/24",
        b.build(), script("n1", "n2", "n3", "n4", "n1", false));
  }

  /** Stops {@code node} gracefully; the stop completes in virtual time, as the timeline shows. */
  @SuppressWarnings("FutureReturnValueIgnored")
  private static void stop(Simulation sim, String node) {
    sim.node(node).stop();
  }

  /**
   * The script, with the node each pair of steps hits; {@code owner} says the faulted node owns
   * the VIP (Active/Passive).
   */
  private static List<Step> script(String power, String cut, String crash, String leave,
      String health, boolean owner) {
    String the = owner ? "the owner " : "";
    return List.of(
        new Step("start", "start: every agent starts at once; they hear each other and"
            + " assign the VIPs", Simulation::start),
        new Step("power off " + power, "owner crash: " + the + power + " loses power, its"
            + " addresses vanish", sim -> sim.node(power).powerOff()),
        new Step("power on " + power, "preemption: " + power + " powers on and takes its"
            + " share back", sim -> sim.node(power).powerOn()),
        new Step("partition " + cut, "partition: " + the + cut + " is cut off from the other"
            + " nodes; clients still reach it", sim -> sim.partition(Set.of(cut))),
        new Step("heal", "heal: the network is whole again, " + cut + " takes its share back",
            Simulation::heal),
        new Step("crash " + crash, "process crash, host up: " + crash + "'s agent dies; its"
            + " addresses stay until their lease ends", sim -> sim.node(crash).crash()),
        new Step("restart " + crash, "preemption: the agent on " + crash + " restarts and"
            + " takes its share back", sim -> sim.node(crash).restart()),
        new Step("stop " + leave, "graceful leave: " + the + leave + " stops, handing its VIPs"
            + " over make-before-break", sim -> stop(sim, leave)),
        new Step("restart " + leave, "preemption: " + leave + " starts again and takes its"
            + " share back", sim -> sim.node(leave).restart()),
        new Step("health fails " + health, "health check fails on " + the + health
            + "; after two failures it is no longer eligible",
            sim -> sim.node(health).health(false)),
        new Step("health passes " + health, "preemption: the health check passes on " + health
            + " again and it takes its share back", sim -> sim.node(health).health(true)));
  }
}
