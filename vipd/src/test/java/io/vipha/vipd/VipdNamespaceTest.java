package io.vipha.vipd;

import static io.vipha.testkit.Commands.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.testkit.Privileged;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * vipd as users run it: one child JVM per network namespace ({@code ip netns exec}), two
 * namespaces joined by a veth pair, the VIP checked with {@code ip -j addr}. Needs root; skipped
 * loudly without it, failed when {@value Privileged#REQUIRE_ENV}=1.
 */
class VipdNamespaceTest {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static final String VIP = "192.0.2.10";

  @TempDir Path dir;
  private final List<String> namespaces = new ArrayList<>();
  private final List<Process> children = new ArrayList<>();

  @BeforeEach
  void needsNamespaces() {
    Privileged.requireNetworkNamespaces();
  }

  @AfterEach
  void cleanUp() {
    for (Process p : children) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    List<String> failures = new ArrayList<>();
    for (String ns : namespaces) {
      String failure = Privileged.run(List.of("ip", "netns", "del", ns));
      if (failure != null) {
        failures.add(failure);
      }
    }
    assertThat(failures).as("removing the test namespaces").isEmpty();
  }

  /** Two hosts: eth0 in each, joined by a veth pair, 198.51.100.1 and .2. */
  private String[] twoHosts() {
    String[] ns = new String[2];
    for (int i = 0; i < 2; i++) {
      ns[i] = "vpd-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
      run("ip", "netns", "add", ns[i]);
      namespaces.add(ns[i]);
      run("ip", "-n", ns[i], "link", "set", "lo", "up");
    }
    run("ip", "-n", ns[0], "link", "add", "eth0", "type", "veth", "peer", "name", "eth0",
        "netns", ns[1]);
    for (int i = 0; i < 2; i++) {
      run("ip", "-n", ns[i], "addr", "add", "198.51.100." + (i + 1) + "/24", "dev", "eth0");
      run("ip", "-n", ns[i], "link", "set", "eth0", "up");
    }
    return ns;
  }

  private Path config(String iface) throws IOException {
    Path key = dir.resolve("web.key");
    Files.writeString(key, Base64.getEncoder().encodeToString(new byte[32]) + "\n");
    Path file = dir.resolve("vipha-" + iface + ".json");
    Files.writeString(file, """
        {
          "groups": [
            {
              "name": "web",
              "mode": "ACTIVE_PASSIVE",
              "vips": [{"address": "192.0.2.10/24", "interface": "%s"}],
              "nodes": [
                {"id": "n1", "heartbeat": ["198.51.100.1:7405"], "priority": 200},
                {"id": "n2", "heartbeat": ["198.51.100.2:7405"], "priority": 100}
              ],
              "policy": {"heartbeatInterval": "100ms", "deadAfter": 3},
              "daemon": {"keyFile": "%s", "stateFile": "%s/{group}-{node}.state"}
            }
          ]
        }
        """.formatted(iface, key, dir));
    return file;
  }

  /** vipd in {@code ns}, its output (stdout and stderr) going to {@code log}. */
  private Process vipd(String ns, Path config, String node, Path log) throws IOException {
    List<String> cmd = List.of("ip", "netns", "exec", ns,
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Vipd.class.getName(),
        "--config", config.toString(), "--node", node, "--control-socket",
        socket(node).toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    children.add(p);
    return p;
  }

  /** The control socket of {@code node}'s vipd. */
  private Path socket(String node) {
    return dir.resolve(node + ".sock");
  }

  private static boolean holds(String ns) {
    return run("ip", "-n", ns, "-j", "addr", "show", "dev", "eth0")
        .contains("\"local\":\"" + VIP + "\"");
  }

  private static String log(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  @Test
  void exactlyOneHoldsTheVipAndSigtermOrSigintHandsItOverGracefully() throws Exception {
    String[] ns = twoHosts();
    Path config = config("eth0");
    Path[] logs = {dir.resolve("n1.log"), dir.resolve("n2.log")};
    Process[] p = {vipd(ns[0], config, "n1", logs[0]), vipd(ns[1], config, "n2", logs[1])};

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
    assertThat(p[other].waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p[other].exitValue()).as("log:\n%s", log(logs[other])).isZero();
    assertThat(holds(ns[other])).as("the last node released the VIP on its way out").isFalse();
  }

  @Test
  void namespaceManagesAnotherNamespacesAddresses() throws Exception {
    String[] ns = twoHosts();
    Path config = config("eth0");
    // Heartbeats on loopback in this process's namespace; only the addresses are in ns[0].
    int port;
    try (java.net.DatagramSocket s = new java.net.DatagramSocket(0,
        java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Files.writeString(config, Files.readString(config)
        .replace("198.51.100.1:7405", "127.0.0.1:" + port)
        .replace("198.51.100.2:7405", "127.0.0.1:" + (port == 65535 ? port - 1 : port + 1)));
    Path log = dir.resolve("n1.log");
    Process p = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Vipd.class.getName(),
        "--config", config.toString(), "--node", "n1", "--namespace", ns[0],
        "--control-socket", socket("n1").toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    children.add(p);
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
    String[] ns = twoHosts();
    Path log = dir.resolve("n1.log");
    Process p = vipd(ns[0], config("eth9"), "n1", log);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("log:\n%s", log(log)).isEqualTo(4);
    assertThat(log(log)).contains("vipd: interface eth9 (for 192.0.2.10/24) does not exist; the"
        + " interfaces are eth0, lo");
  }

  @Test
  void withoutNetAdminAndNetRawItExits77SayingHowToGrantThem() throws Exception {
    Privileged.requireTool("setpriv");
    String[] ns = twoHosts();
    Path log = dir.resolve("n1.log");
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns[0], "setpriv",
        "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-net_admin,-net_raw",
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Vipd.class.getName(),
        "--config", config("eth0").toString(), "--node", "n1", "--control-socket",
        socket("n1").toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
        .start();
    children.add(p);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("log:\n%s", log(log)).isEqualTo(77);
    assertThat(log(log)).contains("vipd: this process lacks CAP_NET_ADMIN and CAP_NET_RAW",
        "AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW");
    assertThat(holds(ns[0])).isFalse();
  }

  /** vipctl with {@code args}; its exit code, stdout and stderr. */
  private static String[] vipctl(String... args) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    int code = Vipctl.run(new java.io.PrintStream(out, true, StandardCharsets.UTF_8),
        new java.io.PrintStream(err, true, StandardCharsets.UTF_8), args);
    return new String[] {String.valueOf(code), out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8)};
  }

  /** vipctl on {@code node}'s socket, which must succeed; its stdout. */
  private String ok(String node, String... command) {
    List<String> args = new ArrayList<>(List.of("--socket", socket(node).toString()));
    args.addAll(List.of(command));
    String[] r = vipctl(args.toArray(String[]::new));
    assertThat(r[0]).as("vipctl %s: %s", args, r[2]).isEqualTo("0");
    return r[1];
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
    String[] ns = twoHosts();
    Path config = config("eth0");
    Path[] logs = {dir.resolve("n1.log"), dir.resolve("n2.log")};
    Process[] p = {vipd(ns[0], config, "n1", logs[0]), vipd(ns[1], config, "n2", logs[1])};
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    // n2 may still be starting or joining when n1 holds the VIP on a loaded host.
    while (!(holds(ns[0]) && vipctl("--socket", socket("n2").toString(), "status")[1]
        .contains("node n2: RUNNING")) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(holds(ns[0])).as("n1 (priority 200) holds the VIP; logs:\n%s\n%s",
        log(logs[0]), log(logs[1])).isTrue();
    assertThat(Files.getPosixFilePermissions(socket("n1"))).isEqualTo(
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw----"));

    String status = ok("n2", "status");
    assertThat(status).startsWith("group web (Active/Passive), node n2: RUNNING, quorum yes");
    assertThat(status).containsPattern("(?m)^192\\.0\\.2\\.10/24 +eth0 +n1 +- +-$");
    assertThat(status).containsPattern("(?m)^n1 +ALIVE .*192\\.0\\.2\\.10/24$");

    assertThat(ok("n1", "switchover", "n2")).contains("switchover of group web to n2");
    movesWithoutAGap(ns, 1);
    assertThat(ok("n2", "status")).containsPattern("(?m)^192\\.0\\.2\\.10/24 +eth0 +n2 +\\S+Z"
        + " \\(\\d+s ago\\) +SWITCHOVER$");
    assertThat(ok("n2", "clear-switchover")).contains("cleared");

    assertThat(ok("n2", "drain")).isEqualTo("node n2 drains: its VIPs move to the peers"
        + " make-before-break\n");
    movesWithoutAGap(ns, 0);
    assertThat(ok("n2", "status")).containsPattern("(?m)^n2 \\(this node\\) +- +100 +DRAINING"
        + " +-$");
    assertThat(ok("n1", "status")).containsPattern("(?m)^n2 +ALIVE .* +100 +DRAINING +-$");
    ok("n2", "undrain");
    assertThat(ok("n2", "status", "--json")).contains("\"eligibility\" : \"ELIGIBLE\"");
    assertThat(holds(ns[0])).as("n1 keeps the VIP after the undrain").isTrue();
    assertThat(ok("n1", "announce")).isEqualTo("announced 192.0.2.10/24\n");

    for (Process proc : p) {
      proc.destroy();
      assertThat(proc.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(socket("n1")).as("the control socket goes with the daemon").doesNotExist();
    assertThat(socket("n2")).doesNotExist();
    String[] gone = vipctl("--socket", socket("n1").toString(), "status");
    assertThat(gone[0]).isEqualTo("3");
  }
}
