package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.vipha.Exposure;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.spi.AddressMover;
import io.vipha.spi.BackendException;
import io.vipha.spi.Coordinator.PeerState;
import io.vipha.spi.MoverResult;
import io.vipha.spi.MoverResult.Outcome;
import io.vipha.testing.FakeCloud;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The agent's use of address movers, beyond the simulator's failovers (CloudMoverTest). */
class MoversTest {
  private static final VirtualIp OTHER = VirtualIp.builder().address("203.0.113.99/32")
      .interfaceName("eth0").exposure(Exposure.PUBLIC).build();

  /** A failure of the host's backend. */
  static final BackendException BUSY = new BackendException(BackendException.Kind.TRANSIENT,
      "netlink busy");

  /** Starts the agents {@code ids} of {@code c}, each with its mover of {@code cloud}. */
  static void start(TestCluster c, FakeCloud cloud, String... ids) {
    VirtualIp vip = c.group.vips().get(0);
    for (String id : ids) {
      c.start(c.create(id, c.builder(id).mover(vip, cloud.mover(id))));
    }
  }

  /** Starts agent {@code n1} of {@code c}, its mover of {@code cloud} given {@code timeout}. */
  static void startN1(TestCluster c, FakeCloud cloud, Duration timeout) {
    VirtualIp vip = c.group.vips().get(0);
    c.start(c.create("n1", c.builder("n1").mover(vip, cloud.mover("n1"), timeout)));
  }

  /** Another party ("ext") takes {@code vip} at the provider an hour ahead; its epoch. */
  static long newerOwner(TestCluster c, FakeCloud cloud, VirtualIp vip) {
    long newer = c.time.wallMillis() + 3_600_000;
    cloud.mover("ext").claim(vip, newer, null, Duration.ofSeconds(1));
    c.run(Duration.ofMillis(10));
    return newer;
  }

  /** The calls of {@code node} that {@code cloud} answered so far, in the order answered. */
  static List<FakeCloud.Call> callsOf(FakeCloud cloud, String node) {
    return cloud.calls().stream().filter(k -> k.node().equals(node)).toList();
  }

  /** The one claim of {@code vip} and its release under that claim's epoch: nobody pointed at. */
  static void assertReleasedUnderTheClaimsEpoch(FakeCloud cloud, VirtualIp vip) {
    List<FakeCloud.Call> claims = cloud.calls("claim");
    assertThat(claims).hasSize(1);
    assertThat(cloud.calls("release")).singleElement().satisfies(k -> {
      assertThat(k.epoch()).isEqualTo(claims.get(0).epoch());
      assertThat(k.result().outcome()).isEqualTo(Outcome.ACCEPTED);
    });
    assertThat(cloud.target(vip)).isNull();
  }

  /**
   * n1 started after another party took {@code vip} an hour ahead, every call answered in 3 s:
   * refused at about 3 s, fenced out, its first observe in flight when this returns.
   */
  private static FakeCloud fencedOutWithAnObserveInFlight(TestCluster c, VirtualIp vip) {
    FakeCloud cloud = new FakeCloud(c.time).latency(Duration.ofSeconds(3), Duration.ofSeconds(3));
    cloud.mover("ext").claim(vip, c.time.wallMillis() + 3_600_000, null, Duration.ofSeconds(9));
    c.run(Duration.ofMillis(3100));
    startN1(c, cloud, Duration.ofSeconds(9));
    c.run(Duration.ofSeconds(6)); // the claim refused at 3 s, the first observe sent at 4 s
    assertThat(cloud.calls("claim")).filteredOn(k -> k.node().equals("n1")).singleElement()
        .satisfies(k -> assertThat(k.result().outcome()).isEqualTo(Outcome.STALE_EPOCH));
    assertThat(cloud.calls("observe")).isEmpty();
    return cloud;
  }

  /** {@code n1} holds {@code vip}: on its host, in its state, and at the provider. */
  static void assertHeldByN1(TestCluster c, FakeCloud cloud, VirtualIp vip) {
    assertThat(c.holders(vip)).containsExactly("n1");
    assertThat(c.agent("n1").state().held()).containsExactly(vip);
    assertThat(cloud.target(vip)).isEqualTo("n1");
  }

