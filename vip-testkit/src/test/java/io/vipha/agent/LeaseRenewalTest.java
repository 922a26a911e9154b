package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Lease;
import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The kernel lease of a held VIP is renewed a third of the lease after the last renewal (at the
 * reconcile that reaches it), also while the VIP waits for its successor, and the snapshot shows
 * what a reconcile did as soon as it did it.
 */
class LeaseRenewalTest {
  private static final long MS = 1_000_000L;

  private static VipGroup group(Duration lease) {
    return TwoNodes.group(p -> p.lease(lease));
  }

  /** Starts n1 of {@code c} on a host that records its calls; n2 is played and heard. */
  private static RecordingHost startN1(TestCluster c) {
    RecordingHost r = new RecordingHost(c, c.host("n1"));
    ScriptedPeer.onNetwork(c, "n2").every(c.time, Duration.ofMillis(100));
    c.start(c.create("n1", c.builder("n1").backend(r)));
    return r;
  }

  @Test
  void aLeaseIsRenewedAtTheFirstReconcileAThirdOfALeaseAfterTheLastRenewal() {
    TestCluster c = new TestCluster(group(Duration.ofSeconds(3)));
    RecordingHost r = startN1(c);
    c.run(Duration.ofMillis(5500));
    // Reconciles every second from the start; a third of 3 s is 1 s: a renewal at each one.
    assertThat(r.assigns.subList(1, r.assigns.size())).containsExactly(1000 * MS, 2000 * MS,
        3000 * MS, 4000 * MS, 5000 * MS);
    TestCluster d = new TestCluster(group(Duration.ofSeconds(10)));
    RecordingHost s = startN1(d);
    d.run(Duration.ofMillis(9500));
    // A third of 10 s: the reconciles at 4 s and 8 s.
    assertThat(s.assigns.subList(1, s.assigns.size())).containsExactly(4000 * MS, 8000 * MS);
  }

  @Test
  void aReconfigurationThatShortensTheLeaseRenewsAThirdOfTheNewLeaseAfterTheLastRenewal() {
    TestCluster c = new TestCluster(group(Duration.ofSeconds(30)));
    RecordingHost r = startN1(c);
    c.run(Duration.ofMillis(10_500));
    assertThat(r.assigns.subList(1, r.assigns.size())).as("a third of 30 s").containsExactly(
        10_000 * MS);
    // The host holds a 30 s lease, renewed at 10 s; peers now count on 6 s: the first renewal
    // comes a third of the new lease after the last one, not a third of the old lease.
    c.agent("n1").reconfigure(group(Duration.ofSeconds(6)), List.of());
    c.run(Duration.ofSeconds(4));
    assertThat(r.assigns.subList(2, r.assigns.size())).containsExactly(12_000 * MS,
        14_000 * MS);
    assertThat(r.leases.subList(2, r.leases.size())).containsOnly(Lease.of(Duration.ofSeconds(
        6)));
  }

  @Test
  void aVipWaitingForItsSuccessorKeepsItsLease() {
    TestCluster c = new TestCluster(group(Duration.ofSeconds(2)));
    ScriptedPeer.onNetwork(c, "n2").every(c.time, Duration.ofMillis(100));
    c.start(c.create("n1", c.builder("n1").handoverTimeout(Duration.ofSeconds(8))));
    c.run(Duration.ofSeconds(1));
    VirtualIp vip = c.group.vips().get(0);
    c.agent("n1").drain(); // n2 never says it holds the VIP: n1 keeps it for 8 s
    c.run(Duration.ofSeconds(6));
    assertThat(c.host("n1").holds(vip)).isTrue();
  }

  @Test
  void theSnapshotShowsARepairAsSoonAsItIsDone() {
    TestCluster c = new TestCluster(group(Duration.ofSeconds(10)));
    ScriptedPeer.onNetwork(c, "n2").every(c.time, Duration.ofMillis(100));
    c.start("n1");
    c.run(Duration.ofSeconds(1));
    VirtualIp vip = c.group.vips().get(0);
    c.host("n1").removeByHand(vip); // the host tells the agent: repaired at once
    c.run(Duration.ofMillis(1));
    assertThat(c.host("n1").holds(vip)).isTrue();
    assertThat(c.agent("n1").state().counters().driftRepairs()).isEqualTo(1);
  }
}
