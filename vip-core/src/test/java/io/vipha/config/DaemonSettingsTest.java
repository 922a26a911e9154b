package io.vipha.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.health.Effect;
import io.vipha.health.HealthCheck;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code "daemon"} object of a group: what vipd reads beyond the group. */
class DaemonSettingsTest {
  /**
   * Positions used below: line 8 the keyFile value at column 20, line 9 the multicast object at
   * 22 and its group value at 32, line 10 the reconcileInterval value at 30, line 12 the first
   * check's object at 11, its "tcp" value at 36, "interval" at 52 and "effect" value at 80.
   */
  private static final String VALID = """
      {
        "groups": [
          {
            "name": "web", "mode": "ACTIVE_PASSIVE",
            "vips": [{"address": "192.0.2.10/24", "interface": "eth0"}],
            "nodes": [{"id": "n1", "heartbeat": ["198.51.100.1:7405"]}],
            "daemon": {
              "keyFile": "/etc/vipha/web.key",
              "multicast": {"group": "239.255.86.1:7405", "interface": "eth0"},
              "reconcileInterval": "500ms",
              "healthChecks": [
                {"name": "tcp80", "tcp": "127.0.0.1:80", "interval": "3s", "effect": -20},
                {"name": "http", "http": "http://127.0.0.1:8080/health", "expectStatus": "200-299",
                 "timeout": "300ms", "rise": 1, "fall": 2},
                {"name": "script", "exec": ["/usr/local/bin/check", "--quick"],
                 "effect": "disqualify"}
              ]
            }
          }
        ]
      }
      """;

  private static String edit(String from, String to) {
    assertThat(VALID).contains(from);
    return VALID.replace(from, to);
  }

  private static List<String> problems(String json) {
    return VipConfigStrictTest.problems(json);
  }

