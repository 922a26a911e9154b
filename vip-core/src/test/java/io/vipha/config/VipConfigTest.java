package io.vipha.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.AnnouncePolicy;
import io.vipha.Exposure;
import io.vipha.FailoverPolicy;
import io.vipha.FlapLimit;
import io.vipha.Lease;
import io.vipha.Mode;
import io.vipha.NoQuorumAction;
import io.vipha.Node;
import io.vipha.Quorum;
import io.vipha.ValidationException;
import io.vipha.ValidationException.Problem;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VipConfigTest {
  /** The example of the format's documentation. */
  static final String FULL = """
      {
        "groups": [{
          "name": "web", "mode": "ACTIVE_PASSIVE",
          "vips": [{"address": "192.0.2.10/24", "interface": "eth0", "exposure": "PRIVATE", "label": "eth0:web"}],
          "nodes": [{"id": "n1", "heartbeat": ["198.51.100.1:7405"], "priority": 200, "weight": 1, "capacity": 100}],
          "policy": {"preempt": true, "preemptDelay": "10s", "holdDown": "5s",
            "flapLimit": {"maxChanges": 4, "window": "1m", "suspendFor": "5m"},
            "heartbeatInterval": "100ms", "deadAfter": 3, "quorum": "majority", "noQuorum": "RELEASE",
            "announce": {"count": 3, "interval": "100ms", "refresh": "30s"}, "lease": "10s"}
        }]
      }
      """;

  /** A group with only the required fields, and a placeholder for a policy. */
  private static String minimal(String policy) {
    return """
        {"groups": [{"name": "web", "mode": "ACTIVE_PASSIVE",
          "vips": [{"address": "192.0.2.10/24", "interface": "eth0"}],
          "nodes": [{"id": "n1", "heartbeat": ["198.51.100.1"]}]%s}]}
        """.formatted(policy.isEmpty() ? "" : ", \"policy\": " + policy);
  }

  private static FailoverPolicy policyOf(String policy) {
    return VipConfig.parse(minimal(policy)).groups().get(0).policy();
  }

  private static List<Problem> problems(String json) {
    try {
      VipConfig.parse(json);
    } catch (ValidationException e) {
      return e.problems();
    }
    throw new AssertionError("expected a ValidationException for\n" + json);
  }

  @Test
  void readsTheFullExample() throws Exception {
    VipConfig config = VipConfig.parse(FULL);

    assertThat(config.groups()).hasSize(1);
    VipGroup web = config.groups().get(0);
    assertThat(web.name()).isEqualTo("web");
    assertThat(web.mode()).isEqualTo(Mode.ACTIVE_PASSIVE);
    assertThat(web.vips()).containsExactly(new VirtualIp(InetAddress.getByName("192.0.2.10"), 24,
        "eth0", Exposure.PRIVATE, "eth0:web"));
    assertThat(web.nodes()).containsExactly(new Node("n1",
        List.of(new InetSocketAddress(InetAddress.getByName("198.51.100.1"), 7405)), 200, 1, 100));
    FailoverPolicy p = web.policy();
    assertThat(p.preempt()).isTrue();
    assertThat(p.preemptDelay()).isEqualTo(Duration.ofSeconds(10));
    assertThat(p.holdDown()).isEqualTo(Duration.ofSeconds(5));
    assertThat(p.flapLimit()).isEqualTo(new FlapLimit(4, Duration.ofMinutes(1),
        Duration.ofMinutes(5)));
    assertThat(p.heartbeatInterval()).isEqualTo(Duration.ofMillis(100));
    assertThat(p.deadAfter()).isEqualTo(3);
    assertThat(p.quorum()).isEqualTo(Quorum.majority());
    assertThat(p.noQuorum()).isEqualTo(NoQuorumAction.RELEASE);
    assertThat(p.announce()).isEqualTo(new AnnouncePolicy(3, Duration.ofMillis(100),
        Duration.ofSeconds(30)));
    assertThat(p.lease()).isEqualTo(Lease.of(Duration.ofSeconds(10)));
  }

  @Test
  void optionalFieldsTakeTheModelDefaults() {
    VipGroup g = VipConfig.parse(minimal("")).groups().get(0);

    VirtualIp vip = g.vips().get(0);
    assertThat(vip.exposure()).isEqualTo(Exposure.PRIVATE);
    assertThat(vip.label()).isNull();
    Node n = g.nodes().get(0);
    assertThat(n.heartbeat()).extracting(InetSocketAddress::getPort)
        .containsExactly(Node.DEFAULT_HEARTBEAT_PORT);
    assertThat(n.priority()).isEqualTo(100);
    assertThat(n.weight()).isEqualTo(1);
    assertThat(n.capacity()).isNull();
    assertThat(g.policy()).isEqualTo(FailoverPolicy.defaults());
    assertThat(policyOf("{}")).isEqualTo(FailoverPolicy.defaults());
  }

  @Test
  void absentSuspendForMeansUntilClearedAndAbsentRefreshMeansOff() {
    FailoverPolicy p = policyOf("""
        {"flapLimit": {"maxChanges": 6}, "announce": {"count": 5}}""");

    assertThat(p.flapLimit()).isEqualTo(new FlapLimit(6, Duration.ofMinutes(1), null));
    assertThat(p.announce()).isEqualTo(new AnnouncePolicy(5, Duration.ofMillis(100), null));
    assertThat(policyOf("{\"flapLimit\": {\"maxChanges\": 0}}").flapLimit())
        .isEqualTo(FlapLimit.OFF);
  }

  @ParameterizedTest
  @CsvSource({
      "250ms, PT0.25S, 250ms",
      "1s, PT1S, 1s",
      "2m, PT2M, 2m",
      "1h, PT1H, 1h",
      "90s, PT1M30S, 90s",
      "PT1M30S, PT1M30S, 90s",
      "pt20s, PT20S, 20s",
      "PT0.0005S, PT0.0005S, PT0.0005S",
      "0ms, PT0S, 0s"})
  void readsEachDurationFormAndWritesTheShortForm(String written, Duration expected,
      String canonical) {
    VipConfig config = VipConfig.parse(minimal("{\"preemptDelay\": \"" + written + "\"}"));

    assertThat(config.groups().get(0).policy().preemptDelay()).isEqualTo(expected);
    assertThat(config.toJson()).contains("\"preemptDelay\": \"" + canonical + "\"");
  }

  @Test
  void readsDaysAndIsoDays() {
    assertThat(policyOf("{\"flapLimit\": {\"window\": \"1d\"}}").flapLimit().window())
        .isEqualTo(Duration.ofDays(1));
    assertThat(policyOf("{\"flapLimit\": {\"window\": \"P1D\"}}").flapLimit().window())
        .isEqualTo(Duration.ofDays(1));
  }

  @ParameterizedTest
  @CsvSource({"10", "10 s", "1.5s", "-1s", "10sec", "PT-1S", "''", "1w"})
  void rejectsWhatIsNotADuration(String written) {
    assertThat(problems(minimal("{\"holdDown\": \"" + written + "\"}")))
        .extracting(Problem::toString)
        .containsExactly("groups[0].policy.holdDown: \"" + written + "\" is not a duration;"
            + " write e.g. 250ms, 10s, 5m, 1h, 1d or ISO-8601 such as PT10S (line 3, column"
            + " 82)");
  }

  @Test
  void readsEnumValuesIgnoringCaseWithDashes() {
    VipConfig config = VipConfig.parse("""
        {"groups": [{"name": "web", "mode": "active-active",
          "vips": [{"address": "192.0.2.10/24", "interface": "eth0", "exposure": "Private"}],
          "nodes": [{"id": "n1", "heartbeat": ["198.51.100.1"]}],
          "policy": {"noQuorum": "keep"}}]}
        """);

    VipGroup g = config.groups().get(0);
    assertThat(g.mode()).isEqualTo(Mode.ACTIVE_ACTIVE);
    assertThat(g.vips().get(0).exposure()).isEqualTo(Exposure.PRIVATE);
    assertThat(g.policy().noQuorum()).isEqualTo(NoQuorumAction.KEEP);
    assertThat(config.toJson()).contains("\"mode\": \"ACTIVE_ACTIVE\"")
        .contains("\"noQuorum\": \"KEEP\"");
  }

  @Test
  void readsEveryQuorumAndLeaseForm() {
    assertThat(policyOf("{\"quorum\": \"none\"}").quorum()).isEqualTo(Quorum.none());
    assertThat(policyOf("{\"quorum\": \"Majority\"}").quorum()).isEqualTo(Quorum.majority());
    assertThat(policyOf("{\"quorum\": 1}").quorum()).isEqualTo(Quorum.ofSize(1));
    assertThat(policyOf("{\"lease\": \"forever\"}").lease()).isEqualTo(Lease.forever());
    assertThat(policyOf("{\"lease\": \"2m\"}").lease()).isEqualTo(Lease.of(Duration.ofMinutes(2)));
    assertThat(policyOf("{\"lease\": \"PT30S\"}").lease())
        .isEqualTo(Lease.of(Duration.ofSeconds(30)));
  }

  @Test
  void writesAStableDocumentWithoutDefaults() {
    VipGroup web = VipGroup.builder().name("web").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("2001:db8:0:0:0:0:0:10/64").interfaceName("eth0")
            .exposure(Exposure.PUBLIC))
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0").label("eth0:web"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1").heartbeat("[2001:db8::1]:7000")
            .priority(200))
        .node(n -> n.id("n2").heartbeat("198.51.100.2").capacity(5))
        .policy(p -> p.preempt(false).flapLimit(3, Duration.ofSeconds(90), null)
            .quorum(Quorum.majority()).lease(Lease.forever()))
        .build();

    assertThat(VipConfig.of(web).toJson()).isEqualTo("""
        {
          "groups": [
            {
              "name": "web",
              "mode": "ACTIVE_PASSIVE",
              "vips": [
                {
                  "address": "2001:db8::10/64",
                  "interface": "eth0",
                  "exposure": "PUBLIC"
                },
                {
                  "address": "192.0.2.10/24",
                  "interface": "eth0",
                  "label": "eth0:web"
                }
              ],
              "nodes": [
                {
                  "id": "n1",
                  "heartbeat": [
                    "198.51.100.1:7405",
                    "[2001:db8::1]:7000"
                  ],
                  "priority": 200
                },
                {
                  "id": "n2",
                  "heartbeat": [
                    "198.51.100.2:7405"
                  ],
                  "capacity": 5
                }
              ],
              "policy": {
                "preempt": false,
                "flapLimit": {
                  "maxChanges": 3,
                  "window": "90s"
                },
                "quorum": "majority",
                "lease": "forever"
              }
            }
          ]
        }
        """);
  }

  @Test
  void writesEveryPolicyFieldInDocumentedOrder() {
    VipGroup g = VipConfig.parse(minimal("""
        {"lease": "20s", "announce": {"count": 1, "interval": "0s", "refresh": "1m"},
         "noQuorum": "KEEP", "quorum": 1, "deadAfter": 4, "heartbeatInterval": "50ms",
         "flapLimit": {"suspendFor": "1h", "window": "2m", "maxChanges": 2}, "holdDown": "1s",
         "preemptDelay": "0s", "preempt": false}""")).groups().get(0);

    String json = VipConfig.of(g).toJson();
    String policy = json.substring(json.indexOf("\"policy\""));
    assertThat(policy.replaceAll("\\s+", "")).isEqualTo(("\"policy\":{\"preempt\":false,"
        + "\"preemptDelay\":\"0s\",\"holdDown\":\"1s\",\"flapLimit\":{\"maxChanges\":2,"
        + "\"window\":\"2m\",\"suspendFor\":\"1h\"},\"heartbeatInterval\":\"50ms\","
        + "\"deadAfter\":4,\"quorum\":1,\"noQuorum\":\"KEEP\",\"announce\":{\"count\":1,"
        + "\"interval\":\"0s\",\"refresh\":\"1m\"},\"lease\":\"20s\"}}]}"));
    assertThat(VipConfig.parse(json).groups()).containsExactly(g);
  }

  @Test
  void writesAndReadsAFile(@TempDir Path dir) throws Exception {
    VipConfig config = VipConfig.parse(FULL);
    Path file = dir.resolve("vipha.json");

    config.write(file);

    assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo(config.toJson());
    assertThat(VipConfig.read(file)).isEqualTo(config);
  }

  @Test
  void readsAFileWithAByteOrderMarkAndWindowsLineEnds(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("vipha.json");
    Files.writeString(file, "\uFEFF" + FULL.replace("\n", "\r\n"), StandardCharsets.UTF_8);

    assertThat(VipConfig.read(file)).isEqualTo(VipConfig.parse(FULL));
  }

  @Test
  void theRecordEnforcesTheConfigurationRules() {
    VipGroup web = VipConfig.parse(FULL).groups().get(0);

    assertThatThrownBy(() -> new VipConfig(List.of()))
        .isInstanceOf(ValidationException.class)
        .hasMessage("1 problem\n  groups: is empty; a configuration needs at least one group");
    assertThatThrownBy(() -> VipConfig.of(web, web))
        .isInstanceOf(ValidationException.class)
        .hasMessage("2 problems"
            + "\n  groups[1].name: \"web\" repeats groups[0].name; group names must be unique"
            + " in a configuration"
            + "\n  groups[1].vips[0].address: \"192.0.2.10/24\" is already used by"
            + " groups[0].vips[0] (group web); a VIP address may belong to one group only");
  }

  @Test
  void findsAGroupByNameAndListsTheGroupsWhenItHasNone() throws Exception {
    VipConfig config = VipConfig.read(Path.of("../vip-examples/config/active-passive.json"));
    assertThat(config.group("db")).isSameAs(config.groups().get(1));
    assertThat(config.group("web").name()).isEqualTo("web");
    assertThatThrownBy(() -> config.group("mail"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the configuration has no group mail; it has [web, db]");
  }
}
