package io.vipha.vipd;

import static io.vipha.vipd.NamespaceDaemons.holds;
import static io.vipha.vipd.NamespaceDaemons.log;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two vipd nodes with the Linux backend deciding through ZooKeeper: each manages the addresses of
 * its own network namespace ({@code --namespace}) and reaches a ZooKeeper server of this process
 * on the loopback address; the owner is killed (SIGKILL), and the other takes the VIP over only
 * after the dead node's kernel removed it: with a 2 s session one kernel lease after winning the
 * claim, with a 3 s session (room for a lease bounded to the session) at once. Needs root;
 * skipped loudly without it.
 */
class VipdZooKeeperNamespaceTest {
  @RegisterExtension final NamespaceDaemons net = new NamespaceDaemons();

  @Test
  void theOwnerIsKilledAndTheOtherTakesOverAfterItsKernelLease() throws Exception {
    killTheOwner("2s");
  }

  @Test
  void theOwnerIsKilledAndTheOtherTakesOverOnceItsBoundedLeaseEnded() throws Exception {
    killTheOwner("3s");
  }

  private void killTheOwner(String session) throws Exception {
    String[] ns = net.twoHosts();
    try (TestingServer zk = new TestingServer(new InstanceSpec(null, -1, -1, -1, true, 1, 500,
        -1), true)) {
      Path config = net.write("vipha-zk.json", Files.readString(net.config("eth0"))
          .replace("\"policy\": {\"heartbeatInterval\": \"100ms\", \"deadAfter\": 3}",
              "\"policy\": {\"lease\": \"2s\"}")
          .replace("\"daemon\": {", "\"daemon\": {\"coordinator\": {\"zookeeper\":"
              + " {\"connect\": \"" + zk.getConnectString() + "\", \"sessionTimeout\": \""
              + session + "\"}},"));
      Path[] logs = {net.dir().resolve("n1.log"), net.dir().resolve("n2.log")};
      Process[] p = {net.start(List.of(), config, "n1", logs[0], "--namespace", ns[0]),
          net.start(List.of(), config, "n2", logs[1], "--namespace", ns[1])};
      String why = "logs:\n%s\n%s";
      await(ns, 60, () -> holds(ns[0]) && !holds(ns[1]), why, logs);
      assertThat(log(logs[0])).contains(session.equals("3s") ? "node n1 bounds its kernel leases"
          : "node n1 cannot bound its kernel leases");
      p[0].destroyForcibly();
      assertThat(p[0].waitFor(30, TimeUnit.SECONDS)).isTrue();
      await(ns, 60, () -> holds(ns[1]) && !holds(ns[0]), why, logs);
      assertThat(log(logs[1])).contains("acquired 192.0.2.10/24 on eth0");
      p[1].destroy();
      assertThat(p[1].waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p[1].exitValue()).as("log:\n%s", log(logs[1])).isZero();
      assertThat(holds(ns[1])).as("released on SIGTERM").isFalse();
    }
  }

  /** Waits for {@code done}, checking every 20 ms that the two never hold the VIP at once. */
  private static void await(String[] ns, int seconds, java.util.function.BooleanSupplier done,
      String why, Path[] logs) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      assertThat(holds(ns[0]) && holds(ns[1])).as("both hold the VIP; " + why, log(logs[0]),
          log(logs[1])).isFalse();
      if (done.getAsBoolean()) {
        return;
      }
      Thread.sleep(20);
    }
    assertThat(done.getAsBoolean()).as(why, log(logs[0]), log(logs[1])).isTrue();
  }
}
