package io.vipha.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.config.DaemonSettings.Mover;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The address movers of a group ({@code "daemon": {"movers": [...]}}): read, written back, and
 * every bad one reported at once under its path.
 */
class MoverSettingsTest {
  private static final String VIPS = "{\"address\": \"203.0.113.10/32\", \"interface\": \"eth0\","
      + " \"exposure\": \"PUBLIC\"}, {\"address\": \"203.0.113.11/32\", \"interface\": \"eth0\","
      + " \"exposure\": \"PUBLIC\"}";

  private static String config(String mode, String movers) {
    return """
        {
          "groups": [
            {
              "name": "edge", "mode": "%s",
              "vips": [%s],
              "nodes": [{"id": "n1", "heartbeat": ["198.51.100.1:7405"]},
                        {"id": "n2", "heartbeat": ["198.51.100.2:7405"]}],
              "daemon": {"movers": %s}
            }
          ]
        }
        """.formatted(mode, VIPS, movers);
  }

  private static String config(String movers) {
    return config("ACTIVE_PASSIVE", movers);
  }

  /** The problems without their "(line L, column C)". */
  private static List<String> problems(String json) {
    return VipConfigStrictTest.problems(json).stream()
        .map(p -> p.replaceAll(" \\(line \\d+, column \\d+\\)$", "")).toList();
  }

  @Test
  void readsAnExecMoverAndWritesItBack() throws Exception {
    VipConfig c = VipConfig.parse(config("[{\"type\": \"exec\", \"vips\": [\"203.0.113.10\"],"
        + " \"timeout\": \"5s\", \"command\": [\"/usr/local/bin/move-vip\", \"--zone\", \"a\"]},"
        + " {\"type\": \"exec\", \"vips\": [\"203.0.113.11/32\"],"
        + " \"command\": [\"/usr/local/bin/other\"]}]"));
    List<Mover> movers = c.daemon("edge").movers();
    assertThat(movers).containsExactly(
        new Mover("exec", List.of(InetAddress.getByName("203.0.113.10")), Duration.ofSeconds(5),
            Map.of("command", "[\"/usr/local/bin/move-vip\",\"--zone\",\"a\"]")),
        new Mover("exec", List.of(InetAddress.getByName("203.0.113.11")), null,
            Map.of("command", "[\"/usr/local/bin/other\"]")));
    String written = c.toJson();
    assertThat(written).contains("\"movers\": [", "\"type\": \"exec\"", "\"203.0.113.10\"",
        "\"timeout\": \"5s\"", "\"--zone\"");
    assertThat(VipConfig.parse(written)).isEqualTo(c);
  }

  @Test
  void aMoverWithoutVipsMovesEveryVipOfTheGroup() throws Exception {
    VipConfig c = VipConfig.parse(config("[{\"type\": \"exec\", \"command\": [\"/bin/mv-vip\"]}]"));
    Mover m = c.daemon("edge").movers().get(0);
    assertThat(m.vips()).isEmpty();
    assertThat(m.moves(InetAddress.getByName("203.0.113.11"))).isTrue();
    assertThat(VipConfig.parse(c.toJson())).isEqualTo(c);
  }

  @Test
  void anUnknownTypeNamesTheTypesFound() {
    assertThat(problems(config("[{\"type\": \"gcp\", \"command\": [\"/bin/x\"]}]")))
        .containsExactly("groups[0].daemon.movers[0].type: \"gcp\" is not a mover type found;"
            + " installed: exec");
  }

  @Test
  void aMissingTypeIsReported() {
    assertThat(problems(config("[{\"command\": [\"/bin/x\"]}]")))
        .containsExactly("groups[0].daemon.movers[0].type: is required; installed: exec");
  }

