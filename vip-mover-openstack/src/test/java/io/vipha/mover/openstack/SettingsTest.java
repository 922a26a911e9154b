package io.vipha.mover.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.ValidationException;
import io.vipha.ValidationException.Problem;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {
  private static final String FIP = FakeOpenStack.FIP;
  private static final String PORT = FakeOpenStack.PORT_A;

  private static List<String> paths(List<Problem> problems) {
    return problems.stream().map(Problem::path).toList();
  }

  @Test
  void goodSettingsHaveNoProblem() {
    assertThat(Settings.check(Settings.FLOATING_IP, Map.of("floatingIpId", FIP, "portId", PORT,
        "fixedIpAddress", "192.0.2.21", "cloud", "prod", "region", "RegionOne",
        "cloudsFile", "/etc/openstack/clouds.yaml",
        "neutronEndpoint", "https://neutron.example.net:9696"))).isEmpty();
    assertThat(Settings.check(Settings.PORT_ADDRESS, Map.of("portId", PORT,
        "peerPortIds", FakeOpenStack.PORT_B + ", " + FakeOpenStack.PORT_C))).isEmpty();
    assertThat(Settings.parse(Settings.PORT_ADDRESS, Map.of("portId", PORT,
        "peerPortIds", "[\"" + FakeOpenStack.PORT_B + "\",\"" + FakeOpenStack.PORT_C + "\"]"))
        .peerPorts()).containsExactly(FakeOpenStack.PORT_B, FakeOpenStack.PORT_C);
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    List<Problem> problems = Settings.check(Settings.FLOATING_IP, Map.of(
        "portId", "port-a", "fixedIpAddress", "192.0.2.300", "password", "hunter2",
        "region", "Region One", "cloudsFile", "clouds.yaml", "neutronEndpoint", "ftp://x"));

    assertThat(paths(problems)).containsExactly("password", "floatingIpId", "portId",
        "fixedIpAddress", "region", "cloudsFile", "neutronEndpoint");
    assertThat(problems.get(0).message()).contains("not a setting")
        .contains("credentials come from the OS_* variables");
    assertThat(problems.get(0).value()).as("a secret is never echoed").isNull();
  }

  @Test
  void peerPortsAreUuidsOtherThanOurOwnAndNamedOnce() {
    List<Problem> problems = Settings.check(Settings.PORT_ADDRESS, Map.of("portId", PORT,
        "peerPortIds", "nope," + PORT + "," + FakeOpenStack.PORT_B + "," + FakeOpenStack.PORT_B,
        "floatingIpId", FIP));

    assertThat(paths(problems)).containsExactly("floatingIpId", "peerPortIds", "peerPortIds",
        "peerPortIds");
    assertThat(problems.get(1).message()).contains("\"nope\"");
    assertThat(problems.get(2).message()).contains("own portId");
    assertThat(problems.get(3).message()).contains("twice");
    assertThat(paths(Settings.check(Settings.PORT_ADDRESS, Map.of("portId", PORT,
        "peerPortIds", " , ")))).containsExactly("peerPortIds");
  }

  @Test
  void addressesAreLiteralsNeverNames() {
    for (String bad : List.of("localhost", "1.2.3", "1.2.3.4.5", "01.2.3.4444", "fe80::1%eth0")) {
      assertThat(Settings.parseLiteral(bad)).as(bad).isNull();
    }
    assertThat(Settings.parseLiteral("2001:db8::1")).isNotNull();
    assertThat(Settings.parseLiteral("192.0.2.1")).isNotNull();
  }

  @Test
  void parseThrowsWithEveryProblem() {
    assertThatThrownBy(() -> Settings.parse(Settings.PORT_ADDRESS, Map.of()))
        .isInstanceOf(ValidationException.class)
        .satisfies(e -> assertThat(paths(((ValidationException) e).problems()))
            .containsExactly("portId"));
  }
}
