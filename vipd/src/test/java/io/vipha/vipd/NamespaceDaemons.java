package io.vipha.vipd;

import static io.vipha.testkit.Commands.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.testkit.Privileged;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The fixtures of the tests that run vipd as users run it, one child JVM per network namespace
 * ({@code ip netns exec}): the namespaces (named {@code vpd-PID-N}), the group's configuration
 * (group {@code web}, VIP {@value #VIP}/24 on {@code eth0}, n1 heartbeating from 198.51.100.1,
 * n2 from 198.51.100.2), the daemons and vipctl. A JUnit extension, registered per test:
 *
 * <pre>{@code
 * @RegisterExtension final NamespaceDaemons net = new NamespaceDaemons();
 * }</pre>
 *
 * <p>Before each test it checks for root and network namespaces ({@link
 * Privileged#requireNetworkNamespaces()}: skipped loudly without them, failed when {@value
 * Privileged#REQUIRE_ENV}=1) and makes the test's directory ({@link #dir()}); after it (and after
 * the test's own {@code @AfterEach}) it kills the daemons, deletes the namespaces and the
 * directory, also after a failed test.
 */
final class NamespaceDaemons implements BeforeEachCallback, AfterEachCallback {
  static final String VIP = "192.0.2.10";
  private static final AtomicInteger COUNTER = new AtomicInteger();

  private final List<String> namespaces = new ArrayList<>();
  private final List<Process> children = new ArrayList<>();
  private @Nullable Path dir;

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    Privileged.requireNetworkNamespaces();
    dir = Files.createTempDirectory("vipd-ns-");
  }

  /** The test's directory: configuration, key, logs and control sockets. */
  Path dir() {
    return Objects.requireNonNull(dir, "no test is running");
  }

  /** A new namespace with its loopback up. */
  String namespace() {
    String ns = "vpd-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
    run("ip", "netns", "add", ns);
    namespaces.add(ns);
    run("ip", "-n", ns, "link", "set", "lo", "up");
    return ns;
  }

  /** Two hosts: eth0 in each, joined by a veth pair, 198.51.100.1 and .2. */
  String[] twoHosts() {
    String[] ns = {namespace(), namespace()};
    run("ip", "-n", ns[0], "link", "add", "eth0", "type", "veth", "peer", "name", "eth0",
        "netns", ns[1]);
    for (int i = 0; i < 2; i++) {
      address(ns[i], "198.51.100." + (i + 1) + "/24");
      run("ip", "-n", ns[i], "link", "set", "eth0", "up");
    }
    return ns;
  }

  /**
   * {@code count} hosts on one Ethernet segment: a Linux bridge in a namespace of its own, and
   * for each host an {@code eth0} joined to it by a veth pair. Host {@code i} has
   * 198.51.100.(i+1)/24.
   */
  String[] hostsOnABridge(int count) {
    String sw = namespace();
    run("ip", "-n", sw, "link", "add", "br0", "type", "bridge");
    run("ip", "-n", sw, "link", "set", "br0", "up");
    String[] ns = new String[count];
    for (int i = 0; i < count; i++) {
      ns[i] = namespace();
      String port = "port" + i;
      run("ip", "-n", sw, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns",
          ns[i]);
      run("ip", "-n", sw, "link", "set", port, "master", "br0");
      run("ip", "-n", sw, "link", "set", port, "up");
      address(ns[i], "198.51.100." + (i + 1) + "/24");
      run("ip", "-n", ns[i], "link", "set", "eth0", "up");
    }
    return ns;
  }

  /** Adds {@code cidr} to {@code eth0} in {@code ns}. */
  static void address(String ns, String cidr) {
    run("ip", "-n", ns, "addr", "add", cidr, "dev", "eth0");
  }

  /** {@link #config(String, String, int, int)} with a 100 ms heartbeat, n1 200 and n2 100. */
  Path config(String iface) throws IOException {
    return config(iface, "100ms", 200, 100);
  }

  /**
   * Writes (or rewrites whole, as an editor saves) the configuration {@code vipha-IFACE.json}:
   * the VIP on {@code iface}, heartbeats every {@code interval} (dead after 3), n1 and n2 with
   * priorities {@code p1} and {@code p2}, an all-zero key; its path.
   */
  Path config(String iface, String interval, int p1, int p2) throws IOException {
    Path key = dir().resolve("web.key");
    Files.writeString(key, Base64.getEncoder().encodeToString(new byte[32]) + "\n");
    return write("vipha-" + iface + ".json", """
        {
          "groups": [
            {
              "name": "web",
              "mode": "ACTIVE_PASSIVE",
              "vips": [{"address": "192.0.2.10/24", "interface": "%s"}],
              "nodes": [
                {"id": "n1", "heartbeat": ["198.51.100.1:7405"], "priority": %d},
                {"id": "n2", "heartbeat": ["198.51.100.2:7405"], "priority": %d}
              ],
              "policy": {"heartbeatInterval": "%s", "deadAfter": 3},
              "daemon": {"keyFile": "%s", "stateFile": "%s/{group}-{node}.state"}
            }
          ]
        }
        """.formatted(iface, p1, p2, interval, key, dir()));
  }

  /** Writes {@code text} to {@code name} in the directory whole (a rename); its path. */
  Path write(String name, String text) throws IOException {
    Path file = dir().resolve(name);
    Path tmp = dir().resolve(name + ".tmp");
    Files.writeString(tmp, text);
    return Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  /** vipd in {@code ns}, its output (stdout and stderr) going to {@code log}. */
  Process vipd(String ns, Path config, String node, Path log) throws IOException {
    return start(List.of("ip", "netns", "exec", ns), config, node, log);
  }

  /**
   * vipd for {@code node} run by the command {@code prefix} (such as {@code ip netns exec NS}),
   * with {@code extra} arguments after its own; its output goes to {@code log}.
   */
  Process start(List<String> prefix, Path config, String node, Path log, String... extra)
      throws IOException {
    // A test JVM started in the background or under nohup inherits SIGINT or SIGHUP ignored, and
    // so would vipd, whose JVM then leaves them ignored: start it with them at their defaults, as
    // a service manager does.
    List<String> cmd = new ArrayList<>(List.of("env", "--default-signal=HUP,INT,TERM"));
    cmd.addAll(prefix);
    cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Vipd.class.getName(),
        "--config", config.toString(), "--node", node, "--control-socket",
        socket(node).toString()));
    cmd.addAll(List.of(extra));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    children.add(p);
    return p;
  }

  /**
   * Watches the VIP's address in {@code ns} with {@code ip -o monitor address} (rtnetlink
   * events, so a removal that is undone at once is seen too): every line about the VIP, in
   * order, is added to {@code into}, which the caller reads under its lock.
   */
  void watchVip(String ns, List<String> into) throws IOException {
    Process p = new ProcessBuilder("ip", "-n", ns, "-o", "monitor", "address")
        .redirectErrorStream(true).start();
    children.add(p);
    Thread t = new Thread(() -> {
      try (var r = p.inputReader(StandardCharsets.UTF_8)) {
        for (String line; (line = r.readLine()) != null; ) {
          if (line.contains(" " + VIP + "/")) {
            synchronized (into) {
              into.add(line);
            }
          }
        }
      } catch (IOException e) {
        // the monitor was stopped
      }
    }, "vip-watch-" + ns);
    t.setDaemon(true);
    t.start();
  }

  /** The control socket of {@code node}'s vipd. */
  Path socket(String node) {
    return dir().resolve(node + ".sock");
  }

  /** Whether {@code eth0} in {@code ns} has the VIP. */
  static boolean holds(String ns) {
    return run("ip", "-n", ns, "-j", "addr", "show", "dev", "eth0")
        .contains("\"local\":\"" + VIP + "\"");
  }

  /** The text of a daemon's log. */
  static String log(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  /** vipctl with {@code args}; its exit code, stdout and stderr. */
  static String[] vipctl(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Vipctl.run(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), args);
    return new String[] {String.valueOf(code), out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8)};
  }

  /** vipctl on {@code node}'s socket; its exit code, stdout and stderr. */
  String[] vipctlOn(String node, String... command) {
    List<String> args = new ArrayList<>(List.of("--socket", socket(node).toString()));
    args.addAll(List.of(command));
    return vipctl(args.toArray(String[]::new));
  }

  /** vipctl on {@code node}'s socket, which must succeed; its stdout. */
  String ok(String node, String... command) {
    String[] r = vipctlOn(node, command);
    assertThat(r[0]).as("vipctl %s %s: %s", node, List.of(command), r[2]).isEqualTo("0");
    return r[1];
  }

  @Override
  public void afterEach(ExtensionContext context) throws IOException {
    for (Process p : children) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    for (Process p : children) {
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    List<String> failures = new ArrayList<>();
    for (String ns : namespaces) {
      String failure = Privileged.run(List.of("ip", "netns", "del", ns));
      if (failure != null) {
        failures.add(failure);
      }
    }
    namespaces.clear();
    children.clear();
    Path d = dir;
    if (d != null) {
      try (Stream<Path> files = Files.walk(d)) {
        for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(f);
        }
      }
    }
    assertThat(failures).as("removing the test namespaces").isEmpty();
  }
}
