package io.vipha.vipd;

import static io.vipha.vipd.LocalDaemons.VIP4;
import static io.vipha.vipd.LocalDaemons.VIP6;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vipha.VirtualIp;
import io.vipha.testkit.Privileged;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** vipctl against daemons in this JVM: output, exit codes and the errors an operator meets. */
class VipctlTest extends TwoDaemons {
  private int vipctl(String... args) {
    return vipctl.run(args);
  }

  private String out() {
    return vipctl.out();
  }

  private String err() {
    return vipctl.err();
  }

  private String socket(String node) throws Exception {
    return d().socket(node).toString();
  }

  @Test
  void statusPrintsTablesByDefault() throws Exception {
    assertThat(vipctl("--socket", socket("n1"), "status")).as(err()).isZero();
    String table = out();
    assertThat(table).startsWith("group web (Active/Passive), node n1: RUNNING, quorum yes"
        + " (2 reachable, 1 required)\nconfig " + d().config + ", generation 0 (0 applied, 0"
        + " rejected), not reloaded\nscheduling ");
    // daemon.realtime auto: SCHED_RR where the test runs with CAP_SYS_NICE, else normal
    assertThat(table).containsPattern("\nscheduling (SCHED_RR 10 \\(configured auto\\)|SCHED_OTHER"
        + " \\(configured auto, not permitted: vipctl status --json says why\\))\n\n");
    assertThat(table).containsPattern("(?m)^NODE +LIVENESS +PRIORITY +ELIGIBILITY +HOLDS$");
    assertThat(table).containsPattern("(?m)^n1 \\(this node\\) +- +200 +ELIGIBLE +"
        + "(192\\.0\\.2\\.10/24 2001:db8::10/64|2001:db8::10/64 192\\.0\\.2\\.10/24)$");
    assertThat(table).containsPattern("(?m)^n2 +ALIVE \\d+s ago +100 +ELIGIBLE +-$");
    assertThat(table).containsPattern("(?m)^VIP +INTERFACE +OWNER +HELD HERE SINCE +REASON$");
    assertThat(table).containsPattern("(?m)^192\\.0\\.2\\.10/24 +eth0 +n1 +\\S+Z \\(\\d+s ago\\)"
        + " +ELECTED$");
    assertThat(table).containsPattern("(?m)^HEALTH CHECK +STATE +SINCE +PROBES +EFFECT +LAST"
        + " RESULT$");
    assertThat(table).containsPattern("(?m)^EVENTS \\(last \\d+ of \\d+\\)$");
    assertThat(table).contains("acquired 192.0.2.10/24 on eth0 (ELECTED)");
    assertThat(table).containsPattern("(?m)^COUNTERS acquired 2, released 0, driftRepairs 0,"
        + " .*,\n .*announcements \\d+, moverClaims 0, moverFailures 0,\n"
        + " +heartbeatsAccepted \\d+, heartbeatsRejected 0\n$");
    assertThat(table.substring(table.indexOf("\nCOUNTERS")).lines())
        .allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(100));
    assertThat(vipctl("--socket", socket("n1"), "status", "--events", "1")).isZero();
    assertThat(out()).containsPattern("(?m)^EVENTS \\(last 1 of \\d+\\)$");
  }

  @Test
  void statusWithJsonPrintsTheReplysResult() throws Exception {
    assertThat(vipctl("status", "--socket", socket("n2"), "--json")).isZero();
    JsonNode s = ControlProtocol.JSON.readTree(out());
    assertThat(s.path("node").asText()).isEqualTo("n2");
    assertThat(s.path("vips").get(0).path("owner").asText()).isEqualTo("n1");
    assertThat(s.path("peers").get(0).path("held").toString()).contains(VIP4, VIP6);
    assertThat(out()).contains("\n  \"group\" : \"web\""); // pretty-printed
  }

  @Test
  void findsTheSocketThroughTheConfigurationAndNode() throws Exception {
    String config = d().config.toString();
    assertThat(vipctl("--config", config, "--node", "n1", "status", "--json")).as(err())
        .isZero();
    assertThat(ControlProtocol.JSON.readTree(out()).path("node").asText()).isEqualTo("n1");
    // Without daemon.controlSocket, the default path; no daemon there.
    Path plain = dir.resolve("plain.json");
    Files.writeString(plain, Files.readString(d().config)
        .replaceAll("\"controlSocket\": \"[^\"]*\",", ""));
    assertThat(Files.readString(plain)).doesNotContain("controlSocket");
    assertThat(vipctl("--config", plain.toString(), "--node", "n2", "--group", "web",
        "status")).isEqualTo(3);
    assertThat(err()).isEqualTo("vipctl: no control socket at /run/vipha/web-n2.sock: vipd"
        + " is not running for this node (or uses another daemon.controlSocket)\n");
    assertThat(vipctl("--config", config, "--node", "n7", "status")).isEqualTo(2);
    assertThat(err()).startsWith("vipctl: node n7 is not in group web of " + config);
    assertThat(vipctl("--config", dir.resolve("none.json").toString(), "--node", "n1",
        "status")).isEqualTo(2);
    assertThat(err()).contains("cannot read the configuration").contains("no such file");
  }

  @Test
  void commandsSayWhatTheyRequestedAndExit0() throws Exception {
    String s = socket("n1");
    assertThat(vipctl("--socket", s, "announce")).isZero();
    assertThat(out()).matches("announced (192\\.0\\.2\\.10/24 2001:db8::10/64|2001:db8::10/64"
        + " 192\\.0\\.2\\.10/24)\n");
    assertThat(vipctl("--socket", socket("n2"), "announce")).isZero();
    assertThat(out()).isEqualTo("nothing announced: node n2 holds no VIP it owns (or is"
        + " joining)\n");
    assertThat(vipctl("--socket", s, "switchover", "n2")).isZero();
    assertThat(out()).isEqualTo("switchover of group web to n2 requested; the VIPs move"
        + " make-before-break (vipctl status shows the owner)\n");
    VirtualIp v = VirtualIp.of(VIP4, "eth0");
    LocalDaemons x = d();
    assertThat(LocalDaemons.await(10, () -> x.backend("n2").holds(v))).isTrue();
    assertThat(vipctl("--socket", s, "clear-switchover")).isZero();
    assertThat(out()).isEqualTo("switchover requests of group web cleared; the normal rules"
        + " decide again\n");
    assertThat(vipctl("--socket", socket("n2"), "drain")).isZero();
    assertThat(out()).isEqualTo("node n2 drains: its VIPs move to the peers"
        + " make-before-break\n");
    assertThat(LocalDaemons.await(10, () -> x.backend("n1").holds(v))).isTrue();
    assertThat(vipctl("--socket", socket("n2"), "undrain", "--json")).isZero();
    assertThat(ControlProtocol.JSON.readTree(out()).path("requested").asText())
        .isEqualTo("undrain");
  }

  @Test
  void anErrorReplyExits1WithTheDaemonsMessage() throws Exception {
    assertThat(vipctl("--socket", socket("n1"), "switchover", "n9")).isEqualTo(1);
    assertThat(err()).isEqualTo("vipctl: node n9 is not a member of group web"
        + " (bad-argument)\n");
    assertThat(out()).isEmpty();
    assertThat(vipctl("--json", "--socket", socket("n1"), "switchover", "--vip", VIP4, "n2"))
        .isEqualTo(1);
    assertThat(ControlProtocol.JSON.readTree(out()).path("error").path("code").asText())
        .isEqualTo("bad-argument");
  }

  @Test
  void aBadCommandLineExits2() {
    assertThat(vipctl()).isEqualTo(2);
    assertThat(err()).startsWith("vipctl: name a command: status, switchover,");
    assertThat(vipctl("--socket", "/x.sock", "reboot")).isEqualTo(2);
    assertThat(err()).startsWith("vipctl: Unmatched argument at index 2: 'reboot'");
    assertThat(vipctl("--socket", "/x.sock", "switchover")).isEqualTo(2);
    assertThat(err()).startsWith("vipctl: Missing required parameter: 'TARGET'");
    assertThat(vipctl("status")).isEqualTo(2);
    assertThat(err()).isEqualTo("vipctl: name the daemon: --socket PATH, or --config FILE"
        + " --node ID [--group NAME]\n");
    assertThat(vipctl("--socket", "/x.sock", "--node", "n1", "status")).isEqualTo(2);
    assertThat(err()).isEqualTo("vipctl: --socket cannot be combined with --config, --node or"
        + " --group\n");
    assertThat(vipctl("status", "--timeout", "soon", "--socket", "/x.sock")).isEqualTo(2);
  }

  @Test
  void helpListsTheCommandsAndTheExitCodes() {
    assertThat(vipctl("--help")).isZero();
    assertThat(out()).contains("Usage: vipctl", "status", "switchover", "clear-switchover",
        "drain", "undrain", "announce", "Exit codes:",
        "3   no control socket, or nobody answers on it",
        "4   permission denied on the socket");
    assertThat(vipctl("switchover", "--help")).isZero();
    assertThat(out()).contains("--vip=CIDR", "TARGET");
    assertThat(vipctl("--version")).isZero();
    assertThat(out()).startsWith("vipctl ");
  }

  @Test
  void noSocketOrNobodyListeningExits3() throws Exception {
    Path missing = dir.resolve("n1.sock");
    assertThat(vipctl("--socket", missing.toString(), "status")).isEqualTo(3);
    assertThat(err()).isEqualTo("vipctl: no control socket at " + missing + ": vipd is not"
        + " running for this node (or uses another daemon.controlSocket)\n");
    ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    dead.bind(UnixDomainSocketAddress.of(missing));
    dead.close();
    assertThat(vipctl("--socket", missing.toString(), "drain")).isEqualTo(3);
    assertThat(err()).isEqualTo("vipctl: nobody answers on " + missing + ": vipd is not running"
        + " (the socket was left by a daemon that did not stop cleanly)\n");
  }

  @Test
  void aUserWhoMayNotOpenTheSocketGetsPermissionDeniedAndExit4() throws Exception {
    Privileged.requireTool("setpriv");
    Privileged.gate(Privileged.effectiveUid() == 0 ? null : "root, to run vipctl as uid 65534",
        Privileged.required(System.getenv()));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    // The class path, where uid 65534 can read it.
    Path cp = Files.createDirectory(dir.resolve("cp"));
    List<String> entries = new ArrayList<>();
    int i = 0;
    for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      Path from = Path.of(e);
      Path to = cp.resolve(i++ + "-" + from.getFileName());
      copy(from, to);
      entries.add(to.toString());
    }
    try (Stream<Path> all = Files.walk(cp)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(
            Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
      }
    }
    String cpArg = String.join(java.io.File.pathSeparator, entries);
    Path socket = dir.resolve("n1.sock");
    Path hidden = Files.createDirectory(dir.resolve("private")).resolve("n1.sock");
    try (ControlServer s = ControlServer.open(socket, (line, client) -> "{}");
        ControlServer h = ControlServer.open(hidden, (line, client) -> "{}")) {
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
      Files.setPosixFilePermissions(hidden.getParent(), PosixFilePermissions.fromString(
          "rwx------"));
      assertThat(asNobody(cpArg, socket)).isEqualTo("4: vipctl: permission denied on " + socket
          + " (mode 0660: run vipctl as root or as the daemon's user or group)\n");
      assertThat(asNobody(cpArg, hidden)).isEqualTo("4: vipctl: permission denied: cannot"
          + " enter " + hidden.getParent() + " (run vipctl as root or as a member of the"
          + " daemon's group)\n");
      assertThat(s.requests() + h.requests()).isZero();
    }
  }

  /** vipctl status on {@code socket} as uid and gid 65534: its exit code and output. */
  private static String asNobody(String classPath, Path socket) throws Exception {
    Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534",
        "--clear-groups", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", classPath, Vipctl.class.getName(), "--socket", socket.toString(), "status")
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return p.exitValue() + ": " + output;
  }


  private static void copy(Path from, Path to) throws IOException {
    if (!Files.isDirectory(from)) {
      if (Files.exists(from)) {
        Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
      }
      return;
    }
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
