package io.vipha.vipd;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.VirtualIp;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** vipd with {@code daemon.coordinator.zookeeper}: a real ZooKeeper server in process. */
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
}
