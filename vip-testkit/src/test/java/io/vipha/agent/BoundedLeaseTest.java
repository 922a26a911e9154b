package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.Lease;
import io.vipha.VirtualIp;
import io.vipha.spi.Coordinator;
import io.vipha.spi.Coordinator.Fence;
import io.vipha.testing.InMemoryBackend;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A grant that bounds the kernel lease ({@link Fence#leaseNanos()}): the agent sets the policy's
 * lease or the bound less the backend's overrun floored to whole seconds, whichever is shorter,
 * renews a third of the lease it set after setting it, and neither adds nor renews when the
 * bound leaves less than a second. Virtual clock.
 */
@SuppressWarnings("NullAway.Init") // set by start(), first in each test of an agent
class BoundedLeaseTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000 * MS;

  /** n1's coordinator: the heartbeat coordinator, with every grant bounded by {@link #bound}. */
  private static final class Bounding extends WrappingCoordinator {
    long bound = Long.MAX_VALUE;

    Bounding(Coordinator inner) {
      super(inner);
    }

    @Override
    public Fence fence(VirtualIp vip) {
      return Fence.grant(7, bound);
    }
  }

  private TestCluster c;
  private RecordingHost r;
  private Bounding fence;

  /** n1 with a 10 s policy lease, its grants bounded to {@code bound}, its host's overrun. */
  private void start(long bound, Duration overrun) {
    c = new TestCluster(TwoNodes.group(p -> p.lease(Duration.ofSeconds(10))));
    r = new RecordingHost(c, new InMemoryBackend(c.time, Set.of("eth0"), overrun));
    ScriptedPeer.onNetwork(c, "n2").every(c.time, Duration.ofMillis(100));
    VipAgent.Builder b = c.builder("n1").backend(r);
    fence = new Bounding(c.coordinator("n1"));
    fence.bound = bound;
    c.start(c.create("n1", b.coordinator(fence)));
  }

  private static Lease seconds(long s) {
    return Lease.of(Duration.ofSeconds(s));
  }

  @Test
  void theBoundLessTheOverrunFlooredToWholeSecondsIsTheLease() {
    assertThat(Reconciler.boundedSeconds(2_999 * MS, 0)).isEqualTo(2);
    assertThat(Reconciler.boundedSeconds(3 * S, 0)).isEqualTo(3);
    assertThat(Reconciler.boundedSeconds(3 * S, 1_250 * MS)).isEqualTo(1);
    assertThat(Reconciler.boundedSeconds(2_249 * MS, 1_250 * MS)).isZero();
    assertThat(Reconciler.boundedSeconds(999 * MS, 0)).isZero();
    assertThat(Reconciler.boundedSeconds(0, 1_250 * MS)).isZero();
    assertThat(Reconciler.boundedSeconds(Long.MAX_VALUE - 1, 0)).isEqualTo(Lease.MAX_SECONDS);
  }

  @Test
  void aBoundedGrantSetsTheShorterLeaseAndRenewsOnItsCadence() {
    start(2_400 * MS, Duration.ofMillis(1_250)); // 2.4 s less 1.25 s: a 1 s lease
    c.run(Duration.ofSeconds(4));
    assertThat(r.leases).hasSizeGreaterThan(3).allMatch(l -> l.equals(seconds(1)));
    // Renewed a third of the 1 s lease after each renewal, not every 10 s / 3: never lapses.
    for (int i = 1; i < r.assigns.size(); i++) {
      assertThat(r.assigns.get(i) - r.assigns.get(i - 1)).isLessThanOrEqualTo(S / 3 + MS);
    }
    long last = r.assigns.get(r.assigns.size() - 1);
    assertThat(c.time.nanoTime() - last).isLessThanOrEqualTo(S / 3 + MS);
    assertThat(r.host.holds(c.group.vips().get(0))).isTrue();
  }

  @Test
  void anUnboundedGrantKeepsThePolicyLeaseAndCadence() {
    start(Long.MAX_VALUE, Duration.ofMillis(1_250));
    c.run(Duration.ofSeconds(9));
    assertThat(r.leases).isNotEmpty().allMatch(l -> l.equals(seconds(10)));
    assertThat(r.assigns).hasSize(3); // the add and a renewal a third of 10 s after each
  }

  @Test
  void aBoundLongerThanThePolicyLeaseSetsThePolicyLease() {
    start(60 * S, Duration.ZERO);
    c.run(Duration.ofSeconds(2));
    assertThat(r.leases).isNotEmpty().allMatch(l -> l.equals(seconds(10)));
  }

  @Test
  void aChangedBoundChangesTheLeaseAtTheNextRenewal() {
    start(1_500 * MS, Duration.ZERO); // a 1 s lease
    c.run(Duration.ofSeconds(2));
    assertThat(r.leases).isNotEmpty().allMatch(l -> l.equals(seconds(1)));
    fence.bound = 2_500 * MS; // a 2 s lease from the next renewal on
    int before = r.leases.size();
    c.run(Duration.ofSeconds(2));
    assertThat(r.leases.subList(before, r.leases.size())).isNotEmpty()
        .allMatch(l -> l.equals(seconds(2)));
  }

  @Test
  void aBoundThatLeavesLessThanASecondNeitherAddsNorRenews() {
    start(2_200 * MS, Duration.ofMillis(1_250)); // 0.95 s: no lease fits
    c.run(Duration.ofSeconds(3));
    assertThat(r.assigns).isEmpty();
    assertThat(r.host.holds(c.group.vips().get(0))).isFalse();
    fence.bound = 3 * S; // 1.75 s: a 1 s lease, added at the next reconcile
    c.run(Duration.ofSeconds(2));
    assertThat(r.leases).isNotEmpty().allMatch(l -> l.equals(seconds(1)));
    int renewals = r.assigns.size();
    fence.bound = 2 * S; // no lease fits: no renewal, and the host drops the VIP
    c.run(Duration.ofSeconds(3));
    assertThat(r.assigns).hasSize(renewals);
    assertThat(r.host.holds(c.group.vips().get(0))).isFalse();
  }

  @Test
  void aLeaseOfOneSecondIsValidButNotAsAPolicy() {
    assertThat(seconds(1).duration()).isEqualTo(Duration.ofSeconds(1));
    assertThatThrownBy(() -> seconds(0)).hasMessageContaining("use 1s–1d");
    assertThatThrownBy(() -> TwoNodes.group(p -> p.lease(Duration.ofSeconds(1))))
        .hasMessageContaining("use 2s–1d");
  }

  @Test
  void aFenceBoundIsNeverNegative() {
    assertThat(Fence.grant(3).leaseNanos()).isEqualTo(Long.MAX_VALUE);
    assertThat(Fence.UNFENCED.leaseNanos()).isEqualTo(Long.MAX_VALUE);
    assertThat(Fence.grant(3, 5).leaseNanos()).isEqualTo(5);
    assertThatThrownBy(() -> Fence.grant(3, -1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("leaseNanos");
  }
}
