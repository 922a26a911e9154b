package io.vipha.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.Mode;
import io.vipha.ValidationException;
import io.vipha.VipGroup;
import io.vipha.config.DaemonSettings.Vrrp;
import io.vipha.config.DaemonSettings.Vrrp.Ipv4Checksum;
import java.net.InetAddress;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The VRRP coordinator's settings ({@code "coordinator": {"vrrp": ...}}): read, written back, and
 * every input VRRP cannot carry rejected with a message that says what to do, all at once.
 */
class VrrpSettingsTest {
  private static String config(String vips, String policy, String vrrp) {
    return """
        {
          "groups": [
            {
              "name": "web", "mode": "ACTIVE_PASSIVE",
              "vips": [%s],
              "nodes": [{"id": "n1", "heartbeat": ["198.51.100.1:7405"]}],
              "policy": {%s},
              "daemon": {"coordinator": {"vrrp": %s}}
            }
          ]
        }
        """.formatted(vips, policy, vrrp);
  }

  private static String config(String vrrp) {
    return config(VIP, "\"heartbeatInterval\": \"1s\"", vrrp);
  }

  private static final String VIP = "{\"address\": \"192.0.2.100/24\", \"interface\": \"eth0\"}";

  /** The problems without their "(line L, column C)", which other tests check. */
  private static List<String> problems(String json) {
    return VipConfigStrictTest.problems(json).stream()
        .map(p -> p.replaceAll(" \\(line \\d+, column \\d+\\)$", "")).toList();
  }

  /** The VRRP settings of the valid configuration {@code json}. */
  private static Vrrp valid(String json) {
    return java.util.Objects.requireNonNull(VipConfig.parse(json).daemon("web").vrrp());
  }

  @Test
  void readsTheVridWithTheDefaultsAndWritesItBack() {
    VipConfig c = VipConfig.parse(config("{\"vrid\": 51}"));
    assertThat(c.daemon("web").vrrp()).isEqualTo(Vrrp.of(51)).isEqualTo(new Vrrp(51, null,
        Ipv4Checksum.PSEUDO_HEADER, List.of(), false));
    assertThat(c.daemon("web").zookeeper()).isNull();
    String written = c.toJson();
    assertThat(written).contains("\"coordinator\": {", "\"vrrp\": {", "\"vrid\": 51")
        .doesNotContain("ipv4Checksum", "unicastPeers", "addressOwner");
    assertThat(VipConfig.parse(written)).isEqualTo(c);
  }

  @Test
  void readsEveryFieldAndWritesItBack() throws Exception {
    VipConfig c = VipConfig.parse(config("{\"vrid\": 7, \"interface\": \"eth1\","
        + " \"ipv4Checksum\": \"message-only\", \"unicastPeers\": [\"192.0.2.12\","
        + " \" 192.0.2.13 \"], \"addressOwner\": true}"));
    assertThat(c.daemon("web").vrrp()).isEqualTo(new Vrrp(7, "eth1", Ipv4Checksum.MESSAGE_ONLY,
        List.of(InetAddress.getByName("192.0.2.12"), InetAddress.getByName("192.0.2.13")),
        true));
    String written = c.toJson();
    assertThat(written).contains("\"ipv4Checksum\": \"message-only\"", "\"addressOwner\": true",
        "\"interface\": \"eth1\"", "\"unicastPeers\": [");
    assertThat(VipConfig.parse(written)).isEqualTo(c);
    VipConfig pseudo = VipConfig.parse(config("{\"vrid\": 7, \"ipv4Checksum\":"
        + " \"pseudo-header\"}"));
    assertThat(pseudo.daemon("web").vrrp()).isEqualTo(Vrrp.of(7));
  }

