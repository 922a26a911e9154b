package io.vipha.agent;

import static io.vipha.agent.ReconfigureTest.edit;
import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Node;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.internal.heartbeat.HeartbeatView;
import io.vipha.plan.Eligibility;
import io.vipha.plan.Liveness;
import io.vipha.spi.Coordinator.LocalState;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A changed group on a running coordinator: the VIPs are numbered afresh in heartbeats and in
 * what it reports of its peers, and what it can change depends on how its transport listens.
 */
class CoordinatorRegroupTest {
  /** The rig's group without its first VIP (in heartbeat order): the others move up one. */
  private static VipGroup withoutFirst(CoordinatorRig r) {
    VirtualIp first = r.vips[0];
    return edit(r.group, vs -> vs.remove(first), ns -> { }, p -> { });
  }

  @Test
  void aRemovedVipThisNodeStillHoldsIsClaimedUnderNoIndex() {
    CoordinatorRig r = new CoordinatorRig().start();
    VirtualIp removed = r.vips[0];
    r.local = new LocalState(200, Eligibility.ELIGIBLE, false, Set.of(removed), List.of());
    r.advanceMs(30);
    r.coordinator.reconfigure(withoutFirst(r)); // its release may fail: it is still held
    r.advanceMs(100);
    HeartbeatView hb = r.lastSent();
    assertThat(hb.bitmapLength()).isEqualTo(1);
    assertThat(hb.owns(0)).isFalse();
    assertThat(hb.owns(1)).isFalse();
  }

  @Test
  void aPeersClaimOfARemovedVipIsDroppedBeforeItsNextHeartbeat() {
    CoordinatorRig r = new CoordinatorRig().start();
    r.advanceMs(30);
    r.peer("n2").holds(0, 1).send();
    assertThat(r.lastOf("n2").held()).containsExactlyInAnyOrder(r.vips[0], r.vips[1]);
    r.coordinator.reconfigure(withoutFirst(r));
    int from = r.reports.size();
    r.advanceMs(200); // n2 is silent: suspect, then lapsed
    assertThat(r.reportsOf("n2", from)).isNotEmpty().allSatisfy(s -> {
      assertThat(s.liveness()).isEqualTo(Liveness.SUSPECT);
      assertThat(s.held()).containsExactly(r.vips[1]);
    });
  }

  @Test
  void withAGivenTransportOnlyTheBoundAddressIsFixedEvenWithMulticast() {
    CoordinatorRig r = new CoordinatorRig(3, HeartbeatCoordinator.builder()
        .multicast(new InetSocketAddress("239.255.86.1", 7405), "eth0")).start();
    VipGroup moved = edit(r.group, vs -> { }, ns -> ns.replaceAll(n -> n.id().equals("n1")
        ? Node.builder().id("n1").heartbeat("198.51.100.21").priority(n.priority()).build()
        : n), p -> { });
    assertThat(r.coordinator.reconfigureProblems(moved)).singleElement()
        .satisfies(p -> assertThat(p.path()).isEqualTo("nodes[0].heartbeat[0]"));
    // The given transport does not listen on the multicast group's port: others may differ.
    VipGroup offPort = edit(r.group, vs -> { }, ns -> ns.replaceAll(n -> n.id().equals("n3")
        ? Node.builder().id("n3").heartbeat("198.51.100.3:7406").priority(n.priority()).build()
        : n), p -> { });
    assertThat(r.coordinator.reconfigureProblems(offPort)).isEmpty();
  }
}
