package io.vipha.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.VirtualIp;
import io.vipha.agent.HeartbeatCoordinator;
import io.vipha.internal.heartbeat.Rejection;
import io.vipha.plan.Eligibility;
import io.vipha.spi.StateStore;
import io.vipha.testing.InMemoryStateStore;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * What a node keeps on its host's disk across process restarts: its incarnation (a restart is
 * accepted at once, whatever its wall clock did) and its flap record (a crash-looping process
 * is suspended and stays so, and its peers keep the VIPs meanwhile).
 */
class NodeStateTest {
  /** A store that forgets: every process of the node starts without a history. */
  private static final StateStore AMNESIA = new StateStore() {
    @Override
    public byte @Nullable [] load() {
      return null;
    }

    @Override
    public void save(byte[] state) {}
  };

  private static Simulation started(long seed, boolean remember) {
    Simulation.Builder b = Simulation.builder().group(SimGroups.activePassive()).seed(seed);
    if (!remember) {
      b.customize((id, agent) -> agent.stateStore(AMNESIA));
    }
    Simulation sim = b.build();
    sim.start();
    sim.run(Duration.ofSeconds(2));
    return sim;
  }

  private static io.vipha.spi.Coordinator.PeerState peer(Simulation sim, String node,
      String peer) {
    return Objects.requireNonNull(sim.node(node).requireAgent().state().peers().get(peer));
  }

  private static long stale(Simulation sim, String node) {
    HeartbeatCoordinator c = Objects.requireNonNull(sim.node(node).coordinator());
    return c.rejected().getOrDefault(Rejection.STALE_INCARNATION, 0L);
  }

  @Test
  void aProcessRestartedRightAfterItsWallClockSteppedBackIsAcceptedAtOnce() {
    for (boolean remember : new boolean[] {true, false}) {
      Simulation sim = started(3, remember);
      SimNode n3 = sim.node("n3");
      n3.clockJump(Duration.ofHours(-1));
      n3.crash();
      sim.run(Duration.ofMillis(50)); // far less than the detection time: peers still see it
      n3.restart();
      sim.run(Duration.ofMillis(250));
      long incarnation = Objects.requireNonNull(n3.coordinator()).incarnation();
      for (String peer : new String[] {"n1", "n2"}) {
        long seen = peer(sim, peer, "n3").incarnation();
        if (remember) {
          assertThat(seen).as("%s took n3's new incarnation at once", peer)
              .isEqualTo(incarnation);
          assertThat(stale(sim, peer)).as("%s rejected nothing as stale", peer).isZero();
        } else {
          assertThat(seen).as("without a store %s takes n3 for stale", peer)
              .isNotEqualTo(incarnation);
          assertThat(stale(sim, peer)).isPositive();
        }
      }
    }
  }

