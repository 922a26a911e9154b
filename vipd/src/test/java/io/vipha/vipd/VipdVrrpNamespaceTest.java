package io.vipha.vipd;

import static io.vipha.vipd.NamespaceDaemons.holds;
import static io.vipha.vipd.NamespaceDaemons.log;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vipha.testkit.Commands;
import io.vipha.testkit.Keepalived;
import io.vipha.testkit.Privileged;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * vipd with {@code daemon.coordinator.vrrp} (VRID 51, 100 ms) as the master of a VRRP group whose
 * backup is keepalived 2.2.7, each in its own network namespace on one bridge: a graceful stop
 * (SIGTERM) and a crash (SIGKILL, its link cut) each hand the VIP to keepalived, and {@code
 * vipctl status} shows the router's state. Needs root and keepalived; skipped loudly without
 * them.
 */
class VipdVrrpNamespaceTest {
  @RegisterExtension final NamespaceDaemons net = new NamespaceDaemons();

  @Test
  void keepalivedTakesOverAfterAGracefulStopAndAfterACrash() throws Exception {
    Privileged.requireTool("keepalived");
    String[] ns = net.hostsOnABridge(2);
    Path config = net.write("vipha-vrrp.json", Files.readString(net.config("eth0"))
        .replace("\"daemon\": {\"keyFile\": \"" + net.dir().resolve("web.key") + "\",",
            "\"daemon\": {\"coordinator\": {\"vrrp\": {\"vrid\": 51}},")
        .replace("\"deadAfter\": 3}", "\"deadAfter\": 3, \"preemptDelay\": \"0s\"}"));
    assertThat(Files.readString(config)).contains("vrrp", "preemptDelay")
        .doesNotContain("keyFile");
    try (Keepalived k = Keepalived.start(ns[1], "eth0", NamespaceDaemons.VIP + "/24", 100,
        "0.1", net.dir(), "keepalived")) {
      for (boolean crash : new boolean[] {false, true}) {
        Path log = net.dir().resolve("n1-" + crash + ".log");
        Process vipd = net.vipd(ns[0], config, "n1", log);
        await(() -> holds(ns[0]) && !holds(ns[1]), "vipd (200) takes the VIP from keepalived"
            + " (100)", log, k);
        if (!crash) {
          String status = net.ok("n1", "status");
          assertThat(status).contains("\nvrrp MASTER: vrid 51, priority 200, masterPriority"
              + " 200, masterAddress 198.51.100.1,\n  advertisementsSent ");
          JsonNode json = new ObjectMapper().readTree(net.ok("n1", "status", "--json"));
          assertThat(json.findPath("coordinator").path("state").asText()).isEqualTo("MASTER");
          assertThat(json.findPath("coordinator").path("advertisementsSent").asLong())
              .isPositive();
        }
        if (crash) {
          vipd.destroyForcibly();
          Commands.run("ip", "-n", ns[0], "link", "set", "eth0", "down");
        } else {
          vipd.destroy();
        }
        assertThat(vipd.waitFor(30, TimeUnit.SECONDS)).isTrue();
        await(() -> holds(ns[1]), "keepalived takes the VIP", log, k);
        if (!crash) {
          assertThat(vipd.exitValue()).as("log:\n%s", log(log)).isZero();
          assertThat(holds(ns[0])).as("released on SIGTERM").isFalse();
          assertThat(log(log)).contains("VRRP group web: VRID 51 MASTER");
        }
      }
    }
  }

  private static void await(BooleanSupplier done, String what, Path log, Keepalived k)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what + "; vipd's log:\n"
            + log(log) + "\nkeepalived's log:\n" + k.log());
      }
      Thread.sleep(20);
    }
  }
}
