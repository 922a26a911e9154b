package io.vipha.vipd;

import io.vipha.VirtualIp;
import io.vipha.agent.EventLoopScheduler;
import io.vipha.testing.InMemoryBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Daemons n1 (priority 200) and n2 (100) of group web in this JVM: heartbeats on loopback, the
 * in-memory backend, control sockets in a directory. n1 finds its socket in the configuration's
 * daemon.controlSocket, n2 is given {@code --control-socket}. Each node has an exec health check.
 */
final class LocalDaemons implements AutoCloseable {
  static final String VIP4 = "192.0.2.10/24";
  static final String VIP6 = "2001:db8::10/64";

  final Path dir;
  final Path config;
  private final EventLoopScheduler clock = new EventLoopScheduler("test-clock");
  private final Map<String, InMemoryBackend> backends = new LinkedHashMap<>();
  private final Map<String, Vipd> daemons = new LinkedHashMap<>();
  private final Map<String, CompletableFuture<Integer>> exits = new LinkedHashMap<>();
  private final ByteArrayOutputStream output = new ByteArrayOutputStream();

  LocalDaemons(Path dir, String mode) throws IOException {
    this(dir, mode, "");
  }

  /** The same, with {@code daemon} (fields and a trailing comma) added to the daemon object. */
  LocalDaemons(Path dir, String mode, String daemon) throws IOException {
    this.dir = dir;
    Path key = dir.resolve("web.key");
    Files.writeString(key, Base64.getEncoder().encodeToString(new byte[32]) + "\n");
    int port;
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    config = dir.resolve("vipha.json");
    Files.writeString(config, """
        {
          "groups": [
            {
              "name": "web",
              "mode": "%s",
              "vips": [{"address": "%s", "interface": "eth0"},
                       {"address": "%s", "interface": "eth0"}],
              "nodes": [
                {"id": "n1", "heartbeat": ["127.0.0.1:%d"], "priority": 200},
                {"id": "n2", "heartbeat": ["127.0.0.1:%d"], "priority": 100}
              ],
              "policy": {"heartbeatInterval": "100ms", "deadAfter": 3},
              "daemon": {%s"keyFile": "%s", "controlSocket": "%s",
                "healthChecks": [{"name": "true", "exec": ["/bin/true"], "interval": "200ms",
                  "timeout": "150ms", "rise": 1, "fall": 1}]}
            }
          ]
        }
        """.formatted(mode, VIP4, VIP6, port, port == 65535 ? port - 1 : port + 1, daemon, key,
        socket("n1")));
  }

  /**
   * How long the daemons started together may take to settle on n1: on a loaded machine, or
   * while n1 warms up, n2 may take the VIPs first, and n1 preempts after its warm-up and the 10 s
   * preempt delay.
   */
  static final int FIRST_OWNER_SECONDS = 30;

  /**
   * Active/Passive daemons n1 and n2 in {@code dir}, both started; returns once n1 holds both
   * VIPs.
   */
  static LocalDaemons withOwner(Path dir) throws Exception {
    LocalDaemons d = new LocalDaemons(dir, "ACTIVE_PASSIVE").start("n1").start("n2");
    VirtualIp v4 = VirtualIp.of(VIP4, "eth0");
    VirtualIp v6 = VirtualIp.of(VIP6, "eth0");
    if (!await(FIRST_OWNER_SECONDS, () -> d.backend("n1").holds(v4) && d.backend("n1").holds(v6))) {
      d.close();
      throw new IllegalStateException("n1 did not take both VIPs: " + d.output());
    }
    return d;
  }

  /** The control socket of {@code node}. */
  Path socket(String node) {
    return dir.resolve(node + ".sock");
  }

  /** The daemon of {@code node}. */
  Vipd daemon(String node) {
    return Objects.requireNonNull(daemons.get(node), node);
  }

  /** Rewrites the configuration file with {@code from} replaced by {@code to}. */
  void edit(String from, String to) throws IOException {
    String text = Files.readString(config);
    if (!text.contains(from)) {
      throw new IllegalArgumentException(from + " is not in " + text);
    }
    Files.writeString(config, text.replace(from, to));
  }

  InMemoryBackend backend(String node) {
    return Objects.requireNonNull(backends.get(node), node);
  }

  /** Starts {@code node}; returns once its control socket answers. */
  LocalDaemons start(String node) throws Exception {
    InMemoryBackend b = new InMemoryBackend(clock, Set.of("lo", "eth0"));
    backends.put(node, b);
    PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
    Vipd v = new Vipd(out, out, (ns, d) -> b, false,
        dir.resolve("state").resolve("{group}-{node}.state").toString()).controlDirectory(dir);
    daemons.put(node, v);
    String[] args = node.equals("n1")
        ? new String[] {"--config", config.toString(), "--node", node}
        : new String[] {"--config", config.toString(), "--node", node, "--control-socket",
            socket(node).toString()};
    exits.put(node, CompletableFuture.supplyAsync(() -> v.run(args)));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!Files.exists(socket(node))) {
      if (System.nanoTime() > deadline || exits.get(node).isDone()) {
        throw new IllegalStateException(node + " did not open its control socket: " + output);
      }
      Thread.sleep(10);
    }
    return this;
  }

  /** How {@code node} ended, once it has. */
  CompletableFuture<Integer> exit(String node) {
    return Objects.requireNonNull(exits.get(node), node);
  }

  /** Waits until {@code check} holds, at most {@code seconds}; whether it did. */
  static boolean await(int seconds, java.util.function.BooleanSupplier check)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!check.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }

  /** Stops {@code node} gracefully; its exit code. */
  int stop(String node) throws Exception {
    Objects.requireNonNull(daemons.get(node), node).shutdown();
    return Objects.requireNonNull(exits.get(node)).get(30, TimeUnit.SECONDS);
  }

  /** What the daemons printed. */
  String output() {
    return output.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws Exception {
    for (Map.Entry<String, Vipd> e : daemons.entrySet()) {
      if (!Objects.requireNonNull(exits.get(e.getKey())).isDone()) {
        e.getValue().shutdown();
        Objects.requireNonNull(exits.get(e.getKey())).get(30, TimeUnit.SECONDS);
      }
    }
    clock.close();
  }
}
