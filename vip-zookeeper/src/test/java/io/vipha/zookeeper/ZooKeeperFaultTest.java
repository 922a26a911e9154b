package io.vipha.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Mode;
import io.vipha.VirtualIp;
import io.vipha.agent.AgentEvent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Faults against a real 3-server ensemble: after each, every VIP has exactly one holder, and at
 * no instant did two nodes hold one VIP, counting the kernel lease of a node that could not
 * release (the {@link Ledger}). Real time with generous bounds; no timing goal is asserted.
 */
class ZooKeeperFaultTest {
  private static final Duration SETTLE = Duration.ofSeconds(30);

  private static String holder(ZkCluster c) {
    return c.holders(c.group.vips().get(0)).get(0);
  }

  private static List<Long> acquiredEpochs(ZkCluster.ZkNode n) {
    return n.events.stream().filter(e -> e instanceof AgentEvent.Acquired)
        .map(e -> ((AgentEvent.Acquired) e).epoch()).toList();
  }

  /**
   * A 4 s session leaves room for a bounded lease on hosts that remove an address up to 1 s
   * late: the crashed owner's VIPs were off its host before its session could expire, and the
   * next owner adds them as soon as it wins the claim.
   */
  @Test
  void theOwnerCrashesAndAnotherTakesOverAtOnceWhenItsLeasesEndedWithinItsSession()
      throws Exception {
    long wait = crashAndTakeOver(Duration.ofSeconds(4), true);
    assertThat(wait).isZero();
  }

  /**
   * A 2 s session leaves no room for a bounded lease on such hosts: the next owner waits the
   * crashed owner's kernel lease (2 s), overrun (1 s) and slack (100 ms).
   */
  @Test
  void theOwnerCrashesAndAnotherWaitsItsLeaseWhenItCouldNotBoundIt() throws Exception {
    long wait = crashAndTakeOver(Duration.ofSeconds(2), false);
    assertThat(wait).isEqualTo(Duration.ofMillis(3_100).toNanos());
  }

  /**
   * Crashes the owner of a group whose hosts remove addresses 1 s late; returns how long the
   * next owner waited after winning the claim.
   */
  private static long crashAndTakeOver(Duration session, boolean bounded) throws Exception {
    try (ZkCluster c = new ZkCluster(ZkCluster.group(Mode.ACTIVE_PASSIVE, "a", "b", "c"),
        session, ZkCluster.TICK_MS, Duration.ofSeconds(1))) {
      for (String id : List.of("a", "b", "c")) {
        c.start(id, SessionLoss.release());
      }
      c.awaitOneHolder(SETTLE);
      String first = holder(c);
      assertThat(c.node(first).coordinator.boundsLeases()).isEqualTo(bounded);
      long epoch = acquiredEpochs(c.node(first)).get(0);
      assertThat(epoch).isPositive();
      c.crash(first);
      c.await(SETTLE, "another node holds the group",
          () -> c.oneHolderEach() && !holder(c).equals(first));
      String second = holder(c);
      assertThat(acquiredEpochs(c.node(second))).allMatch(e -> e > epoch);
      c.hold(Duration.ofSeconds(1));
      assertThat(c.ledger.overlaps()).isEmpty();
      return c.node(second).coordinator.lastTakeoverWait();
    }
  }

  @Test
  void anExpiredSessionHandsTheGroupOverWithoutOverlap() throws Exception {
    try (ZkCluster c = new ZkCluster(ZkCluster.group(Mode.ACTIVE_PASSIVE, "a", "b", "c"))) {
      for (String id : List.of("a", "b", "c")) {
        c.start(id, SessionLoss.release());
      }
      c.awaitOneHolder(SETTLE);
      String first = holder(c);
      c.expire(first);
      c.hold(Duration.ofSeconds(2));
      c.awaitOneHolder(SETTLE);
      VirtualIp v = c.group.vips().get(0);
      assertThat(c.ledger.spans(v)).hasSizeGreaterThanOrEqualTo(1);
      c.hold(Duration.ofSeconds(1));
    }
  }

  @Test
  void aPartitionedOwnerReleasesBeforeAnotherTakesOver() throws Exception {
    try (ZkCluster c = new ZkCluster(ZkCluster.group(Mode.ACTIVE_PASSIVE, "a", "b", "c"))) {
      for (String id : List.of("a", "b", "c")) {
        c.start(id, SessionLoss.keep(Duration.ZERO));
      }
      c.awaitOneHolder(SETTLE);
      String first = holder(c);
      c.partition(first);
      c.await(SETTLE, "another node holds the group",
          () -> c.oneHolderEach() && !holder(c).equals(first));
      c.heal(first);
      c.hold(Duration.ofSeconds(3));
      c.awaitOneHolder(SETTLE);
    }
  }

  @Test
  void aPauseLongerThanTheSessionLeavesNoTwoHolders() throws Exception {
    try (ZkCluster c = new ZkCluster(ZkCluster.group(Mode.ACTIVE_PASSIVE, "a", "b", "c"))) {
      for (String id : List.of("a", "b", "c")) {
        c.start(id, SessionLoss.keep(Duration.ZERO));
      }
      c.awaitOneHolder(SETTLE);
      String first = holder(c);
      c.pause(first, ZkCluster.SESSION.plusSeconds(1)); // (the ensemble expires it meanwhile)
      c.await(SETTLE, "another node holds the group",
          () -> c.oneHolderEach() && !holder(c).equals(first));
      c.hold(Duration.ofSeconds(4));
      c.awaitOneHolder(SETTLE);
      assertThat(holder(c)).as(c.describe()).isNotEqualTo(first);
    }
  }

  @Test
  void theLeaderServerFailsAndTheGroupKeepsOneHolder() throws Exception {
    try (ZkCluster c = new ZkCluster(ZkCluster.group(Mode.ACTIVE_ACTIVE, "a", "b", "c"))) {
      for (String id : List.of("a", "b", "c")) {
        c.start(id, SessionLoss.keep(Duration.ZERO));
      }
      c.awaitOneHolder(SETTLE);
      String owner = c.holders(c.group.vips().get(0)).get(0);
      var leader = c.serverOf(owner);
      c.zk.killServer(leader);
      c.hold(Duration.ofSeconds(3));
      c.awaitOneHolder(SETTLE);
      c.zk.restartServer(leader);
      c.hold(Duration.ofSeconds(2));
      c.awaitOneHolder(SETTLE);
    }
  }
}
