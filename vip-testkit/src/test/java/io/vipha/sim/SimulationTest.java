package io.vipha.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.VirtualIp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The simulator's own model: determinism, client outages, leases, faults, shrinking. */
class SimulationTest {
  static Simulation started(long seed) {
    Simulation sim = Simulation.builder().group(SimGroups.activePassive()).seed(seed).build();
    sim.start();
    sim.run(Duration.ofSeconds(1));
    return sim;
  }

  static VirtualIp v4(Simulation sim) {
    return sim.group().vips().get(0);
  }

  @Test
  void theSameSeedGivesTheSameTimelineByteForByte() {
    Explorer e = ExplorerTest.explorer(SimGroups.activeActive());
    String a = e.run(1_000_000_007L).report();
    String b = e.run(1_000_000_007L).report();
    assertThat(a).isEqualTo(b);
    assertThat(e.run(1_000_000_008L).report()).isNotEqualTo(a);
  }

  @Test
  void powerOffOfTheOwnerCostsTheClientAnOutageWithinTheFailoverBound() {
    Simulation sim = started(3);
    VirtualIp v = v4(sim);
    assertThat(sim.holders(v)).extracting(SimNode::id).containsExactly("n1");
    assertThat(sim.clientReaches(v)).isTrue();
    sim.node("n1").powerOff();
    assertThat(sim.clientReaches(v)).isFalse();
    sim.run(Duration.ofSeconds(2));
    assertThat(sim.holders(v)).extracting(SimNode::id).containsExactly("n2");
    assertThat(sim.clientTarget(v)).isNotNull().extracting(SimNode::id).isEqualTo("n2");
    List<Outage> outages = new ArrayList<>();
    for (Outage o : sim.outages()) {
      if (o.vip().equals(v) && o.from() > 500_000_000L) {
        outages.add(o);
      }
    }
    Bounds bounds = Bounds.of(sim.group().policy(), Duration.ofSeconds(1));
    assertThat(outages).singleElement().satisfies(o -> {
      assertThat(o.ongoing()).isFalse();
      assertThat(o.length(sim.now())).isPositive()
          .isLessThanOrEqualTo(bounds.failover().toNanos());
    });
  }

  @Test
  void aCrashedProcessLeavesItsAddressUntilTheLeaseEndsAndTheClientNeverNotices() {
    Simulation sim = started(4);
    VirtualIp v = v4(sim);
    int before = sim.outages().size();
    sim.node("n1").crash();
    sim.run(Duration.ofMillis(500));
    assertThat(sim.node("n1").holds(v)).as("the host keeps the address").isTrue();
    assertThat(sim.node("n2").holds(v)).isTrue();
    sim.run(Duration.ofMillis(2100)); // the 2 s lease ran out without renewal
    assertThat(sim.node("n1").holds(v)).isFalse();
    assertThat(sim.outages()).hasSize(before);
    assertThat(sim.timeline()).anySatisfy(e -> {
      assertThat(e.type()).isEqualTo(SimEvent.Type.REMOVED);
      assertThat(e.node()).isEqualTo("n1");
      assertThat(e.text()).isEqualTo("lease expired");
    });
  }

  @Test
  void aClientWhoseCacheMissedTheAnnouncementWaitsForItsOwnExpiry() {
    Simulation sim = Simulation.builder().group(SimGroups.activePassive()).seed(5)
        .arpTimeout(Duration.ofSeconds(3)).build();
    sim.start();
    sim.run(Duration.ofSeconds(1));
    VirtualIp v = v4(sim);
    sim.node("n1").linkDown();
    sim.node("n1").removeByHand(v); // n1 is off the segment anyway
    sim.run(Duration.ofSeconds(1));
    // n2 took the VIP and announced it: the client follows.
    assertThat(sim.clientTarget(v)).isNotNull().extracting(SimNode::id).isEqualTo("n2");
    assertThat(sim.clientReaches(v)).isTrue();
  }

