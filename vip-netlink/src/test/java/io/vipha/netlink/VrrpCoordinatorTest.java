package io.vipha.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.agent.EventLoopScheduler;
import io.vipha.agent.VipAgent;
import io.vipha.config.DaemonSettings;
import io.vipha.config.DaemonSettings.Vrrp;
import io.vipha.netlink.internal.Namespaces;
import io.vipha.netlink.internal.PacketSocket;
import io.vipha.netlink.internal.VrrpCodec;
import io.vipha.netlink.internal.VrrpEncoder;
import io.vipha.spi.Coordinator;
import io.vipha.testkit.Commands;
import io.vipha.testkit.Keepalived;
import io.vipha.testkit.Privileged;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A vipha node (an agent with the {@link VrrpCoordinator} on the {@link NetlinkBackend}) and a
 * keepalived 2.2.7 node in one VRID, 100 ms advertisements, on one bridged segment in network
 * namespaces: each is master in turn as priorities, crashes, isolation and graceful stops say,
 * and never do both hold the VIP while they hear each other; over IPv4 and IPv6. Needs root and
 * keepalived.
 */
class VrrpCoordinatorTest {
  private static final String VIP = "192.0.2.100";
  private static final String VIP6 = "2001:db8::100";
  private final Netns netns = new Netns();
  private final List<AutoCloseable> resources = new ArrayList<>();
  private String vipha = "";
  private String other = "";
  @TempDir Path dir;