  @Test
  void aCrashLoopingNodeIsSuspendedAndItsPeersKeepTheVipsUntilTheSuspensionEnds() {
    Simulation sim = started(5, true);
    VirtualIp v = sim.group().vips().get(0);
    SimNode n1 = sim.node("n1"); // the highest priority, and preemption is on
    assertThat(sim.holders(v)).extracting(SimNode::id).containsExactly("n1");
    // The default flap limit: 4 changes within 1 min suspend for 5 min. Each restart preempts
    // the group back (one change); the fourth would be the limit's last and suspends instead.
    for (int i = 1; i <= 3; i++) {
      crashAndRestart(sim, n1);
      assertThat(sim.holders(v)).as("restart %d preempts", i).extracting(SimNode::id)
          .containsExactly("n1");
    }
    long suspendedAt = sim.now();
    crashAndRestart(sim, n1);
    assertThat(sim.holders(v)).as("restart 4: suspended").extracting(SimNode::id)
        .containsExactly("n2");
    assertThat(n1.requireAgent().state().eligibility()).isEqualTo(Eligibility.SUSPENDED);
    for (String peer : new String[] {"n2", "n3"}) {
      assertThat(peer(sim, peer, "n1").eligibility())
          .as("%s sees n1's suspension", peer).isEqualTo(Eligibility.SUSPENDED);
    }
    // Still crash-looping, still suspended: each new process resumes the suspension.
    for (int i = 0; i < 3; i++) {
      crashAndRestart(sim, n1);
      assertThat(sim.holders(v)).extracting(SimNode::id).containsExactly("n2");
      assertThat(n1.requireAgent().state().eligibility()).isEqualTo(Eligibility.SUSPENDED);
    }
    sim.runUntil(suspendedAt + Duration.ofMinutes(5).toNanos() - Duration.ofSeconds(1).toNanos());
    assertThat(sim.holders(v)).as("the peers keep the VIPs for the whole suspension")
        .extracting(SimNode::id).containsExactly("n2");
    sim.run(Duration.ofSeconds(4));
    assertThat(sim.holders(v)).as("after the suspension n1 returns normally")
        .extracting(SimNode::id).containsExactly("n1");
    assertThat(n1.requireAgent().state().eligibility()).isEqualTo(Eligibility.ELIGIBLE);
    long end = sim.now();
    sim.run(Duration.ofSeconds(5));
    assertThat(sim.outages()).noneMatch(o -> o.from() >= end);
  }

  @Test
  void aRestartedProcessThatLostItsStateLearnsItsSuspensionFromItsPeers() {
    InMemoryStateStore disk = new InMemoryStateStore("n1's disk");
    Simulation sim = Simulation.builder().group(SimGroups.activePassive()).seed(9)
        .customize((id, agent) -> {
          if (id.equals("n1")) {
            agent.stateStore(disk);
          }
        }).build();
    sim.start();
    sim.run(Duration.ofSeconds(2));
    VirtualIp v = sim.group().vips().get(0);
    SimNode n1 = sim.node("n1");
    for (int i = 0; i < 4; i++) {
      crashAndRestart(sim, n1);
    }
    assertThat(n1.requireAgent().state().eligibility()).isEqualTo(Eligibility.SUSPENDED);
    long suspendedAt = sim.now();
    // The disk is wiped (replaced, restored from an old image): the new process has no record,
    // but its peers echo the suspension it advertised, and it resumes it while it joins.
    n1.crash();
    disk.wipe();
    sim.run(Duration.ofSeconds(1));
    n1.restart();
    sim.run(Duration.ofSeconds(3));
    assertThat(n1.requireAgent().state().eligibility()).isEqualTo(Eligibility.SUSPENDED);
    assertThat(sim.holders(v)).extracting(SimNode::id).containsExactly("n2");
    assertThat(Objects.requireNonNull(disk.load())).as("and saved it again")
        .asString().contains("suspendedUntil ").doesNotContain("suspendedUntil none");
    sim.runUntil(suspendedAt + Duration.ofMinutes(5).toNanos() - Duration.ofSeconds(5).toNanos());
    assertThat(sim.holders(v)).extracting(SimNode::id).containsExactly("n2");
    sim.run(Duration.ofSeconds(10));
    assertThat(sim.holders(v)).as("the echoed suspension ends when the original would have")
        .extracting(SimNode::id).containsExactly("n1");
  }

  @Test
  void withoutAStoreEachProcessStartsAfreshAndTheCrashLoopGoesOn() {
    Simulation sim = started(5, false);
    VirtualIp v = sim.group().vips().get(0);
    SimNode n1 = sim.node("n1");
    for (int i = 1; i <= 6; i++) {
      crashAndRestart(sim, n1);
      assertThat(sim.holders(v)).as("restart %d preempts", i).extracting(SimNode::id)
          .containsExactly("n1");
    }
  }

  private static void crashAndRestart(Simulation sim, SimNode n) {
    n.crash();
    sim.run(Duration.ofSeconds(1));
    n.restart();
    sim.run(Duration.ofSeconds(3));
  }

}
