package io.vipha.agent;

import io.vipha.testkit.Privileged;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two agents in two network namespaces joined by a veth pair, whose configured unicast heartbeat
 * addresses lead nowhere: they can only hear each other through the multicast group, so electing
 * one owner and failing over when it is killed proves that multicast is sent and received.
 *
 * <p>Runs with an IPv4 group and an IPv6 link-local group; the unicast addresses stay IPv4.
 * Also: a transport that cannot join its group (an interface with no IPv4 address, in a
 * namespace of its own) fails to open and leaves the port free.
 *
 * <p>Needs root and {@code ip netns}; skipped loudly otherwise (see {@link Privileged}).
 */
class MulticastNamespaceTest {
  private static final int PORT = 7405;
  private static final String VIP = "192.0.2.10/24";
  private static final Duration DEADLINE = Duration.ofSeconds(20);
  private static final Duration STARTUP = Duration.ofSeconds(60);

  private final long pid = ProcessHandle.current().pid();
  private final String nsA = "vipha-mc-" + pid + "-a";
  private final String nsB = "vipha-mc-" + pid + "-b";
  private final String ifA = "vmc" + pid + "a";
  private final String ifB = "vmc" + pid + "b";
  private final List<Child> children = new ArrayList<>();
  private final List<String> namespaces = new ArrayList<>();

  /** A child JVM and every line it printed. */
  private static final class Child {
    final String name;
    final Process process;
    final List<String> lines = new CopyOnWriteArrayList<>();

