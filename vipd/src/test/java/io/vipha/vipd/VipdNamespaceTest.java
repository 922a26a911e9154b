package io.vipha.vipd;

import static io.vipha.testkit.Commands.run;
import static io.vipha.vipd.NamespaceDaemons.holds;
import static io.vipha.vipd.NamespaceDaemons.log;
import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.testkit.Privileged;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * vipd as users run it: one child JVM per network namespace ({@code ip netns exec}), two
 * namespaces joined by a veth pair, the VIP checked with {@code ip -j addr}. Needs root; skipped
 * loudly without it, failed when {@value Privileged#REQUIRE_ENV}=1.
 */
class VipdNamespaceTest {
  @RegisterExtension final NamespaceDaemons net = new NamespaceDaemons();

  @Test
  void exactlyOneHoldsTheVipAndSigtermOrSigintHandsItOverGracefully() throws Exception {
    String[] ns = net.twoHosts();
    Path config = net.config("eth0");
    Path[] logs = {net.dir().resolve("n1.log"), net.dir().resolve("n2.log")};
    Process[] p = {net.vipd(ns[0], config, "n1", logs[0]), net.vipd(ns[1], config, "n2", logs[1])};

    int owner = -1;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    int stableSamples = 0;
    while (System.nanoTime() < deadline && stableSamples < 10) {
      boolean a = holds(ns[0]);
      boolean b = holds(ns[1]);
      assertThat(a && b).as("both namespaces hold the VIP; logs:\n%s\n%s", log(logs[0]),
          log(logs[1])).isFalse();
      int now = a ? 0 : b ? 1 : -1;
      stableSamples = now >= 0 && now == owner ? stableSamples + 1 : 0;
      owner = now;
      Thread.sleep(100);
    }
    assertThat(owner).as("one namespace holds the VIP; logs:\n%s\n%s", log(logs[0]),
        log(logs[1])).isNotNegative();
    int other = 1 - owner;

    p[owner].destroy(); // SIGTERM to the JVM: `ip netns exec` execs it
    assertThat(p[owner].waitFor(30, TimeUnit.SECONDS)).as("the owner exits").isTrue();
    assertThat(p[owner].exitValue()).as("exit code after SIGTERM; log:\n%s", log(logs[owner]))
        .isZero();
    assertThat(holds(ns[other])).as("the other node holds the VIP; its log:\n%s", log(logs[other]))
        .isTrue();
    assertThat(holds(ns[owner])).as("the stopped node released the VIP").isFalse();
    assertThat(log(logs[owner])).contains("acquired 192.0.2.10/24 on eth0",
        "released 192.0.2.10/24 on eth0", "stopped; this node holds no VIPs");
    assertThat(log(logs[other])).contains("acquired 192.0.2.10/24 on eth0",
        "left (graceful stop)");

    run("kill", "-INT", Long.toString(p[other].pid())); // SIGINT (Ctrl-C) stops it the same way
    assertThat(p[other].waitFor(30, TimeUnit.SECONDS)).as("the last node exits after SIGINT;"
        + " its log:\n%s", log(logs[other])).isTrue();
    assertThat(p[other].exitValue()).as("log:\n%s", log(logs[other])).isZero();
    assertThat(holds(ns[other])).as("the last node released the VIP on its way out").isFalse();
  }

  @Test
  void namespaceManagesAnotherNamespacesAddresses() throws Exception {
    String[] ns = net.twoHosts();
    Path config = net.config("eth0");
    // Heartbeats on loopback in this process's namespace; only the addresses are in ns[0].
    int port;
    try (java.net.DatagramSocket s = new java.net.DatagramSocket(0,
        java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Files.writeString(config, Files.readString(config)
        .replace("198.51.100.1:7405", "127.0.0.1:" + port)
        .replace("198.51.100.2:7405", "127.0.0.1:" + (port == 65535 ? port - 1 : port + 1)));
    Path log = net.dir().resolve("n1.log");
    Process p = net.start(List.of(), config, "n1", log, "--namespace", ns[0]);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!holds(ns[0]) && p.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(holds(ns[0])).as("the VIP is in %s; log:\n%s", ns[0], log(log)).isTrue();
    assertThat(holds(ns[1])).isFalse();
    p.destroy();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("log:\n%s", log(log)).isZero();
    assertThat(holds(ns[0])).as("released on SIGTERM").isFalse();
  }

  @Test
  void anUnknownInterfaceExits4NamingTheInterfaces() throws Exception {
    String[] ns = net.twoHosts();
    Path log = net.dir().resolve("n1.log");
    Process p = net.vipd(ns[0], net.config("eth9"), "n1", log);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("log:\n%s", log(log)).isEqualTo(4);
    assertThat(log(log)).contains("vipd: interface eth9 (for 192.0.2.10/24) does not exist; the"
        + " interfaces are eth0, lo");
  }

  @Test
  void withoutNetAdminAndNetRawItExits77SayingHowToGrantThem() throws Exception {
    Privileged.requireTool("setpriv");
    String[] ns = net.twoHosts();
    Path log = net.dir().resolve("n1.log");
    Process p = net.start(List.of("ip", "netns", "exec", ns[0], "setpriv", "--inh-caps=-all",
        "--ambient-caps=-all", "--bounding-set=-net_admin,-net_raw"), net.config("eth0"), "n1",
        log);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("log:\n%s", log(log)).isEqualTo(77);
    assertThat(log(log)).contains("vipd: this process lacks CAP_NET_ADMIN and CAP_NET_RAW",
        "AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW");
    assertThat(holds(ns[0])).isFalse();
  }

  /**
   * Waits until only namespace {@code to} holds the VIP, checking every few milliseconds that
   * one of the two always does (make-before-break).
   */
  private static void movesWithoutAGap(String[] ns, int to) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      boolean a = holds(ns[0]);
      boolean b = holds(ns[1]);
      assertThat(a || b).as("a VIP holder at every sample").isTrue();
      if ((to == 0 ? a : b) && !(to == 0 ? b : a)) {
        return;
      }
      Thread.sleep(5);
    }
    throw new AssertionError("the VIP did not move to " + ns[to]);
  }

  @Test
  void vipctlShowsTheOwnerSwitchesOverAndDrainsMakeBeforeBreak() throws Exception {
    String[] ns = net.twoHosts();
    Path config = net.config("eth0");
    Path[] logs = {net.dir().resolve("n1.log"), net.dir().resolve("n2.log")};
    Process[] p = {net.vipd(ns[0], config, "n1", logs[0]), net.vipd(ns[1], config, "n2", logs[1])};
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    // n2 may still be starting or joining when n1 holds the VIP on a loaded host.
    while (!(holds(ns[0]) && net.vipctlOn("n2", "status")[1].contains("node n2: RUNNING"))
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(holds(ns[0])).as("n1 (priority 200) holds the VIP; logs:\n%s\n%s",
        log(logs[0]), log(logs[1])).isTrue();
    assertThat(Files.getPosixFilePermissions(net.socket("n1"))).isEqualTo(
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw----"));

    String status = net.ok("n2", "status");
    assertThat(status).startsWith("group web (Active/Passive), node n2: RUNNING, quorum yes");
    assertThat(status).containsPattern("(?m)^192\\.0\\.2\\.10/24 +eth0 +n1 +- +-$");
    assertThat(status).containsPattern("(?m)^n1 +ALIVE .*192\\.0\\.2\\.10/24$");

    assertThat(net.ok("n1", "switchover", "n2")).contains("switchover of group web to n2");
    movesWithoutAGap(ns, 1);
    assertThat(net.ok("n2", "status")).containsPattern("(?m)^192\\.0\\.2\\.10/24 +eth0 +n2 +\\S+Z"
        + " \\(\\d+s ago\\) +SWITCHOVER$");
    assertThat(net.ok("n2", "clear-switchover")).contains("cleared");

    assertThat(net.ok("n2", "drain")).isEqualTo("node n2 drains: its VIPs move to the peers"
        + " make-before-break\n");
    movesWithoutAGap(ns, 0);
    assertThat(net.ok("n2", "status")).containsPattern("(?m)^n2 \\(this node\\) +- +100 +DRAINING"
        + " +-$");
    assertThat(net.ok("n1", "status")).containsPattern("(?m)^n2 +ALIVE .* +100 +DRAINING +-$");
    net.ok("n2", "undrain");
    assertThat(net.ok("n2", "status", "--json")).contains("\"eligibility\" : \"ELIGIBLE\"");
    assertThat(holds(ns[0])).as("n1 keeps the VIP after the undrain").isTrue();
    assertThat(net.ok("n1", "announce")).isEqualTo("announced 192.0.2.10/24\n");

    for (Process proc : p) {
      proc.destroy();
      assertThat(proc.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(net.socket("n1")).as("the control socket goes with the daemon").doesNotExist();
    assertThat(net.socket("n2")).doesNotExist();
    String[] gone = NamespaceDaemons.vipctl("--socket", net.socket("n1").toString(), "status");
    assertThat(gone[0]).isEqualTo("3");
  }
}
