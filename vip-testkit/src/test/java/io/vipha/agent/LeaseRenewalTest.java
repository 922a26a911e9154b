package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Lease;
import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.spi.AddressBackend;
import io.vipha.spi.BackendException;
import io.vipha.spi.Cancellable;
import io.vipha.spi.HostAddress;
import io.vipha.testing.InMemoryBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The kernel lease of a held VIP is renewed a third of the lease after the last renewal (at the
 * reconcile that reaches it), also while the VIP waits for its successor, and the snapshot shows
 * what a reconcile did as soon as it did it.
 */
class LeaseRenewalTest {
  private static final long MS = 1_000_000L;

  /** The host of n1, recording when each assign (a take or a renewal) happened. */
  private static final class Recording implements AddressBackend {
    final InMemoryBackend host;
    final TestCluster c;
    final List<Long> assigns = new ArrayList<>();

    Recording(TestCluster c) {
      this.c = c;
      this.host = c.host("n1");
    }

    @Override
    public void assign(VirtualIp vip, Lease lease) throws BackendException {
      host.assign(vip, lease);
      assigns.add(c.time.nanoTime());
    }

    @Override
    public void release(VirtualIp vip) throws BackendException {
      host.release(vip);
    }

    @Override
    public void announce(VirtualIp vip) throws BackendException {
      host.announce(vip);
    }

    @Override
    public Set<HostAddress> list(Set<String> interfaces) throws BackendException {
      return host.list(interfaces);
    }

    @Override
    public Cancellable watch(Listener listener) throws BackendException {
      return host.watch(listener);
    }
  }

  private static VipGroup group(Duration lease) {
    return TwoNodes.group(p -> p.lease(lease));
  }

  @Test
  void aLeaseIsRenewedAtTheFirstReconcileAThirdOfALeaseAfterTheLastRenewal() {
    TestCluster c = new TestCluster(group(Duration.ofSeconds(3)));
    Recording r = new Recording(c);
    ScriptedPeer.onNetwork(c, "n2").every(c.time, Duration.ofMillis(100));
    c.start(c.create("n1", c.builder("n1").backend(r)));
    c.run(Duration.ofMillis(5500));
    // Reconciles every second from the start; a third of 3 s is 1 s: a renewal at each one.
    assertThat(r.assigns.subList(1, r.assigns.size())).containsExactly(1000 * MS, 2000 * MS,
        3000 * MS, 4000 * MS, 5000 * MS);
    TestCluster d = new TestCluster(group(Duration.ofSeconds(10)));
    Recording s = new Recording(d);
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
