package io.vipha.netlink.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.netlink.Pcap;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The advertisements keepalived 2.2.7 sent (IPv4, VRID 51, priorities 150 and 100, 1 s, a
 * priority-0 advertisement at a graceful stop), decoded field by field and encoded again byte
 * for byte; then every malformed case the decoder names.
 */
class VrrpCodecTest {
  static final Path CAPTURE = Path.of("src/test/resources/keepalived-vrrpv3.pcap");
  private static final byte[] VIP = bytes("192.0.2.100");
  private static final byte[] GROUP = VrrpCodec.IPV4_GROUP;
  private static final byte[] N1 = bytes("192.0.2.11");

  /** The IPv4 packets of protocol 112 in the reference capture. */
  static List<ByteBuffer> captured() throws Exception {
    List<ByteBuffer> adverts = new ArrayList<>();
    for (Pcap.Frame f : Pcap.read(CAPTURE)) {
      ByteBuffer ip = f.payload();
      if (f.etherType() == 0x0800 && ip.get(9) == VrrpCodec.PROTOCOL) {
        adverts.add(ip);
      }
    }
    return adverts;
  }

  @Test
  void decodesEveryAdvertisementOfTheReferenceCapture() throws Exception {
    VrrpDecoder dec = new VrrpDecoder(true, true);
    Map<String, Integer> bySourceAndPriority = new TreeMap<>();
    byte[] source = new byte[4];
    byte[] destination = new byte[4];
    byte[] address = new byte[4];
    for (ByteBuffer ip : captured()) {
      VrrpAdvert a = accept(dec, ip);
      assertThat(a.isIpv6()).isFalse();
      assertThat(a.ttl()).isEqualTo(255);
      assertThat(a.vrid()).isEqualTo(51);
      assertThat(a.interval()).as("centiseconds").isEqualTo(100);
      assertThat(a.addressCount()).isOne();
      assertThat(a.length()).isEqualTo(12);
      a.address(0, address);
      assertThat(address).isEqualTo(VIP);
      assertThat(a.carriesExactly(VIP)).isTrue();
      a.destination(destination);
      assertThat(destination).isEqualTo(GROUP);
      a.source(source);
      bySourceAndPriority.merge(InetAddress.getByAddress(source).getHostAddress() + " "
          + a.priority(), 1, Integer::sum);
    }
    assertThat(bySourceAndPriority).isEqualTo(Map.of("192.0.2.11 150", 5, "192.0.2.11 0", 1,
        "192.0.2.12 100", 7));
    assertThat(dec.accepted()).isEqualTo(13);
    assertThat(dec.rejectedTotal()).isZero();
  }

  @Test
  void encodesTheCapturedAdvertisementsByteForByte() throws Exception {
    VrrpEncoder enc = new VrrpEncoder(51, 100, List.of(InetAddress.getByAddress(VIP)), true);
    ByteBuffer out = ByteBuffer.allocate(64);
    byte[] source = new byte[4];
    for (ByteBuffer ip : captured()) {
      ip.get(12, source, 0, 4);
      int priority = ip.get(22) & 0xFF;
      int id = ip.getShort(4) & 0xFFFF;
      int n = enc.encode(out, source, GROUP, priority, id);
      assertThat(n).isEqualTo(enc.packetLength()).isEqualTo(32);
      assertThat(hex(out.slice(0, n))).isEqualTo(hex(ip.slice(0, 32)));
    }
  }

  @Test
  void aDecoderOfTheOtherFormCountsEveryCapturedAdvertisement() throws Exception {
    VrrpDecoder dec = new VrrpDecoder(false, true);
    for (ByteBuffer ip : captured()) {
      assertThat(dec.decode(ip)).isNull();
      assertThat(dec.lastRejection()).isEqualTo(VrrpRejection.OTHER_CHECKSUM_FORM);
    }
    assertThat(dec.rejected(VrrpRejection.OTHER_CHECKSUM_FORM)).isEqualTo(13);
    assertThat(dec.rejected(VrrpRejection.BAD_CHECKSUM)).isZero();
  }

