package io.vipha.mover.openstack;

import static io.vipha.mover.openstack.FakeOpenStack.FIP;
import static io.vipha.mover.openstack.FakeOpenStack.PORT_A;
import static io.vipha.mover.openstack.FakeOpenStack.observe;
import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.spi.AddressMover;
import io.vipha.spi.MoverResult;
import io.vipha.spi.MoverResult.Outcome;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KeystoneTest {
  private FakeOpenStack cloud;

  @BeforeEach
  void start() throws Exception {
    cloud = new FakeOpenStack();
  }

  @AfterEach
  void stop() {
    cloud.close();
  }

  private MoverResult observeWith(Map<String, String> extra) {
    Map<String, String> settings = new HashMap<>(Map.of("floatingIpId", FIP, "portId", PORT_A));
    settings.putAll(extra);
    try (AddressMover m = new FloatingIpMoverProvider(cloud.environment()).create("a",
        settings)) {
      return observe(m);
    }
  }

  @Test
  void theCatalogsPublicNetworkEndpointOfTheRegionIsUsed() {
    assertThat(observeWith(Map.of()).outcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(observeWith(Map.of("region", "RegionOne")).outcome())
        .isEqualTo(Outcome.ACCEPTED);

    MoverResult elsewhere = observeWith(Map.of("region", "RegionTwo"));
    assertThat(elsewhere.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(elsewhere.detail()).contains("no public network endpoint in region RegionTwo")
        .contains("[RegionOne]");
  }

  @Test
  void severalRegionsNeedOneNamed() {
    cloud.keystone.alsoRegion("RegionTwo");
    MoverResult r = observeWith(Map.of());
    assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(r.detail()).contains("[RegionOne, RegionTwo]").contains("set region");
    assertThat(observeWith(Map.of("region", "RegionOne")).outcome())
        .isEqualTo(Outcome.ACCEPTED);
  }

  @Test
  void neutronEndpointReplacesTheCatalog() {
    cloud.keystone.catalog("http://192.0.2.3:9696", "RegionOne");
    String neutron = cloud.neutronUrl();
    MoverResult r = observeWith(Map.of("neutronEndpoint", neutron));
    assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.ACCEPTED);
    assertThat(Keystone.versioned(URI.create("https://n:9696/"))).hasToString(
        "https://n:9696/v2.0");
    assertThat(Keystone.versioned(URI.create("https://n/network/v2.0"))).hasToString(
        "https://n/network/v2.0");
  }

  @Test
  void anApplicationCredentialAuthenticates() {
    cloud.keystone.applicationCredential("ac-1", "app-Secret-9");
    cloud.env.clear();
    cloud.env.put("OS_AUTH_URL", cloud.keystoneUrl());
    cloud.env.put("OS_APPLICATION_CREDENTIAL_ID", "ac-1");
    cloud.env.put("OS_APPLICATION_CREDENTIAL_SECRET", "app-Secret-9");
    assertThat(observeWith(Map.of()).outcome()).isEqualTo(Outcome.ACCEPTED);

    cloud.env.put("OS_APPLICATION_CREDENTIAL_SECRET", "wrong");
    MoverResult refused = observeWith(Map.of());
    assertThat(refused.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(refused.detail()).contains("application credential ac-1")
        .doesNotContain("wrong");
  }

  @Test
  void aThrottledKeystoneIsThrottled() {
    cloud.keystone.throttleNext(3);
    MoverResult r = observeWith(Map.of());
    assertThat(r.outcome()).isEqualTo(Outcome.THROTTLED);
    assertThat(r.retryAfter()).isEqualTo(Duration.ofSeconds(3));
  }
}
