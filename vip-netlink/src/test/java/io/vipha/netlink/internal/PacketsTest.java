package io.vipha.netlink.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class PacketsTest {
  private static final byte[] MAC = HexFormat.ofDelimiter(":").parseHex("02:00:5e:10:00:01");

  @Test
  void gratuitousArpInBothForms() throws Exception {
    byte[] ip = InetAddress.getByName("192.0.2.10").getAddress();
    assertThat(HexFormat.of().formatHex(Packets.garp(Packets.ARP_REQUEST, MAC, ip)))
        .isEqualTo("0001" + "0800" + "06" + "04" + "0001" + "02005e100001" + "c000020a"
            + "000000000000" + "c000020a");
    assertThat(HexFormat.of().formatHex(Packets.garp(Packets.ARP_REPLY, MAC, ip)))
        .isEqualTo("0001" + "0800" + "06" + "04" + "0002" + "02005e100001" + "c000020a"
            + "ffffffffffff" + "c000020a");
  }

  @Test
  void unsolicitedNeighbourAdvertisement() throws Exception {
    byte[] target = InetAddress.getByName("2001:db8::10").getAddress();
    byte[] p = Packets.unsolicitedNa(MAC, target);
    String hex = HexFormat.of().formatHex(p);
    assertThat(hex.substring(0, 16)).as("version, payload length 32, ICMPv6, hop limit 255")
        .isEqualTo("6000000000203aff");
    assertThat(hex.substring(48, 80)).as("to ff02::1").isEqualTo(
        "ff020000000000000000000000000001");
    assertThat(hex.substring(80, 88 + 8)).as("type 136, code 0, checksum, Override")
        .startsWith("8800").endsWith("20000000");
    assertThat(hex.substring(128)).as("target link-layer address option").isEqualTo(
        "020102005e100001");
    // A correct checksum makes the one's complement sum over the packet, checksum included, 0.
    assertThat(Packets.icmpv6Checksum(p)).isZero();
    // The value an independent RFC 1071 implementation (a Python one-liner) gives for this packet.
    assertThat(((p[42] & 0xFF) << 8) | (p[43] & 0xFF)).isEqualTo(0x9afc);
  }
}