  @Test
  void theProvidersProblemsAreReportedUnderTheMoversPath() {
    assertThat(problems(config("[{\"type\": \"exec\", \"command\": [\"move-vip\", 3],"
        + " \"zone\": \"a\"}]"))).containsExactly(
        "groups[0].daemon.movers[0].command[0]: \"move-vip\" is not an absolute path; the command"
            + " runs without a shell or search path; write e.g. [\"/usr/local/bin/move-vip\"]",
        "groups[0].daemon.movers[0].command[1]: \"3\" is not a non-empty string",
        "groups[0].daemon.movers[0].zone: is not a known field of an exec mover; allowed here:"
            + " type, vips, timeout, command");
    assertThat(problems(config("[{\"type\": \"exec\"}]"))).containsExactly(
        "groups[0].daemon.movers[0].command: is required; write e.g."
            + " [\"/usr/local/bin/move-vip\"]");
  }

  @Test
  void aVipNotInTheGroupIsReported() {
    assertThat(problems(config("[{\"type\": \"exec\", \"vips\": [\"198.51.100.7\", \"x\"],"
        + " \"command\": [\"/bin/x\"]}]"))).containsExactly(
        "groups[0].daemon.movers[0].vips[1]: \"x\" is not an IP address; name a VIP of the"
            + " group, e.g. \"203.0.113.10\"");
    assertThat(problems(config("[{\"type\": \"exec\", \"vips\": [\"198.51.100.7\"],"
        + " \"command\": [\"/bin/x\"]}]"))).containsExactly(
        "groups[0].daemon.movers[0].vips[0]: \"198.51.100.7\" is not a VIP of group edge; its"
            + " VIPs: 203.0.113.10/32, 203.0.113.11/32");
  }

  @Test
  void aVipHasOneMover() {
    assertThat(problems(config("[{\"type\": \"exec\", \"command\": [\"/bin/x\"]},"
        + " {\"type\": \"exec\", \"vips\": [\"203.0.113.11\"], \"command\": [\"/bin/y\"]}]")))
        .containsExactly("groups[0].daemon.movers[1]: moves 203.0.113.11, which movers[0] moves"
            + " already; a VIP has one mover (name the VIPs of each with \"vips\")");
  }

  @Test
  void credentialsAreRefusedWhereverTheyAreNamed() {
    assertThat(problems(config("[{\"type\": \"exec\", \"command\": [\"/bin/x\"],"
        + " \"secretAccessKey\": \"abc\", \"password\": \"p\", \"api_token\": \"t\","
        + " \"credentialsFile\": \"/etc/vipha/aws\"}]"))).containsExactly(
        "groups[0].daemon.movers[0].secretAccessKey: looks like a credential, which never goes"
            + " in the configuration; use the provider's credential chain or a file",
        "groups[0].daemon.movers[0].password: looks like a credential, which never goes in the"
            + " configuration; use the provider's credential chain or a file",
        "groups[0].daemon.movers[0].api_token: looks like a credential, which never goes in the"
            + " configuration; use the provider's credential chain or a file",
        "groups[0].daemon.movers[0].credentialsFile: is not a known field of an exec mover;"
            + " allowed here: type, vips, timeout, command");
    assertThat(problems(config("[{\"type\": \"exec\", \"command\": [\"/bin/x\"],"
        + " \"password\": \"hunter2\"}]")).toString()).doesNotContain("hunter2");
  }

  @Test
  void everyProblemAtOnce() {
    assertThat(problems(config("[{\"type\": \"nope\", \"timeout\": \"0s\"}, 7,"
        + " {\"type\": \"exec\", \"command\": \"/bin/x\"}]"))).containsExactly(
        "groups[0].daemon.movers[0].type: \"nope\" is not a mover type found; installed: exec",
        "groups[0].daemon.movers[0].timeout: \"0s\" is not positive; write e.g. 10s",
        "groups[0].daemon.movers[1]: \"7\" is a number; expected an object (a mover)",
        "groups[0].daemon.movers[2].command: \"/bin/x\" is not a list of strings; write e.g."
            + " [\"/usr/local/bin/move-vip\"]");
  }

  @Test
  void anActiveActiveGroupWithAPublicVipStaysRefusedWithAMover() {
    assertThat(problems(config("ACTIVE_ACTIVE", "[{\"type\": \"exec\","
        + " \"command\": [\"/bin/x\"]}]"))).anySatisfy(p -> assertThat(p)
        .contains("vips[0]").containsIgnoringCase("public"));
  }
}