  @Test
  void theMessageOnlyFormOfRfc9568() throws Exception {
    VrrpEncoder enc = new VrrpEncoder(51, 100, List.of(InetAddress.getByAddress(VIP)), false);
    ByteBuffer out = ByteBuffer.allocate(32);
    enc.encode(out, N1, GROUP, 150, 5);
    // The sum over the 12-byte message alone, as an independent RFC 1071 implementation
    // (Python) gives it; with the pseudo-header it is d367, as keepalived sent.
    assertThat(out.getShort(26) & 0xFFFF).isEqualTo(0x7602);
    accept(new VrrpDecoder(false, true), out);
    VrrpDecoder pseudo = new VrrpDecoder(true, true);
    assertThat(pseudo.decode(out)).isNull();
    assertThat(pseudo.lastRejection()).isEqualTo(VrrpRejection.OTHER_CHECKSUM_FORM);
  }

  @Test
  void ipv6AlwaysCoversThePseudoHeader() throws Exception {
    List<InetAddress> vips = List.of(InetAddress.getByName("2001:db8::10"),
        InetAddress.getByName("2001:db8::11"));
    byte[] source = bytes("fe80::1");
    for (boolean form : new boolean[] {true, false}) {
      VrrpEncoder enc = new VrrpEncoder(7, 10, vips, form);
      ByteBuffer out = ByteBuffer.allocate(enc.packetLength());
      assertThat(enc.encode(out, source, VrrpCodec.IPV6_GROUP, 200, 0)).isEqualTo(80);
      assertThat(hex(out.slice(0, 8))).as("version 6, payload 40, next header 112, hop limit"
          + " 255").isEqualTo("6000000000287" + "0ff");
      // From an independent RFC 1071 implementation (Python) over the RFC 8200 pseudo-header.
      assertThat(out.getShort(46) & 0xFFFF).isEqualTo(0xad29);
      for (boolean decoderForm : new boolean[] {true, false}) {
        VrrpAdvert a = accept(new VrrpDecoder(decoderForm, true), out);
        assertThat(a.isIpv6()).isTrue();
        assertThat(a.vrid()).isEqualTo(7);
        assertThat(a.priority()).isEqualTo(200);
        assertThat(a.interval()).isEqualTo(10);
        assertThat(a.addressCount()).isEqualTo(2);
        assertThat(a.carriesExactly(enc.addresses())).isTrue();
        assertThat(a.compareSource(bytes("fe80::1"))).isZero();
        assertThat(a.compareSource(bytes("fe80::2"))).isNegative();
        assertThat(a.compareSource(bytes("fe80::0"))).isPositive();
      }
      out.put(47, (byte) (out.get(47) ^ 1));
      VrrpDecoder dec = new VrrpDecoder(form, true);
      assertThat(dec.decode(out)).isNull();
      assertThat(dec.lastRejection()).as("IPv6 has one form").isEqualTo(
          VrrpRejection.BAD_CHECKSUM);
    }
  }

  @Test
  void everyShorterPacketIsTruncated() throws Exception {
    ByteBuffer ip = captured().get(0);
    VrrpDecoder dec = new VrrpDecoder(true, true);
    for (int n = 0; n < 32; n++) {
      assertThat(dec.decode(ip.slice(0, n))).isNull();
      assertThat(dec.lastRejection()).as("%d bytes", n).isEqualTo(VrrpRejection.TRUNCATED);
    }
    assertThat(dec.rejected(VrrpRejection.TRUNCATED)).isEqualTo(32);
  }