    Child(String name, Process process) {
      this.name = name;
      this.process = process;
      Thread t = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
            process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            lines.add(line);
          }
        } catch (IOException e) {
          lines.add("(reading output failed: " + e + ")");
        }
      }, "output-" + name);
      t.setDaemon(true);
      t.start();
    }

    boolean printed(String line) {
      return lines.contains(line);
    }

    boolean printedStarting(String prefix) {
      return lines.stream().anyMatch(l -> l.startsWith(prefix));
    }

    String output() {
      return "--- " + name + (process.isAlive() ? " (running)" : " (exited "
          + process.exitValue() + ")") + ":\n  " + String.join("\n  ", lines);
    }
  }

  @BeforeEach
  void needsNamespaces() {
    Privileged.requireNetworkNamespaces();
  }

  @AfterEach
  void cleanUp() throws InterruptedException {
    List<Child> children = new ArrayList<>(this.children);
    List<String> namespaces = new ArrayList<>(this.namespaces);
    this.children.clear();
    this.namespaces.clear();
    for (Child c : children) {
      c.process.descendants().forEach(ProcessHandle::destroyForcibly);
      c.process.destroyForcibly();
      c.process.waitFor(10, TimeUnit.SECONDS);
    }
    for (Child c : children) {
      System.out.println(c.output());
    }
    List<String> problems = new ArrayList<>();
    for (String ns : namespaces) {
      String failure = Privileged.run(List.of("ip", "netns", "del", ns));
      if (failure != null) {
        problems.add(failure);
      }
    }
    if (!problems.isEmpty()) {
      throw new AssertionError("could not remove the test namespaces: " + problems);
    }
  }

  @ParameterizedTest(name = "group {0}")
  @ValueSource(strings = {"239.255.86.1", "ff02::86"})
  void electsAndFailsOverWithHeartbeatsThatOnlyMulticastCanDeliver(String group)
      throws Exception {
    ip("netns", "add", nsA);
    namespaces.add(nsA);
    ip("netns", "add", nsB);
    namespaces.add(nsB);
    for (String ns : List.of(nsA, nsB)) {
      // No duplicate address detection: the IPv6 link-local address is usable at once.
      ip("netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.default.accept_dad=0");
    }
    ip("-n", nsA, "link", "add", ifA, "type", "veth", "peer", "name", ifB, "netns", nsB);
    ip("-n", nsA, "addr", "add", "198.51.100.1/24", "dev", ifA);
    ip("-n", nsB, "addr", "add", "198.51.100.2/24", "dev", ifB);
    for (String[] nsIf : new String[][] {{nsA, ifA}, {nsB, ifB}}) {
      ip("-n", nsIf[0], "link", "set", "lo", "up");
      ip("-n", nsIf[0], "link", "set", nsIf[1], "up");
    }

    // n1 first: JVMs start at different speeds, and a node that hears nobody within its join
    // time rightly elects itself. Once n1 owns the VIP, n2 must join and leave it there.
    Child n1 = start("n1", nsA, ifA, group);
    await("n1 started and owns the VIP", STARTUP, () -> n1.printedStarting("READY")
        && n1.printedStarting("EVENT Acquired " + VIP), n1);
    Child n2 = start("n2", nsB, ifB, group);
    await("n2 started", STARTUP, () -> n2.printedStarting("READY"), n1, n2);

    await("n1 acquires the VIP and hears n2, and n2 hears n1", DEADLINE,
        () -> n1.printedStarting("EVENT Acquired " + VIP) && n1.printed("EVENT PeerUp n2")
            && n2.printed("EVENT PeerUp n1"), n1, n2);
    if (n2.printedStarting("EVENT Acquired")) {
      throw new AssertionError("n2 acquired although n1 (priority 200) is alive\n" + n1.output()
          + "\n" + n2.output());
    }

    n1.process.destroyForcibly();
    if (!n1.process.waitFor(10, TimeUnit.SECONDS)) {
      throw new AssertionError("n1 did not die\n" + n1.output());
    }
    await("n2 acquires the VIP because its owner died", DEADLINE,
        () -> n2.printed("EVENT Acquired " + VIP + " OWNER_DEAD"), n1, n2);
  }

  @Test
  void aTransportThatCannotJoinTheGroupFailsToOpenAndLeavesThePortFree() throws Exception {
    ip("netns", "add", nsA);
    namespaces.add(nsA);
    ip("-n", nsA, "link", "set", "lo", "up");
    // An interface with an IPv6 address only (Java lists no interface without an address): an
    // IPv4 group cannot be joined on it.
    ip("-n", nsA, "link", "add", ifA, "type", "veth", "peer", "name", ifB);
    ip("-n", nsA, "addr", "add", "2001:db8::1/64", "dev", ifA, "nodad");
    ip("-n", nsA, "link", "set", ifA, "up");
    ip("-n", nsA, "link", "set", ifB, "up");
    Child c = launch("join", nsA, MulticastJoinFailureMain.class, ifA, "239.255.86.1",
        Integer.toString(PORT));
    if (!c.process.waitFor(STARTUP.toSeconds(), TimeUnit.SECONDS)) {
      throw new AssertionError("the check did not end\n" + c.output());
    }
    if (!c.printedStarting("OPEN FAILED cannot join multicast group 239.255.86.1 on " + ifA
        + ": ") || !c.printed("PORT FREE")) {
      throw new AssertionError("expected the open to fail and free the port\n" + c.output());
    }
  }

  private void ip(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add("ip");
    cmd.addAll(List.of(args));
    String failure = Privileged.run(cmd);
    if (failure != null) {
      throw new AssertionError("network set-up failed: " + failure);
    }
  }

  private Child start(String id, String ns, String iface, String group) throws IOException {
    return launch(id, ns, MulticastNodeMain.class, id, iface, group, Integer.toString(PORT));
  }

  /** Runs {@code main} with {@code args} in a child JVM in namespace {@code ns}. */
  private Child launch(String name, String ns, Class<?> main, String... args)
      throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = Stream.of(System.getProperty("jdk.module.path"),
            System.getProperty("java.class.path"))
        .filter(s -> s != null && !s.isEmpty())
        .collect(Collectors.joining(File.pathSeparator));
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, java, "-Xshare:auto",
        "-XX:TieredStopAtLevel=1", "-cp", cp, main.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    Child c = new Child(name, p);
    children.add(c);
    return c;
  }

  private static void await(String what, Duration limit, BooleanSupplier condition,
      Child... nodes) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      @Nullable String failed = null;
      for (Child c : nodes) {
        if (c.printedStarting("FAILED")) {
          failed = c.name + " failed to start";
        }
      }
      if (failed != null || System.nanoTime() > deadline) {
        StringBuilder sb = new StringBuilder(failed != null ? failed
            : "timed out after " + limit.toSeconds() + " s waiting until " + what);
        for (Child c : nodes) {
          sb.append('\n').append(c.output());
        }
        throw new AssertionError(sb.toString());
      }
      Thread.sleep(50);
    }
  }
}
