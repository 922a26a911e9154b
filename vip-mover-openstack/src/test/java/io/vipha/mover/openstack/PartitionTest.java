package io.vipha.mover.openstack;

import static io.vipha.mover.openstack.FakeOpenStack.PORT_A;
import static io.vipha.mover.openstack.FakeOpenStack.PORT_B;
import static io.vipha.mover.openstack.FakeOpenStack.claim;
import static io.vipha.mover.openstack.FakeOpenStack.observe;
import static io.vipha.mover.openstack.FakeOpenStack.release;
import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.spi.MoverResult.Outcome;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Two nodes and one fake Neutron through a partition and a heal, at the mover level: each node's
 * epoch is the wall-clock millisecond of the decision that made it the owner, as the agent passes
 * it with the heartbeat coordinator. The cloud sits between them with lagging reads, latency and
 * throttling.
 */
class PartitionTest {
  @Test
  void theStaleSidesClaimIsRefusedAndTheAddressEndsWithTheRightfulOwner() throws Exception {
    try (FakeOpenStack cloud = new FakeOpenStack()) {
      cloud.neutron.staleReads(1).latency(Duration.ofMillis(5));
      for (String kind : new String[] {"floating-ip", "port-address"}) {
        NeutronMover<?> a = kind.equals("floating-ip") ? cloud.floatingIp("a", PORT_A)
            : cloud.portAddress("a", PORT_A, PORT_B);
        NeutronMover<?> b = kind.equals("floating-ip") ? cloud.floatingIp("b", PORT_B)
            : cloud.portAddress("b", PORT_B, PORT_A);
        try {
          long decidedByA = 1_780_000_000_000L;
          assertThat(claim(a, decidedByA).outcome()).as(kind).isEqualTo(Outcome.ACCEPTED);

          // The cut: b hears no more of a and takes over 1.5 s later by its clock.
          long decidedByB = decidedByA + 1_500;
          cloud.neutron.throttle(1, 429, "0");
          assertThat(claim(b, decidedByB).outcome()).as(kind).isEqualTo(Outcome.THROTTLED);
          assertThat(claim(b, decidedByB).outcome()).as(kind).isEqualTo(Outcome.ACCEPTED);

          // a, still cut off, believes itself the owner and claims again under its own epoch.
          FakeOpenStack.assertStale(claim(a, decidedByA), decidedByB, PORT_B);

          // The heal: a learns b owns and lets go; its release cannot touch b's address.
          assertThat(release(a, decidedByA).outcome()).as(kind).isIn(Outcome.ACCEPTED,
              Outcome.STALE_EPOCH);
          var end = observe(b);
          assertThat(end.target()).as(kind).isEqualTo(PORT_B);
          assertThat(end.epoch()).isEqualTo(decidedByB);
          assertThat(claim(b, decidedByB).outcome()).isEqualTo(Outcome.ALREADY_OWNED);
        } finally {
          a.close();
          b.close();
        }
      }
    }
  }
}
