package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.vipha.Exposure;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.spi.MoverResult;
import io.vipha.spi.MoverResult.Outcome;
import io.vipha.testing.FakeCloud;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The agent's use of address movers, beyond the simulator's failovers (CloudMoverTest). */
class MoversTest {
  private static final VirtualIp OTHER = VirtualIp.builder().address("203.0.113.99/32")
      .interfaceName("eth0").exposure(Exposure.PUBLIC).build();

  /** Starts the agents {@code ids} of {@code c}, each with its mover of {@code cloud}. */
  private static void start(TestCluster c, FakeCloud cloud, String... ids) {
    VirtualIp vip = c.group.vips().get(0);
    for (String id : ids) {
      c.start(c.create(id, c.builder(id).mover(vip, cloud.mover(id))));
    }
  }

  /** Starts agent {@code n1} of {@code c}, its mover of {@code cloud} given {@code timeout}. */
  private static void startN1(TestCluster c, FakeCloud cloud, Duration timeout) {
    VirtualIp vip = c.group.vips().get(0);
    c.start(c.create("n1", c.builder("n1").mover(vip, cloud.mover("n1"), timeout)));
  }

  /** Another party ("ext") takes {@code vip} at the provider an hour ahead; its epoch. */
  private static long newerOwner(TestCluster c, FakeCloud cloud, VirtualIp vip) {
    long newer = c.time.wallMillis() + 3_600_000;
    cloud.mover("ext").claim(vip, newer, null, Duration.ofSeconds(1));
    c.run(Duration.ofMillis(10));
    return newer;
  }

  /** {@code n1} holds {@code vip}: on its host, in its state, and at the provider. */
  private static void assertHeldByN1(TestCluster c, FakeCloud cloud, VirtualIp vip) {
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
    List<FakeCloud.Call> n1 = cloud.calls().stream().filter(k -> k.node().equals("n1")).toList();
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
    List<FakeCloud.Call> n1 = cloud.calls().stream().filter(k -> k.node().equals("n1")).toList();
    assertThat(n1).extracting(FakeCloud.Call::operation)
        .containsExactly("claim", "observe", "observe", "observe");
    assertThat(n1.get(0).result().outcome()).isEqualTo(Outcome.STALE_EPOCH);
    assertThat(n1.get(2).sentAt() - n1.get(1).sentAt()).isEqualTo(Movers.backoff(2, null));
    assertThat(n1.get(3).sentAt() - n1.get(2).sentAt()).isEqualTo(Movers.backoff(3, null));
    assertThat(c.agent("n1").state().held()).isEmpty();
    cloud.mover("ext").release(vip, newer, Duration.ofSeconds(1));
    c.run(Duration.ofSeconds(9));
    List<FakeCloud.Call> after = cloud.calls().stream().filter(k -> k.node().equals("n1"))
        .skip(4).toList();
    assertThat(after).extracting(FakeCloud.Call::operation).containsExactly("observe", "claim");
    assertThat(after.get(1).sentAt()).as("claimed as soon as seen let go")
        .isEqualTo(after.get(0).answeredAt());
    assertThat(after.get(1).epoch()).isEqualTo(newer + 1);
    assertThat(after.get(1).result().outcome()).isEqualTo(Outcome.ACCEPTED);
    assertHeldByN1(c, cloud, vip);
  }

  /** A claim still in progress when the agent stops is given up: address removed, released. */
  @Test
  void aClaimInProgressAtStopIsGivenUp() {
    VipGroup g = TwoNodes.group();
    VirtualIp vip = g.vips().get(0);
    TestCluster c = new TestCluster(g);
    FakeCloud cloud = new FakeCloud(c.time).latency(Duration.ofSeconds(4), Duration.ofSeconds(4));
    startN1(c, cloud, Duration.ofSeconds(9));
    c.run(Duration.ofSeconds(2));
    assertThat(c.holders(vip)).containsExactly("n1");
    assertThat(cloud.calls()).isEmpty();
    c.agent("n1").stop();
    c.run(Duration.ofMillis(100));
    assertThat(c.holders(vip)).isEmpty();
    assertThat(cloud.calls()).isEmpty();
    c.run(Duration.ofSeconds(10));
    List<FakeCloud.Call> claims = cloud.calls("claim");
    assertThat(claims).hasSize(1);
    assertThat(cloud.calls("release")).singleElement().satisfies(k -> {
      assertThat(k.epoch()).isEqualTo(claims.get(0).epoch());
      assertThat(k.result().outcome()).isEqualTo(Outcome.ACCEPTED);
    });
    assertThat(cloud.target(vip)).isNull();
    assertThat(c.events(AgentEvent.MoverClaimed.class, "n1")).isEmpty();
    assertThat(c.holders(vip)).isEmpty();
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
    List<FakeCloud.Call> n1 = cloud.calls().stream().filter(k -> k.node().equals("n1")).toList();
    assertThat(n1).extracting(FakeCloud.Call::operation)
        .containsExactly("claim", "observe", "observe");
    assertThat(n1.get(2).sentAt() - n1.get(1).answeredAt()).isEqualTo(Movers.backoff(1, null));
    assertThat(cloud.target(vip)).isEqualTo("ext");
    assertThat(c.holders(vip)).isEmpty();
    assertThat(c.agent("n1").state().held()).isEmpty();
  }

  /** A stop ends the fenced-out watch: an observe answered after it arms no further one. */
  @Test
  void aStopEndsTheFencedOutWatch() {
    VipGroup g = TwoNodes.group();
    VirtualIp vip = g.vips().get(0);
    TestCluster c = new TestCluster(g);
    FakeCloud cloud = new FakeCloud(c.time).latency(Duration.ofSeconds(3), Duration.ofSeconds(3));
    cloud.mover("ext").claim(vip, c.time.wallMillis() + 3_600_000, null, Duration.ofSeconds(9));
    c.run(Duration.ofMillis(3100));
    startN1(c, cloud, Duration.ofSeconds(9));
    c.run(Duration.ofSeconds(6)); // the claim refused at 3 s, the first observe sent at 4 s
    assertThat(cloud.calls("claim")).filteredOn(k -> k.node().equals("n1")).singleElement()
        .satisfies(k -> assertThat(k.result().outcome()).isEqualTo(Outcome.STALE_EPOCH));
    assertThat(cloud.calls("observe")).isEmpty();
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
    List<FakeCloud.Call> n1 = cloud.calls().stream().filter(k -> k.node().equals("n1")).toList();
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
    List<FakeCloud.Call> n1 = cloud.calls().stream().filter(k -> k.node().equals("n1")).toList();
    assertThat(n1).extracting(FakeCloud.Call::operation).containsExactly("claim", "observe",
        "observe", "claim");
    assertThat(n1).extracting(k -> k.result().outcome()).containsExactly(Outcome.CONFLICT,
        Outcome.FAILED, Outcome.ACCEPTED, Outcome.ACCEPTED);
    assertThat(n1.get(2).sentAt() - n1.get(1).answeredAt()).as("the second backoff")
        .isEqualTo(Movers.backoff(2, null));
    assertHeldByN1(c, cloud, vip);
  }
}
