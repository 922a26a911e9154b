package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A failover adds and announces the VIP, in one call, before anything else the backend is asked
 * at that instant: the reconcile lists the host's addresses only when a held VIP or one this node does
 * not own needs them, and a list that fails still lets nothing be renewed.
 */
class AcquireFirstTest {
  @Test
  void aFailoverAddsAndAnnouncesBeforeItListsTheHost() {
    VipGroup g = TwoNodes.group(p -> p.lease(Duration.ofSeconds(10)));
    TestCluster c = new TestCluster(g);
    RecordingHost r = new RecordingHost(c, c.host("n1"));
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
    assertThat(r.atFirstAssignAfter(crash)).as("the failover's calls at its instant: one take")
        .startsWith("take", "assign", "announce");
  }

  @Test
  void aListThatFailsRenewsNothingAndIsTriedAgain() {
    VipGroup g = TwoNodes.group(p -> p.lease(Duration.ofSeconds(3)));
    TestCluster c = new TestCluster(g);
    RecordingHost r = new RecordingHost(c, c.host("n1"));
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