  @Test
  void readsEveryField() {
    DaemonSettings d = VipConfig.parse(VALID).daemon("web");
    assertThat(d.keyFile()).isEqualTo(Path.of("/etc/vipha/web.key"));
    assertThat(d.multicast()).isEqualTo(new DaemonSettings.Multicast(
        new InetSocketAddress("239.255.86.1", 7405), "eth0"));
    assertThat(d.reconcileInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(d.healthChecks()).extracting(HealthCheck::name)
        .containsExactly("tcp80", "http", "script");
    HealthCheck tcp = d.healthChecks().get(0);
    assertThat(tcp.kind()).isEqualTo(HealthCheck.Kind.TCP);
    assertThat(tcp.interval()).isEqualTo(Duration.ofSeconds(3));
    assertThat(tcp.effect()).isEqualTo(Effect.weight(-20));
    HealthCheck http = d.healthChecks().get(1);
    assertThat(http.timeout()).isEqualTo(Duration.ofMillis(300));
    assertThat(http.rise()).isEqualTo(1);
    assertThat(http.fall()).isEqualTo(2);
    assertThat(http.target().toString()).contains("8080");
    assertThat(d.healthChecks().get(2).target())
        .isEqualTo(new HealthCheck.Exec(List.of("/usr/local/bin/check", "--quick")));
    assertThat(d.healthChecks().get(2).effect()).isEqualTo(Effect.disqualify());
  }

  @Test
  void aGroupWithoutADaemonObjectHasNone() {
    VipConfig c = VipConfig.parse(VALID.replaceAll("(?s),\\s*\"daemon\": \\{.*?\n      }", ""));
    assertThat(c.daemon("web")).isEqualTo(DaemonSettings.NONE);
    assertThat(c.daemons()).isEmpty();
  }

  @Test
  void roundTripsThroughTheWriter() {
    VipConfig c = VipConfig.parse(VALID);
    String written = c.toJson();
    assertThat(written).contains("\"daemon\"", "\"keyFile\": \"/etc/vipha/web.key\"",
        "\"effect\": -20", "\"exec\": [");
    assertThat(VipConfig.parse(written)).isEqualTo(c);
  }

  @Test
  void settingsInCodeRoundTrip() {
    VipConfig plain = VipConfig.parse(VALID.replaceAll("(?s),\\s*\"daemon\": \\{.*?\n      }",
        ""));
    VipConfig c = plain.withDaemon("web", new DaemonSettings(Path.of("/k"), null, null,
        List.of(HealthCheck.tcp("db", "[::1]:5432").build())));
    assertThat(VipConfig.parse(c.toJson())).isEqualTo(c);
  }

  @Test
  void rejectsAnUnknownField() {
    assertThat(problems(edit("\"reconcileInterval\"", "\"reconcile\""))).containsExactly(
        "groups[0].daemon.reconcile: is not a known field; allowed here: keyFile, keyId,"
            + " acceptKey, multicast, reconcileInterval, healthChecks, preferredLifetimeZero,"
            + " linkDown, stateFile, controlSocket, metrics, notify, warmup, coordinator, movers,"
            + " realtime (line 10, column 9)");
  }

  private static String warmup(String value) {
    return daemonField("warmup", value);
  }

  @Test
  void readsTheWarmUpAndWritesItBack() {
    DaemonSettings none = VipConfig.parse(VALID).daemon("web");
    assertThat(none.warmup()).isNull();
    assertThat(none.warmupOrDefault()).isEqualTo(Duration.ofSeconds(2));
    assertThat(VipConfig.parse(VALID).toJson()).doesNotContain("warmup");
    VipConfig c = VipConfig.parse(warmup("\"750ms\""));
    assertThat(c.daemon("web").warmup()).isEqualTo(Duration.ofMillis(750));
    assertThat(c.toJson()).contains("\"warmup\": \"750ms\"");
    assertThat(VipConfig.parse(c.toJson())).isEqualTo(c);
    VipConfig off = VipConfig.parse(warmup("\"0s\""));
    assertThat(off.daemon("web").warmupOrDefault()).isZero();
    assertThat(VipConfig.parse(off.toJson())).isEqualTo(off);
    VipConfig inCode = c.withDaemon("web", c.daemon("web").withWarmup(Duration.ofMinutes(5)));
    assertThat(VipConfig.parse(inCode.toJson())).isEqualTo(inCode);
  }

  @Test
  void rejectsAWarmUpOutsideItsRangeWithTheOtherProblems() {
    assertThat(problems(warmup("\"6m\"").replace("\"/etc/vipha/web.key\"", "\"web.key\"")))
        .containsExactly(
        "groups[0].daemon.keyFile: \"web.key\" is not an absolute path; write e.g."
            + " /etc/vipha/web.key (line 8, column 20)",
        "groups[0].daemon.warmup: \"6m\" is not 0-5min; write e.g. 2s, or 0s for no warm-up"
            + " (line 10, column 49)");
    assertThat(problems(warmup("\"soon\""))).singleElement().asString()
        .startsWith("groups[0].daemon.warmup: \"soon\" ");
    assertThatThrownBy(() -> DaemonSettings.NONE.withWarmup(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("warmup must be 0-5min, got PT-0.001S");
  }

  private static String coordinator(String value) {
    return daemonField("coordinator", value);
  }

  /** The valid configuration with {@code "name": value} added to its daemon object. */
  private static String daemonField(String name, String value) {
    return edit("\"reconcileInterval\": \"500ms\",", "\"reconcileInterval\": \"500ms\","
        + " \"" + name + "\": " + value + ",");
  }

  @Test
  void readsTheZooKeeperCoordinatorWithItsDefaultsAndWritesItBack() {
    assertThat(VipConfig.parse(VALID).daemon("web").zookeeper()).isNull();
    VipConfig c = VipConfig.parse(coordinator("{\"zookeeper\": {\"connect\": \"zk1:2181\"}}"));
    assertThat(c.daemon("web").zookeeper()).isEqualTo(new DaemonSettings.ZooKeeper("zk1:2181",
        Duration.ofSeconds(6), "/vipha", null));
    assertThat(VipConfig.parse(c.toJson())).isEqualTo(c);
    VipConfig keep = VipConfig.parse(coordinator("{\"zookeeper\": {\"connect\": \"zk1:2181\","
        + " \"sessionTimeout\": \"2s\", \"path\": \"/ha\", \"onSessionLoss\": \"keep\","
        + " \"keepFor\": \"30s\"}}"));
    assertThat(keep.daemon("web").zookeeper()).isEqualTo(new DaemonSettings.ZooKeeper(
        "zk1:2181", Duration.ofSeconds(2), "/ha", Duration.ofSeconds(30)));
    assertThat(VipConfig.parse(keep.toJson())).isEqualTo(keep);
  }

  @Test
  void rejectsEveryProblemOfTheZooKeeperCoordinatorAtOnce() {
    assertThat(problems(coordinator("{\"zookeeper\": {\"sessionTimeout\": \"500ms\","
        + " \"path\": \"vipha/\", \"onSessionLoss\": \"hold\", \"keepFor\": \"5s\"}}")))
        .extracting(p -> p.substring(0, p.indexOf(" (line")))
        .containsExactly(
            "groups[0].daemon.coordinator.zookeeper.connect: is required; write the ensemble's"
                + " connect string, e.g. \"zk1:2181,zk2:2181,zk3:2181\"",
            "groups[0].daemon.coordinator.zookeeper.sessionTimeout: \"500ms\" is out of range;"
                + " use 1s-10m, e.g. 6s",
            "groups[0].daemon.coordinator.zookeeper.path: \"vipha/\" must start with / and not"
                + " end with /, e.g. /vipha",
            "groups[0].daemon.coordinator.zookeeper.onSessionLoss: \"hold\" is not a choice;"
                + " use \"release\" (safe) or \"keep\" (available)",
            "groups[0].daemon.coordinator.zookeeper.keepFor: \"5s\" applies only with"
                + " \"onSessionLoss\": \"keep\"");
  }

  @Test
  void rejectsACoordinatorThatNamesNone() {
    assertThat(problems(coordinator("{}"))).singleElement().asString().startsWith(
        "groups[0].daemon.coordinator: names no coordinator");
  }

  private static String metrics(String value) {
    return daemonField("metrics", value);
  }

  @Test
  void readsTheMetricsEndpointAndWritesItBack() {
    assertThat(VipConfig.parse(VALID).daemon("web").metrics()).isNull();
    assertThat(VipConfig.parse(VALID).toJson()).doesNotContain("metrics");
    VipConfig c = VipConfig.parse(metrics("{\"listen\": \"127.0.0.1:9405\"}"));
    assertThat(c.daemon("web").metrics()).isEqualTo(new DaemonSettings.Metrics(
        new InetSocketAddress("127.0.0.1", 9405)));
    String written = c.toJson();
    assertThat(written).contains("\"listen\": \"127.0.0.1:9405\"");
    assertThat(VipConfig.parse(written)).isEqualTo(c);
    VipConfig v6 = VipConfig.parse(metrics("{\"listen\": \" [::1]:9100\"}"));
    assertThat(v6.daemon("web").metrics()).isEqualTo(new DaemonSettings.Metrics(
        new InetSocketAddress("::1", 9100)));
    assertThat(v6.toJson()).contains("\"listen\": \"[::1]:9100\"");
    VipConfig inCode = c.withDaemon("web", c.daemon("web").withMetrics(
        new DaemonSettings.Metrics(new InetSocketAddress("192.0.2.7", 9999))));
    assertThat(VipConfig.parse(inCode.toJson())).isEqualTo(inCode);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "'{\"listen\": \"localhost:9405\"}' | '\"localhost:9405\" is not an IP address with a"
          + " port; write e.g. 127.0.0.1:9405 or [::1]:9405 (no host names)'",
      "'{\"listen\": \"127.0.0.1\"}' | '\"127.0.0.1\" is not an IP address with a port; write"
          + " e.g. 127.0.0.1:9405 or [::1]:9405 (no host names)'",
      "'{\"listen\": \"::1\"}' | '\"::1\" is not an IP address with a port; write e.g."
          + " 127.0.0.1:9405 or [::1]:9405 (no host names)'",
      "'{\"listen\": \"127.0.0.1:70000\"}' | '\"127.0.0.1:70000\" has port 70000, outside"
          + " 1-65535; write e.g. 127.0.0.1:9405'",
      "'{\"listen\": \"[::1]:0\"}' | '\"[::1]:0\" has port 0, outside 1-65535; write e.g."
          + " 127.0.0.1:9405'",
      "'{\"listen\": \"127.0.0.1:94o5\"}' | '\"127.0.0.1:94o5\" is not an IP address with a"
          + " port; write e.g. 127.0.0.1:9405 or [::1]:9405 (no host names)'",
  })
  void rejectsAMetricsAddressThatIsNotAnIpAndAPort(String value, String problem) {
    assertThat(problems(metrics(value))).singleElement().asString()
        .startsWith("groups[0].daemon.metrics.listen: " + problem + " (line 10, column");
  }

  @Test
  void rejectsAMetricsObjectWithoutListenOrWithAnUnknownFieldAllAtOnce() {
    assertThat(problems(metrics("{}"))).containsExactly(
        "groups[0].daemon.metrics.listen: is required; write e.g. \"listen\":"
            + " \"127.0.0.1:9405\" (line 10, column 50)");
    assertThat(problems(metrics("{\"listen\": \"127.0.0.1:99999\", \"path\": \"/m\"}")
        .replace("\"/etc/vipha/web.key\"", "\"web.key\""))).containsExactly(
        "groups[0].daemon.keyFile: \"web.key\" is not an absolute path; write e.g."
            + " /etc/vipha/web.key (line 8, column 20)",
        "groups[0].daemon.metrics.listen: \"127.0.0.1:99999\" has port 99999, outside 1-65535;"
            + " write e.g. 127.0.0.1:9405 (line 10, column 61)",
        "groups[0].daemon.metrics.path: is not a known field; allowed here: listen (line 10,"
            + " column 80)");
    assertThat(problems(metrics("\"127.0.0.1:9405\""))).singleElement().asString()
        .startsWith("groups[0].daemon.metrics: ");
  }

  @Test
  void theIpv6LifetimeAndTheLinkDownEffectDefaultToTheAgents() {
    DaemonSettings d = VipConfig.parse(VALID).daemon("web");
    assertThat(d.preferredLifetimeZero()).isFalse();
    assertThat(d.linkDown()).isEqualTo(Effect.disqualify());
    assertThat(DaemonSettings.NONE.linkDown()).isEqualTo(Effect.disqualify());
    assertThat(VipConfig.parse(VALID).toJson()).doesNotContain("preferredLifetimeZero",
        "linkDown");
  }

  @Test
  void readsTheIpv6LifetimeAndAWeightForLinkDownAndWritesThemBack() {
    VipConfig c = VipConfig.parse(edit("\"reconcileInterval\": \"500ms\",",
        "\"reconcileInterval\": \"500ms\", \"preferredLifetimeZero\": true,"
            + " \"linkDown\": -50,"));
    DaemonSettings d = c.daemon("web");
    assertThat(d.preferredLifetimeZero()).isTrue();
    assertThat(d.linkDown()).isEqualTo(Effect.weight(-50));
    String written = c.toJson();
    assertThat(written).contains("\"preferredLifetimeZero\": true", "\"linkDown\": -50");
    assertThat(VipConfig.parse(written)).isEqualTo(c);
  }

  @Test
  void readsTheControlSocketAndWritesItBack() {
    assertThat(VipConfig.parse(VALID).daemon("web").controlSocket()).isNull();
    VipConfig c = VipConfig.parse(edit("\"reconcileInterval\": \"500ms\",",
        "\"reconcileInterval\": \"500ms\", \"controlSocket\": \"/run/web/n1.sock\","));
    assertThat(c.daemon("web").controlSocket()).isEqualTo(Path.of("/run/web/n1.sock"));
    String written = c.toJson();
    assertThat(written).contains("\"controlSocket\": \"/run/web/n1.sock\"");
    assertThat(VipConfig.parse(written)).isEqualTo(c);
    assertThat(VipConfig.parse(VALID).toJson()).doesNotContain("controlSocket");
  }

  @Test
  void rejectsARelativeOrOverlongControlSocketAndAKeyFileAllAtOnce() {
    String longPath = "/run/" + "v".repeat(100) + ".sock";
    assertThat(problems(edit("\"reconcileInterval\": \"500ms\",",
        "\"reconcileInterval\": \"500ms\", \"controlSocket\": \"" + longPath + "\",")
        .replace("\"/etc/vipha/web.key\"", "\"web.key\""))).containsExactly(
        "groups[0].daemon.keyFile: \"web.key\" is not an absolute path; write e.g."
            + " /etc/vipha/web.key (line 8, column 20)",
        "groups[0].daemon.controlSocket: \"" + longPath + "\" is 110 bytes long; a Unix socket"
            + " path holds at most 107; choose a shorter one (line 10, column 56)");
    assertThat(problems(edit("\"reconcileInterval\": \"500ms\",",
        "\"reconcileInterval\": \"500ms\", \"controlSocket\": \"vipd.sock\",")))
        .containsExactly(
        "groups[0].daemon.controlSocket: \"vipd.sock\" is not an absolute path; write e.g."
            + " /run/vipha/web-n1.sock (line 10, column 56)");
    assertThat(problems(edit("\"reconcileInterval\": \"500ms\",",
        "\"reconcileInterval\": \"500ms\", \"controlSocket\": 7,"))).containsExactly(
        "groups[0].daemon.controlSocket: \"7\" is a number; expected a string (line 10, column"
            + " 56)");
  }

  @Test
  void readsTheKeyIdAndTheAcceptedKeyAndWritesThemBack() {
    DaemonSettings plain = VipConfig.parse(VALID).daemon("web");
    assertThat(plain.keyId()).isEqualTo(DaemonSettings.DEFAULT_KEY_ID);
    assertThat(plain.acceptKey()).isNull();
    VipConfig c = VipConfig.parse(edit("\"reconcileInterval\": \"500ms\",",
        "\"reconcileInterval\": \"500ms\", \"keyId\": 2, \"acceptKey\": {\"id\": 0,"
            + " \"file\": \"/etc/vipha/old.key\"},"));
    DaemonSettings d = c.daemon("web");
    assertThat(d.keyId()).isEqualTo(2);
    assertThat(d.acceptKey()).isEqualTo(new DaemonSettings.Key(0, Path.of("/etc/vipha/old.key")));
    String written = c.toJson();
    assertThat(written).contains("\"keyId\": 2", "\"acceptKey\"");
    assertThat(VipConfig.parse(written)).isEqualTo(c);
    assertThat(VipConfig.parse(VALID).toJson()).doesNotContain("keyId", "acceptKey");
  }

  @Test
  void rejectsBadKeyIdsAndAnIncompleteAcceptedKeyAllAtOnce() {
    assertThat(problems(edit("\"reconcileInterval\": \"500ms\",",
        "\"reconcileInterval\": \"500ms\", \"keyId\": 256, \"acceptKey\": {\"id\": -1,"
            + " \"file\": \"old.key\"},"))).containsExactly(
        "groups[0].daemon.keyId: \"256\" is not a key id; write 0-255 (heartbeats carry it in"
            + " one byte) (line 10, column 48)",
        "groups[0].daemon.acceptKey.id: \"-1\" is not a key id; write 0-255 (heartbeats carry it"
            + " in one byte) (line 10, column 73)",
        "groups[0].daemon.acceptKey.file: \"old.key\" is not an absolute path; write e.g."
            + " /etc/vipha/web-2.key (line 10, column 85)");
    assertThat(problems(edit("\"reconcileInterval\": \"500ms\",",
        "\"reconcileInterval\": \"500ms\", \"acceptKey\": {},"))).containsExactly(
        "groups[0].daemon.acceptKey.id: is required; the id of the accepted key, e.g. \"id\": 2"
            + " (line 10, column 52)",
        "groups[0].daemon.acceptKey.file: is required; the accepted key's file, e.g. \"file\":"
            + " \"/etc/vipha/web-2.key\" (line 10, column 52)");
  }

  @Test
  void rejectsAnAcceptedKeyWithTheSigningKeysId() {
    assertThat(problems(edit("\"reconcileInterval\": \"500ms\",",
        "\"reconcileInterval\": \"500ms\", \"acceptKey\": {\"id\": 1,"
            + " \"file\": \"/etc/vipha/new.key\"},"))).containsExactly(
        "groups[0].daemon.acceptKey.id: \"1\" is the signing key's id (keyId 1); every key needs"
            + " its own id (line 10, column 59)");
    assertThatThrownBy(() -> plainSettings().withKeys(3, new DaemonSettings.Key(3,
        Path.of("/k")))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("another id");
    assertThatThrownBy(() -> new DaemonSettings.Key(256, Path.of("/k")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0-255");
  }

  private static DaemonSettings plainSettings() {
    return VipConfig.parse(VALID).daemon("web");
  }

  @Test
  void readsDisqualifyForLinkDownInAnyCase() {
    DaemonSettings d = VipConfig.parse(edit("\"reconcileInterval\": \"500ms\",",
        "\"reconcileInterval\": \"500ms\", \"linkDown\": \"Disqualify\","))
        .daemon("web");
    assertThat(d.linkDown()).isEqualTo(Effect.disqualify());
  }

  @Test
  void settingsWithTheNewFieldsInCodeRoundTrip() {
    VipConfig plain = VipConfig.parse(VALID.replaceAll("(?s),\\s*\"daemon\": \\{.*?\n      }",
        ""));
    VipConfig c = plain.withDaemon("web", new DaemonSettings(null, null, null, List.of(), true,
        Effect.weight(20), null, null));
    assertThat(c.toJson()).contains("\"linkDown\": 20");
    assertThat(VipConfig.parse(c.toJson())).isEqualTo(c);
  }

  @Test
  void rejectsBadLifetimeAndLinkDownValuesAllAtOnce() {
    assertThat(problems(edit("\"reconcileInterval\": \"500ms\",",
        "\"reconcileInterval\": \"500ms\", \"preferredLifetimeZero\": \"yes\","
            + " \"linkDown\": \"lower\","))).containsExactly(
        "groups[0].daemon.preferredLifetimeZero: \"yes\" is a string; expected true or false"
            + " (line 10, column 64)",
        "groups[0].daemon.linkDown: \"lower\" is not an effect; use \"disqualify\" or a weight"
            + " such as -20 (a number) (line 10, column 83)");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "0    | 0 | would have no effect",
      "-999 | -999 | is out of range; use −253–253 and not 0",
      "-2.5 | -2.5 | is not a whole number",
      "true | true | is a boolean; expected \"disqualify\" or a weight such as -20",
      "[-50] | | is a list; expected \"disqualify\" or a weight such as -20",
  })
  void rejectsALinkDownThatIsNotAnEffect(String written, @Nullable String shown,
      String message) {
    List<String> found = problems(edit("\"reconcileInterval\": \"500ms\",",
        "\"reconcileInterval\": \"500ms\", \"linkDown\": " + written + ","));
    assertThat(found).hasSize(1);
    assertThat(found.get(0)).startsWith("groups[0].daemon.linkDown: "
        + (shown == null ? "" : "\"" + shown + "\" ") + message).endsWith("(line 10, column 51)");
  }

  @Test
  void rejectsAnUnknownCheckField() {
    assertThat(problems(edit("\"interval\": \"3s\"", "\"every\": \"3s\""))).containsExactly(
        "groups[0].daemon.healthChecks[0].every: is not a known field; allowed here: name, tcp,"
            + " http, expectStatus, exec, interval, timeout, rise, fall, effect (line 12, column 52)");
  }

  @Test
  void rejectsARelativeKeyFile() {
    assertThat(problems(edit("/etc/vipha/web.key", "web.key"))).containsExactly(
        "groups[0].daemon.keyFile: \"web.key\" is not an absolute path; write e.g."
            + " /etc/vipha/web.key (line 8, column 20)");
  }

  @Test
  void theStateFileDefaultsPerGroupAndNodeAndMayBeSetWithPlaceholders() {
    DaemonSettings d = VipConfig.parse(VALID).daemon("web");
    assertThat(d.stateFile()).isNull();
    assertThat(d.stateFile("web", "n1")).isEqualTo(Path.of("/var/lib/vipha/web-n1.state"));
    String json = edit("\"reconcileInterval\": \"500ms\",",
        "\"reconcileInterval\": \"500ms\", \"stateFile\": \"/srv/vipha/{node}.{group}\",");
    VipConfig c = VipConfig.parse(json);
    assertThat(c.daemon("web").stateFile()).isEqualTo("/srv/vipha/{node}.{group}");
    assertThat(c.daemon("web").stateFile("web", "n2")).isEqualTo(Path.of("/srv/vipha/n2.web"));
    assertThat(c.toJson()).contains("\"stateFile\": \"/srv/vipha/{node}.{group}\"");
    assertThat(VipConfig.parse(c.toJson())).isEqualTo(c);
  }

  @Test
  void rejectsABadStateFileWithEveryProblem() {
    String json = edit("\"reconcileInterval\": \"500ms\",",
        "\"reconcileInterval\": \"500ms\", \"stateFile\": \"STATE\",");
    assertThat(problems(json.replace("STATE", "web.state"))).containsExactly(
        "groups[0].daemon.stateFile: \"web.state\" is not an absolute path; write e.g."
            + " /var/lib/vipha/{group}-{node}.state (line 10, column 52)");
    assertThat(problems(json.replace("STATE", "/var/lib/vipha/{host}.state"))).containsExactly(
        "groups[0].daemon.stateFile: \"/var/lib/vipha/{host}.state\" holds a placeholder other"
            + " than {group} and {node} (line 10, column 52)");
    assertThat(problems(json.replace("STATE", "/var/lib/vipha/"))).containsExactly(
        "groups[0].daemon.stateFile: \"/var/lib/vipha/\" names a directory; write a file, e.g."
            + " /var/lib/vipha/{group}-{node}.state (line 10, column 52)");
    assertThat(problems(edit("\"/etc/vipha/web.key\"", "\"k\", \"stateFile\": 7"))).containsExactly(
        "groups[0].daemon.keyFile: \"k\" is not an absolute path; write e.g. /etc/vipha/web.key"
            + " (line 8, column 20)",
        "groups[0].daemon.stateFile: \"7\" is a number; expected a string (line 8, column 38)");
  }

  @Test
  void rejectsAKeyFileThatIsNotAString() {
    assertThat(problems(edit("\"/etc/vipha/web.key\"", "42"))).containsExactly(
        "groups[0].daemon.keyFile: \"42\" is a number; expected a string (line 8, column 20)");
  }

  @Test
  void rejectsAUnicastMulticastGroup() {
    assertThat(problems(edit("239.255.86.1:7405", "198.51.100.9:7405"))).containsExactly(
        "groups[0].daemon.multicast.group: \"198.51.100.9:7405\" is not a multicast address with"
            + " an optional port; write e.g. 239.255.86.1:7405 or [ff02::86]:7405"
            + " (line 9, column 32)");
  }

  @Test
  void rejectsAMulticastWithoutInterface() {
    assertThat(problems(edit("7405\", \"interface\": \"eth0\"}", "7405\"}"))).containsExactly(
        "groups[0].daemon.multicast.interface: is required; name the interface to join the group"
            + " on, e.g. \"interface\": \"eth0\" (line 9, column 22)");
  }

  @Test
  void rejectsABadDuration() {
    assertThat(problems(edit("\"500ms\"", "\"soon\""))).containsExactly(
        "groups[0].daemon.reconcileInterval: \"soon\" is not a duration; write e.g. 250ms, 10s,"
            + " 5m, 1h, 1d or ISO-8601 such as PT10S (line 10, column 30)");
  }

  @Test
  void rejectsABadEffect() {
    assertThat(problems(edit("\"effect\": -20", "\"effect\": \"lower\""))).containsExactly(
        "groups[0].daemon.healthChecks[0].effect: \"lower\" is not an effect; use \"disqualify\""
            + " or a weight such as -20 (a number) (line 12, column 80)");
  }

  @Test
  void rejectsAWeightOutOfRangeWithTheCheckModelsMessage() {
    List<String> problems = problems(edit("\"effect\": -20", "\"effect\": -999"));
    assertThat(problems).hasSize(1);
    assertThat(problems.get(0)).startsWith("groups[0].daemon.healthChecks[0].effect")
        .endsWith("(line 12, column 80)");
  }

  @Test
  void rejectsTwoTargets() {
    assertThat(problems(edit("\"tcp\": \"127.0.0.1:80\",",
        "\"tcp\": \"127.0.0.1:80\", \"http\": \"http://x/\","))).containsExactly(
        "groups[0].daemon.healthChecks[0].http: is set together with tcp; a check probes one"
            + " target: tcp, http or exec (line 12, column 52)");
  }

  @Test
  void rejectsACheckWithoutTarget() {
    assertThat(problems(edit("\"tcp\": \"127.0.0.1:80\", ", ""))).containsExactly(
        "groups[0].daemon.healthChecks[0]: names no target; probe with tcp, http or exec"
            + " (line 12, column 11)");
  }

  @Test
  void rejectsABadTcpEndpointAtItsField() {
    List<String> problems = problems(edit("127.0.0.1:80", "localhost"));
    assertThat(problems).hasSize(1);
    assertThat(problems.get(0)).startsWith("groups[0].daemon.healthChecks[0].tcp: \"localhost\"")
        .endsWith("(line 12, column 36)");
  }

  @Test
  void rejectsRepeatedCheckNames() {
    List<String> problems = problems(edit("\"name\": \"script\"", "\"name\": \"tcp80\""));
    assertThat(problems).hasSize(1);
    assertThat(problems.get(0)).startsWith("groups[0].daemon.healthChecks[2].name")
        .contains("unique").endsWith("(line 15, column 20)");
  }

  @Test
  void rejectsATimeoutNotShorterThanTheInterval() {
    List<String> problems = problems(edit("\"timeout\": \"300ms\"", "\"timeout\": \"5s\""));
    assertThat(problems).hasSize(1);
    assertThat(problems.get(0)).startsWith("groups[0].daemon.healthChecks[1].timeout")
        .endsWith("(line 14, column 23)");
  }
}
