package io.vipha.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.Lease;
import io.vipha.VirtualIp;
import io.vipha.netlink.Pcap.Frame;
import io.vipha.spi.BackendException;
import io.vipha.spi.Cancellable;
import io.vipha.spi.HostAddress;
import io.vipha.testkit.Commands;
import io.vipha.testkit.Privileged;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Announcements on a real segment: two owners and a client joined by a bridge, each in its own
 * namespace. After the VIP moves from owner A to owner B and B announces it, the client's
 * neighbour entry must point at B's MAC, and a capture on the client must show the gratuitous
 * ARP request and reply, and the unsolicited neighbour advertisement with the right fields (its
 * checksum verified by tcpdump). Needs root and tcpdump (skipped loudly without them; see {@link
 * Privileged}).
 */
class AnnounceTest {
  private static final VirtualIp B4 = VirtualIp.of("192.0.2.10/24", "b0");
  private static final VirtualIp B6 = VirtualIp.of("2001:db8::10/64", "b0");
  private final Netns netns = new Netns();
  private String a = "";
  private String b = "";
  private String client = "";
  private @Nullable Capture capture;

  @BeforeEach
  void setUp() {
    Privileged.requireNetworkNamespaces();
    Privileged.requireTool("tcpdump");
    a = netns.create();
    b = netns.create();
    client = netns.create();
    netns.segment(new String[] {a, "a0"}, new String[] {b, "b0"}, new String[] {client, "c0"});
    Commands.run("ip", "-n", client, "addr", "add", "192.0.2.100/24", "dev", "c0");
    Commands.run("ip", "-n", client, "addr", "add", "2001:db8::100/64", "dev", "c0", "nodad");
  }

  @AfterEach
  void tearDown() {
    Capture c = capture;
    if (c != null) {
      c.close();
    }
    netns.close();
  }

  @Test
  void theClientFollowsTheNewOwnerAfterItsAnnouncements() throws Exception {
    Capture started = pointTheClientAtA();
    try (NetlinkBackend ownerB = NetlinkBackend.builder().namespace(b).build()) {
      ownerB.assign(B4, Lease.forever());
      ownerB.assign(B6, Lease.forever());
      ownerB.announce(B4);
      ownerB.announce(B6);
    }
    theClientFollowsB(started);
  }

  /**
   * A take ({@link NetlinkBackend#assignAndAnnounce}) with the watch running, as the agent's: the
   * same frames; the watch reads the add's report once the frames are out; an unknown interface
   * fails before anything is added or held. Before it, warm takes ({@link
   * NetlinkBackend#warmTake}), as the last moments before a VRRP take-over run them: no address
   * is added, the watch hears no change, no frame reaches the segment (the capture holds the
   * take's frames only), and an unknown interface is passed over.
   */
  @Test
  void aTakeAddsAndAnnouncesInOneCall() throws Exception {
    Capture started = pointTheClientAtA();
    LinkedBlockingQueue<String> heard = new LinkedBlockingQueue<>();
    try (NetlinkBackend ownerB = NetlinkBackend.builder().namespace(b).build()) {
      Cancellable watch = ownerB.watch(new Heard(heard));
      try {
        VirtualIp elsewhere = B4.toBuilder().interfaceName("nope0").build();
        assertThatThrownBy(() -> ownerB.assignAndAnnounce(elsewhere, Lease.forever(), 0))
            .isInstanceOf(BackendException.class).hasMessageContaining("nope0");
        heard.clear();
        for (int i = 0; i < 200; i++) {
          ownerB.warmTake(B4);
          ownerB.warmTake(B6);
          ownerB.warmTake(elsewhere);
        }
        assertThat(heard.poll(300, TimeUnit.MILLISECONDS)).as("no change heard").isNull();
        assertThat(ownerB.list(Set.of("b0"))).extracting(HostAddress::address)
            .doesNotContain(B4.address(), B6.address());
        assertThat(ownerB.assignAndAnnounce(B4, Lease.of(Duration.ofSeconds(30)), 0)).isNull();
        assertThat(heard.poll(5, TimeUnit.SECONDS)).as("the watch goes on")
            .isEqualTo("addresses b0");
        assertThat(ownerB.assignAndAnnounce(B6, Lease.forever(), 0)).isNull();
        assertThat(ownerB.list(Set.of("b0"))).extracting(HostAddress::address)
            .contains(B4.address(), B6.address());
      } finally {
        watch.cancel();
      }
    }
    theClientFollowsB(started);
  }