  @BeforeEach
  void setUp() throws Exception {
    Privileged.requireNetworkNamespaces();
    Privileged.requireTool("keepalived");
    String[] hosts = netns.viphaAndKeepalived();
    vipha = hosts[0];
    other = hosts[1];
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      for (int i = resources.size() - 1; i >= 0; i--) {
        resources.get(i).close();
      }
    } finally {
      netns.close();
    }
  }

  @Test
  void aVipMasterKeepsKeepalivedBackupAndItsGracefulStopHandsOver() throws Exception {
    VrrpCoordinator vrrp = VrrpCoordinator.create(Vrrp.of(51), vipha);
    VipAgent agent = agent(150, vrrp);
    agent.start().get(10, TimeUnit.SECONDS);
    await("vipha holds the VIP", () -> viphaHolds());
    Keepalived k = keepalived(100);
    Thread.sleep(1_000);
    assertThat(k.log()).doesNotContain("Entering MASTER STATE");
    assertThat(keepalivedHolds()).isFalse();
    assertThat(vrrp.state()).isEqualTo("MASTER");
    assertThat(agent.counters().stalls()).as("a loop that runs is no stalled one").isZero();

    agent.stop().get(10, TimeUnit.SECONDS);
    k.await("(vipha) Entering MASTER STATE");
    await("keepalived holds the VIP", this::keepalivedHolds);
    assertThat(viphaHolds()).isFalse();
  }

  @Test
  void aVipBackupTakesOverFromACrashedKeepalivedAndYieldsToAHigherOne() throws Exception {
    Keepalived first = keepalived(150);
    first.await("(vipha) Entering MASTER STATE");
    VrrpCoordinator vrrp = VrrpCoordinator.create(Vrrp.of(51), vipha);
    VipAgent agent = agent(100, vrrp);
    agent.start().get(10, TimeUnit.SECONDS);
    await("vipha runs", () -> agent.state().phase() == VipAgent.Phase.RUNNING);
    Thread.sleep(1_000);
    // The router's and the agent's take-over rehearsals ran: they sent and took nothing.
    Thread rehearsal = Objects.requireNonNull(vrrp.rehearsal(), "the router's rehearsal");
    rehearsal.join(5_000);
    assertThat(rehearsal.isAlive()).isFalse();
    assertThat(vrrp.state()).isEqualTo("BACKUP");
    assertThat(viphaHolds()).isFalse();
    assertThat(agent.counters().stalls()).isZero();
    assertThat(vrrp.accepted()).isPositive();
    Coordinator.Status s = vrrp.status().orElseThrow();
    assertThat(s.state()).isEqualTo("BACKUP");
    assertThat(s.values()).containsEntry("vrid", 51L).containsEntry("priority", 100L)
        .containsEntry("masterPriority", 150L);
    assertThat(s.texts()).containsEntry("masterAddress", "192.0.2.12");
    assertThat(s.counters().get("advertisementsReceived")).isPositive();
    assertThat(s.counters()).containsEntry("advertisementsSent", 0L);

    // Crashed and cut off: its VIP stays on its interface, which no longer reaches the segment.
    first.kill();
    Commands.run("ip", "-n", other, "link", "set", "k0", "down");
    await("vipha takes the VIP", () -> viphaHolds());
    assertThat(vrrp.state()).isEqualTo("MASTER");
    s = vrrp.status().orElseThrow();
    assertThat(s.state()).isEqualTo("MASTER");
    assertThat(s.values()).containsEntry("masterPriority", 100L);
    assertThat(s.texts()).containsEntry("masterAddress", "192.0.2.11");
    assertThat(s.counters().get("advertisementsSent")).isPositive();

    Commands.run("ip", "-n", other, "addr", "flush", "dev", "k0");
    Commands.run("ip", "-n", other, "addr", "add", "192.0.2.12/24", "dev", "k0");
    Commands.run("ip", "-n", other, "link", "set", "k0", "up");
    Keepalived higher = keepalived(200);
    higher.await("(vipha) Entering MASTER STATE");
    await("vipha releases the VIP", () -> !viphaHolds());
    assertThat(vrrp.state()).isEqualTo("BACKUP");
    await("keepalived holds the VIP", this::keepalivedHolds);
  }

  @Test
  void theOtherChecksumFormIsCountedOnBothSides() throws Exception {
    VrrpCoordinator vrrp = VrrpCoordinator.create(new Vrrp(51, null,
        DaemonSettings.Vrrp.Ipv4Checksum.MESSAGE_ONLY, List.of(), false), vipha);
    VipAgent agent = agent(150, vrrp);
    agent.start().get(10, TimeUnit.SECONDS);
    await("vipha holds the VIP", () -> viphaHolds());
    Keepalived k = keepalived(100);
    k.await("(vipha) Invalid VRRPv3 checksum");
    k.await("(vipha) Entering MASTER STATE");
    await("vipha counts keepalived's advertisements", () -> vrrp.otherChecksumForm() > 2);
    assertThat(vrrp.accepted()).isZero();
  }

  @Test
  void anIpv6MasterCountsForgedAdvertisementsAndKeepalivedTakesOverAtItsStop() throws Exception {
    VrrpCoordinator vrrp = VrrpCoordinator.create(Vrrp.of(51), vipha);
    VipAgent agent = agent(150, vrrp, VIP6 + "/64");
    agent.start().get(10, TimeUnit.SECONDS);
    await("vipha holds the VIP", () -> holds(vipha, "v0", VIP6));
    Keepalived k = keepalived(100, VIP6 + "/64");
    Thread.sleep(1_000);
    assertThat(k.log()).doesNotContain("Entering MASTER STATE");
    assertThat(holds(other, "k0", VIP6)).isFalse();
    assertThat(vrrp.state()).isEqualTo("MASTER");

    // Priority 254 would take over; one crossed a router (hop limit 64), one is forged.
    byte[] packet = advertisement(254);
    packet[7] = 64;
    sendFrom(other, "k0", packet);
    packet = advertisement(254);
    packet[VrrpCodec.IPV6_HEADER_LENGTH + 7] ^= 1;
    sendFrom(other, "k0", packet);
    await("both dropped", () -> Long.valueOf(1).equals(vrrp.dropped().get("WRONG_TTL"))
        && Long.valueOf(1).equals(vrrp.dropped().get("BAD_CHECKSUM")));
    assertThat(vrrp.rejected()).isEqualTo(2);
    Thread.sleep(300);
    assertThat(vrrp.state()).isEqualTo("MASTER");
    assertThat(holds(vipha, "v0", VIP6)).isTrue();

    agent.stop().get(10, TimeUnit.SECONDS);
    k.await("(vipha) Entering MASTER STATE");
    await("keepalived holds the VIP", () -> holds(other, "k0", VIP6));
    assertThat(holds(vipha, "v0", VIP6)).isFalse();
  }

  @Test
  void anIpv6BackupTakesOverFromACrashedKeepalived() throws Exception {
    Keepalived first = keepalived(150, VIP6 + "/64");
    first.await("(vipha) Entering MASTER STATE");
    VrrpCoordinator vrrp = VrrpCoordinator.create(Vrrp.of(51), vipha);
    VipAgent agent = agent(100, vrrp, VIP6 + "/64");
    agent.start().get(10, TimeUnit.SECONDS);
    await("vipha runs", () -> agent.state().phase() == VipAgent.Phase.RUNNING);
    Thread.sleep(1_000);
    // The router's and the agent's take-over rehearsals ran: they sent and took nothing.
    Thread rehearsal = Objects.requireNonNull(vrrp.rehearsal(), "the router's rehearsal");
    rehearsal.join(5_000);
    assertThat(rehearsal.isAlive()).isFalse();
    assertThat(vrrp.state()).isEqualTo("BACKUP");
    assertThat(holds(vipha, "v0", VIP6)).isFalse();
    assertThat(vrrp.accepted()).isPositive();
    assertThat(vrrp.rejected()).isZero();
    assertThat(vrrp.status().orElseThrow().texts()).containsEntry("masterAddress",
        netns.linkLocal(other, "k0"));

    first.kill();
    Commands.run("ip", "-n", other, "link", "set", "k0", "down");
    await("vipha takes the VIP", () -> holds(vipha, "v0", VIP6));
    assertThat(vrrp.state()).isEqualTo("MASTER");
  }

  /** An advertisement of VRID 51 for the IPv6 VIP from keepalived's host, hop limit 255. */
  private byte[] advertisement(int priority) throws Exception {
    VrrpEncoder enc = new VrrpEncoder(51, 10, List.of(InetAddress.getByName(VIP6)), true);
    ByteBuffer out = ByteBuffer.allocate(enc.packetLength());
    byte[] source = InetAddress.getByName(netns.linkLocal(other, "k0")).getAddress();
    int n = enc.encode(out, source, VrrpCodec.group(true), priority, 0);
    byte[] packet = new byte[n];
    out.get(0, packet);
    return packet;
  }

  /** Sends {@code packet}, an IPv6 packet, to ff02::12 as an Ethernet frame. */
  private static void sendFrom(String ns, String iface, byte[] packet) throws Exception {
    int index = Integer.parseInt(Commands.run("ip", "netns", "exec", ns, "cat",
        "/sys/class/net/" + iface + "/ifindex").strip());
    try (PacketSocket socket = Namespaces.open(ns, PacketSocket::new)) {
      socket.send(index, 0x86DD, new byte[] {0x33, 0x33, 0, 0, 0, 0x12}, packet,
          "a VRRP advertisement");
    }
  }

  private VipAgent agent(int priority, VrrpCoordinator vrrp) throws Exception {
    return agent(priority, vrrp, VIP + "/24");
  }

  private VipAgent agent(int priority, VrrpCoordinator vrrp, String vip) throws Exception {
    VipGroup g = VipGroup.builder().name("web").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address(vip).interfaceName("v0"))
        .node(n -> n.id("n1").heartbeat("127.0.0.1:7405").priority(priority))
        // The keepalived node: VRRP knows it by its advertisements alone.
        .node(n -> n.id("k").heartbeat("127.0.0.2:7405").priority(1))
        .policy(p -> p.heartbeatInterval(Duration.ofMillis(100)).preemptDelay(Duration.ZERO))
        .build();
    NetlinkBackend backend = NetlinkBackend.builder().namespace(vipha).build();
    resources.add(backend);
    EventLoopScheduler loop = new EventLoopScheduler("vrrp-n1");
    resources.add(loop::close);
    VipAgent a = VipAgent.builder().group(g).nodeId("n1").backend(backend).scheduler(loop)
        .coordinator(vrrp).build();
    resources.add(() -> a.stop().get(10, TimeUnit.SECONDS)); // closed first: in reverse
    return a;
  }

  private Keepalived keepalived(int priority) throws Exception {
    return keepalived(priority, VIP + "/24");
  }

  private Keepalived keepalived(int priority, String vip) throws Exception {
    Keepalived k = Keepalived.start(other, "k0", vip, priority, "0.1", dir, "k" + priority);
    resources.add(k);
    return k;
  }

  private boolean viphaHolds() {
    return holds(vipha, "v0", VIP);
  }

  private boolean holds(String ns, String iface, String ip) {
    return netns.address(ns, iface, ip) != null;
  }

  private boolean keepalivedHolds() {
    return netns.address(other, "k0", VIP) != null;
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after 10 s waiting until " + what);
      }
      Thread.sleep(10);
    }
  }
}