  @Test
  void backoffDoublesFromOneSecondUpToThirtyAndHonoursALongerRetryAfter() {
    assertThat(Movers.backoff(1, null)).isEqualTo(1_000_000_000L);
    assertThat(Movers.backoff(2, null)).isEqualTo(2_000_000_000L);
    assertThat(Movers.backoff(4, null)).isEqualTo(8_000_000_000L);
    assertThat(Movers.backoff(6, null)).isEqualTo(30_000_000_000L);
    assertThat(Movers.backoff(1_000, null)).isEqualTo(30_000_000_000L);
    assertThat(Movers.backoff(1, Duration.ofSeconds(5))).isEqualTo(5_000_000_000L);
    assertThat(Movers.backoff(3, Duration.ofSeconds(1))).isEqualTo(4_000_000_000L);
    assertThat(Movers.backoff(9, Duration.ofMinutes(1))).isEqualTo(60_000_000_000L);
  }

  @Test
  void aMoverMustNameAVipOfTheGroupAndHaveAPositiveTimeout() {
    VipGroup g = TwoNodes.group();
    TestCluster c = new TestCluster(g);
    FakeCloud cloud = new FakeCloud(c.time);
    assertThatIllegalArgumentException().isThrownBy(() -> c.builder("n1")
        .mover(OTHER, cloud.mover("n1")).build())
        .withMessageContaining("203.0.113.99/32").withMessageContaining("not a VIP of group web");
    assertThatIllegalArgumentException().isThrownBy(() -> c.builder("n1")
        .mover(g.vips().get(0), cloud.mover("n1"), Duration.ZERO))
        .withMessageContaining("positive");
  }

