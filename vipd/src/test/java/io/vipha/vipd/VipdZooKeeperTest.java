package io.vipha.vipd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vipha.VirtualIp;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * vipd with {@code daemon.coordinator.zookeeper}: a real ZooKeeper server in process; the
 * session's state in {@code vipctl status} and the metrics.
 */
class VipdZooKeeperTest {
  @TempDir Path dir;

  private static VirtualIp vip4() {
    return VirtualIp.of(LocalDaemons.VIP4, "eth0");
  }

  @Test
  void anUnreachableEnsembleEndsTheDaemonWithExitCode9() throws Exception {
    try (LocalDaemons d = new LocalDaemons(dir, "ACTIVE_PASSIVE", "\"coordinator\":"
        + " {\"zookeeper\": {\"connect\": \"127.0.0.1:1\", \"sessionTimeout\": \"1s\"}}, ")) {
      try {
        d.start("n1");
      } catch (IllegalStateException e) {
        assertThat(e).hasMessageContaining("did not open its control socket");
      }
      assertThat(d.exit("n1").get(20, TimeUnit.SECONDS)).isEqualTo(ExitCode.ZOOKEEPER.code);
      assertThat(d.output()).contains("cannot reach ZooKeeper at \"127.0.0.1:1\""
          + " (daemon.coordinator.zookeeper.connect of group web)");
    }
  }

  @Test
  void twoDaemonsDecideThroughOneServerAndFailOver() throws Exception {
    try (TestingServer zk = new TestingServer(true);
        LocalDaemons d = new LocalDaemons(dir, "ACTIVE_PASSIVE", "\"coordinator\":"
            + " {\"zookeeper\": {\"connect\": \"" + zk.getConnectString() + "\","
            + " \"sessionTimeout\": \"6s\", \"path\": \"/vipd-test\"}}, ")) {
      d.edit("\"keyFile\": \"" + dir.resolve("web.key") + "\", ", ""); // none needed
      d.start("n1").start("n2");
      assertThat(LocalDaemons.await(30, () -> d.backend("n1").holds(vip4()))).isTrue();
      assertThat(d.backend("n2").holds(vip4())).isFalse();
      assertThat(d.stop("n1")).isZero();
      assertThat(LocalDaemons.await(60, () -> d.backend("n2").holds(vip4())
          && !d.backend("n1").holds(vip4()))).isTrue();
    }
  }

  @Test
  void theSessionIsInTheStatusAndTheMetrics() throws Exception {
    int port = VipdMetricsTest.freePort();
    try (TestingServer zk = new TestingServer(true);
        LocalDaemons d = new LocalDaemons(dir, "ACTIVE_PASSIVE", "\"coordinator\":"
            + " {\"zookeeper\": {\"connect\": \"" + zk.getConnectString() + "\","
            + " \"sessionTimeout\": \"6s\"}}, \"metrics\": {\"listen\": \"127.0.0.1:" + port
            + "\"}, ")) {
      d.edit("\"keyFile\": \"" + dir.resolve("web.key") + "\", ", ""); // none needed
      d.start("n1");
      assertThat(LocalDaemons.await(30, () -> d.backend("n1").holds(vip4()))).isTrue();
      JsonNode status;
      try (ControlTestClient c = new ControlTestClient(d.socket("n1"))) {
        status = ControlTestClient.json(c.ask("{\"v\":1,\"cmd\":\"status\"}")).path("result");
      }
      JsonNode zkStatus = status.path("coordinator");
      assertThat(zkStatus.path("kind").asText()).isEqualTo("zookeeper");
      assertThat(zkStatus.path("state").asText()).isEqualTo("CONNECTED");
      assertThat(zkStatus.path("connect").asText()).isEqualTo(zk.getConnectString());
      assertThat(zkStatus.path("sessionTimeoutMs").asLong()).isEqualTo(6000);
      assertThat(zkStatus.path("claimsHeld").asLong()).isEqualTo(1);
      assertThat(zkStatus.path("highestEpoch").asLong()).isPositive();
      assertThat(zkStatus.path("claimsWon").asLong()).isEqualTo(1);
      assertThat(StatusTable.render(status, 0)).contains("\nzookeeper CONNECTED:"
          + " sessionTimeoutMs 6000, negotiatedTimeoutMs ").doesNotContain("dropped");

      String labels = "coordinator=\"zookeeper\",group=\"web\",node=\"n1\"";
      String url = "http://127.0.0.1:" + port + "/metrics";
      assertThat(VipdMetricsTest.scrapes(url, body -> body.contains(
          "vipha_coordinator_claims_held{" + labels + "} 1.0"))).isTrue();
      String body = VipdMetricsTest.request("GET", url).body();
      assertThat(VipdMetricsTest.sample(body, "vipha_coordinator_state{" + labels
          + ",state=\"connected\"}")).isEqualTo(1);
      assertThat(VipdMetricsTest.sample(body, "vipha_coordinator_state{" + labels
          + ",state=\"suspended\"}")).isZero();
      assertThat(VipdMetricsTest.sample(body, "vipha_coordinator_session_timeout_ms{" + labels
          + "}")).isEqualTo(6000);
      assertThat(VipdMetricsTest.sample(body, "vipha_coordinator_claims_won_total{" + labels
          + "}")).isEqualTo(1);
      assertThat(VipdMetricsTest.sample(body, "vipha_coordinator_sessions_lost_total{" + labels
          + "}")).isZero();
      assertThat(d.stop("n1")).isZero();
    }
  }
}
