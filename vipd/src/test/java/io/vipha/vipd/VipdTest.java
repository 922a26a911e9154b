package io.vipha.vipd;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.VirtualIp;
import io.vipha.agent.EventLoopScheduler;
import io.vipha.config.DaemonSettings;
import io.vipha.spi.BackendException;
import io.vipha.testing.InMemoryBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exit codes and messages, with the backend replaced: no root needed. */
class VipdTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final EventLoopScheduler clock = new EventLoopScheduler("test-clock");
  private Path key = Path.of("unset");

  @BeforeEach
  void key() throws IOException {
    key = dir.resolve("web.key");
    Files.writeString(key, Base64.getEncoder().encodeToString(new byte[32]) + "\n");
  }

  @AfterEach
  void close() {
    clock.close();
  }

  private Path config(int port, String daemon) throws IOException {
    return config(port, daemon, "192.0.2.10/24");
  }

  private Path config(int port, String daemon, String vip) throws IOException {
    Path file = dir.resolve("vipha.json");
    Files.writeString(file, """
        {
          "groups": [
            {
              "name": "web",
              "mode": "ACTIVE_PASSIVE",
              "vips": [{"address": "%s", "interface": "eth0"}],
              "nodes": [
                {"id": "n1", "heartbeat": ["127.0.0.1:%d"]},
                {"id": "n2", "heartbeat": ["127.0.0.1:%d"]}
              ],
              "policy": {"heartbeatInterval": "100ms", "deadAfter": 3}%s
            }
          ]
        }
        """.formatted(vip, port, port + 1, daemon));
    return file;
  }

  private Path config(int port) throws IOException {
    return config(port, ",\n\"daemon\": {\"keyFile\": \"" + key + "\"}");
  }

  private static int freePort() throws IOException {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** A daemon whose default state file is in the test's directory. */
  private Vipd vipd(Vipd.Backends backends) {
    return new Vipd(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), backends, false,
        dir.resolve("state").resolve("{group}-{node}.state").toString()).controlDirectory(dir);
  }

  private int run(Vipd.Backends backends, String... args) {
    return vipd(backends).run(args);
  }

  private int run(String... args) {
    return run((ns, daemon) -> new InMemoryBackend(clock, Set.of("lo", "eth0")), args);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void helpAndVersionExit0() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: vipd --config FILE",
        "Exit codes:");
    assertThat(run("--version")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).containsPattern("vipd \\S+");
  }

  @Test
  void aBadCommandLineExits2() {
    assertThat(run("--config", "x.json")).isEqualTo(2);
    assertThat(err()).isEqualTo("vipd: --node ID is required\nRun vipd --help for the"
        + " options.\n");
  }

  @Test
  void checkValidatesAndExits0() throws IOException {
    assertThat(run("--config", config(7405).toString(), "--node", "n1", "--check")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("is valid: group web, node n1,"
        + " 1 VIP(s), 2 node(s), 0 health check(s)");
  }

  @Test
  void anInvalidConfigurationExits2WithEveryProblemAndItsPosition() throws IOException {
    Path file = config(7405, ",\n\"daemon\": {\"keyFile\": \"relative.key\", \"colour\": 1}");
    assertThat(run("--config", file.toString(), "--node", "n1")).isEqualTo(2);
    assertThat(err()).contains("the configuration " + file + " is invalid:\n",
        "  groups[0].daemon.keyFile: \"relative.key\" is not an absolute path; write e.g."
            + " /etc/vipha/web.key (line 12, column 23)",
        "  groups[0].daemon.colour: is not a known field; allowed here: keyFile, keyId,"
            + " acceptKey, multicast, reconcileInterval, healthChecks, preferredLifetimeZero,"
            + " linkDown, stateFile, controlSocket, metrics, notify, warmup, coordinator, movers,"
            + " realtime (line 12, column 39)");
  }

  @Test
  void aVrrpGroupNeedsNoHeartbeatKeyAndIsChecked() throws IOException {
    Path file = config(7405, ",\n\"daemon\": {\"coordinator\": {\"vrrp\": {\"vrid\": 51}}}");
    assertThat(run("--config", file.toString(), "--node", "n1", "--check")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("is valid: group web, node n1");
    Path bad = config(7405, ",\n\"daemon\": {\"coordinator\": {\"vrrp\": {\"vrid\": 0}}}");
    assertThat(run("--config", bad.toString(), "--node", "n1")).isEqualTo(2);
    assertThat(err()).contains("groups[0].daemon.coordinator.vrrp.vrid: \"0\" is not a VRID");
  }

  @Test
  void malformedJsonExits2WithItsPosition() throws IOException {
    Path file = dir.resolve("broken.json");
    Files.writeString(file, "{\"groups\": [\n  {\"name\": \"web\",,}]}");
    assertThat(run("--config", file.toString(), "--node", "n1")).isEqualTo(2);
    assertThat(err()).contains("is not valid JSON", "(line 2, column");
  }

  @Test
  void aMissingFileExits2() {
    assertThat(run("--config", dir.resolve("none.json").toString(), "--node", "n1"))
        .isEqualTo(2);
    assertThat(err()).contains("cannot read the configuration", "no such file");
  }

  @Test
  void anUnknownNodeOrGroupExits2() throws IOException {
    String file = config(7405).toString();
    assertThat(run("--config", file, "--node", "n9")).isEqualTo(2);
    assertThat(err()).contains("node n9 is not in group web", "its nodes are n1, n2");
    assertThat(run("--config", file, "--node", "n1", "--group", "db")).isEqualTo(2);
    assertThat(err()).contains("has no group db; its groups are web");
  }

  @Test
  void aMissingKeyExits2() throws IOException {
    assertThat(run("--config", config(7405, "").toString(), "--node", "n1")).isEqualTo(2);
    assertThat(err()).contains("no heartbeat key: give --key-file FILE or set");
    err.reset();
    assertThat(run("--config", config(7405, "").toString(), "--node", "n1", "--key-file",
        dir.resolve("absent.key").toString())).isEqualTo(2);
    assertThat(err()).contains("absent.key (--key-file) does not exist");
    err.reset();
    Path shortKey = dir.resolve("short.key");
    Files.writeString(shortKey, "c2hvcnQ=\n");
    assertThat(run("--config", config(7405, "").toString(), "--node", "n1", "--key-file",
        shortKey.toString())).isEqualTo(2);
    assertThat(err()).contains("holds 5 bytes; a key needs at least 32");
  }

  @Test
  void bothKeyFilesProblemsAreListedAtOnceAndCheckNamesTheKeys() throws IOException {
    Path absent = dir.resolve("absent.key");
    Path shortKey = dir.resolve("short.key");
    Files.writeString(shortKey, "c2hvcnQ=\n");
    assertThat(run("--config", config(7405, ",\n\"daemon\": {\"keyFile\": \"" + shortKey
        + "\", \"acceptKey\": {\"id\": 2, \"file\": \"" + absent + "\"}}").toString(),
        "--node", "n1")).isEqualTo(2);
    assertThat(err()).isEqualTo("vipd: the heartbeat keys of group web are wrong:\n"
        + "  heartbeat key file " + shortKey + " holds 5 bytes; a key needs at least 32 random"
        + " bytes (the daemon.keyFile of group web)\n"
        + "  the heartbeat key file " + absent + " (the daemon.acceptKey of group web) does not"
        + " exist or is not a file; make one with: head -c 32 /dev/urandom | base64 > " + absent
        + "\n");
    assertThat(run("--config", config(7405, ",\n\"daemon\": {\"keyFile\": \"" + key
        + "\", \"keyId\": 3, \"acceptKey\": {\"id\": 2, \"file\": \"" + key + "\"}}")
        .toString(), "--node", "n1", "--check")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("signing key 3 (" + key
        + "), accepting key 2 (" + key + ")");
  }

  @Test
  void aMissingPrivilegeExits77WithTheBackendsMessage() throws IOException {
    String why = "this process lacks CAP_NET_ADMIN and CAP_NET_RAW: vipha's Linux backend needs"
        + " them";
    assertThat(run((ns, daemon) -> {
      throw new BackendException(BackendException.Kind.PERMISSION, why);
    }, "--config", config(freePort()).toString(), "--node", "n1")).isEqualTo(77);
    assertThat(err()).isEqualTo("vipd: " + why + "\n");
  }

  @Test
  void theBackendIsOpenedWithTheDaemonSettings() throws IOException {
    AtomicReference<DaemonSettings> seen = new AtomicReference<>();
    Vipd.Backends recording = (ns, daemon) -> {
      seen.set(daemon);
      throw new BackendException(BackendException.Kind.UNSUPPORTED, "recorded");
    };
    assertThat(run(recording, "--config", config(freePort(), ",\n\"daemon\": {\"keyFile\": \""
        + key + "\", \"preferredLifetimeZero\": true}").toString(), "--node", "n1"))
        .isEqualTo(5);
    assertThat(seen.get()).extracting(DaemonSettings::preferredLifetimeZero).isEqualTo(true);
    assertThat(run(recording, "--config", config(freePort()).toString(), "--node", "n1"))
        .isEqualTo(5);
    assertThat(seen.get()).extracting(DaemonSettings::preferredLifetimeZero).isEqualTo(false);
  }

  @Test
  void anUnsupportedPlatformExits5() throws IOException {
    assertThat(run((ns, daemon) -> {
      throw new BackendException(BackendException.Kind.UNSUPPORTED, "needs Linux");
    }, "--config", config(freePort()).toString(), "--node", "n1")).isEqualTo(5);
  }

  @Test
  void anUnknownInterfaceExits4ListingTheInterfaces() throws IOException {
    assertThat(run((ns, daemon) -> new InMemoryBackend(clock, Set.of("lo", "ens3")), "--config",
        config(freePort()).toString(), "--node", "n1")).isEqualTo(4);
    assertThat(err()).isEqualTo("vipd: interface eth0 (for 192.0.2.10/24) does not exist; the"
        + " interfaces are ens3, lo\n");
  }

  @Test
  void printsAnIpv6VipInItsCompressedForm() throws IOException {
    Path file = config(freePort(), ",\n\"daemon\": {\"keyFile\": \"" + key + "\"}",
        "2001:0DB8:0:0:0:0:0:0010/64");
    assertThat(run((ns, daemon) -> new InMemoryBackend(clock, Set.of("lo", "ens3")), "--config",
        file.toString(), "--node", "n1")).isEqualTo(4);
    assertThat(err()).isEqualTo("vipd: interface eth0 (for 2001:db8::10/64) does not exist; the"
        + " interfaces are ens3, lo\n");
    assertThat(Vipd.vipList(io.vipha.config.VipConfig.read(file).groups().get(0)))
        .isEqualTo("VIP 2001:db8::10/64 on eth0");
  }

  @Test
  void aHeartbeatPortInUseExits3() throws IOException {
    try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(
        InetAddress.getLoopbackAddress(), 0))) {
      assertThat(run("--config", config(taken.getLocalPort()).toString(), "--node", "n1"))
          .isEqualTo(3);
      assertThat(err()).startsWith("vipd: cannot start the heartbeat on 127.0.0.1:"
          + taken.getLocalPort() + ": ");
    }
  }

  @Test
  void aControlSocketThatAnotherDaemonAnswersOnExits7AndIsLeftAlone() throws Exception {
    Path socket = dir.resolve("web-n1.sock");
    try (ControlServer other = ControlServer.open(socket, (line, client) -> "{}")) {
      assertThat(run("--config", config(freePort()).toString(), "--node", "n1")).isEqualTo(7);
      assertThat(err()).isEqualTo("vipd: another vipd answers on the control socket " + socket
          + "; it runs this node already (or set another daemon.controlSocket)\n");
      assertThat(socket).exists();
    }
  }

  @Test
  void runsUntilStoppedAndReleasesGracefully() throws Exception {
    InMemoryBackend backend = new InMemoryBackend(clock, Set.of("lo", "eth0"));
    VirtualIp vip = VirtualIp.of("192.0.2.10/24", "eth0");
    Vipd vipd = vipd((ns, daemon) -> backend);
    String file = config(freePort()).toString();
    CompletableFuture<Integer> code = CompletableFuture.supplyAsync(
        () -> vipd.run("--config", file, "--node", "n1"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!backend.holds(vip) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(backend.holds(vip)).as("n1 alone takes the VIP").isTrue();
    vipd.shutdown();
    assertThat(code.get(10, TimeUnit.SECONDS)).isZero();
    assertThat(backend.holds(vip)).as("a graceful stop releases the VIP").isFalse();
  }

  @Test
  void anUnknownMulticastInterfaceExits4() throws IOException {
    int port = freePort();
    String daemon = ",\n\"daemon\": {\"keyFile\": \"" + key + "\", \"multicast\": {\"group\":"
        + " \"239.255.86.1:" + port + "\", \"interface\": \"nosuch0\"}}";
    assertThat(run("--config", config(port, daemon).toString(), "--node", "n1")).isEqualTo(4);
    assertThat(err()).startsWith("vipd: interface nosuch0 (for the heartbeat multicast group"
        + " 239.255.86.1:" + port + ") does not exist; the interfaces are ").contains("lo");
  }

  @Test
  void aMulticastPortOtherThanTheHeartbeatPortsExits2() throws IOException {
    int port = freePort();
    String daemon = ",\n\"daemon\": {\"keyFile\": \"" + key + "\", \"multicast\": {\"group\":"
        + " \"239.255.86.1:" + (port == 1 ? 2 : port - 1) + "\", \"interface\": \"lo\"}}";
    assertThat(run("--config", config(port, daemon).toString(), "--node", "n1")).isEqualTo(2);
    assertThat(err()).startsWith("vipd: cannot start the heartbeat on 127.0.0.1:" + port);
  }

  /** Runs n1 alone with one exec health check; whether it took the VIP within 3 seconds. */
  private boolean takesTheVipWithCheck(String command) throws Exception {
    return takesTheVip(backend -> { }, ", \"healthChecks\": [{\"name\": \"probe\","
        + " \"exec\": [\"" + command + "\"], \"interval\": \"100ms\", \"timeout\": \"90ms\","
        + " \"rise\": 1, \"fall\": 1}]");
  }

  /**
   * Runs n1 alone on a backend that {@code prepare} sets up, with {@code daemon} added to the
   * daemon object after the key file; whether it took the VIP within 3 seconds.
   */
  private boolean takesTheVip(Consumer<InMemoryBackend> prepare, String daemon) throws Exception {
    InMemoryBackend backend = new InMemoryBackend(clock, Set.of("lo", "eth0"));
    prepare.accept(backend);
    VirtualIp vip = VirtualIp.of("192.0.2.10/24", "eth0");
    Vipd vipd = vipd((ns, d) -> backend);
    String file = config(freePort(), ",\n\"daemon\": {\"keyFile\": \"" + key + "\"" + daemon
        + "}").toString();
    CompletableFuture<Integer> code = CompletableFuture.supplyAsync(
        () -> vipd.run("--config", file, "--node", "n1"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (!backend.holds(vip) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    boolean took = backend.holds(vip);
    vipd.shutdown();
    assertThat(code.get(10, TimeUnit.SECONDS)).isZero();
    return took;
  }

  /** Runs n1 until it holds the VIP, then stops it; its exit code. */
  private int runOnce(String file) throws Exception {
    InMemoryBackend backend = new InMemoryBackend(clock, Set.of("lo", "eth0"));
    VirtualIp vip = VirtualIp.of("192.0.2.10/24", "eth0");
    Vipd vipd = vipd((ns, d) -> backend);
    CompletableFuture<Integer> code = CompletableFuture.supplyAsync(
        () -> vipd.run("--config", file, "--node", "n1"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!backend.holds(vip) && !code.isDone() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    vipd.shutdown();
    return code.get(10, TimeUnit.SECONDS);
  }

  private static long incarnation(Path state) throws IOException {
    String text = Files.readString(state);
    assertThat(text).startsWith("vipha-state 1\nincarnation ");
    return Long.parseLong(text.lines().toList().get(1).substring("incarnation ".length()));
  }

  @Test
  void theStateFileIsCreatedAndEachStartTakesAHigherIncarnation() throws Exception {
    String file = config(freePort()).toString();
    Path state = dir.resolve("state").resolve("web-n1.state");
    assertThat(run("--config", file, "--node", "n1", "--check")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains(", state file " + state);
    assertThat(state).doesNotExist();
    assertThat(runOnce(file)).isZero();
    long first = incarnation(state);
    // A later start: even with a stored incarnation far ahead of the wall clock, it goes up.
    long ahead = first + 1_000_000_000_000L;
    Files.writeString(state, Files.readString(state).replace("incarnation " + first,
        "incarnation " + ahead));
    assertThat(runOnce(file)).isZero();
    assertThat(incarnation(state)).isEqualTo(ahead + 1);
    // An explicit daemon.stateFile, with placeholders.
    Path mine = dir.resolve("mine").resolve("n1-of-web");
    String explicit = config(freePort(), ",\n\"daemon\": {\"keyFile\": \"" + key
        + "\", \"stateFile\": \"" + dir.resolve("mine") + "/{node}-of-{group}\"}").toString();
    assertThat(runOnce(explicit)).isZero();
    assertThat(incarnation(mine)).isPositive();
  }

  @Test
  void aCorruptOrUnwritableStateFileExits6() throws Exception {
    String file = config(freePort()).toString();
    Path state = dir.resolve("state").resolve("web-n1.state");
    Files.createDirectories(state.getParent());
    Files.writeString(state, "vipha-state 1\nincarnation twelve\n");
    assertThat(runOnce(file)).isEqualTo(6);
    assertThat(err()).startsWith("vipd: the node state " + state + " is corrupt: ")
        .contains("move it away to start afresh", "(daemon.stateFile of group web)");
    assertThat(Files.readString(state)).as("left as it was").contains("twelve");

    err.reset();
    Files.delete(state);
    Files.createDirectory(state); // a directory where the file belongs: it cannot be written
    assertThat(runOnce(file)).isEqualTo(6);
    assertThat(err()).startsWith("vipd: ");
    assertThat(err()).contains(state.toString());

    err.reset();
    Path blocked = dir.resolve("plain-file");
    Files.writeString(blocked, "");
    String under = config(freePort(), ",\n\"daemon\": {\"keyFile\": \"" + key
        + "\", \"stateFile\": \"" + blocked + "/web.state\"}").toString();
    assertThat(runOnce(under)).isEqualTo(6);
    assertThat(err()).startsWith("vipd: cannot create the directory of the node state file "
        + blocked + "/web.state");
  }

  @Test
  void healthChecksFromTheConfigurationDecideEligibility() throws Exception {
    assertThat(takesTheVipWithCheck("/bin/true")).as("a passing check").isTrue();
    assertThat(takesTheVipWithCheck("/bin/false")).as("a failing check disqualifies").isFalse();
  }

  /** Runs n1 alone with eth0 down; whether it took the VIP within 3 seconds. */
  private boolean takesTheVipWithItsLinkDown(String daemon) throws Exception {
    return takesTheVip(backend -> backend.setLink("eth0", false), daemon);
  }

  @Test
  void theLinkDownEffectComesFromTheConfiguration() throws Exception {
    assertThat(takesTheVipWithItsLinkDown("")).as("by default a down link disqualifies")
        .isFalse();
    assertThat(takesTheVipWithItsLinkDown(", \"linkDown\": \"disqualify\"")).isFalse();
    assertThat(takesTheVipWithItsLinkDown(", \"linkDown\": -50"))
        .as("a weight only lowers the priority: the only node still takes the VIP").isTrue();
  }

  @Test
  void aPermissionErrorWhileRunningExits77() throws Exception {
    InMemoryBackend backend = new InMemoryBackend(clock, Set.of("lo", "eth0"));
    Vipd vipd = vipd((ns, daemon) -> backend);
    String file = config(freePort()).toString();
    backend.failWith(new BackendException(BackendException.Kind.PERMISSION, "RTM_NEWADDR was"
        + " refused with EPERM"));
    // The start-up check of the interfaces fails first: the same kind, the same exit code.
    assertThat(vipd.run("--config", file, "--node", "n1")).isEqualTo(77);
    assertThat(err()).contains("RTM_NEWADDR was refused with EPERM");
  }

  @Test
  void theSampleConfigurationIsValidAndTheReadmeShowsIt() throws IOException {
    Path sample = Path.of("config/vipd-web.json");
    assertThat(run("--config", sample.toString(), "--node", "n2", "--key-file", key.toString(),
        "--check")).as(err()).isZero();
    assertThat(Files.readString(Path.of("../README.md"))).contains(Files.readString(sample));
  }

  @Test
  void theSystemdUnitGrantsOnlyTheTwoCapabilitiesToANonRootUser() throws IOException {
    String unit = Files.readString(Path.of("systemd/vipd.service"));
    assertThat(unit).contains("\nUser=vipha\n", "\nAmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW\n",
        "\nCapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW\n", "\nNoNewPrivileges=yes\n",
        "\nRestart=on-failure\n", "\nRestartPreventExitStatus=2 4 5 6 7 77\n",
        "\nStateDirectory=vipha\n", "\nRuntimeDirectory=vipha\n",
        "\nRuntimeDirectoryMode=0750\n", "\nExecReload=/bin/kill -HUP $MAINPID\n");
    String service = unit.substring(unit.indexOf("[Service]"), unit.indexOf("\n[Install]"))
        .lines().filter(l -> !l.startsWith("#")).collect(Collectors.joining("\n"));
    assertThat(Files.readString(Path.of("../README.md"))).contains(service);
  }

  @Test
  void durationsAreWrittenAsPeopleWriteThem() {
    assertThat(Vipd.text(java.time.Duration.ofMillis(100))).isEqualTo("100ms");
    assertThat(Vipd.text(java.time.Duration.ofSeconds(3))).isEqualTo("3s");
    assertThat(Vipd.text(java.time.Duration.ofMillis(5700))).isEqualTo("5.7s");
  }
}