  @Test
  void partitionsAndBlocksAreOneWayOrBothWays() {
    Simulation sim = started(6);
    sim.block("n1", "n2");
    assertThat(sim.blocked("n1", "n2")).isTrue();
    assertThat(sim.blocked("n2", "n1")).isFalse();
    sim.partition(Set.of("n3"));
    assertThat(sim.blocked("n3", "n1")).isTrue();
    assertThat(sim.blocked("n2", "n3")).isTrue();
    assertThat(sim.blocked("n1", "n2")).isTrue();
    sim.heal();
    assertThat(sim.blocked("n1", "n2")).isFalse();
    assertThat(sim.blocked("n3", "n1")).isFalse();
  }

  @Test
  void aSlowLinkDelaysOnlyItsOwnDirection() {
    Simulation sim = started(10);
    // Heartbeats from n1 reach n2 later than the detection time: to n2, n1 is dead until the
    // first delayed one arrives.
    sim.linkDelay("n1", "n2", Duration.ofMillis(600));
    sim.run(Duration.ofMillis(590));
    assertThat(sim.node("n2").requireAgent().state().peers().get("n1")).isNotNull()
        .extracting(p -> p.liveness()).isEqualTo(io.vipha.plan.Liveness.DEAD);
    assertThat(sim.node("n3").requireAgent().state().peers().get("n1")).isNotNull()
        .extracting(p -> p.liveness()).isEqualTo(io.vipha.plan.Liveness.ALIVE);
    assertThatThrownBy(() -> sim.linkDelay("n1", "n2", Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
  }

  @Test
  void lossAndDuplicationChangeWhatArrives() {
    long[] clean = datagrams(0, 0);
    long[] lossy = datagrams(0.5, 0);
    long[] doubled = datagrams(0, 1.0);
    assertThat(clean[1]).isGreaterThan(clean[0] * 9 / 10); // all but those still in flight
    assertThat(lossy[1]).isLessThan(lossy[0] * 3 / 4).isGreaterThan(lossy[0] / 4);
    assertThat(doubled[1]).isGreaterThan(doubled[0] * 3 / 2);
  }

  private static long[] datagrams(double loss, double duplicate) {
    Simulation sim = Simulation.builder().group(SimGroups.activePassive()).seed(9).loss(loss)
        .duplicate(duplicate).agentEvents(false).build();
    sim.start();
    sim.run(Duration.ofSeconds(2));
    return sim.datagrams();
  }

  @Test
  void aFailingBackendMovesTheVipAway() {
    Simulation sim = started(7);
    VirtualIp v = v4(sim);
    sim.node("n1").failBackend(io.vipha.spi.BackendException.Kind.TRANSIENT);
    sim.run(Duration.ofSeconds(3));
    assertThat(sim.holders(v)).extracting(SimNode::id).containsExactly("n2");
    assertThat(sim.clientReaches(v)).isTrue();
  }

  @Test
  void aNodeRestartedAfterItsWallClockSteppedBackIsHeardAgain() {
    Simulation sim = started(8);
    sim.node("n3").clockJump(Duration.ofHours(-1));
    sim.node("n3").crash();
    sim.run(Duration.ofSeconds(1));
    sim.node("n3").restart(); // its incarnation, from the wall clock, is now lower
    sim.run(Duration.ofSeconds(2));
    assertPeersSeeAlive(sim, "n3");
    // The same after a graceful stop, whose LEAVING notice the peers accept while n3 is dead.
    sim.node("n3").clockJump(Duration.ofHours(-1));
    sim.node("n3").stop();
    sim.run(Duration.ofSeconds(1));
    sim.node("n3").restart();
    sim.run(Duration.ofSeconds(2));
    assertPeersSeeAlive(sim, "n3");
  }

  private static void assertPeersSeeAlive(Simulation sim, String node) {
    for (SimNode n : sim.nodes()) {
      if (!n.id().equals(node)) {
        assertThat(n.requireAgent().state().peers().get(node)).as("%s's view", n.id())
            .isNotNull().extracting(p -> p.liveness()).isEqualTo(io.vipha.plan.Liveness.ALIVE);
      }
    }
  }

  @Test
  void badSettingsAreRejectedWithTheirName() {
    assertThatThrownBy(() -> Simulation.builder().loss(1.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("loss");
    assertThatThrownBy(() -> Simulation.builder().delay(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delay");
    assertThatThrownBy(() -> Simulation.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("group");
    assertThatThrownBy(() -> started(1).node("n9"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n9");
  }

  @Test
  void schedulesAreReproducibleAndKeepOneNodeUnharmed() {
    FaultSchedule a = FaultSchedule.random(11, 3, 2, 40);
    assertThat(a).isEqualTo(FaultSchedule.random(11, 3, 2, 40));
    assertThat(a.faults()).hasSize(40);
    assertThat(a.only(List.of(0, 2)).faults()).containsExactly(a.faults().get(0),
        a.faults().get(2));
  }

  @Test
  void aShrunkFailureStillFailsTheSameWayAndReplaysFromItsCommand() {
    // Losing 90 % of heartbeats makes peers look dead: two owners, a failure to shrink.
    Explorer strict = Explorer.builder().group(SimGroups.activePassive()).faults(8, 8)
        .simulation(b -> b.loss(0.9)).replayCommand("replay").build();
    Explorer.Result failed = strict.run(1);
    assertThat(failed.passed()).as(failed.report()).isFalse();
    Explorer.Result small = strict.shrink(failed);
    assertThat(small.passed()).isFalse();
    assertThat(small.category()).isEqualTo(failed.category());
    assertThat(small.kept().size()).isLessThanOrEqualTo(failed.kept().size());
    assertThat(small.replayCommand()).contains("-Dvipha.sim.seed=" + failed.seed());
    Explorer.Result again = strict.run(small.seed(), small.kept());
    assertThat(again.report()).isEqualTo(small.report());
  }

  @Test
  void aScriptedReloadOfEveryNodeCostsTheClientNothingAndSurvivesARestart() {
    Simulation sim = Simulation.builder().group(SimGroups.activePassive()).seed(11)
        .healthCheck(true, Duration.ofMillis(200)).agentEvents(true).build();
    sim.start();
    sim.run(Duration.ofSeconds(2));
    VirtualIp v = v4(sim);
    io.vipha.VipGroup slower = sim.group().toBuilder()
        .policy(p -> p.heartbeatInterval(Duration.ofMillis(150)).deadAfter(4)).build();
    int outages = sim.outages().size();
    long reloadAt = sim.now();
    assertThat(sim.timeline()).anyMatch(e -> e.text().startsWith("health passes"));
    for (SimNode n : sim.nodes()) {
      assertThat(n.reconfigure(slower)).isNotNull();
      sim.run(Duration.ofMillis(700));
      assertThat(n.requireAgent().group()).isEqualTo(slower);
    }
    sim.run(Duration.ofSeconds(3));
    assertThat(sim.outages()).hasSize(outages);
    assertThat(sim.holders(v)).extracting(SimNode::id).containsExactly("n1");
    assertThat(sim.timeline()).filteredOn(e -> e.text().equals("reconfigure")).hasSize(
        sim.nodes().size());
    // No health transition: the simulated check is kept, not started afresh.
    assertThat(sim.timeline()).filteredOn(e -> e.at() >= reloadAt)
        .noneMatch(e -> e.text().startsWith("health"));
    SimNode n3 = sim.node("n3");
    n3.restart();
    sim.run(Duration.ofSeconds(2));
    assertThat(n3.requireAgent().group()).isEqualTo(slower);
    // A reload that cannot apply fails and leaves the group.
    var refused = n3.reconfigure(slower.toBuilder().name("other").build());
    sim.run(Duration.ofMillis(10));
    assertThat(refused).isCompletedExceptionally();
    assertThat(n3.requireAgent().group()).isEqualTo(slower);
  }
}
