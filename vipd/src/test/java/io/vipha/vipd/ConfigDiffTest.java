package io.vipha.vipd;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.VipGroup;
import io.vipha.config.DaemonSettings;
import io.vipha.config.VipConfig;
import org.junit.jupiter.api.Test;

/** What a reload changes and which changes need a restart. */
class ConfigDiffTest {
  private static final String BASE = """
      {"groups": [{
        "name": "web", "mode": "ACTIVE_PASSIVE",
        "vips": [{"address": "192.0.2.10/24", "interface": "eth0"}],
        "nodes": [{"id": "n1", "heartbeat": ["198.51.100.1:7405"], "priority": 200},
                  {"id": "n2", "heartbeat": ["198.51.100.2:7405"]}],
        "policy": {"heartbeatInterval": "100ms"},
        "daemon": {"keyFile": "/etc/vipha/web.key",
          "healthChecks": [{"name": "db", "tcp": "127.0.0.1:5432"}],
          "notify": {"hooks": [{"command": ["/bin/true"]}]}}
      }]}
      """;

  private static ConfigDiff.Result diff(String next) {
    return diff(next, false);
  }

  private static ConfigDiff.Result diff(String next, boolean socketFromCommandLine) {
    VipConfig a = VipConfig.parse(BASE);
    VipConfig b = VipConfig.parse(next);
    VipGroup ga = a.groups().get(0);
    VipGroup gb = b.groups().get(0);
    DaemonSettings da = a.daemon(ga.name());
    DaemonSettings db = b.daemon(gb.name());
    return ConfigDiff.of(ga, da, gb, db, "n1", socketFromCommandLine);
  }

  private static String edit(String from, String to) {
    assertThat(BASE).contains(from);
    return BASE.replace(from, to);
  }

  @Test
  void theSameConfigurationChangesNothing() {
    assertThat(diff(BASE)).isEqualTo(new ConfigDiff.Result(java.util.List.of(),
        java.util.List.of()));
  }

  @Test
  void timersPrioritiesPeersVipsChecksAndHooksApplyLive() {
    String next = edit("\"heartbeatInterval\": \"100ms\"", "\"heartbeatInterval\": \"200ms\","
        + " \"preemptDelay\": \"3s\"")
        .replace("\"priority\": 200}", "\"priority\": 150}")
        .replace("\"198.51.100.2:7405\"]}", "\"198.51.100.3:7405\"], \"priority\": 120},\n"
            + "{\"id\": \"n3\", \"heartbeat\": [\"198.51.100.4:7405\"]}")
        .replace("[{\"address\": \"192.0.2.10/24\", \"interface\": \"eth0\"}]",
            "[{\"address\": \"192.0.2.11/24\", \"interface\": \"eth0\"}]")
        .replace("\"127.0.0.1:5432\"}", "\"127.0.0.1:5433\"}, {\"name\": \"web\","
            + " \"tcp\": \"127.0.0.1:80\"}")
        .replace("[\"/bin/true\"]}", "[\"/bin/true\"], \"timeout\": \"2s\"}");
    ConfigDiff.Result r = diff(next);
    assertThat(r.restart()).isEmpty();
    assertThat(r.changes()).containsExactly(
        "vips[192.0.2.10/24]: removed",
        "vips[192.0.2.11/24]: added {\"address\":\"192.0.2.11/24\",\"interface\":\"eth0\"}",
        "nodes[n1].priority: 200 -> 150",
        "nodes[n2].heartbeat: [\"198.51.100.2:7405\"] -> [\"198.51.100.3:7405\"]",
        "nodes[n2].priority: default -> 120",
        "nodes[n3]: added {\"id\":\"n3\",\"heartbeat\":[\"198.51.100.4:7405\"]}",
        "policy.preemptDelay: default -> 3s",
        "policy.heartbeatInterval: default -> 200ms",
        "daemon.healthChecks[db].tcp: 127.0.0.1:5432 -> 127.0.0.1:5433",
        "daemon.healthChecks[web]: added {\"name\":\"web\",\"tcp\":\"127.0.0.1:80\"}",
        "daemon.notify.hooks[0].timeout: default -> 2s");
  }

