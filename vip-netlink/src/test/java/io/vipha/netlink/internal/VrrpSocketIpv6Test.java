package io.vipha.netlink.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.netlink.Capture;
import io.vipha.netlink.Netns;
import io.vipha.netlink.Pcap;
import io.vipha.spi.BackendException;
import io.vipha.testkit.Privileged;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The IPv6 {@link VrrpSocket} on a veth pair in network namespaces: what it sends (captured on
 * the peer) has hop limit 255, the link-local source it was given, ff02::12 and a checksum over
 * the pseudo-header; what it receives comes back with the fixed IPv6 header written from what
 * the kernel reported, so that the decoder accepts a good advertisement and counts one with
 * another hop limit or a forged checksum, without throwing. Needs root and tcpdump.
 */
class VrrpSocketIpv6Test {
  private static final byte[] GROUP_MAC = {0x33, 0x33, 0, 0, 0, 0x12};
  private static final int ETH_P_IPV6 = 0x86DD;
  private final Netns netns = new Netns();
  private String a = "";
  private String b = "";

  @BeforeEach
  void setUp() {
    Privileged.requireNetworkNamespaces();
    a = netns.create();
    b = netns.create();
    netns.veth(a, "v0", b, "p0");
  }

  @AfterEach
  void tearDown() {
    netns.close();
  }

  @Test
  void sendsWithHopLimit255FromTheLinkLocalSourceWithThePseudoHeaderChecksum() throws Exception {
    Privileged.requireTool("tcpdump");
    byte[] source = linkLocal(a, "v0");
    VrrpEncoder enc = encoder();
    Link v0 = link(a, "v0");
    List<Pcap.Frame> frames;
    try (Capture capture = Capture.start(b, "p0", "ip6 proto 112");
        VrrpSocket s = Namespaces.open(a, () -> VrrpSocket.ipv6(v0, source))) {
      assertThat(s.isIpv6()).isTrue();
      for (int i = 0; i < 3; i++) {
        ByteBuffer out = s.sendBuffer();
        out.clear();
        s.send(enc.encode(out, source, VrrpCodec.group(true), 200, 0), VrrpCodec.group(true));
      }
      Thread.sleep(300);
      frames = capture.stop();
    }
    assertThat(frames).hasSize(3);
    VrrpDecoder d = new VrrpDecoder(true, true);
    for (Pcap.Frame f : frames) {
      assertThat(f.destination()).isEqualTo("33:33:00:00:00:12");
      VrrpAdvert adv = VrrpCodecTest.accept(d, f.payload());
      assertThat(adv.ttl()).as("hop limit").isEqualTo(255);
      byte[] from = new byte[16];
      adv.source(from);
      assertThat(from).isEqualTo(source);
      byte[] to = new byte[16];
      adv.destination(to);
      assertThat(to).isEqualTo(VrrpCodec.group(true));
      assertThat(adv.priority()).isEqualTo(200);
      assertThat(adv.carriesExactly(VrrpCodecTest.bytes("2001:db8::100"))).isTrue();
    }
  }

  @Test
  void receivesWithTheHeaderWrittenAndCountsAForgedHopLimitAndChecksum() throws Exception {
    byte[] local = linkLocal(a, "v0");
    byte[] peer = linkLocal(b, "p0");
    int index = link(b, "p0").index();
    VrrpEncoder enc = encoder();
    ByteBuffer good = ByteBuffer.allocate(enc.packetLength());
    enc.encode(good, peer, VrrpCodec.group(true), 150, 0);
    ByteBuffer hop64 = copy(good);
    hop64.put(7, (byte) 64);
    ByteBuffer forged = copy(good);
    forged.put(VrrpCodec.IPV6_HEADER_LENGTH + VrrpCodec.PRIORITY_OFFSET, (byte) 254);
    VrrpDecoder d = new VrrpDecoder(true, true);
    Link v0 = link(a, "v0");
    try (VrrpSocket s = Namespaces.open(a, () -> VrrpSocket.ipv6(v0, local));
        PacketSocket raw = Namespaces.open(b, PacketSocket::new)) {
      for (ByteBuffer p : List.of(good, hop64, forged)) {
        raw.send(index, ETH_P_IPV6, GROUP_MAC, array(p), "a VRRP advertisement");
      }
      VrrpAdvert adv = receive(s, d);
      assertThat(adv).isNotNull();
      assertThat(Objects.requireNonNull(adv).priority()).isEqualTo(150);
      assertThat(adv.ttl()).isEqualTo(255);
      assertThat(adv.compareSource(peer)).isZero();
      byte[] to = new byte[16];
      adv.destination(to);
      assertThat(to).isEqualTo(VrrpCodec.group(true));
      assertThat(receive(s, d)).isNull();
      assertThat(d.lastRejection()).isEqualTo(VrrpRejection.WRONG_TTL);
      assertThat(receive(s, d)).isNull();
      assertThat(d.lastRejection()).isEqualTo(VrrpRejection.BAD_CHECKSUM);
    }
    assertThat(d.accepted()).isEqualTo(1);
    assertThat(d.rejectedTotal()).isEqualTo(2);
  }

  private static @Nullable VrrpAdvert receive(VrrpSocket s, VrrpDecoder d) throws Exception {
    for (int tries = 0; tries < 25; tries++) {
      int n = s.receive();
      if (n > 0) {
        ByteBuffer in = s.receiveBuffer();
        in.limit(n).position(0);
        return d.decode(in);
      }
    }
    throw new AssertionError("no packet within 5 s");
  }

  private static VrrpEncoder encoder() throws Exception {
    return new VrrpEncoder(52, 100, List.of(InetAddress.getByName("2001:db8::100")), true);
  }

  private static ByteBuffer copy(ByteBuffer b) {
    return ByteBuffer.wrap(array(b));
  }

  private static byte[] array(ByteBuffer b) {
    byte[] out = new byte[b.capacity()];
    b.get(0, out);
    return out;
  }

  static Link link(String ns, String iface) throws BackendException {
    return Namespaces.open(ns, () -> {
      try (Rtnl r = Rtnl.open(" in " + ns)) {
        return r.link(iface);
      }
    });
  }

  /** The link-local address of {@code iface} in {@code ns}. */
  static byte[] linkLocal(String ns, String iface) throws BackendException {
    return Namespaces.open(ns, () -> {
      try (Rtnl r = Rtnl.open(" in " + ns)) {
        Link link = r.link(iface);
        for (Address x : r.addresses()) {
          if (x.index() == link.index() && x.address() instanceof Inet6Address
              && x.address().isLinkLocalAddress()) {
            return x.address().getAddress();
          }
        }
        throw new AssertionError(iface + " in " + ns + " has no link-local address");
      }
    });
  }
}
