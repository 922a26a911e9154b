package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.VirtualIp;
import io.vipha.spi.Coordinator;
import io.vipha.spi.Coordinator.Fence;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The agent under a coordinator that fences: it takes a VIP only while the fence is granted, and
 * under the grant's epoch; it re-adds one removed behind its back only then; it lets go of one
 * at once when the fence is revoked, also while it hands the VIP over; it acts at once when the
 * coordinator says the fence changed; and it releases without waiting for the successor when the
 * coordinator does not hand over make-before-break. n1 is real, its coordinator wraps its
 * heartbeat coordinator; n2 is played by the test and claims nothing.
 */
class FenceTest {
  /** n1's heartbeat coordinator with a fence and a handover style set by the test. */
  private static final class Fencing extends WrappingCoordinator {
    private Fence fence;
    boolean makeBeforeBreak = true;

    Fencing(Coordinator inner, Fence fence) {
      super(inner);
      this.fence = fence;
    }

    @Override
    public Fence fence(VirtualIp vip) {
      return fence;
    }

    @Override
    public boolean makeBeforeBreak() {
      return makeBeforeBreak;
    }
  }

  private final Fencing[] fencing = new Fencing[1];

  /** n1 started under {@code fence}, with n2 heard every interval, after {@code ms}. */
  private TestCluster running(Fence fence, long ms) {
    TestCluster c = new TestCluster(TwoNodes.group());
    ScriptedPeer.onNetwork(c, "n2").every(c.time, Duration.ofMillis(100));
    VipAgent.Builder b = c.builder("n1").handoverTimeout(Duration.ofSeconds(5));
    fencing[0] = new Fencing(c.coordinator("n1"), fence);
    c.start(c.create("n1", b.coordinator(fencing[0])));
    c.run(Duration.ofMillis(ms));
    return c;
  }

  /** The coordinator's fence becomes {@code f} and it tells the agent, on n1's loop. */
  private void change(TestCluster c, Fence f) {
    c.loop("n1").execute(() -> {
      fencing[0].fence = f;
      Objects.requireNonNull(fencing[0].context).fenceChanged();
    });
    c.time.runDue();
  }

  /** The fence is revoked: n1 releases its VIP at once, for that reason. */
  private void revoke(TestCluster c) {
    long revoked = c.time.nanoTime();
    change(c, Fence.REVOKE);
    assertThat(c.events(AgentEvent.Released.class, "n1")).singleElement()
        .satisfies(e -> {
          assertThat(e.at()).isEqualTo(revoked);
          assertThat(e.reason()).isEqualTo("FENCED");
        });
  }

  private static VirtualIp vip(TestCluster c) {
    return c.group.vips().get(0);
  }

  @Test
  void aVipIsTakenOnlyOnceTheFenceIsGrantedAndAtOnceUnderItsEpoch() {
    TestCluster c = running(Fence.WAIT, 2_000);
    assertThat(c.agent("n1").state().owners()).containsEntry(vip(c), "n1");
    assertThat(c.host("n1").holds(vip(c))).isFalse();
    long granted = c.time.nanoTime();
    change(c, Fence.grant(7));
    assertThat(c.events(AgentEvent.Acquired.class, "n1")).singleElement()
        .satisfies(e -> {
          assertThat(e.at()).isEqualTo(granted);
          assertThat(e.epoch()).isEqualTo(7);
        });
    assertThat(c.host("n1").holds(vip(c))).isTrue();
    assertThat(c.agent("n1").state().held()).containsExactly(vip(c));
  }

  @Test
  void aRevokedFenceReleasesAtOnceAndTheVipComesBackUnderTheNextGrant() {
    TestCluster c = running(Fence.grant(1), 1_000);
    assertThat(c.host("n1").holds(vip(c))).isTrue();
    revoke(c);
    c.run(Duration.ofSeconds(3)); // reconciles: still owned, not taken while revoked
    assertThat(c.host("n1").holds(vip(c))).isFalse();
    change(c, Fence.grant(2));
    assertThat(c.events(AgentEvent.Acquired.class, "n1")).extracting(AgentEvent.Acquired::epoch)
        .containsExactly(1L, 2L);
    assertThat(c.host("n1").holds(vip(c))).isTrue();
  }

  @Test
  void anAddressRemovedBehindItsBackIsReAddedOnlyUnderAGrantedFence() {
    TestCluster c = running(Fence.grant(1), 1_000);
    change(c, Fence.WAIT); // waiting is no revocation: the VIP stays
    assertThat(c.host("n1").holds(vip(c))).isTrue();
    c.host("n1").removeByHand(vip(c));
    c.run(Duration.ofSeconds(3));
    assertThat(c.host("n1").holds(vip(c))).isFalse();
    assertThat(c.events(AgentEvent.DriftRepaired.class, "n1")).isEmpty();
    assertThat(c.agent("n1").state().held()).containsExactly(vip(c));
    change(c, Fence.grant(1));
    assertThat(c.host("n1").holds(vip(c))).isTrue();
    assertThat(c.events(AgentEvent.DriftRepaired.class, "n1")).hasSize(1);
  }

  @Test
  void aRevokedFenceEndsTheWaitForTheSuccessorOfAStoppingNode() {
    TestCluster c = running(Fence.grant(1), 1_000);
    CompletableFuture<Void> stopped = c.agent("n1").stop();
    c.run(Duration.ofMillis(500)); // n2 claims nothing: n1 keeps the VIP for it
    assertThat(stopped).isNotDone();
    assertThat(c.host("n1").holds(vip(c))).isTrue();
    revoke(c);
    c.run(Duration.ofMillis(1));
    assertThat(stopped).isDone();
  }

  @Test
  void withoutMakeBeforeBreakADrainedNodeReleasesAtOnce() {
    TestCluster c = running(Fence.grant(1), 1_000);
    fencing[0].makeBeforeBreak = false;
    c.agent("n1").drain();
    c.time.runDue();
    long drained = c.time.nanoTime();
    assertThat(c.events(AgentEvent.Released.class, "n1")).singleElement()
        .satisfies(e -> assertThat(e.at()).isEqualTo(drained));
    assertThat(c.host("n1").holds(vip(c))).isFalse();
  }
}