  @Test
  void eachMalformedCaseIsNamedAndCounted() throws Exception {
    expect(VrrpRejection.BAD_IP_HEADER, p -> p.put(0, (byte) 0x55));
    expect(VrrpRejection.BAD_IP_HEADER, p -> p.put(0, (byte) 0x44));
    expect(VrrpRejection.TRUNCATED, p -> p.putShort(2, (short) 33));
    expect(VrrpRejection.TRUNCATED, p -> p.putShort(2, (short) 27));
    expect(VrrpRejection.WRONG_PROTOCOL, p -> p.put(9, (byte) 51));
    expect(VrrpRejection.WRONG_TTL, p -> p.put(8, (byte) 254));
    expect(VrrpRejection.WRONG_TTL, p -> p.put(8, (byte) 1));
    expect(VrrpRejection.WRONG_VERSION, p -> p.put(20, (byte) 0x21));
    expect(VrrpRejection.WRONG_TYPE, p -> p.put(20, (byte) 0x32));
    expect(VrrpRejection.WRONG_ADDRESS_COUNT, p -> p.put(23, (byte) 2));
    expect(VrrpRejection.WRONG_ADDRESS_COUNT, p -> p.put(23, (byte) 0));
    expect(VrrpRejection.ZERO_INTERVAL, p -> p.putShort(24, (short) 0xF000));
    expect(VrrpRejection.BAD_CHECKSUM, p -> p.put(31, (byte) 0x65));
    expect(VrrpRejection.BAD_CHECKSUM, p -> p.put(15, (byte) 0x0d));
    expect(null, p -> p.put(10, (byte) 0)); // the IP header checksum is the kernel's to check
    expect(null, p -> { // reserved bits are ignored, as RFC 5798 asks
      p.put(24, (byte) 0xF0).putShort(26, (short) 0);
      p.putShort(26, (short) VrrpCodec.checksum(p, 20, 12,
          VrrpCodec.pseudoHeaderSum(p, 12, 16, 4, 12)));
    });
  }

  @Test
  void aTtlBelow255IsAcceptedWhenTheCheckIsOff() throws Exception {
    ByteBuffer p = copy(captured().get(0), 0);
    p.put(8, (byte) 64);
    VrrpAdvert a = accept(new VrrpDecoder(true, false), p);
    assertThat(a.ttl()).isEqualTo(64);
  }

  @Test
  void honoursOptionsPaddingPositionAndByteOrder() throws Exception {
    ByteBuffer ip = captured().get(0);
    // Four bytes of IPv4 options (no-operation) move the message to offset 24.
    ByteBuffer withOptions = ByteBuffer.allocate(36);
    withOptions.put(ip.slice(0, 20)).put(new byte[] {1, 1, 1, 1}).put(ip.slice(20, 12));
    withOptions.put(0, (byte) 0x46).putShort(2, (short) 36).flip();
    VrrpDecoder dec = new VrrpDecoder(true, true);
    VrrpAdvert a = accept(dec, withOptions);
    assertThat(a.priority()).isEqualTo(150);
    // Link-layer padding after the packet, at an offset, in a little-endian buffer.
    ByteBuffer padded = ByteBuffer.allocate(100).order(ByteOrder.LITTLE_ENDIAN);
    padded.position(17).put(ip.duplicate()).put(new byte[14]).flip().position(17);
    a = accept(dec, padded);
    assertThat(a.interval()).isEqualTo(100);
    assertThat(a.checksum()).isEqualTo(0xd367);
    assertThat(padded.position()).isEqualTo(17);
    assertThat(padded.limit()).isEqualTo(17 + 32 + 14);
    // And the encoder writes at the position, big-endian, whatever the order.
    VrrpEncoder enc = new VrrpEncoder(51, 100, List.of(InetAddress.getByAddress(VIP)), true);
    ByteBuffer out = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
    out.position(5);
    assertThat(enc.encode(out, N1, GROUP, 150, 5)).isEqualTo(32);
    assertThat(out.position()).isEqualTo(5);
    assertThat(hex(out.slice(5, 32))).isEqualTo(hex(ip.slice(0, 32)));
  }