  /**
   * Owner A holds the VIPs on the segment and the client's neighbour entries point at it; then A
   * lets go, and a capture on the client starts. B's interface is b0.
   */
  private Capture pointTheClientAtA() throws Exception {
    VirtualIp v4 = B4.toBuilder().interfaceName("a0").build();
    VirtualIp v6 = B6.toBuilder().interfaceName("a0").build();
    String macA = netns.mac(a, "a0");
    try (NetlinkBackend ownerA = NetlinkBackend.builder().namespace(a).build()) {
      ownerA.assign(v4, Lease.forever());
      ownerA.assign(v6, Lease.forever());
      // The client has talked to A: its neighbour entries point at A (as after a ping).
      for (String ip : List.of("192.0.2.10", "2001:db8::10")) {
        Commands.run("ip", "-n", client, "neigh", "replace", ip, "lladdr", macA, "dev", "c0", "nud",
            "stale");
      }
      ownerA.release(v4);
      ownerA.release(v6);
    }
    assertThat(neighbour("192.0.2.10")).isEqualTo(macA);
    assertThat(neighbour("2001:db8::10")).isEqualTo(macA);
    // Linux ignores ARP updates within neigh locktime (1 s) of the last one.
    Thread.sleep(1100);

    Capture started = Capture.start(client, "c0", "arp or icmp6");
    capture = started;
    return started;
  }

  /**
   * The client's neighbour entries now point at B, and the capture shows B's gratuitous ARP
   * request and reply and its unsolicited neighbour advertisement, field by field.
   */
  private void theClientFollowsB(Capture started) throws Exception {
    String macB = netns.mac(b, "b0");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while ((!macB.equals(neighbour("192.0.2.10")) || !macB.equals(neighbour("2001:db8::10")))
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(neighbour("192.0.2.10")).as("the client's ARP entry").isEqualTo(macB);
    assertThat(neighbour("2001:db8::10")).as("the client's neighbour entry").isEqualTo(macB);
    Thread.sleep(300);
    List<Frame> frames = started.stop().stream().filter(f -> f.source().equals(macB)).toList();
    byte[] vip4 = InetAddress.getByName("192.0.2.10").getAddress();
    List<Frame> arp = frames.stream().filter(f -> f.etherType() == 0x0806).toList();
    assertThat(arp).as("ARP frames from B").hasSize(2);
    for (Frame f : arp) {
      assertThat(f.destination()).isEqualTo("ff:ff:ff:ff:ff:ff");
      assertThat(f.u16(0)).as("hardware type").isEqualTo(1);
      assertThat(f.u16(2)).as("protocol type").isEqualTo(0x0800);
      assertThat(f.payloadMac(8)).as("sender MAC").isEqualTo(macB);
      assertThat(f.payload(14, 18)).as("sender IP").isEqualTo(vip4);
      assertThat(f.payload(24, 28)).as("target IP").isEqualTo(vip4);
    }
    assertThat(arp.get(0).u16(6)).as("first: request").isEqualTo(1);
    assertThat(arp.get(0).payloadMac(18)).isEqualTo("00:00:00:00:00:00");
    assertThat(arp.get(1).u16(6)).as("second: reply").isEqualTo(2);
    assertThat(arp.get(1).payloadMac(18)).isEqualTo("ff:ff:ff:ff:ff:ff");

    byte[] vip6 = InetAddress.getByName("2001:db8::10").getAddress();
    List<Frame> na = frames.stream().filter(f -> f.etherType() == 0x86DD && f.u8(6) == 58
        && f.u8(40) == 136).toList();
    assertThat(na).as("neighbour advertisements from B").hasSize(1);
    Frame f = na.get(0);
    assertThat(f.destination()).isEqualTo("33:33:00:00:00:01");
    assertThat(f.u8(7)).as("hop limit").isEqualTo(255);
    assertThat(f.payload(8, 24)).as("source").isEqualTo(vip6);
    assertThat(f.payload(24, 40)).as("destination").isEqualTo(
        InetAddress.getByName("ff02::1").getAddress());
    assertThat(f.u32(44)).as("flags: Override only").isEqualTo(0x20000000);
    assertThat(f.payload(48, 64)).as("target").isEqualTo(vip6);
    assertThat(f.u8(64)).as("option: target link-layer address").isEqualTo(2);
    assertThat(f.u8(65)).as("option length (8-byte units)").isEqualTo(1);
    assertThat(f.payloadMac(66)).isEqualTo(macB);

    String decoded = Commands.run("tcpdump", "-nn", "-vv", "-r", started.file().toString(),
        "icmp6");
    assertThat(decoded).contains("neighbor advertisement", "tgt is 2001:db8::10",
        "Flags [override]", "hlim 255").doesNotContainPattern("\\bbad\\b");
    assertThat(decoded.lines().filter(l -> l.contains("icmp6 sum ok"))).isNotEmpty();
  }

  private @Nullable String neighbour(String ip) {
    for (Map<String, Object> n : Json.array(Commands.run("ip", "-n", client, "-j", "neigh",
        "show", "dev", "c0"))) {
      if (ip.equals(n.get("dst"))) {
        return (String) n.get("lladdr");
      }
    }
    return null;
  }
}
