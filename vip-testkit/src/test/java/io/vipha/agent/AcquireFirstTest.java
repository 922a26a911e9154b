package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Lease;
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
 * A failover adds and announces the VIP before anything else the backend is asked at that
 * instant: the reconcile lists the host's addresses only when a held VIP or one this node does
 * not own needs them, and a list that fails still lets nothing be renewed.
 */
class AcquireFirstTest {
  /** n1's host, recording every call with its virtual instant. */
  private static final class Recording implements AddressBackend {
    final InMemoryBackend host;
    final TestCluster c;
    final List<String> calls = new ArrayList<>();
    boolean listFails;

    Recording(TestCluster c) {
      this.c = c;
      this.host = c.host("n1");
    }

    private void note(String call) {
      calls.add(c.time.nanoTime() / 1_000_000 + " " + call);
    }

    @Override
    public void assign(VirtualIp vip, Lease lease) throws BackendException {
      note("assign");
      host.assign(vip, lease);
    }

    @Override
    public void release(VirtualIp vip) throws BackendException {
      note("release");
      host.release(vip);
    }

    @Override
    public void announce(VirtualIp vip) throws BackendException {
      note("announce");
      host.announce(vip);
    }

    @Override
    public Set<HostAddress> list(Set<String> interfaces) throws BackendException {
      note("list");
      if (listFails) {
        throw new BackendException(BackendException.Kind.TRANSIENT, "no dump today");
      }
      return host.list(interfaces);
    }

    @Override
    public Cancellable watch(Listener listener) throws BackendException {
      return host.watch(listener);
    }

    /** The calls made at the instant of the first assign after {@code fromMs}. */
    List<String> atFirstAssignAfter(long fromMs) {
      String first = calls.stream().filter(s -> s.endsWith(" assign"))
          .filter(s -> Long.parseLong(s.split(" ")[0]) >= fromMs).findFirst().orElseThrow();
      String at = first.split(" ")[0] + " ";
      return calls.stream().filter(s -> s.startsWith(at)).map(s -> s.substring(at.length()))
          .toList();
    }
  }

  @Test
  void aFailoverAddsAndAnnouncesBeforeItListsTheHost() {
    VipGroup g = TwoNodes.group(p -> p.lease(Duration.ofSeconds(10)));
    TestCluster c = new TestCluster(g);
    Recording r = new Recording(c);
    ScriptedPeer n2 = ScriptedPeer.onNetwork(c, "n2").holds(0).every(c.time,
        Duration.ofMillis(100));
    c.start(c.create("n1", c.builder("n1").backend(r)));
    c.run(Duration.ofSeconds(2));
    VirtualIp vip = g.vips().get(0);
    assertThat(c.host("n1").holds(vip)).as("n2 holds it, no preemption").isFalse();
    assertThat(r.calls).as("n1 has reconciled, listing its host").anyMatch(s -> s.endsWith("list"));
    n2.silent = true;
    long crash = c.time.nanoTime() / 1_000_000;
    c.run(Duration.ofSeconds(1));
    assertThat(c.host("n1").holds(vip)).isTrue();
    assertThat(r.atFirstAssignAfter(crash)).as("the failover's calls at its instant")
        .startsWith("assign", "announce");
  }

  @Test
  void aListThatFailsRenewsNothingAndIsTriedAgain() {
    VipGroup g = TwoNodes.group(p -> p.lease(Duration.ofSeconds(3)));
    TestCluster c = new TestCluster(g);
    Recording r = new Recording(c);
    ScriptedPeer.onNetwork(c, "n2").every(c.time, Duration.ofMillis(100));
    c.start(c.create("n1", c.builder("n1").backend(r)));
    c.run(Duration.ofMillis(1500));
    VirtualIp vip = g.vips().get(0);
    assertThat(c.host("n1").holds(vip)).isTrue();
    r.listFails = true;
    r.calls.clear();
    c.run(Duration.ofSeconds(2));
    assertThat(r.calls).as("the held VIP needs the list; without it, no renewal")
        .noneMatch(s -> s.endsWith("assign")).anyMatch(s -> s.endsWith("list"));
    r.listFails = false;
    r.calls.clear();
    c.run(Duration.ofMillis(1500));
    assertThat(r.calls).as("the list works again: the lease is renewed")
        .anyMatch(s -> s.endsWith("assign"));
    assertThat(c.host("n1").holds(vip)).isTrue();
  }
}