  @Test
  void carriesExactlyTheGroupsAddresses() throws Exception {
    List<InetAddress> three = List.of(InetAddress.getByName("192.0.2.1"),
        InetAddress.getByName("192.0.2.2"), InetAddress.getByName("192.0.2.3"));
    ByteBuffer out = ByteBuffer.allocate(64);
    new VrrpEncoder(9, 1, three, true).encode(out, N1, GROUP, 100, 1);
    VrrpAdvert a = accept(new VrrpDecoder(true, true), out.slice(0, 20 + 8 + 12));
    byte[] reordered = new VrrpEncoder(9, 1, List.of(three.get(2), three.get(0), three.get(1)),
        true).addresses();
    assertThat(a.carriesExactly(reordered)).isTrue();
    byte[] fewer = new VrrpEncoder(9, 1, three.subList(0, 2), true).addresses();
    assertThat(a.carriesExactly(fewer)).isFalse();
    byte[] other = new VrrpEncoder(9, 1, List.of(three.get(0), three.get(1),
        InetAddress.getByName("192.0.2.4")), true).addresses();
    assertThat(a.carriesExactly(other)).isFalse();
    assertThat(a.compareSource(bytes("192.0.2.12"))).isNegative();
    assertThat(a.compareSource(bytes("192.0.2.10"))).isPositive();
    assertThat(a.compareSource(bytes("10.0.0.200"))).as("unsigned").isPositive();
  }

  @Test
  void theEncoderRefusesWhatVrrpCannotCarry() throws Exception {
    List<InetAddress> one = List.of(InetAddress.getByName("192.0.2.1"));
    assertThatThrownBy(() -> new VrrpEncoder(0, 100, one, true))
        .hasMessageContaining("VRID is 1-255; got 0");
    assertThatThrownBy(() -> new VrrpEncoder(256, 100, one, true))
        .hasMessageContaining("VRID is 1-255; got 256");
    assertThatThrownBy(() -> new VrrpEncoder(1, 0, one, true))
        .hasMessageContaining("1-4095 centiseconds; got 0");
    assertThatThrownBy(() -> new VrrpEncoder(1, 4096, one, true))
        .hasMessageContaining("1-4095 centiseconds; got 4096");
    assertThatThrownBy(() -> new VrrpEncoder(1, 100, List.of(), true))
        .hasMessageContaining("1-255 addresses; got 0");
    assertThatThrownBy(() -> new VrrpEncoder(1, 100, List.of(one.get(0),
        InetAddress.getByName("2001:db8::1")), true)).hasMessageContaining("one family");
  }

  /** The first captured advertisement changed by {@code change} is {@code reason} (or kept). */
  private static void expect(@Nullable VrrpRejection reason, Consumer<ByteBuffer> change)
      throws Exception {
    ByteBuffer p = copy(captured().get(0), 0);
    change.accept(p);
    VrrpDecoder dec = new VrrpDecoder(true, true);
    VrrpAdvert a = dec.decode(p);
    assertThat(dec.lastRejection()).as(hex(p)).isEqualTo(reason);
    assertThat(a == null).isEqualTo(reason != null);
    assertThat(dec.rejectedTotal()).isEqualTo(reason == null ? 0 : 1);
    if (reason != null) {
      assertThat(dec.rejected(reason)).isOne();
    }
  }

  /** The decoder's view of {@code p}, which it must accept. */
  static VrrpAdvert accept(VrrpDecoder dec, ByteBuffer p) {
    VrrpAdvert a = dec.decode(p);
    if (a == null) {
      throw new AssertionError(hex(p) + " was rejected: " + dec.lastRejection());
    }
    return a;
  }

  private static ByteBuffer copy(ByteBuffer b, int extra) {
    ByteBuffer c = ByteBuffer.allocate(b.remaining() + extra);
    c.put(b.duplicate()).flip();
    return c;
  }

  static byte[] bytes(String address) {
    try {
      return InetAddress.getByName(address).getAddress();
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  static String hex(ByteBuffer b) {
    byte[] a = new byte[b.remaining()];
    b.duplicate().get(a);
    return HexFormat.of().formatHex(a);
  }
}
