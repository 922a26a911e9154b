package io.vipha.netlink;

import io.vipha.testkit.Privileged;
import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.VirtualIp;
import io.vipha.spi.HostAddress;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Tests that need a JVM of their own ({@link ChildMain}): the kernel lease outliving a killed
 * process by no more than the lease, and the messages a process without capabilities gets (for
 * addresses and for real-time scheduling).
 */
class ChildProcessTest {
  private static final long LEASE_SECONDS = 3;
  private final Netns netns = new Netns();
  private final List<Process> children = new ArrayList<>();
  private String ns = "";

  @BeforeEach
  void setUp() {
    Privileged.requireNetworkNamespaces();
    ns = netns.hostWithV0();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    for (Process p : children) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    netns.close();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"192.0.2.10/24", "2001:db8::10/64"})
  void theKernelRemovesAVipWithinItsLeaseAfterItsOwnerIsKilled(String cidr) throws Exception {
    VirtualIp vip = VirtualIp.of(cidr, "v0");
    List<String> lines = new CopyOnWriteArrayList<>();
    Process child = start(List.of(), lines, "lease", ns, "v0", cidr,
        Long.toString(LEASE_SECONDS));
    try (NetlinkBackend observer = NetlinkBackend.builder().namespace(ns).build()) {
      awaitLine(lines, "RENEWED", 60, child);
      // Alive, it renews: the VIP outlives its lease.
      Thread.sleep(LEASE_SECONDS * 1000 + 1500);
      assertThat(observer.list(Set.of("v0"))).as("while the owner renews").contains(
          HostAddress.of(vip));
      child.destroyForcibly(); // SIGKILL
      child.waitFor(10, TimeUnit.SECONDS);
      long lastRenewal = lines.stream().filter(l -> l.startsWith("RENEWED ")).mapToLong(
          l -> Long.parseLong(l.substring(8))).max().orElseThrow();
      long expiry = lastRenewal + LEASE_SECONDS * 1000;
      long gone = -1;
      while (System.currentTimeMillis() < expiry + 5000) {
        if (!observer.list(Set.of("v0")).contains(HostAddress.of(vip))) {
          gone = System.currentTimeMillis();
          break;
        }
        Thread.sleep(10);
      }
      assertThat(gone).as("the VIP disappeared").isPositive();
      long late = gone - expiry;
      System.out.println("LEASE " + cidr + ": removed " + late + " ms after the lease ran out");
      // The kernel removes an expired address from a timer, rounded up to a whole second.
      assertThat(late).as("ms after the lease ran out").isBetween(-1000L, 2000L);
      assertThat(netns.address(ns, "v0", cidr.substring(0, cidr.indexOf('/')))).isNull();
    }
  }

  /**
   * The output of a child ({@code try} on 192.0.2.10/24 on v0) whose bounding set lacks {@code
   * capabilities} ({@code -net_admin,-net_raw}, say), once it exited.
   */
  private List<String> tryWithout(String capabilities) throws Exception {
    Privileged.requireTool("setpriv");
    List<String> lines = new CopyOnWriteArrayList<>();
    Process child = start(List.of("setpriv", "--inh-caps=-all", "--ambient-caps=-all",
        "--bounding-set=" + capabilities), lines, "try", ns, "v0", "192.0.2.10/24");
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    Thread.sleep(100);
    return lines;
  }

  @Test
  void aProcessWithoutNetAdminOrNetRawIsToldWhatItNeedsAndHowToGrantIt() throws Exception {
    List<String> lines = tryWithout("-net_admin,-net_raw");
    assertThat(lines).as("child output").contains("OK list", "OK watch", "OK unlocked");
    String take = lines.stream().filter(l -> l.startsWith("FAILED take ")).findFirst()
        .orElseThrow(() -> new AssertionError("no take failure in " + lines));
    assertThat(take).startsWith("FAILED take PERMISSION RTM_NEWADDR 192.0.2.10/24 on v0 in"
        + " network namespace " + ns + " was refused with EPERM");
    assertThat(lines).noneMatch(l -> l.startsWith("UNANNOUNCED"));
    String assign = lines.stream().filter(l -> l.startsWith("FAILED assign ")).findFirst()
        .orElseThrow(() -> new AssertionError("no assign failure in " + lines));
    assertThat(assign).startsWith("FAILED assign PERMISSION RTM_NEWADDR 192.0.2.10/24 on v0 in"
        + " network namespace " + ns + " was refused with EPERM")
        .contains("needs CAP_NET_ADMIN to change addresses and CAP_NET_RAW to announce them")
        .contains("AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW")
        .contains("setcap cap_net_admin,cap_net_raw+ep");
    String announce = lines.stream().filter(l -> l.startsWith("FAILED announce ")).findFirst()
        .orElseThrow(() -> new AssertionError("no announce failure in " + lines));
    assertThat(announce).startsWith("FAILED announce PERMISSION opening an AF_PACKET socket to"
        + " announce addresses was refused with EPERM").contains("this needs CAP_NET_RAW");
    assertThat(netns.address(ns, "v0", "192.0.2.10")).isNull();
  }

  @Test
  void aTakeWithoutNetRawAddsTheVipAndSaysWhyItWasNotAnnounced() throws Exception {
    List<String> lines = tryWithout("-net_raw");
    assertThat(lines).as("child output").contains("OK watch", "OK take", "OK unlocked",
        "OK assign");
    String unannounced = lines.stream().filter(l -> l.startsWith("UNANNOUNCED ")).findFirst()
        .orElseThrow(() -> new AssertionError("no unannounced take in " + lines));
    assertThat(unannounced).startsWith("UNANNOUNCED PERMISSION opening an AF_PACKET socket to"
        + " announce addresses was refused with EPERM").contains("this needs CAP_NET_RAW");
    assertThat(netns.address(ns, "v0", "192.0.2.10")).as("added all the same").isNotNull();
  }

  @Test
  void aProcessThatCannotEnterTheNamespaceIsToldWhy() throws Exception {
    List<String> lines = tryWithout("-sys_admin");
    assertThat(lines).as("child output").contains("FAILED build PERMISSION entering network"
        + " namespace " + ns + " was refused with EPERM: setns needs CAP_SYS_ADMIN (run as root"
        + " to manage addresses in another namespace)");
  }

  @Test
  void aProcessWithoutCapSysNiceIsToldWhatRealTimeSchedulingNeeds() throws Exception {
    Privileged.requireTool("setpriv");
    Privileged.requireTool("prlimit");
    List<String> lines = new CopyOnWriteArrayList<>();
    // No CAP_SYS_NICE or CAP_IPC_LOCK, RLIMIT_RTPRIO 0 and RLIMIT_MEMLOCK 64 KiB, whatever the
    // host's defaults.
    Process child = start(List.of("prlimit", "--rtprio=0:0", "--memlock=65536:65536",
        "setpriv", "--inh-caps=-all", "--ambient-caps=-all",
        "--bounding-set=-sys_nice,-ipc_lock"), lines, "realtime", "RR", "10");
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    Thread.sleep(100);
    String check = lines.stream().filter(l -> l.startsWith("FAILED check ")).findFirst()
        .orElseThrow(() -> new AssertionError("no check failure in " + lines));
    assertThat(check).isEqualTo("FAILED check PERMISSION 1 raising thread vipha-realtime-check"
        + " to SCHED_RR priority 10 was refused with EPERM: it needs CAP_SYS_NICE (or an"
        + " RLIMIT_RTPRIO of at least 10; this process's is 0): in a systemd unit"
        + " LimitRTPRIO=10, or AmbientCapabilities=CAP_SYS_NICE with the same"
        + " CapabilityBoundingSet. In a container or a cgroup with real-time group scheduling,"
        + " the cgroup also needs real-time runtime (cpu.rt_runtime_us)");
    String lock = lines.stream().filter(l -> l.startsWith("FAILED lock ")).findFirst()
        .orElseThrow(() -> new AssertionError("no lock failure in " + lines));
    assertThat(lock).startsWith("FAILED lock PERMISSION 12 locking the process's memory"
        + " (mlockall) was refused with ENOMEM: it needs CAP_IPC_LOCK or an RLIMIT_MEMLOCK that"
        + " holds the whole process (this process's is 65536 bytes); in a systemd unit"
        + " LimitMEMLOCK=infinity");
  }

  private Process start(List<String> prefix, List<String> lines, String... args)
      throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = Stream.of(System.getProperty("jdk.module.path"),
            System.getProperty("java.class.path"))
        .filter(s -> s != null && !s.isEmpty())
        .collect(Collectors.joining(File.pathSeparator));
    List<String> cmd = new ArrayList<>(prefix);
    cmd.addAll(List.of(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", cp,
        ChildMain.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    children.add(p);
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException e) {
        lines.add("(reading output failed: " + e + ")");
      }
    }, "child-output");
    t.setDaemon(true);
    t.start();
    return p;
  }

  private static void awaitLine(List<String> lines, String prefix, int seconds, Process p)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (lines.stream().noneMatch(l -> l.startsWith(prefix))) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError("the child did not print " + prefix + ": " + lines);
      }
      Thread.sleep(20);
    }
  }

}