  @Test
  void settingsInCodeRoundTripAndAreCheckedToo() throws Exception {
    VipConfig plain = VipConfig.parse(config("{\"vrid\": 1}"));
    Vrrp v6Peer = new Vrrp(255, null, Ipv4Checksum.MESSAGE_ONLY,
        List.of(InetAddress.getByName("2001:db8::2")), false);
    assertThatThrownBy(() -> plain.withDaemon("web", plain.daemon("web").withVrrp(v6Peer)))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("groups[0].daemon.coordinator.vrrp.unicastPeers[0]: \"2001:db8::2\""
            + " is not of the VIPs' family (IPv4)");
    VipGroup aa = plain.group("web").toBuilder().mode(Mode.ACTIVE_ACTIVE).build();
    assertThatThrownBy(() -> new VipConfig(List.of(aa), plain.daemons()))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("groups[0].mode: \"ACTIVE_ACTIVE\" cannot run as a VRRP virtual"
            + " router");
    VipConfig ok = plain.withDaemon("web", plain.daemon("web").withVrrp(new Vrrp(255, "eth0",
        Ipv4Checksum.MESSAGE_ONLY, List.of(InetAddress.getByName("192.0.2.2")), true)));
    assertThat(VipConfig.parse(ok.toJson())).isEqualTo(ok);
    assertThatThrownBy(() -> new Vrrp(0, null, Ipv4Checksum.PSEUDO_HEADER, List.of(), false))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("a VRID is 1-255; got 0");
    assertThatThrownBy(() -> plain.daemon("web").withZooKeeper(new DaemonSettings.ZooKeeper(
        "zk:2181", DaemonSettings.ZooKeeper.DEFAULT_SESSION, "/vipha", null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a group has one coordinator: ZooKeeper or VRRP");
  }

  @Test
  void rejectsEveryProblemOfTheVrrpObjectAtOnce() {
    assertThat(problems(config("{\"vrid\": 256, \"interface\": \"\", \"ipv4Checksum\":"
        + " \"rfc9568\", \"unicastPeers\": [\"224.0.0.18\", \"peer.example\", \"192.0.2.12\","
        + " \"192.0.2.12\", 5], \"addressOwner\": \"yes\", \"priority\": 255}"))).containsExactly(
        "groups[0].daemon.coordinator.vrrp.vrid: \"256\" is not a VRID; use 1-255"
            + " (advertisements carry it in one byte; 0 is not one)",
        "groups[0].daemon.coordinator.vrrp.interface: \"\" is not an interface name; name one"
            + " of 1-15 characters, e.g. eth0, or leave it out for the VIPs' interface",
        "groups[0].daemon.coordinator.vrrp.ipv4Checksum: \"rfc9568\" is not a checksum form; use"
            + " \"pseudo-header\" (RFC 5798, keepalived's default) or \"message-only\" (RFC 9568,"
            + " keepalived's v3_checksum_as_v2, Cisco, Juniper)",
        "groups[0].daemon.coordinator.vrrp.unicastPeers[0]: \"224.0.0.18\" is not a peer's"
            + " unicast IP address; write e.g. 192.0.2.12 or 2001:db8::12 (no host names)",
        "groups[0].daemon.coordinator.vrrp.unicastPeers[1]: \"peer.example\" is not a peer's"
            + " unicast IP address; write e.g. 192.0.2.12 or 2001:db8::12 (no host names)",
        "groups[0].daemon.coordinator.vrrp.unicastPeers[3]: \"192.0.2.12\" repeats"
            + " unicastPeers[2]; list each peer once",
        "groups[0].daemon.coordinator.vrrp.unicastPeers[4]: \"5\" is a number; expected a peer's"
            + " IP address, e.g. \"192.0.2.12\"",
        "groups[0].daemon.coordinator.vrrp.addressOwner: \"yes\" is a string; expected true or"
            + " false",
        "groups[0].daemon.coordinator.vrrp.priority: is not a known field; allowed here: vrid,"
            + " interface, ipv4Checksum, unicastPeers, addressOwner");
  }

  @Test
  void rejectsAMissingVridAndTwoCoordinators() {
    assertThat(problems(config("{}"))).containsExactly("groups[0].daemon.coordinator.vrrp.vrid:"
        + " is required; the virtual router's id, 1-255, the same on every router of the group,"
        + " e.g. \"vrid\": 51");
    assertThat(problems(config("{\"vrid\": 51}").replace("\"vrrp\":", "\"zookeeper\":"
        + " {\"connect\": \"zk:2181\"}, \"vrrp\":"))).containsExactly(
        "groups[0].daemon.coordinator.vrrp: is set together with zookeeper; a group has one"
            + " coordinator: zookeeper, vrrp, or neither for heartbeats");
    assertThat(problems(config("{\"vrid\": 51}").replace("{\"vrrp\": {\"vrid\": 51}}", "{}")))
        .singleElement().asString().isEqualTo("groups[0].daemon.coordinator: names no"
            + " coordinator; write {\"zookeeper\": {\"connect\": \"zk1:2181,zk2:2181,zk3:2181\"}}"
            + " or {\"vrrp\": {\"vrid\": 51}}, or leave it out for heartbeats");
  }

  @Test
  void refusesAnActiveActiveGroup() {
    assertThat(problems(config("{\"vrid\": 51}").replace("ACTIVE_PASSIVE", "ACTIVE_ACTIVE")))
        .containsExactly("groups[0].mode: \"ACTIVE_ACTIVE\" cannot run as a VRRP virtual router,"
            + " which has one master per VRID; use ACTIVE_PASSIVE, or a group of its own, with"
            + " its own VRID, per VIP");
  }

  @Test
  void refusesVipsOneAdvertisementCannotCarry() {
    String mixed = VIP + ", {\"address\": \"2001:db8::100/64\", \"interface\": \"eth0\"}";
    assertThat(problems(config(mixed, "", "{\"vrid\": 51}"))).containsExactly(
        "groups[0].vips: mixes IPv4 and IPv6 addresses, which one VRRP advertisement cannot"
            + " carry; put each family in a group of its own, with its own VRID");
    String many = IntStream.range(0, 256).mapToObj(i -> "{\"address\": \"192.0." + (2 + i / 250)
        + "." + (1 + i % 250) + "/16\", \"interface\": \"eth0\"}")
        .collect(Collectors.joining(", "));
    assertThat(problems(config(many, "", "{\"vrid\": 51}"))).containsExactly(
        "groups[0].vips: holds 256 VIPs, more than the 255 addresses a VRRP advertisement"
            + " carries; split them into groups, each with its own VRID");
    String v6 = "{\"address\": \"2001:db8::100/64\", \"interface\": \"eth0\"}";
    assertThat(problems(config(v6, "", "{\"vrid\": 51, \"unicastPeers\": [\"192.0.2.12\","
        + " \"2001:db8::12\"]}"))).containsExactly("groups[0].daemon.coordinator.vrrp"
        + ".unicastPeers[0]: \"192.0.2.12\" is not of the VIPs' family (IPv6); VRRP reaches its"
        + " peers over the family it advertises");
  }

  @Test
  void refusesTimingVrrpCannotCarry() {
    for (String interval : List.of("5ms", "15ms", "41s")) {
      assertThat(problems(config(VIP, "\"heartbeatInterval\": \"" + interval + "\","
          + " \"lease\": \"3m\"", "{\"vrid\": 51}"))).as(interval).containsExactly(
          "groups[0].policy.heartbeatInterval: \"" + interval + "\" is the VRRP advertisement"
              + " interval, which is whole centiseconds from 10ms to 40.95s; write e.g. 100ms"
              + " or 1s");
    }
    for (String interval : List.of("10ms", "40950ms")) {
      assertThat(valid(config(VIP, "\"heartbeatInterval\": \"" + interval + "\","
          + " \"lease\": \"3m\"", "{\"vrid\": 51}"))).as(interval).isEqualTo(Vrrp.of(51));
    }
    assertThat(problems(config(VIP, "\"deadAfter\": 4, \"quorum\": \"majority\"",
        "{\"vrid\": 51}"))).containsExactly(
        "groups[0].policy.deadAfter: \"4\" is 3 in VRRP, whose backups wait 3 advertisement"
            + " intervals and the skew time; leave it out",
        "groups[0].policy.quorum: \"majority\" cannot be kept by VRRP, whose routers do not know"
            + " how many they are; leave the quorum out");
  }

  @Test
  void needsTheInterfaceWhenTheVipsAreOnSeveral() {
    String two = VIP + ", {\"address\": \"192.0.2.101/24\", \"interface\": \"eth1\"}";
    assertThat(problems(config(two, "", "{\"vrid\": 51}"))).containsExactly(
        "groups[0].daemon.coordinator.vrrp.interface: is required when the VIPs are on more"
            + " than one interface (eth0, eth1); name the one the advertisements use");
    assertThat(valid(config(two, "", "{\"vrid\": 51, \"interface\": \"eth1\"}")).interfaceName())
        .isEqualTo("eth1");
  }

  @Test
  void refusesAnAddressOwnerWhosePriorityAWeightWouldChange() {
    String json = config("{\"vrid\": 51, \"addressOwner\": true}").replace("\"coordinator\"",
        "\"healthChecks\": [{\"name\": \"db\", \"tcp\": \"127.0.0.1:5432\", \"effect\": -20},"
            + " {\"name\": \"web\", \"tcp\": \"127.0.0.1:80\"}], \"linkDown\": -50,"
            + " \"coordinator\"");
    assertThat(problems(json)).containsExactly("groups[0].daemon.coordinator.vrrp.addressOwner:"
        + " \"true\" advertises priority 255, which VRRP reserves for the owner and no weight"
        + " changes, yet health check db and linkDown would; give them the effect"
        + " \"disqualify\", or leave addressOwner out");
    assertThat(valid(json.replace("\"effect\": -20", "\"effect\": \"disqualify\"")
        .replace("\"linkDown\": -50", "\"linkDown\": \"disqualify\"")).addressOwner()).isTrue();
  }

  @Test
  void refusesOneVridTwiceOnAnInterfaceAndFamily() {
    String group = """
        {"name": "%s", "mode": "ACTIVE_PASSIVE",
         "vips": [{"address": "%s", "interface": "%s"}],
         "nodes": [{"id": "n1", "heartbeat": ["198.51.100.1:7405"]}],
         "daemon": {"coordinator": {"vrrp": {"vrid": %d%s}}}}""";
    String json = "{\"groups\": [" + String.join(", ",
        group.formatted("a", "192.0.2.1/24", "eth0", 51, ""),
        group.formatted("b", "192.0.2.2/24", "eth0", 51, ""),
        group.formatted("c", "2001:db8::3/64", "eth0", 51, ""),
        group.formatted("d", "192.0.2.4/24", "eth1", 51, ""),
        group.formatted("e", "192.0.2.5/24", "eth1", 52, ", \"interface\": \"eth0\""),
        group.formatted("f", "192.0.2.6/24", "eth2", 51, ", \"interface\": \"eth1\"")) + "]}";
    assertThat(problems(json)).containsExactly(
        "groups[1].daemon.coordinator.vrrp.vrid: \"51\" repeats the VRID of groups[0] on eth0"
            + " (IPv4); give each virtual router of a link its own VRID",
        "groups[5].daemon.coordinator.vrrp.vrid: \"51\" repeats the VRID of groups[3] on eth1"
            + " (IPv4); give each virtual router of a link its own VRID");
  }

  @Test
  void reportsEveryProblemOfTheGroupAndTheObjectAtOnceWithPositions() {
    String json = config(VIP + ", {\"address\": \"2001:db8::1/64\", \"interface\": \"eth1\"}",
        "\"heartbeatInterval\": \"15ms\"", "{\"vrid\": 0}").replace("ACTIVE_PASSIVE",
        "ACTIVE_ACTIVE");
    List<String> all = VipConfigStrictTest.problems(json);
    assertThat(all).hasSize(4);
    assertThat(all.get(0)).startsWith("groups[0].mode: \"ACTIVE_ACTIVE\" cannot run as a VRRP")
        .endsWith("(line 4, column 30)");
    assertThat(all.get(1)).startsWith("groups[0].vips: mixes IPv4 and IPv6");
    assertThat(all.get(2)).startsWith("groups[0].policy.heartbeatInterval: \"15ms\"");
    assertThat(all.get(3)).startsWith("groups[0].daemon.coordinator.vrrp.vrid: \"0\" is not a"
        + " VRID");
  }
}
