package io.vipha.mover.openstack;

import static io.vipha.mover.openstack.FakeOpenStack.PORT_A;
import static io.vipha.mover.openstack.FakeOpenStack.PORT_B;
import static io.vipha.mover.openstack.FakeOpenStack.PORT_C;
import static io.vipha.mover.openstack.FakeOpenStack.claim;
import static io.vipha.mover.openstack.FakeOpenStack.observe;
import static io.vipha.mover.openstack.FakeOpenStack.release;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vipha.VirtualIp;
import io.vipha.spi.MoverResult;
import io.vipha.spi.MoverResult.Outcome;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PortAddressMoverTest {
  private FakeOpenStack cloud;
  private NeutronMover<?> a;
  private NeutronMover<?> b;

  @BeforeEach
  void start() throws Exception {
    cloud = new FakeOpenStack();
    a = cloud.portAddress("a", PORT_A, PORT_B);
    b = cloud.portAddress("b", PORT_B, PORT_A);
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
    cloud.close();
  }

  private List<String> pairs(String port) {
    List<String> out = new ArrayList<>();
    for (JsonNode p : cloud.neutron.state("ports/" + port).path("allowed_address_pairs")) {
      out.add(p.path("ip_address").asText());
    }
    return out;
  }

  private String tags(String port) {
    return cloud.neutron.state("ports/" + port).path("tags").toString();
  }

  @Test
  void claimAddsThePairAndTheTagAndTakesTheVipOffTheNamedPeer() {
    cloud.neutron.write("ports/" + PORT_B, p -> p.withArray("allowed_address_pairs")
        .addObject().put("ip_address", "203.0.113.5/32"));
    cloud.neutron.write("ports/" + PORT_A, p -> p.withArray("allowed_address_pairs")
        .addObject().put("ip_address", "192.0.2.200"));
    assertThat(observe(a).target()).isEqualTo(PORT_B);

    MoverResult r = claim(a, 6);

    assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.ACCEPTED);
    assertThat(r.target()).isEqualTo(PORT_A);
    assertThat(pairs(PORT_A)).containsExactly("192.0.2.200", "203.0.113.5");
    assertThat(pairs(PORT_B)).isEmpty();
    assertThat(tags(PORT_A)).isEqualTo("[\"vipha-203.0.113.5-6\"]");
    assertThat(claim(a, 6).outcome()).isEqualTo(Outcome.ALREADY_OWNED);
  }

  @Test
  void theHighestEpochOnAnyNamedPortFences() {
    claim(b, 9);

    FakeOpenStack.assertStale(claim(a, 8), 9, PORT_B);
    assertThat(pairs(PORT_A)).isEmpty();

    assertThat(claim(a, 10).outcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(pairs(PORT_A)).containsExactly("203.0.113.5");
    assertThat(pairs(PORT_B)).isEmpty();
    assertThat(claim(b, 9).outcome()).isEqualTo(Outcome.STALE_EPOCH);
  }

  @Test
  void withoutPeersOnlyThisNodesPortIsReadAndWritten() {
    NeutronMover<?> alone = cloud.portAddress("c", PORT_C);
    try {
      cloud.neutron.write("ports/" + PORT_B, p -> p.withArray("allowed_address_pairs")
          .addObject().put("ip_address", "203.0.113.5"));
      cloud.neutron.clearCalls();

      assertThat(claim(alone, 3).outcome()).isEqualTo(Outcome.ACCEPTED);
      assertThat(pairs(PORT_C)).containsExactly("203.0.113.5");
      assertThat(pairs(PORT_B)).containsExactly("203.0.113.5");
      assertThat(cloud.neutron.calls()).allMatch(c -> c.path().contains(PORT_C));
    } finally {
      alone.close();
    }
  }

  @Test
  void releaseTakesOnlyThePairOffAndKeepsTheFence() {
    claim(a, 4);
    cloud.neutron.write("ports/" + PORT_A, p -> p.withArray("allowed_address_pairs")
        .addObject().put("ip_address", "192.0.2.201"));

    assertThat(release(a, 3).outcome()).isEqualTo(Outcome.STALE_EPOCH);
    MoverResult r = release(a, 4);
    assertThat(r.outcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(pairs(PORT_A)).containsExactly("192.0.2.201");
    assertThat(tags(PORT_A)).contains("vipha-203.0.113.5-4");
    assertThat(release(a, 4).detail()).contains("nothing to release");
    assertThat(claim(b, 3).outcome()).isEqualTo(Outcome.STALE_EPOCH);
  }

  @Test
  void onlyAPairForExactlyTheAddressCounts() {
    cloud.neutron.write("ports/" + PORT_A, p -> p.withArray("allowed_address_pairs")
        .addObject().put("ip_address", "203.0.113.0/24"));
    assertThat(observe(a).target()).isNull();

    VirtualIp v6 = VirtualIp.of("2001:db8::5/64", "eth0");
    cloud.neutron.write("ports/" + PORT_B, p -> p.withArray("allowed_address_pairs")
        .addObject().put("ip_address", "2001:DB8:0:0::5/128"));
    MoverResult seen = FakeOpenStack.await(a.observe(v6, FakeOpenStack.TIMEOUT));
    assertThat(seen.target()).isEqualTo(PORT_B);

    MoverResult r = FakeOpenStack.await(a.claim(v6, 2, null, FakeOpenStack.TIMEOUT));
    assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.ACCEPTED);
    assertThat(pairs(PORT_A)).containsExactly("203.0.113.0/24", "2001:db8::5");
    assertThat(tags(PORT_A)).isEqualTo("[\"vipha-2001:db8::5-2\"]");
  }

  @Test
  void aConflictOnThePeerIsRetriedFromAFreshRead() {
    cloud.neutron.write("ports/" + PORT_B, p -> p.withArray("allowed_address_pairs")
        .addObject().put("ip_address", "203.0.113.5"));
    cloud.neutron.interfere("ports/" + PORT_B, p -> p.put("description", "edited"));

    MoverResult r = claim(a, 5);

    assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.ACCEPTED);
    assertThat(pairs(PORT_A)).containsExactly("203.0.113.5");
    assertThat(pairs(PORT_B)).isEmpty();
  }
}
