package io.vipha.mover.openstack;

import static io.vipha.mover.openstack.FakeOpenStack.PORT_A;
import static io.vipha.mover.openstack.FakeOpenStack.PORT_B;
import static io.vipha.mover.openstack.FakeOpenStack.claim;
import static io.vipha.mover.openstack.FakeOpenStack.observe;
import static io.vipha.mover.openstack.FakeOpenStack.release;
import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.spi.MoverProvider;
import io.vipha.spi.MoverResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class ProviderTest {
  @Test
  void bothTypesAreFoundThroughTheServiceLoader() {
    Map<String, MoverProvider> byType = new java.util.TreeMap<>();
    for (MoverProvider p : ServiceLoader.load(MoverProvider.class)) {
      byType.put(p.type(), p);
    }
    assertThat(byType).containsKeys("openstack-floating-ip", "openstack-port-address");
    assertThat(byType.get("openstack-floating-ip")).isInstanceOf(FloatingIpMoverProvider.class)
        .satisfies(p -> assertThat(p.check(Map.of())).extracting(x -> x.path())
            .containsExactly("floatingIpId", "portId"));
    assertThat(byType.get("openstack-port-address")).isInstanceOf(PortAddressMoverProvider.class)
        .satisfies(p -> assertThat(p.check(Map.of("portId", PORT_A))).isEmpty());
  }

  /** The calls Neutron sees, counted by the fake: what one claim and one failover cost. */
  @Test
  void providerCallsPerClaimAndPerFailover() throws Exception {
    try (FakeOpenStack cloud = new FakeOpenStack()) {
      NeutronMover<?> a = cloud.floatingIp("a", PORT_A);
      NeutronMover<?> b = cloud.floatingIp("b", PORT_B);
      claim(a, 1);
      assertThat(cloud.neutron.calls()).extracting(FakeNeutron.Call::method)
          .containsExactly("GET", "PUT", "PUT", "GET");
      assertThat(cloud.keystone.requests()).isEqualTo(1);

      cloud.neutron.clearCalls();
      claim(b, 2); // the failover: b takes over, then a learns and lets go
      release(a, 1);
      assertThat(cloud.neutron.calls()).extracting(FakeNeutron.Call::method)
          .containsExactly("GET", "PUT", "PUT", "GET", "GET");
      assertThat(cloud.keystone.requests()).isEqualTo(2);
      a.close();
      b.close();

      NeutronMover<?> p = cloud.portAddress("a", PORT_A, PORT_B);
      NeutronMover<?> q = cloud.portAddress("b", PORT_B, PORT_A);
      claim(p, 1);
      cloud.neutron.clearCalls();
      claim(q, 2);
      // reads of both ports, the pair, the tag, the pair off the peer, both ports read back
      assertThat(cloud.neutron.calls()).extracting(FakeNeutron.Call::method)
          .containsExactly("GET", "GET", "PUT", "PUT", "PUT", "GET", "GET");
      p.close();
      q.close();
    }
  }

  @Test
  void noSecretInAnyDetailOrLogLine() throws Exception {
    List<MoverResult> results = new ArrayList<>();
    List<String> tokens;
    try (FakeOpenStack cloud = new FakeOpenStack()) {
      NeutronMover<?> a = cloud.floatingIp("a", PORT_A);
      results.add(claim(a, 1));
      cloud.keystone.revokeAll();
      results.add(observe(a));
      cloud.neutron.fail(401, "Unauthorized", "x").fail(401, "Unauthorized", "x");
      results.add(claim(a, 2));
      cloud.neutron.fail(403, "PolicyNotAuthorized", "disallowed");
      results.add(claim(a, 2));
      cloud.keystone.user("vipha", "changed");
      cloud.keystone.revokeAll();
      results.add(release(a, 2));
      tokens = cloud.keystone.issued();
      assertThat(a.toString()).isEqualTo("FloatingIpMover[node a, port " + PORT_A + "]");
      a.close();
    }
    // simplelogger.properties sends every test's log lines to this file
    String log = Files.readString(Path.of("target/openstack-tests.log"));
    assertThat(log).contains("authenticating again")
        .contains("Keystone token for CloudCredentials[user vipha");
    String everything = log + results;
    assertThat(tokens).hasSizeGreaterThanOrEqualTo(2);
    assertThat(everything).contains("Keystone refused").doesNotContain(FakeOpenStack.PASSWORD);
    for (String token : tokens) {
      assertThat(everything).doesNotContain(token);
    }
  }
}
