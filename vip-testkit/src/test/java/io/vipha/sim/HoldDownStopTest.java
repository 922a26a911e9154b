package io.vipha.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Mode;
import io.vipha.Quorum;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A node that learns of a preemption from the holders, rather than planning it, judges the
 * loser's hold-down as the nodes that made the move do.
 */
class HoldDownStopTest {
  @Test
  void aGracefulStopRightAfterAPreemptionHandsOverToTheNodeOutsideHoldDown() {
    VipGroup g = VipGroup.builder().name("ap").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1").priority(150))
        .node(n -> n.id("n2").heartbeat("198.51.100.2").priority(100))
        .node(n -> n.id("n3").heartbeat("198.51.100.3").priority(50))
        .policy(p -> p.preempt(true).preemptDelay(Duration.ZERO).holdDown(Duration.ofSeconds(5))
            .heartbeatInterval(Duration.ofMillis(100)).deadAfter(3)
            .quorum(Quorum.majority()).lease(Duration.ofSeconds(2)))
        .build();
    VirtualIp v = g.vips().get(0);
    for (int after : new int[] {300, 500, 1000, 2500}) {
      Simulation sim = Simulation.builder().group(g).seed(after).build();
      sim.start();
      sim.node("n1").crash(); // n1 starts late: n2 is elected, then n1 preempts it
      sim.run(Duration.ofSeconds(1));
      assertThat(sim.holders(v)).extracting(SimNode::id).containsExactly("n2");
      sim.node("n1").restart();
      sim.run(Duration.ofMillis(after));
      assertThat(sim.holders(v)).extracting(SimNode::id).containsExactly("n1");
      long stop = sim.now();
      sim.node("n1").stop(); // n2 is in its 5 s hold-down: n3 takes over, make-before-break
      sim.run(Duration.ofSeconds(1));
      assertThat(sim.holders(v)).as("%d ms after the preemption", after)
          .extracting(SimNode::id).containsExactly("n3");
      assertThat(sim.outages()).as("%d ms after the preemption", after)
          .noneMatch(o -> o.from() >= stop);
    }
  }
}
