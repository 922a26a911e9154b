package io.vipha.netlink.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.netlink.Capture;
import io.vipha.netlink.Netns;
import io.vipha.netlink.Pcap;
import io.vipha.testkit.Commands;
import io.vipha.testkit.Keepalived;
import io.vipha.testkit.Privileged;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The advertisement codec against a live keepalived 2.2.7: a keepalived backup (VRID 51, priority
 * 100, 100 ms) and a host that sends this codec's advertisements (priority 200) as Ethernet
 * frames, on one bridged segment in network namespaces. With the checksum form keepalived uses,
 * keepalived heeds them and stays backup until they stop, and its own advertisements decode;
 * with the other form each side refuses and counts the other's. The advertisements this codec
 * put on the wire are checked field by field against keepalived's in the reference capture.
 * Needs root, keepalived and tcpdump (skipped loudly without them; see {@link Privileged}).
 */
class VrrpKeepalivedTest {
  private static final byte[] GROUP_MAC = {1, 0, 0x5e, 0, 0, 0x12};
  private static final int INTERVAL = 10;
  private static final String VIP = "192.0.2.100";
  private final Netns netns = new Netns();
  private String keepalivedHost = "";
  private String sender = "";
  @TempDir Path dir;
  private @Nullable Keepalived keepalived;
  private @Nullable Capture capture;

  @BeforeEach
  void setUp() {
    Privileged.requireNetworkNamespaces();
    Privileged.requireTool("keepalived");
    Privileged.requireTool("tcpdump");
    String[] hosts = netns.viphaAndKeepalived();
    sender = hosts[0];
    keepalivedHost = hosts[1];
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      Keepalived k = keepalived;
      if (k != null) {
        k.close();
      }
      Capture c = capture;
      if (c != null) {
        c.close();
      }
    } finally {
      netns.close();
    }
  }

  @Test
  void keepalivedHeedsThePseudoHeaderFormAndItsAdvertisementsDecode() throws Exception {
    capture = Capture.start(sender, "v0", "ip proto 112");
    Keepalived k = startKeepalived();
    send(true, 25);
    String log = k.log();
    assertThat(log).contains("(vipha) Entering BACKUP STATE")
        .doesNotContain("Entering MASTER STATE", "Invalid VRRPv3 checksum");
    assertThat(Commands.run("ip", "-n", keepalivedHost, "-br", "addr", "show", "dev", "k0"))
        .doesNotContain(VIP);
    k.await("(vipha) Entering MASTER STATE");
    Thread.sleep(500);
    List<Pcap.Frame> frames = java.util.Objects.requireNonNull(capture).stop();

    VrrpDecoder pseudo = new VrrpDecoder(true, true);
    VrrpDecoder messageOnly = new VrrpDecoder(false, true);
    int theirs = 0;
    int ours = 0;
    List<ByteBuffer> reference = VrrpCodecTest.captured();
    for (Pcap.Frame f : frames) {
      ByteBuffer ip = f.payload();
      VrrpAdvert a = VrrpCodecTest.accept(pseudo, ip);
      byte[] source = new byte[4];
      a.source(source);
      if (InetAddress.getByAddress(source).getHostAddress().equals("192.0.2.12")) {
        theirs++;
        assertThat(a.vrid()).isEqualTo(51);
        assertThat(a.priority()).isEqualTo(100);
        assertThat(a.interval()).isEqualTo(INTERVAL);
        assertThat(a.carriesExactly(VrrpCodecTest.bytes(VIP))).isTrue();
        assertThat(messageOnly.decode(ip)).isNull();
        assertThat(messageOnly.lastRejection()).isEqualTo(VrrpRejection.OTHER_CHECKSUM_FORM);
      } else {
        ours++;
        sameFieldsAsKeepalived(ip, reference.get(0));
      }
    }
    assertThat(theirs).as("keepalived's advertisements once master").isGreaterThan(2);
    assertThat(ours).as("ours, as captured").isEqualTo(25);
  }

  @Test
  void theOtherFormIsRefusedAndCountedOnBothSides() throws Exception {
    capture = Capture.start(sender, "v0", "ip proto 112 and src 192.0.2.12");
    Keepalived k = startKeepalived();
    send(false, 25);
    // keepalived drops ours as bad checksums and, hearing no master, becomes master itself.
    assertThat(k.log()).contains("(vipha) Invalid VRRPv3 checksum", "(vipha) Entering MASTER STATE");
    List<Pcap.Frame> frames = java.util.Objects.requireNonNull(capture).stop();
    VrrpDecoder messageOnly = new VrrpDecoder(false, true);
    for (Pcap.Frame f : frames) {
      assertThat(messageOnly.decode(f.payload())).isNull();
    }
    assertThat(messageOnly.rejected(VrrpRejection.OTHER_CHECKSUM_FORM)).isEqualTo(frames.size())
        .isGreaterThan(2);
  }

  /**
   * Sends {@code count} advertisements of priority 200 for 192.0.2.100, one per interval, from
   * 192.0.2.11 to 224.0.0.18, as Ethernet frames on v0.
   */
  private void send(boolean pseudoHeader, int count) throws Exception {
    int index = Integer.parseInt(Commands.run("ip", "netns", "exec", sender, "cat",
        "/sys/class/net/v0/ifindex").strip());
    VrrpEncoder enc = new VrrpEncoder(51, INTERVAL, List.of(InetAddress.getByName(VIP)),
        pseudoHeader);
    ByteBuffer out = ByteBuffer.allocate(enc.packetLength());
    byte[] source = VrrpCodecTest.bytes("192.0.2.11");
    try (PacketSocket socket = Namespaces.open(sender, PacketSocket::new)) {
      for (int i = 1; i <= count; i++) {
        int n = enc.encode(out, source, VrrpCodec.IPV4_GROUP, 200, i);
        byte[] packet = new byte[n];
        out.get(0, packet);
        socket.send(index, 0x0800, GROUP_MAC, packet, "a VRRP advertisement");
        Thread.sleep(INTERVAL * 10L);
      }
    }
  }

  /** Our advertisement has the reference's fields but those that say who sends what. */
  private static void sameFieldsAsKeepalived(ByteBuffer ours, ByteBuffer reference) {
    assertThat(ours.limit()).as("length").isEqualTo(reference.limit());
    int[][] fields = {{0, 1}, {1, 1}, {2, 2}, {6, 2}, {8, 1}, {9, 1}, {16, 4}, {20, 1}, {21, 1},
        {23, 1}, {28, 4}};
    String[] names = {"version and header length", "type of service", "total length",
        "flags and fragment offset", "TTL", "protocol", "destination", "VRRP version and type",
        "VRID", "address count", "address"};
    for (int k = 0; k < fields.length; k++) {
      int at = fields[k][0];
      int len = fields[k][1];
      assertThat(VrrpCodecTest.hex(ours.slice(at, len))).as(names[k])
          .isEqualTo(VrrpCodecTest.hex(reference.slice(at, len)));
    }
    assertThat(ours.get(22) & 0xFF).as("priority").isEqualTo(200);
    assertThat(ours.getShort(24) & 0xFFFF).as("reserved bits and interval").isEqualTo(INTERVAL);
  }

  private Keepalived startKeepalived() throws Exception {
    Keepalived k = Keepalived.start(keepalivedHost, "k0", VIP + "/24", 100, "0.1", dir,
        "k1");
    keepalived = k;
    return k;
  }
}
