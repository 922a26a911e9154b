package io.vipha.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Exposure;
import io.vipha.Mode;
import io.vipha.Quorum;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.agent.AgentEvent;
import io.vipha.agent.VipAgent;
import io.vipha.spi.MoverResult;
import io.vipha.spi.MoverResult.Outcome;
import io.vipha.testing.FakeCloud;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Two agents with one fake cloud between them, in virtual time: the provider decides where a
 * public VIP goes, and the fencing epoch decides between the two sides of a partition.
 */
class CloudMoverTest {
  /** One public VIP; n1 (200) outranks n2 (150); no quorum, so both sides of a cut keep going. */
  static VipGroup group(boolean preempt) {
    return VipGroup.builder().name("edge").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("203.0.113.10/32").interfaceName("eth0")
            .exposure(Exposure.PUBLIC))
        .node(n -> n.id("n1").heartbeat("198.51.100.1").priority(200))
        .node(n -> n.id("n2").heartbeat("198.51.100.2").priority(150))
        .policy(p -> p.preempt(preempt).holdDown(Duration.ZERO).heartbeatInterval(
            Duration.ofMillis(100)).deadAfter(3).quorum(Quorum.none()))
        .build();
  }

  /**
   * n1 holds; a cut: n2 takes over and the cloud follows it under a later epoch, while n1 keeps
   * its address; the heal: n1's claim under its old epoch is refused, and the VIP ends with one
   * holder, the one every plan names, which the cloud points at.
   */
  @Test
  void theStaleSidesClaimIsRefusedByTheEpochAndTheAddressEndsWithTheRightfulOwner() {
    for (long seed = 1; seed <= 20; seed++) {
      Rig r = new Rig(group(false), seed, Duration.ofMillis(20), Duration.ofMillis(200));
      r.start();
      r.sim.run(Duration.ofSeconds(2));
      assertThat(r.holders()).as("seed %d", seed).containsExactly("n1");
      assertThat(r.cloud.target(r.vip)).isEqualTo("n1");
      long first = r.cloud.epoch(r.vip);

      r.sim.partition(Set.of("n1"));
      r.sim.run(Duration.ofSeconds(2));
      assertThat(r.holders()).as("seed %d: both sides hold", seed).containsExactly("n1", "n2");
      assertThat(r.cloud.target(r.vip)).as("seed %d", seed).isEqualTo("n2");
      long taken = r.cloud.epoch(r.vip);
      assertThat(taken).isGreaterThan(first);

      r.sim.heal();
      r.sim.run(Duration.ofSeconds(6));
      assertThat(r.cloud.calls("claim")).as("seed %d: n1's claim under its old epoch", seed)
          .anySatisfy(c -> {
            assertThat(c.node()).isEqualTo("n1");
            assertThat(c.epoch()).isEqualTo(first);
            assertThat(c.result().outcome()).isEqualTo(Outcome.STALE_EPOCH);
            assertThat(c.result().epoch()).isEqualTo(taken);
          });
      assertThat(r.events(AgentEvent.MoverFailed.class, "n1")).as("seed %d", seed)
          .anySatisfy(f -> assertThat(f.outcome()).isEqualTo(Outcome.STALE_EPOCH));
      List<String> holders = r.holders();
      assertThat(holders).as("seed %d: one holder", seed).hasSize(1);
      assertThat(r.plannedOwners()).as("seed %d", seed).containsOnly(holders.get(0));
      assertThat(r.cloud.target(r.vip)).as("seed %d", seed).isEqualTo(holders.get(0));
      assertThat(r.cloud.epoch(r.vip)).isGreaterThanOrEqualTo(taken);
    }
  }

  /**
   * n1's claim is throttled; a cut; n2 takes over and the cloud follows it; n1's retry under its
   * older epoch is refused while n2 is pointed at: n1 removes its address and stays out while
   * apart (its plan still names it, but it only watches), and after the heal the VIP stays with
   * n2, which every plan names.
   */
  @Test
  void aNodeFencedOutByANewerOwnerStaysOutWhileApart() {
    Rig r = new Rig(group(false), 11, Duration.ofMillis(50), Duration.ofMillis(50));
    r.cloud.inject(MoverResult.throttled(Duration.ofSeconds(3), "Throttling"));
    r.start();
    r.sim.run(Duration.ofSeconds(1));
    r.sim.partition(Set.of("n1"));
    r.sim.run(Duration.ofSeconds(5));
    assertThat(r.cloud.calls("claim")).filteredOn(c -> c.node().equals("n1"))
        .extracting(c -> c.result().outcome())
        .containsExactly(Outcome.THROTTLED, Outcome.STALE_EPOCH);
    assertThat(r.holders()).containsExactly("n2");
    assertThat(r.cloud.target(r.vip)).isEqualTo("n2");
    assertThat(r.sim.node("n1").requireAgent().state().owners().get(r.vip))
        .as("n1's plan still names n1").isEqualTo("n1");
    assertThat(r.cloud.calls("observe")).as("n1 watches").isNotEmpty()
        .allSatisfy(c -> assertThat(c.node()).isEqualTo("n1"));

    r.sim.heal();
    r.sim.run(Duration.ofSeconds(3));
    assertThat(r.holders()).containsExactly("n2");
    assertThat(r.plannedOwners()).containsOnly("n2");
    assertThat(r.cloud.target(r.vip)).isEqualTo("n2");
    assertThat(r.cloud.calls("claim")).filteredOn(c -> c.node().equals("n1")).hasSize(2);
  }

  /**
   * A claim that fails is tried again with capped exponential backoff, a throttle's retry-after
   * honoured; meanwhile the VIP is neither held nor announced, and it is acquired (and announced)
   * only after the provider accepts.
   */
  @Test
  void aFailedClaimIsRetriedWithBackoffAndTheVipIsHeldOnlyOnceAccepted() {
    Rig r = new Rig(group(false), 3, Duration.ZERO, Duration.ZERO);
    r.cloud.inject(MoverResult.throttled(Duration.ofSeconds(5), "Throttling"))
        .inject(MoverResult.failed("InternalError")).inject(MoverResult.failed("InternalError"));
    r.start();
    r.sim.run(Duration.ofSeconds(3));
    SimNode n1 = r.sim.node("n1");
    assertThat(n1.holds(r.vip)).as("the local address is added before the claim").isTrue();
    assertThat(n1.requireAgent().state().held()).as("not held while claiming").isEmpty();
    assertThat(r.events(AgentEvent.Acquired.class, "n1")).isEmpty();
    assertThat(n1.requireAgent().counters().announcements()).isZero();

    r.sim.run(Duration.ofSeconds(8)); // past the 10 s kernel lease of the first add
    assertThat(r.cloud.calls("claim")).hasSize(3);
    assertThat(n1.holds(r.vip)).as("the address is renewed while claiming").isTrue();
    assertThat(n1.requireAgent().state().held()).isEmpty();

    r.sim.run(Duration.ofSeconds(7));
    List<FakeCloud.Call> claims = r.cloud.calls("claim");
    assertThat(claims).extracting(c -> c.result().outcome()).containsExactly(
        Outcome.THROTTLED, Outcome.FAILED, Outcome.FAILED, Outcome.ACCEPTED);
    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < claims.size(); i++) {
      gaps.add(claims.get(i).sentAt() - claims.get(i - 1).answeredAt());
    }
    // retry-after 5 s (above the first backoff of 1 s), then 2 s, then 4 s
    assertThat(gaps).containsExactly(5_000_000_000L, 2_000_000_000L, 4_000_000_000L);
    assertThat(r.events(AgentEvent.MoverFailed.class, "n1")).extracting(
        AgentEvent.MoverFailed::attempt).containsExactly(1, 2, 3);
    List<AgentEvent.MoverClaimed> claimed = r.events(AgentEvent.MoverClaimed.class, "n1");
    assertThat(claimed).hasSize(1);
    assertThat(claimed.get(0).attempts()).isEqualTo(4);
    assertThat(claimed.get(0).tookNanos()).isEqualTo(
        claims.get(3).answeredAt() - claims.get(0).sentAt());
    List<AgentEvent.Acquired> acquired = r.events(AgentEvent.Acquired.class, "n1");
    assertThat(acquired).hasSize(1);
    assertThat(acquired.get(0).at()).isGreaterThanOrEqualTo(claims.get(3).answeredAt());
    assertThat(acquired.get(0).epoch()).isEqualTo(claims.get(0).epoch());
    assertThat(n1.requireAgent().state().held()).containsExactly(r.vip);
    assertThat(n1.requireAgent().counters().announcements()).isPositive();
    assertThat(n1.requireAgent().counters().moverFailures()).isEqualTo(3);
    assertThat(n1.requireAgent().counters().moverClaims()).isEqualTo(1);
    assertThat(r.cloud.target(r.vip)).isEqualTo("n1");
  }

  /**
   * A conflict is not retried blindly: the agent observes the record, then claims on the version
   * it saw, and holds the VIP once that is accepted.
   */
  @Test
  void aConflictIsObservedBeforeTheNextClaim() {
    Rig r = new Rig(group(false), 13, Duration.ofMillis(40), Duration.ofMillis(40));
    r.cloud.inject(MoverResult.conflict("someone-else", "v7", "the record changed"));
    r.start();
    r.sim.run(Duration.ofSeconds(4));
    assertThat(r.cloud.calls()).extracting(c -> c.node() + " " + c.operation() + " "
        + c.result().outcome()).containsExactly("n1 claim CONFLICT", "n1 observe ACCEPTED",
        "n1 claim ACCEPTED");
    FakeCloud.Call observe = r.cloud.calls("observe").get(0);
    assertThat(observe.sentAt() - r.cloud.calls("claim").get(0).answeredAt())
        .as("after the first backoff").isEqualTo(1_000_000_000L);
    assertThat(r.events(AgentEvent.MoverFailed.class, "n1")).extracting(
        AgentEvent.MoverFailed::outcome).containsExactly(Outcome.CONFLICT);
    assertThat(r.events(AgentEvent.MoverClaimed.class, "n1")).extracting(
        AgentEvent.MoverClaimed::attempts).containsExactly(2);
    assertThat(r.holders()).containsExactly("n1");
    assertThat(r.cloud.target(r.vip)).isEqualTo("n1");
  }

  /** On a switchover, the old owner lets go at the provider only after its address is gone. */
  @Test
  void theOldOwnerReleasesAtTheProviderAfterItsLocalAddressIsGone() {
    Rig r = new Rig(group(false), 5, Duration.ofMillis(50), Duration.ofMillis(50));
    List<SimEvent> removed = new ArrayList<>();
    r.sim.addListener(e -> {
      if (e.type() == SimEvent.Type.REMOVED && e.node().equals("n1")) {
        removed.add(e);
      }
    });
    r.start();
    r.sim.run(Duration.ofSeconds(2));
    long epoch = r.cloud.epoch(r.vip);
    r.sim.node("n1").requireAgent().switchover("n2");
    r.sim.run(Duration.ofSeconds(3));
    assertThat(r.holders()).containsExactly("n2");
    assertThat(r.cloud.target(r.vip)).isEqualTo("n2");
    List<FakeCloud.Call> releases = r.cloud.calls("release");
    assertThat(releases).hasSize(1);
    FakeCloud.Call release = releases.get(0);
    assertThat(release.node()).isEqualTo("n1");
    assertThat(release.epoch()).isEqualTo(epoch);
    assertThat(removed).isNotEmpty();
    assertThat(release.sentAt()).isGreaterThanOrEqualTo(removed.get(0).at());
  }

  /**
   * A claim in progress when the plan moves the VIP away is given up: the local address goes and
   * the provider is told to let go; the late answer changes nothing on the node.
   */
  @Test
  void aClaimInProgressIsGivenUpWhenThePlanMovesTheVipAway() {
    Rig r = new Rig(group(false), 7, Duration.ofSeconds(4), Duration.ofSeconds(4));
    r.start();
    r.sim.run(Duration.ofMillis(1500)); // n1 claiming, 4 s to go
    SimNode n1 = r.sim.node("n1");
    assertThat(n1.holds(r.vip)).isTrue();
    n1.requireAgent().drain();
    r.sim.run(Duration.ofSeconds(12));
    assertThat(n1.holds(r.vip)).isFalse();
    assertThat(r.events(AgentEvent.Acquired.class, "n1")).isEmpty();
    assertThat(r.cloud.calls("release")).extracting(FakeCloud.Call::node).contains("n1");
    assertThat(r.holders()).containsExactly("n2");
    assertThat(r.cloud.target(r.vip)).isEqualTo("n2");
  }

  /** A simulation whose agents move the VIP through {@code cloud}'s movers, and their events. */
  private static final class Rig {
    final Simulation sim;
    final FakeCloud cloud;
    final VirtualIp vip;
    final List<AgentEvent> events = new ArrayList<>();
    final List<String> nodes = new ArrayList<>();

    Rig(VipGroup g, long seed, Duration minLatency, Duration maxLatency) {
      AtomicReference<FakeCloud> c = new AtomicReference<>();
      vip = g.vips().get(0);
      sim = Simulation.builder().group(g).seed(seed).customize((id, b) -> {
        b.mover(vip, java.util.Objects.requireNonNull(c.get()).mover(id),
            Duration.ofSeconds(10));
      }).build();
      cloud = new FakeCloud(sim.scheduler(), seed).latency(minLatency, maxLatency);
      c.set(cloud);
    }

    void start() {
      sim.start();
      for (SimNode n : sim.nodes()) {
        listen(n);
      }
    }

    void listen(SimNode n) {
      VipAgent a = n.requireAgent();
      a.addListener(e -> {
        events.add(e);
        nodes.add(n.id());
      });
    }

    List<String> holders() {
      return sim.holders(vip).stream().map(SimNode::id).toList();
    }

    /** The owner every running node's plan names. */
    List<String> plannedOwners() {
      List<String> out = new ArrayList<>();
      for (SimNode n : sim.nodes()) {
        if (n.running()) {
          out.add(String.valueOf(n.requireAgent().state().owners().get(vip)));
        }
      }
      return out;
    }

    <T extends AgentEvent> List<T> events(Class<T> kind, String node) {
      List<T> out = new ArrayList<>();
      for (int i = 0; i < events.size(); i++) {
        if (kind.isInstance(events.get(i)) && nodes.get(i).equals(node)) {
          out.add(kind.cast(events.get(i)));
        }
      }
      return out;
    }
  }
}