  @Test
  void theNameModeOwnHeartbeatAndWhatWasBoundAtStartNeedARestartAllListed() {
    String next = edit("\"name\": \"web\", \"mode\": \"ACTIVE_PASSIVE\"",
        "\"name\": \"shop\", \"mode\": \"ACTIVE_ACTIVE\"")
        .replace("\"198.51.100.1:7405\"", "\"198.51.100.1:7406\"")
        .replace("\"keyFile\": \"/etc/vipha/web.key\",", "\"keyFile\": \"/etc/vipha/web.key\","
            + " \"metrics\": {\"listen\": \"127.0.0.1:9405\"}, \"reconcileInterval\": \"2s\","
            + " \"linkDown\": -20, \"stateFile\": \"/tmp/{node}.state\", \"warmup\": \"5s\","
            + " \"controlSocket\": \"/tmp/n1.sock\", \"preferredLifetimeZero\": true,"
            + " \"multicast\": {\"group\": \"239.255.86.1:7405\", \"interface\": \"eth0\"},")
        .replace("\"hooks\": [", "\"fifo\": \"/tmp/f\", \"queueSize\": 8, \"hooks\": [");
    ConfigDiff.Result r = diff(next);
    assertThat(r.restart()).containsExactly(
        "name: web -> shop needs a restart (vipd runs one group, which its peers know by name)",
        "mode: ACTIVE_PASSIVE -> ACTIVE_ACTIVE needs a restart (the mode is the node's role in"
            + " the group)",
        "nodes[n1].heartbeat: [\"198.51.100.1:7405\"] -> [\"198.51.100.1:7406\"] needs a"
            + " restart (this node's heartbeat socket is bound to its addresses at start)",
        "daemon.multicast: default -> {\"group\":\"239.255.86.1:7405\",\"interface\":\"eth0\"}"
            + " needs a restart (the heartbeat socket joins the multicast group at start)",
        "daemon.reconcileInterval: default -> 2s needs a restart (the agent's reconcile timer is"
            + " set at start)",
        "daemon.warmup: default -> 5s needs a restart (the warm-up runs once, at start)",
        "daemon.preferredLifetimeZero: default -> true needs a restart (the address backend is"
            + " opened with it)",
        "daemon.linkDown: default -> -20 needs a restart (the agent's link watch is set at"
            + " start)",
        "daemon.stateFile: default -> /tmp/{node}.state needs a restart (the node state file is"
            + " opened at start)",
        "daemon.controlSocket: default -> /tmp/n1.sock needs a restart (the control socket is"
            + " bound at start)",
        "daemon.metrics: default -> {\"listen\":\"127.0.0.1:9405\"} needs a restart (the"
            + " metrics endpoint is bound at start)",
        "daemon.notify.fifo: default -> /tmp/f needs a restart (the notify FIFO is opened at"
            + " start)",
        "daemon.notify.queueSize: default -> 8 needs a restart (the notify queues are made at"
            + " start)");
    assertThat(r.changes()).hasSameSizeAs(r.restart());
  }

  @Test
  void aChangeOfTheMoversNeedsARestart() {
    ConfigDiff.Result r = diff(edit("\"keyFile\": \"/etc/vipha/web.key\",", "\"keyFile\":"
        + " \"/etc/vipha/web.key\", \"movers\": [{\"type\": \"exec\","
        + " \"command\": [\"/usr/local/bin/vip-mover\"]}],"));
    assertThat(r.restart()).singleElement().satisfies(l -> assertThat(l)
        .startsWith("daemon.movers: default -> ")
        .endsWith(" needs a restart (the address movers are created at start)"));
  }

  @Test
  void theControlSocketMayChangeWhenTheCommandLineNamesIt() {
    String next = edit("\"keyFile\": \"/etc/vipha/web.key\",", "\"keyFile\":"
        + " \"/etc/vipha/web.key\", \"controlSocket\": \"/tmp/n1.sock\",");
    assertThat(diff(next, true).restart()).isEmpty();
    assertThat(diff(next, true).changes()).containsExactly(
        "daemon.controlSocket: default -> /tmp/n1.sock");
    assertThat(diff(next, false).restart()).hasSize(1);
  }

  @Test
  void aPeersHeartbeatMayChangeButThisNodesNot() {
    assertThat(diff(edit("\"198.51.100.2:7405\"", "\"198.51.100.2:7406\"")).restart())
        .isEmpty();
    assertThat(diff(edit("\"198.51.100.1:7405\"", "\"198.51.100.1:7406\"")).restart())
        .hasSize(1);
  }

  @Test
  void theKeyFieldsAreLeftToTheKeyRules() {
    ConfigDiff.Result r = diff(edit("\"keyFile\": \"/etc/vipha/web.key\",", "\"keyFile\":"
        + " \"/etc/vipha/web-2.key\", \"keyId\": 2, \"acceptKey\": {\"id\": 1, \"file\":"
        + " \"/etc/vipha/web.key\"},"));
    assertThat(r.changes()).isEmpty();
    assertThat(r.restart()).isEmpty();
  }
}