  /**
   * A VIP left on the host by an earlier process is held from the start without a claim; the
   * provider is asked once the node owns it, and no second Acquired follows.
   */
  @Test
  void aLeftoverVipIsClaimedOnceTheNodeOwnsIt() {
    VipGroup g = TwoNodes.group();
    VirtualIp vip = g.vips().get(0);
    TestCluster c = new TestCluster(g);
    FakeCloud cloud = new FakeCloud(c.time).latency(Duration.ofMillis(30), Duration.ofMillis(30));
    c.host("n1").addByHand(vip);
    start(c, cloud, "n1", "n2");
    c.run(Duration.ofSeconds(3));
    assertThat(c.holders(vip)).containsExactly("n1");
    assertThat(cloud.target(vip)).isEqualTo("n1");
    List<FakeCloud.Call> claims = cloud.calls("claim");
    assertThat(claims).hasSize(1);
    assertThat(claims.get(0).result().outcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(c.events).filteredOn(e -> e instanceof AgentEvent.MoverClaimed).hasSize(1);
    assertThat(c.events).filteredOn(e -> e instanceof AgentEvent.Acquired).isEmpty();
  }

  /** A mover that throws, or whose stage fails, is a failed claim, retried; the loop goes on. */
  @Test
  void aMoverThatThrowsIsAFailedClaimAndIsRetried() {
    VipGroup g = TwoNodes.group();
    VirtualIp vip = g.vips().get(0);
    TestCluster c = new TestCluster(g);
    FakeCloud cloud = new FakeCloud(c.time);
    int[] calls = {0};
    io.vipha.spi.AddressMover flaky = new io.vipha.spi.AddressMover() {
      @Override
      public java.util.concurrent.CompletionStage<io.vipha.spi.MoverResult> observe(
          VirtualIp v, Duration timeout) {
        return cloud.mover("n1").observe(v, timeout);
      }

      @Override
      public java.util.concurrent.CompletionStage<io.vipha.spi.MoverResult> claim(VirtualIp v,
          long epoch, @org.jspecify.annotations.Nullable String expected, Duration timeout) {
        calls[0]++;
        if (calls[0] == 1) {
          throw new IllegalStateException("boom");
        }
        if (calls[0] == 2) {
          return java.util.concurrent.CompletableFuture.failedFuture(
              new java.io.IOException("connection reset"));
        }
        return cloud.mover("n1").claim(v, epoch, expected, timeout);
      }

      @Override
      public java.util.concurrent.CompletionStage<io.vipha.spi.MoverResult> release(VirtualIp v,
          long epoch, Duration timeout) {
        return cloud.mover("n1").release(v, epoch, timeout);
      }
    };
    c.start(c.create("n1", c.builder("n1").mover(vip, flaky)));
    c.start(c.create("n2", c.builder("n2").mover(vip, cloud.mover("n2"))));
    c.run(Duration.ofSeconds(8));
    assertThat(calls[0]).isEqualTo(3);
    assertThat(c.events).filteredOn(e -> e instanceof AgentEvent.MoverFailed)
        .extracting(e -> ((AgentEvent.MoverFailed) e).detail())
        .satisfiesExactly(d -> assertThat(d).contains("boom"),
            d -> assertThat(d).contains("connection reset"));
    assertHeldByN1(c, cloud, vip);
  }

  /**
   * A claim refused for a changed record (CONFLICT) is not sent again blindly: after the backoff
   * the node observes the record and claims on the version it saw.
   */
  @Test
  void aConflictingClaimObservesAndThenClaimsOnTheVersionSeen() {
    VipGroup g = TwoNodes.group();
    VirtualIp vip = g.vips().get(0);
    TestCluster c = new TestCluster(g);
    FakeCloud cloud = new FakeCloud(c.time).inject(MoverResult.conflict(null, "v9", "raced"));
    start(c, cloud, "n1", "n2");
    c.run(Duration.ofSeconds(5));
    List<FakeCloud.Call> n1 = callsOf(cloud, "n1");
    assertThat(n1).extracting(FakeCloud.Call::operation).containsExactly("claim", "observe",
        "claim");
    assertThat(n1).extracting(k -> k.result().outcome()).containsExactly(Outcome.CONFLICT,
        Outcome.ACCEPTED, Outcome.ACCEPTED);
    assertThat(n1.get(1).sentAt() - n1.get(0).answeredAt()).as("the first backoff")
        .isEqualTo(Movers.backoff(1, null));
    assertHeldByN1(c, cloud, vip);
  }

  /** A release the provider refuses is reported once, as a failed release. */
  @Test
  void aReleaseTheProviderRefusesIsReported() {
    VipGroup g = TwoNodes.group();
    VirtualIp vip = g.vips().get(0);
    TestCluster c = new TestCluster(g);
    FakeCloud cloud = new FakeCloud(c.time);
    start(c, cloud, "n1");
    c.run(Duration.ofSeconds(3));
    assertThat(cloud.target(vip)).isEqualTo("n1");
    cloud.inject(MoverResult.failed("throttled upstream"));
    c.agent("n1").stop();
    c.run(Duration.ofSeconds(1));
    assertThat(cloud.calls("release")).singleElement()
        .satisfies(k -> assertThat(k.result().outcome()).isEqualTo(Outcome.FAILED));
    assertThat(c.events).filteredOn(e -> e instanceof AgentEvent.MoverFailed).singleElement()
        .satisfies(e -> {
          AgentEvent.MoverFailed f = (AgentEvent.MoverFailed) e;
          assertThat(f.operation()).isEqualTo("release");
          assertThat(f.outcome()).isEqualTo(Outcome.FAILED);
          assertThat(f.detail()).contains("throttled upstream");
        });
  }

  /** The VIP is announced at the instant the provider accepts the claim, not before. */
  @Test
  void aClaimedVipIsAnnouncedWhenTheProviderAccepts() {
    VipGroup g = TwoNodes.group();
    VirtualIp vip = g.vips().get(0);
    TestCluster c = new TestCluster(g);
    FakeCloud cloud = new FakeCloud(c.time).latency(Duration.ofMillis(30), Duration.ofMillis(30));
    start(c, cloud, "n1");
    c.run(Duration.ofSeconds(3));
    AgentEvent.MoverClaimed claimed = c.events(AgentEvent.MoverClaimed.class, "n1").get(0);
    assertThat(c.host("n1").announcements()).isNotEmpty()
        .allSatisfy(x -> assertThat(x.at()).isGreaterThanOrEqualTo(claimed.at()))
        .anySatisfy(x -> assertThat(x.at()).isEqualTo(claimed.at()));
  }

  /**
   * A provider that never answers: the watchdog answers the claim TIMED_OUT a tenth of the
   * timeout after the caller's deadline, and the claim is retried.
   */
  @Test
  void aClaimTheProviderNeverAnswersIsTimedOutByTheWatchdog() {
    VipGroup g = TwoNodes.group();
    VirtualIp vip = g.vips().get(0);
    TestCluster c = new TestCluster(g);
    FakeCloud cloud = new FakeCloud(c.time).unanswered(true);
    startN1(c, cloud, Duration.ofSeconds(3));
    long claimedFrom = c.time.nanoTime();
    c.run(Duration.ofSeconds(2));
    assertThat(c.events).filteredOn(e -> e instanceof AgentEvent.MoverFailed).isEmpty();
    cloud.unanswered(false);
    c.run(Duration.ofSeconds(5));
    AgentEvent.MoverFailed f = c.events(AgentEvent.MoverFailed.class, "n1").get(0);
    assertThat(f.outcome()).isEqualTo(Outcome.TIMED_OUT);
    assertThat(f.detail()).contains("no answer within 3000 ms");
    // (the claim goes out once the node owns the VIP, within its first 0.7 s)
    assertThat(f.at() - claimedFrom).isBetween(3_300_000_000L, 4_000_000_000L);
    assertThat(cloud.calls("claim")).singleElement()
        .satisfies(k -> assertThat(k.sentAt()).isEqualTo(f.at() + Movers.backoff(1, null)));
    assertHeldByN1(c, cloud, vip);
  }

  /**
   * A claim retried before its first attempt's watchdog was due: that watchdog is cancelled
   * when the first answer comes, so the retry's slower answer is the one that counts.
   */
  @Test
  void aRetriedClaimIsNotTimedOutByTheFirstAttemptsWatchdog() {
    VipGroup g = TwoNodes.group();
    VirtualIp vip = g.vips().get(0);
    TestCluster c = new TestCluster(g);
    FakeCloud cloud = new FakeCloud(c.time).latency(Duration.ofMillis(1500),
        Duration.ofMillis(1500)).inject(MoverResult.failed("throttled"));
    startN1(c, cloud, Duration.ofSeconds(3));
    c.run(Duration.ofSeconds(8));
    assertThat(cloud.calls("claim")).extracting(k -> k.result().outcome())
        .containsExactly(Outcome.FAILED, Outcome.ACCEPTED);
    assertThat(c.events(AgentEvent.MoverFailed.class, "n1")).singleElement()
        .satisfies(f -> assertThat(f.outcome()).isEqualTo(Outcome.FAILED));
    assertThat(c.events(AgentEvent.MoverClaimed.class, "n1")).singleElement()
        .satisfies(k -> assertThat(k.attempts()).isEqualTo(2));
    assertHeldByN1(c, cloud, vip);
  }

  /**
   * A newer owner's epoch fences the node out: it lets go, watches the provider with a doubling
   * backoff while the newer owner is pointed at, and claims above that epoch at the instant the
   * newer owner is seen to have let go.
   */
  @Test
  void aFencedOutNodeWatchesUntilTheNewerOwnerLetsGoAndThenClaimsAboveItsEpoch() {
    VipGroup g = TwoNodes.group();
    VirtualIp vip = g.vips().get(0);
    TestCluster c = new TestCluster(g);
    FakeCloud cloud = new FakeCloud(c.time);
    long newer = newerOwner(c, cloud, vip);
    start(c, cloud, "n1");
    c.run(Duration.ofSeconds(9));
    assertThat(c.holders(vip)).isEmpty();
    assertThat(cloud.target(vip)).isEqualTo("ext");
    List<FakeCloud.Call> n1 = callsOf(cloud, "n1");
    assertThat(n1).extracting(FakeCloud.Call::operation)
        .containsExactly("claim", "observe", "observe", "observe");
    assertThat(n1.get(0).result().outcome()).isEqualTo(Outcome.STALE_EPOCH);
    assertThat(n1.get(2).sentAt() - n1.get(1).sentAt()).isEqualTo(Movers.backoff(2, null));
    assertThat(n1.get(3).sentAt() - n1.get(2).sentAt()).isEqualTo(Movers.backoff(3, null));
    assertThat(c.agent("n1").state().held()).isEmpty();
    cloud.mover("ext").release(vip, newer, Duration.ofSeconds(1));
    c.run(Duration.ofSeconds(9));
    List<FakeCloud.Call> all = callsOf(cloud, "n1");
    List<FakeCloud.Call> after = all.subList(4, all.size());
    assertThat(after).extracting(FakeCloud.Call::operation).containsExactly("observe", "claim");
    assertThat(after.get(1).sentAt()).as("claimed as soon as seen let go")
        .isEqualTo(after.get(0).answeredAt());
    assertThat(after.get(1).epoch()).isEqualTo(newer + 1);
    assertThat(after.get(1).result().outcome()).isEqualTo(Outcome.ACCEPTED);
    assertHeldByN1(c, cloud, vip);
  }

  /**
   * A claim still in progress when the agent stops is given up: address removed, released. So
   * too when the backend fails at the stop, and the stop's own reconcile, which cannot list the
   * host's addresses, leaves the claim to the stop's end (the failed removal reported).
   */
  @ParameterizedTest(name = "backend failing: {0}")
  @ValueSource(booleans = {false, true})
  void aClaimInProgressAtStopIsGivenUp(boolean backendFailing) {
    VipGroup g = TwoNodes.group();
    VirtualIp vip = g.vips().get(0);
    TestCluster c = new TestCluster(g);
    FakeCloud cloud = new FakeCloud(c.time).latency(Duration.ofSeconds(4), Duration.ofSeconds(4));
    startN1(c, cloud, Duration.ofSeconds(9));
    c.run(Duration.ofSeconds(2));
    assertThat(c.holders(vip)).containsExactly("n1");
    assertThat(cloud.calls()).isEmpty();
    if (backendFailing) {
      c.host("n1").failWith(BUSY);
    }
    c.agent("n1").stop();
    c.run(Duration.ofMillis(100));
    assertThat(c.agent("n1").state().phase()).isEqualTo(VipAgent.Phase.STOPPED);
    if (backendFailing) {
      assertThat(c.events(AgentEvent.BackendError.class, "n1")).anySatisfy(e -> {
        assertThat(e.operation()).isEqualTo("release");
        assertThat(e.vip()).isEqualTo(vip);
      });
    } else {
      assertThat(c.holders(vip)).isEmpty();
    }
    assertThat(cloud.calls()).isEmpty();
    c.run(Duration.ofSeconds(10));
    assertReleasedUnderTheClaimsEpoch(cloud, vip);
    assertThat(c.events(AgentEvent.MoverClaimed.class, "n1")).isEmpty();
    assertThat(c.agent("n1").state().held()).isEmpty();
  }

  /**
   * A conflicting claim whose observe shows a newer owner's epoch is fenced out: no claim on the
   * version seen, the address removed, the provider watched.
   */
  @Test
  void aConflictingClaimThatObservesANewerEpochIsFencedOut() {
    VipGroup g = TwoNodes.group();
    VirtualIp vip = g.vips().get(0);
    TestCluster c = new TestCluster(g);
    FakeCloud cloud = new FakeCloud(c.time).inject(MoverResult.conflict(null, "v9", "raced"));
    start(c, cloud, "n1");
    c.run(Duration.ofMillis(900));
    assertThat(cloud.calls("claim")).singleElement()
        .satisfies(k -> assertThat(k.result().outcome()).isEqualTo(Outcome.CONFLICT));
    newerOwner(c, cloud, vip);
    c.run(Duration.ofSeconds(3));
    List<FakeCloud.Call> n1 = callsOf(cloud, "n1");
    assertThat(n1).extracting(FakeCloud.Call::operation)
        .containsExactly("claim", "observe", "observe");
    assertThat(n1.get(2).sentAt() - n1.get(1).answeredAt()).isEqualTo(Movers.backoff(1, null));
    assertThat(cloud.target(vip)).isEqualTo("ext");
    assertThat(c.holders(vip)).isEmpty();
    assertThat(c.agent("n1").state().held()).isEmpty();
  }

  /**
   * A stop ends the fenced-out watch: an observe answered after it arms no further one. So too
   * when the backend fails at the stop, and the stop's own reconcile, which cannot list the host's
   * addresses, leaves the watch to the stop's end.
   */
  @ParameterizedTest(name = "backend failing: {0}")
  @ValueSource(booleans = {false, true})
  void aStopEndsTheFencedOutWatch(boolean backendFailing) {
    VipGroup g = TwoNodes.group();
    VirtualIp vip = g.vips().get(0);
    TestCluster c = new TestCluster(g);
    FakeCloud cloud = fencedOutWithAnObserveInFlight(c, vip);
    if (backendFailing) {
      c.host("n1").failWith(BUSY);
    }
    c.agent("n1").stop();
    c.run(Duration.ofSeconds(60));
    assertThat(cloud.calls("observe")).hasSize(1);
    assertThat(cloud.target(vip)).isEqualTo("ext");
    assertThat(c.holders(vip)).isEmpty();
  }

  /**
   * A stale epoch whose newer owner let go already (nobody pointed at) is no fence: the node
   * claims again at once, above the stored epoch, without watching.
   */
  @Test
  void aStaleEpochNobodyHoldsIsClaimedAgainAboveIt() {
    VipGroup g = TwoNodes.group();
    VirtualIp vip = g.vips().get(0);
    TestCluster c = new TestCluster(g);
    FakeCloud cloud = new FakeCloud(c.time);
    long newer = newerOwner(c, cloud, vip);
    cloud.mover("ext").release(vip, newer, Duration.ofSeconds(1));
    c.run(Duration.ofMillis(10));
    start(c, cloud, "n1");
    c.run(Duration.ofSeconds(3));
    List<FakeCloud.Call> n1 = callsOf(cloud, "n1");
    assertThat(n1).extracting(FakeCloud.Call::operation).containsExactly("claim", "claim");
    assertThat(n1.get(0).result().outcome()).isEqualTo(Outcome.STALE_EPOCH);
    assertThat(n1.get(1).sentAt()).isEqualTo(n1.get(0).answeredAt());
    assertThat(n1.get(1).epoch()).isEqualTo(newer + 1);
    assertHeldByN1(c, cloud, vip);
  }

  /**
   * A conflicting claim whose observe fails observes again after a longer backoff, then claims on
   * the version seen.
   */
  @Test
  void aConflictingClaimWhoseObserveFailsObservesAgainAfterALongerBackoff() {
    VipGroup g = TwoNodes.group();
    VirtualIp vip = g.vips().get(0);
    TestCluster c = new TestCluster(g);
    FakeCloud cloud = new FakeCloud(c.time).inject(MoverResult.conflict(null, "v9", "raced"))
        .injectObserve(MoverResult.failed("read timed out"));
    start(c, cloud, "n1");
    c.run(Duration.ofSeconds(6));
    List<FakeCloud.Call> n1 = callsOf(cloud, "n1");
    assertThat(n1).extracting(FakeCloud.Call::operation).containsExactly("claim", "observe",
        "observe", "claim");
    assertThat(n1).extracting(k -> k.result().outcome()).containsExactly(Outcome.CONFLICT,
        Outcome.FAILED, Outcome.ACCEPTED, Outcome.ACCEPTED);
    assertThat(n1.get(2).sentAt() - n1.get(1).answeredAt()).as("the second backoff")
        .isEqualTo(Movers.backoff(2, null));
    assertHeldByN1(c, cloud, vip);
  }

  /**
   * An earlier attempt that timed out but applied later: the observe after a conflict shows this
   * claim's own epoch, no newer owner, and the node claims on the version seen.
   */
  @Test
  void aConflictingClaimThatObservesItsOwnEpochClaimsOnTheVersionSeen() {
    VipGroup g = TwoNodes.group();
    VirtualIp vip = g.vips().get(0);
    TestCluster c = new TestCluster(g);
    FakeCloud cloud = new FakeCloud(c.time).latency(Duration.ofSeconds(5), Duration.ofSeconds(5))
        .inject(MoverResult.conflict(null, "v9", "raced"));
    startN1(c, cloud, Duration.ofSeconds(3));
    c.run(Duration.ofSeconds(2)); // the first claim sent, answered TIMED_OUT, applied at 5 s
    cloud.latency(Duration.ofMillis(10), Duration.ofMillis(10));
    c.run(Duration.ofSeconds(8));
    List<FakeCloud.Call> n1 = callsOf(cloud, "n1");
    assertThat(n1).extracting(FakeCloud.Call::operation).containsExactly("claim", "claim",
        "observe", "claim");
    assertThat(n1).extracting(k -> k.result().outcome()).containsExactly(Outcome.TIMED_OUT,
        Outcome.CONFLICT, Outcome.ACCEPTED, Outcome.ALREADY_OWNED);
    assertThat(n1.get(2).result().target()).isEqualTo("n1");
    assertThat(n1.get(2).result().epoch()).isEqualTo(n1.get(0).epoch());
    assertThat(n1.get(3).epoch()).isEqualTo(n1.get(0).epoch());
    assertHeldByN1(c, cloud, vip);
    assertThat(c.events(AgentEvent.MoverClaimed.class, "n1")).singleElement()
        .satisfies(k -> assertThat(k.attempts()).isEqualTo(3));
  }

  /**
   * The fenced-out watch publishes the agent's state when it fences the node out (the refusal in
   * its events) and when it lifts the fence, each at that instant.
   */
  @Test
  void theFencedOutWatchPublishesTheStateWhenItFencesOutAndWhenItLiftsTheFence() {
    VipGroup g = TwoNodes.group();
    VirtualIp vip = g.vips().get(0);
    TestCluster c = new TestCluster(g);
    FakeCloud cloud = new FakeCloud(c.time).latency(Duration.ofMillis(30), Duration.ofMillis(30));
    long newer = newerOwner(c, cloud, vip);
    start(c, cloud, "n1");
    AgentState[] refused = {null};
    c.runChecking(Duration.ofSeconds(3), Duration.ofMillis(1), () -> {
      if (refused[0] == null && !c.events(AgentEvent.MoverFailed.class, "n1").isEmpty()) {
        refused[0] = c.agent("n1").state();
      }
    });
    AgentEvent.MoverFailed f = c.events(AgentEvent.MoverFailed.class, "n1").get(0);
    assertThat(f.outcome()).isEqualTo(Outcome.STALE_EPOCH);
    assertThat(refused[0].takenAt()).isEqualTo(f.at());
    assertThat(refused[0].recentEvents()).contains(f);
    cloud.mover("ext").release(vip, newer, Duration.ofSeconds(1));
    long[] lifted = {-1};
    AgentState[] seen = {null};
    c.runChecking(Duration.ofSeconds(5), Duration.ofMillis(1), () -> {
      if (seen[0] == null) {
        cloud.calls("observe").stream().filter(k -> k.result().target() == null).findFirst()
            .ifPresent(k -> {
              lifted[0] = k.answeredAt();
              seen[0] = c.agent("n1").state();
            });
      }
    });
    assertThat(seen[0]).isNotNull();
    assertThat(seen[0].takenAt()).isEqualTo(lifted[0]);
    assertThat(seen[0].held()).isEmpty(); // (the claim that follows is answered 30 ms later)
    assertHeldByN1(c, cloud, vip);
  }

  /**
   * A claim accepted is published at once: the peer knows this node holds the VIP before this
   * node's next heartbeat would have told it.
   */
  @Test
  void peersLearnOfAnAcceptedClaimAtOnce() {
    VipGroup g = TwoNodes.group();
    VirtualIp vip = g.vips().get(0);
    TestCluster c = new TestCluster(g);
    FakeCloud cloud = new FakeCloud(c.time).latency(Duration.ofMillis(30), Duration.ofMillis(30));
    start(c, cloud, "n1");
    c.start("n2");
    for (int ms = 0; ms < 3000 && c.events(AgentEvent.MoverClaimed.class, "n1").isEmpty(); ms++) {
      c.run(Duration.ofMillis(1));
    }
    long claimedAt = c.events(AgentEvent.MoverClaimed.class, "n1").get(0).at();
    c.run(Duration.ofNanos(claimedAt + 1_000_000 - c.time.nanoTime()));
    PeerState n1 = java.util.Objects.requireNonNull(c.agent("n2").peers.get("n1"));
    assertThat(n1.held()).as("n2's view of n1, 1 ms after the claim").containsExactly(vip);
  }

  /**
   * A released leftover whose first claim is still in flight is released under that claim's
   * epoch (the provider knows no other).
   */
  @Test
  void aLeftoverReleasedWhileItsClaimIsInFlightIsReleasedUnderThatClaimsEpoch() {
    VipGroup g = TwoNodes.group();
    VirtualIp vip = g.vips().get(0);
    TestCluster c = new TestCluster(g);
    FakeCloud cloud = new FakeCloud(c.time).latency(Duration.ofSeconds(4), Duration.ofSeconds(4));
    c.host("n1").addByHand(vip);
    startN1(c, cloud, Duration.ofSeconds(9));
    c.run(Duration.ofSeconds(2));
    c.agent("n1").stop();
    c.run(Duration.ofSeconds(10));
    assertReleasedUnderTheClaimsEpoch(cloud, vip);
    assertThat(c.holders(vip)).isEmpty();
  }

  /**
   * A kernel lease shorter than the reconcile interval: each pass is due to renew it, and a VIP
   * whose claim is retried for longer than that lease keeps its local address all the while.
   */
  @Test
  void aVipBeingClaimedKeepsAShortLeaseRenewedOnEveryDuePass() {
    VipGroup g = TwoNodes.group(p -> p.lease(Duration.ofSeconds(3)));
    VirtualIp vip = g.vips().get(0);
    TestCluster c = new TestCluster(g);
    FakeCloud cloud = new FakeCloud(c.time)
        .inject(MoverResult.throttled(Duration.ofSeconds(8), "Throttling"));
    c.start(c.create("n1", c.builder("n1").mover(vip, cloud.mover("n1"))
        .reconcileInterval(Duration.ofSeconds(2))));
    c.run(Duration.ofSeconds(1));
    assertThat(c.holders(vip)).containsExactly("n1");
    c.runChecking(Duration.ofSeconds(9), Duration.ofMillis(100),
        () -> assertThat(c.holders(vip)).containsExactly("n1"));
    assertThat(cloud.calls("claim")).extracting(k -> k.result().outcome())
        .containsExactly(Outcome.THROTTLED, Outcome.ACCEPTED);
    assertHeldByN1(c, cloud, vip);
  }

  /**
   * A peer heard holding the VIP from the very instant this node's claim was accepted did not
   * take it after this node: the conflict is answered, but the provider is not asked again.
   */
  @Test
  void aPeerHoldingTheVipSinceTheInstantOfTheClaimIsNoCauseToClaimAgain() {
    VipGroup g = TwoNodes.group();
    VirtualIp vip = g.vips().get(0);
    TestCluster c = new TestCluster(g);
    FakeCloud cloud = new FakeCloud(c.time).latency(Duration.ofMillis(30), Duration.ofMillis(30));
    c.network.delay(Duration.ZERO);
    ScriptedPeer n2 = ScriptedPeer.onNetwork(c, "n2").every(c.time, Duration.ofMillis(100));
    AddressMover m = cloud.mover("n1");
    boolean[] sent = {false};
    AddressMover timed = new AddressMover() {
      @Override
      public CompletionStage<MoverResult> observe(VirtualIp v, Duration timeout) {
        return m.observe(v, timeout);
      }

      @Override
      public CompletionStage<MoverResult> claim(VirtualIp v, long epoch,
          @Nullable String expected, Duration timeout) {
        CompletionStage<MoverResult> answer = m.claim(v, epoch, expected, timeout);
        if (!sent[0]) { // n2's news arrives with the answer, just after it
          sent[0] = true;
          c.time.schedule(Duration.ofMillis(30).toNanos(), () -> n2.holds(0).send());
        }
        return answer;
      }

      @Override
      public CompletionStage<MoverResult> release(VirtualIp v, long epoch, Duration timeout) {
        return m.release(v, epoch, timeout);
      }
    };
    c.start(c.create("n1", c.builder("n1").mover(vip, timed)));
    c.run(Duration.ofSeconds(3));
    VipAgent n1 = c.agent("n1");
    assertThat(n1.peers.peerHeldSince("n2", vip)).isEqualTo(n1.holdings.acquiredAt(vip));
    assertThat(c.events(AgentEvent.Conflict.class, "n1")).isNotEmpty();
    assertThat(cloud.calls("claim")).singleElement()
        .satisfies(k -> assertThat(k.result().outcome()).isEqualTo(Outcome.ACCEPTED));
    assertHeldByN1(c, cloud, vip);
  }

  /**
   * A re-assertion (a peer took the VIP after this node) under a coordinator that does not fence
   * (epoch 0), refused for an epoch whose owner let go already: a new decision, claimed again at
   * once above the stored epoch; the node keeps the VIP.
   */
  @Test
  void aReassertionRefusedForAnEpochNobodyHoldsIsClaimedAgainAboveIt() {
    VipGroup g = TwoNodes.group();
    VirtualIp vip = g.vips().get(0);
    TestCluster c = new TestCluster(g);
    FakeCloud cloud = new FakeCloud(c.time);
    ScriptedPeer n2 = ScriptedPeer.onNetwork(c, "n2").every(c.time, Duration.ofMillis(100));
    start(c, cloud, "n1");
    c.run(Duration.ofSeconds(3));
    assertHeldByN1(c, cloud, vip);
    long newer = newerOwner(c, cloud, vip);
    cloud.mover("ext").release(vip, newer, Duration.ofSeconds(1));
    c.run(Duration.ofMillis(10));
    n2.holds(0).send(); // once, after n1 took it
    c.run(Duration.ofMillis(1));
    n2.holds();
    c.run(Duration.ofSeconds(2));
    List<FakeCloud.Call> n1 = callsOf(cloud, "n1");
    assertThat(n1).extracting(FakeCloud.Call::operation).containsExactly("claim", "claim",
        "claim");
    assertThat(n1).extracting(k -> k.result().outcome()).containsExactly(Outcome.ACCEPTED,
        Outcome.STALE_EPOCH, Outcome.ACCEPTED);
    assertThat(n1.get(1).epoch()).isEqualTo(n1.get(0).epoch());
    assertThat(n1.get(2).sentAt()).isEqualTo(n1.get(1).answeredAt());
    assertThat(n1.get(2).epoch()).isEqualTo(newer + 1);
    assertHeldByN1(c, cloud, vip);
  }
}
