package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import java.time.Duration;
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

  @Test
  void aLeaseIsRenewedAtTheFirstReconcileAThirdOfALeaseAfterTheLastRenewal() {
    TestCluster c = new TestCluster(group(Duration.ofSeconds(3)));
    RecordingHost r = new RecordingHost(c, c.host("n1"));
    ScriptedPeer.onNetwork(c, "n2").every(c.time, Duration.ofMillis(100));
    c.start(c.create("n1", c.builder("n1").backend(r)));
    c.run(Duration.ofMillis(5500));
    // Reconciles every second from the start; a third of 3 s is 1 s: a renewal at each one.
    assertThat(r.assigns.subList(1, r.assigns.size())).containsExactly(1000 * MS, 2000 * MS,
        3000 * MS, 4000 * MS, 5000 * MS);
    TestCluster d = new TestCluster(group(Duration.ofSeconds(10)));
    RecordingHost s = new RecordingHost(d, d.host("n1"));
    ScriptedPeer.onNetwork(d, "n2").every(d.time, Duration.ofMillis(100));
    d.start(d.create("n1", d.builder("n1").backend(s)));
    d.run(Duration.ofMillis(9500));
    // A third of 10 s: the reconciles at 4 s and 8 s.
    assertThat(s.assigns.subList(1, s.assigns.size())).containsExactly(4000 * MS, 8000 * MS);
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
