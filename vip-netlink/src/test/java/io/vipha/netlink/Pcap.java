package io.vipha.netlink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** Reads the Ethernet frames of a classic pcap file, as {@code tcpdump -w} writes it. */
public final class Pcap {
  private Pcap() {}

  /** One captured Ethernet frame. */
  public record Frame(byte[] bytes) {
    public String destination() {
      return mac(0);
    }

    public String source() {
      return mac(6);
    }

    public int etherType() {
      return ((bytes[12] & 0xFF) << 8) | (bytes[13] & 0xFF);
    }

    int u8(int offset) {
      return bytes[14 + offset] & 0xFF;
    }

    int u16(int offset) {
      return (u8(offset) << 8) | u8(offset + 1);
    }

    int u32(int offset) {
      return (u16(offset) << 16) | u16(offset + 2);
    }

    /** The payload after the Ethernet header (the IP packet of an IP frame), read-only. */
    public ByteBuffer payload() {
      return ByteBuffer.wrap(bytes, 14, bytes.length - 14).slice().asReadOnlyBuffer();
    }

    /** Bytes {@code [from, to)} of the payload after the Ethernet header. */
    byte[] payload(int from, int to) {
      return Arrays.copyOfRange(bytes, 14 + from, 14 + to);
    }

    /** The payload's bytes at {@code offset} as a MAC address. */
    String payloadMac(int offset) {
      return mac(14 + offset);
    }

    private String mac(int offset) {
      HexFormat h = HexFormat.ofDelimiter(":");
      return h.formatHex(bytes, offset, offset + 6);
    }
  }

  public static List<Frame> read(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
    if (b.remaining() < 24) {
      return List.of();
    }
    int magic = b.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
      b.order(ByteOrder.BIG_ENDIAN);
    }
    int linkType = b.getInt(20);
    if (linkType != 1) {
      throw new AssertionError("capture link type " + linkType + " is not Ethernet");
    }
    b.position(24);
    List<Frame> frames = new ArrayList<>();
    while (b.remaining() >= 16) {
      b.getInt();
      b.getInt();
      int captured = b.getInt();
      b.getInt();
      if (captured > b.remaining()) {
        break;
      }
      byte[] f = new byte[captured];
      b.get(f);
      if (f.length >= 14) {
        frames.add(new Frame(f));
      }
    }
    return frames;
  }
}
