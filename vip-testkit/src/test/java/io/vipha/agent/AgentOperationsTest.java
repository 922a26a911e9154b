package io.vipha.agent;

import static io.vipha.agent.AgentFailoverTest.threeNodes;
import static io.vipha.agent.AgentFailoverTest.vip4;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.Mode;
import io.vipha.NoQuorumAction;
import io.vipha.Quorum;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.health.HealthCheck;
import io.vipha.internal.heartbeat.Rejection;
import io.vipha.plan.Eligibility;
import io.vipha.spi.BackendException;
import io.vipha.spi.DatagramTransport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class AgentOperationsTest {
  private static void noGap(TestCluster c) {
    for (VirtualIp v : c.group.vips()) {
      assertThat(c.holders(v)).as("holders of %s at %d", v, c.time.nanoTime()).isNotEmpty();
    }
  }

  @Test
  void switchoverRequestedOnAnyNodeMovesTheGroupWithoutAGap() {
    TestCluster c = new TestCluster(threeNodes(true));
    c.startAll();
    c.run(Duration.ofSeconds(1));
    c.agent("n3").switchover("n2");
    c.runChecking(Duration.ofSeconds(1), Duration.ofMillis(1), () -> noGap(c));
    for (VirtualIp v : c.group.vips()) {
      assertThat(c.holders(v)).containsExactly("n2");
    }
    assertThat(c.events(AgentEvent.Acquired.class, "n2")).extracting(AgentEvent.Acquired::reason)
        .containsOnly("SWITCHOVER");
    // The pin holds against preemption until it is cleared; then n1 preempts after the delay.
    c.run(Duration.ofSeconds(5));
    assertThat(c.holders(vip4(c))).containsExactly("n2");
    c.agent("n1").clearSwitchover();
    c.runChecking(Duration.ofSeconds(3), Duration.ofMillis(1), () -> noGap(c));
    assertThat(c.holders(vip4(c))).containsExactly("n1");
  }

  @Test
  void drainMovesVipsAwayAndUndrainLetsTheNodeTakeThemBack() {
    TestCluster c = new TestCluster(threeNodes(true));
    c.startAll();
    c.run(Duration.ofSeconds(1));
    c.agent("n1").drain();
    c.runChecking(Duration.ofSeconds(1), Duration.ofMillis(1), () -> noGap(c));
    assertThat(c.holders(vip4(c))).containsExactly("n2");
    assertThat(c.events(AgentEvent.Released.class, "n1")).extracting(AgentEvent.Released::reason)
        .containsOnly("DRAINED");
    c.agent("n1").undrain();
    c.runChecking(Duration.ofMillis(1900), Duration.ofMillis(1), () -> {
      noGap(c);
      assertThat(c.holders(vip4(c))).containsExactly("n2");
    });
    c.runChecking(Duration.ofSeconds(1), Duration.ofMillis(1), () -> noGap(c));
    assertThat(c.holders(vip4(c))).containsExactly("n1");
  }

  static VipGroup quorumGroup(NoQuorumAction action) {
    return threeNodes(false).toBuilder()
        .policy(p -> p.quorum(Quorum.majority()).noQuorum(action)).build();
  }

  @Test
  void anOwnerCutOffFromTheMajorityReleasesAndTheMajorityElects() {
    TestCluster c = new TestCluster(quorumGroup(NoQuorumAction.RELEASE));
    c.startAll();
    c.run(Duration.ofSeconds(1));
    c.isolate("n1");
    c.run(Duration.ofMillis(400));
    assertThat(c.holders(vip4(c))).containsExactly("n2");
    assertThat(c.events(AgentEvent.QuorumLost.class, "n1")).hasSize(1);
    assertThat(c.events(AgentEvent.Released.class, "n1")).extracting(AgentEvent.Released::reason)
        .contains("QUORUM_LEASE");
    assertThat(c.agent("n1").state().quorum()).isFalse();
    c.network.heal();
    c.run(Duration.ofMillis(300));
    assertThat(c.events(AgentEvent.QuorumRegained.class, "n1")).hasSize(1);
    assertThat(c.holders(vip4(c))).containsExactly("n2"); // preempt is off: n2 keeps it
  }

  @Test
  void keepPolicyKeepsTheVipsOnTheMinoritySide() {
    TestCluster c = new TestCluster(quorumGroup(NoQuorumAction.KEEP));
    c.startAll();
    c.run(Duration.ofSeconds(1));
    c.isolate("n1");
    c.run(Duration.ofMillis(400));
    assertThat(c.holders(vip4(c))).containsExactlyInAnyOrder("n1", "n2");
    assertThat(c.agent("n1").state().quorum()).isFalse();
    assertThat(c.events(AgentEvent.Released.class, "n1")).isEmpty();
  }

  @Test
  void afterAPartitionHealsTheRightfulOwnerReannouncesAtOnceAndTheOtherReleases() {
    TestCluster c = new TestCluster(threeNodes(false));
    c.startAll();
    c.run(Duration.ofSeconds(1));
    c.isolate("n1");
    c.run(Duration.ofMillis(400));
    assertThat(c.holders(vip4(c))).containsExactlyInAnyOrder("n1", "n2"); // no quorum: both own
    int before = c.host("n1").announcements().size();
    long heal = c.time.nanoTime();
    c.network.heal();
    c.run(Duration.ofMillis(110));
    // Two holders: the one with the higher priority (n1) keeps it, as two VRRP masters resolve
    // it; it re-announces as soon as it hears n2 again, and n2 releases.
    assertThat(c.holders(vip4(c))).containsExactly("n1");
    assertThat(c.events(AgentEvent.Released.class, "n2")).anySatisfy(
        r -> assertThat(r.at()).isGreaterThan(heal));
    assertThat(c.host("n1").announcements().subList(before, c.host("n1").announcements().size()))
        .anySatisfy(a -> assertThat(a.at() - heal).isLessThan(Duration.ofMillis(101).toNanos()));
    c.run(Duration.ofSeconds(1));
    assertThat(c.holders(vip4(c))).containsExactly("n1");
  }

  @Test
  void reconcileRepairsAVipRemovedByHandAndRemovesALeftover() {
    TestCluster c = new TestCluster(threeNodes(false));
    c.startAll();
    c.run(Duration.ofSeconds(1));
    c.crashProcess("n3");
    c.reap("n3");
    c.host("n3").addByHand(vip4(c)); // n3 restarts holding a VIP it does not own
    c.start("n3");
    c.run(Duration.ofSeconds(1));
    assertThat(c.holders(vip4(c))).containsExactly("n1");
    assertThat(c.events(AgentEvent.Released.class, "n3")).extracting(AgentEvent.Released::vip)
        .containsExactly(vip4(c));
    c.host("n1").removeByHand(vip4(c));
    int announced = c.host("n1").announcements().size();
    c.run(Duration.ofMillis(1100));
    assertThat(c.holders(vip4(c))).containsExactly("n1");
    assertThat(c.events(AgentEvent.DriftRepaired.class, "n1")).extracting(
        AgentEvent.DriftRepaired::vip).contains(vip4(c));
    assertThat(c.host("n1").announcements().size()).isGreaterThan(announced);
    c.host("n2").addByHand(vip4(c));
    c.run(Duration.ofMillis(1100));
    assertThat(c.holders(vip4(c))).containsExactly("n1");
    // The VIP's address with another prefix is a leftover all the same.
    c.host("n2").addByHand(vip4(c).toBuilder().address("192.0.2.10/32").build());
    c.run(Duration.ofMillis(1100));
    assertThat(c.host("n2").holds(vip4(c))).isFalse();
  }

  @Test
  void leasesAreRenewedSoAVipOutlivesItsLeaseButNotAHungProcess() {
    TestCluster c = new TestCluster(threeNodes(false));
    c.startAll();
    c.run(Duration.ofSeconds(30)); // three 10 s leases
    assertThat(c.holders(vip4(c))).containsExactly("n1");
    c.crashProcess("n1"); // host up: the address stays until the lease runs out
    c.run(Duration.ofMillis(350));
    assertThat(c.holders(vip4(c))).containsExactlyInAnyOrder("n1", "n2");
    c.run(Duration.ofSeconds(10));
    assertThat(c.holders(vip4(c))).containsExactly("n2");
  }

  @Test
  void aNodeThatStalledPastTheDetectionTimeStepsDownAndRejoins() {
    TestCluster c = new TestCluster(threeNodes(false));
    c.startAll();
    c.run(Duration.ofSeconds(1));
    c.loop("n1").pause();
    c.run(Duration.ofMillis(500));
    assertThat(c.holders(vip4(c))).contains("n2");
    int acquiredBefore = c.events(AgentEvent.Acquired.class, "n1").size();
    c.loop("n1").resume();
    c.time.runDue();
    assertThat(c.events(AgentEvent.Stalled.class, "n1")).hasSize(1);
    assertThat(c.holders(vip4(c))).containsExactly("n2");
    // What queued up during the stall is stale: n1 listens for a full join time first.
    c.run(Duration.ofMillis(350));
    assertThat(c.agent("n1").state().phase()).isEqualTo(VipAgent.Phase.JOINING);
    assertThat(c.events(AgentEvent.Acquired.class, "n1")).hasSize(acquiredBefore);
    c.run(Duration.ofSeconds(1));
    assertThat(c.holders(vip4(c))).containsExactly("n2");
    assertThat(c.agent("n1").state().phase()).isEqualTo(VipAgent.Phase.RUNNING);
  }

  @Test
  void aStallThatNoPeerActedOnCostsNothing() {
    TestCluster c = new TestCluster(threeNodes(false));
    c.startAll();
    c.run(Duration.ofSeconds(1));
    assertThat(c.holders(vip4(c))).containsExactly("n1");
    // The whole machine stops for longer than the detection time (a hypervisor, a swap storm):
    // every node stalls, none of them could act on another's silence.
    c.stallAll(Duration.ofMillis(500));
    assertThat(c.events(AgentEvent.Stalled.class, "n1")).hasSize(1);
    c.run(Duration.ofSeconds(1));
    assertThat(c.holders(vip4(c))).containsExactly("n1");
    assertThat(c.events(AgentEvent.Released.class, "n1")).isEmpty();
    assertThat(c.events(AgentEvent.Acquired.class, "n2")).isEmpty();
    assertThat(c.agent("n1").state().phase()).isEqualTo(VipAgent.Phase.RUNNING);
  }

  @Test
  void aFailingHealthCheckDisqualifiesTheOwner() {
    AtomicBoolean healthy = new AtomicBoolean(true);
    TestCluster c = new TestCluster(threeNodes(false));
    java.util.concurrent.Executor inline = Runnable::run;
    for (String id : new String[] {"n1", "n2", "n3"}) {
      VipAgent.Builder b = c.builder(id);
      if (id.equals("n1")) {
        b.healthCheck(HealthCheck.custom("app", healthy::get).interval(Duration.ofMillis(200))
            .timeout(Duration.ofMillis(100)).rise(1).fall(2).build())
            .healthExecutor(inline);
      }
      c.start(c.create(id, b));
    }
    c.run(Duration.ofSeconds(1));
    assertThat(c.holders(vip4(c))).containsExactly("n1");
    healthy.set(false);
    c.runChecking(Duration.ofSeconds(1), Duration.ofMillis(1), () -> noGap(c));
    assertThat(c.holders(vip4(c))).containsExactly("n2");
    assertThat(c.events(AgentEvent.HealthChanged.class, "n1")).last()
        .satisfies(e -> assertThat(e.disqualified()).isTrue());
    assertThat(c.events(AgentEvent.Released.class, "n1")).extracting(AgentEvent.Released::reason)
        .contains("OWNER_INELIGIBLE");
  }

  @Test
  void aFailingBackendDisqualifiesTheNodeUntilACallSucceedsAgain() {
    TestCluster c = new TestCluster(threeNodes(false));
    c.host("n1").failWith(new BackendException(BackendException.Kind.PERMISSION,
        "CAP_NET_ADMIN is needed"));
    c.startAll();
    c.run(Duration.ofSeconds(1));
    assertThat(c.events(AgentEvent.BackendError.class, "n1")).isNotEmpty()
        .allSatisfy(e -> assertThat(e.error().kind()).isEqualTo(BackendException.Kind.PERMISSION));
    // n1 (priority 200) cannot apply addresses: it says so, and n2 serves instead.
    assertThat(c.agent("n1").state().eligibility()).isEqualTo(Eligibility.DISQUALIFIED);
    assertThat(c.holders(vip4(c))).containsExactly("n2");
    c.host("n1").heal();
    c.run(Duration.ofMillis(1100)); // the next reconcile's call succeeds
    assertThat(c.agent("n1").state().eligibility()).isEqualTo(Eligibility.ELIGIBLE);
    assertThat(c.holders(vip4(c))).as("no preemption in this group").containsExactly("n2");
  }

  @Test
  void forgedAndReplayedHeartbeatsAreCountedAndNeverActedOn() throws Exception {
    TestCluster c = new TestCluster(threeNodes(false));
    c.startAll();
    c.run(Duration.ofSeconds(1));
    DatagramTransport attacker = c.network.transport(new InetSocketAddress("198.51.100.66", 7405));
    attacker.open(c.time, (from, data, off, len) -> { });
    InetSocketAddress n2 = new InetSocketAddress("198.51.100.2", 7405);
    Random r = new Random(7);
    for (int i = 0; i < 500; i++) {
      byte[] junk = new byte[r.nextInt(200)];
      r.nextBytes(junk);
      if (junk.length > 4) {
        junk[0] = 0x56;
        junk[1] = 0x48;
        junk[2] = 1;
      }
      attacker.send(n2, junk, 0, junk.length);
    }
    // Replay what n1 sends: record its packets on the way and send them again later.
    Set<String> before = new HashSet<>(c.agent("n2").state().peers().keySet());
    c.powerOff("n1");
    c.run(Duration.ofMillis(400));
    assertThat(c.coordinator("n2").rejected()).containsKey(Rejection.TOO_SHORT);
    assertThat(c.coordinator("n2").rejected().values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(500);
    assertThat(c.agent("n2").state().peers().keySet()).isEqualTo(before);
    assertThat(c.holders(vip4(c))).containsExactly("n2");
  }

  @Test
  void activeActiveSpreadsVipsAndMovesOnlyTheFailedNodesVips() {
    VipGroup.Builder b = VipGroup.builder().name("aa").mode(Mode.ACTIVE_ACTIVE)
        .policy(p -> p.preempt(false));
    for (int i = 1; i <= 4; i++) {
      int k = i;
      b.node(n -> n.id("n" + k).heartbeat("198.51.100." + k));
    }
    for (int i = 1; i <= 16; i++) {
      int k = i;
      b.vip(v -> v.address("192.0.2." + (10 + k) + "/24").interfaceName("eth0"));
    }
    TestCluster c = new TestCluster(b.build());
    c.startAll();
    c.run(Duration.ofSeconds(1));
    java.util.Map<VirtualIp, String> owners = new java.util.HashMap<>();
    for (VirtualIp v : c.group.vips()) {
      assertThat(c.holders(v)).hasSize(1);
      owners.put(v, c.holders(v).iterator().next());
    }
    for (String id : new String[] {"n1", "n2", "n3", "n4"}) {
      assertThat(owners.values().stream().filter(id::equals).count()).isEqualTo(4);
    }
    c.powerOff("n3");
    c.run(Duration.ofMillis(400));
    for (VirtualIp v : c.group.vips()) {
      assertThat(c.holders(v)).hasSize(1);
      String now = c.holders(v).iterator().next();
      if (!"n3".equals(owners.get(v))) {
        assertThat(now).as("%s did not belong to the failed node", v).isEqualTo(owners.get(v));
      } else {
        assertThat(now).isNotEqualTo("n3");
      }
    }
  }

  @Test
  void activeActiveSwitchoverMovesOneVipWithoutAGap() {
    VipGroup.Builder b = VipGroup.builder().name("aa").mode(Mode.ACTIVE_ACTIVE)
        .policy(p -> p.preempt(false));
    for (int i = 1; i <= 3; i++) {
      int k = i;
      b.node(n -> n.id("n" + k).heartbeat("198.51.100." + k));
    }
    for (int i = 1; i <= 6; i++) {
      int k = i;
      b.vip(v -> v.address("192.0.2." + (10 + k) + "/24").interfaceName("eth0"));
    }
    TestCluster c = new TestCluster(b.build());
    c.startAll();
    c.run(Duration.ofSeconds(1));
    VirtualIp moved = null;
    for (VirtualIp v : c.group.vips()) {
      if (!c.holders(v).contains("n2")) {
        moved = v;
        break;
      }
    }
    VirtualIp target = java.util.Objects.requireNonNull(moved);
    java.util.Map<VirtualIp, Set<String>> before = new java.util.HashMap<>();
    c.group.vips().forEach(v -> before.put(v, c.holders(v)));
    c.agent("n1").switchover(target, "n2");
    c.runChecking(Duration.ofSeconds(1), Duration.ofMillis(1), () -> noGap(c));
    assertThat(c.holders(target)).containsExactly("n2");
    for (VirtualIp v : c.group.vips()) {
      if (!v.equals(target)) {
        assertThat(c.holders(v)).as("%s stays where it was", v).isEqualTo(before.get(v));
      }
    }
    assertThatThrownBy(() -> c.agent("n1").switchover(target, "n7"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n7");
  }

  @Test
  void rejectsANodeThatIsNotInTheGroup() {
    TestCluster c = new TestCluster(threeNodes(false));
    assertThatThrownBy(() -> c.create("n9")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("node n9 is not a member of group web")
        .hasMessageContaining("n1");
  }
}
