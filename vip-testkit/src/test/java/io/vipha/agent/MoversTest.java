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
    assertThat(c.holders(vip)).containsExactly("n1");
    assertThat(c.agent("n1").state().held()).containsExactly(vip);
    assertThat(cloud.target(vip)).isEqualTo("n1");
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
    assertThat(c.holders(vip)).containsExactly("n1");
    assertThat(cloud.target(vip)).isEqualTo("n1");
    assertThat(c.agent("n1").state().held()).containsExactly(vip);
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
}
