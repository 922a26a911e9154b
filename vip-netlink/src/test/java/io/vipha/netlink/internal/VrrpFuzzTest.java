package io.vipha.netlink.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * 100,000 random, bit-flipped, overwritten, cut and padded advertisements thrown at decoders of
 * both IPv4 checksum forms.
 *
 * <p>Asserts that nothing throws; that every packet is counted once; that a genuine packet is
 * accepted with the fields it was written with, and refused as the other form by the other
 * decoder; that a single flipped bit is accepted only where no check looks (the IPv4 type of
 * service, identification, flags and header checksum, and the addresses when the checksum
 * leaves the pseudo-header out; the IPv6 traffic class and flow label); and that whatever is
 * accepted is what the encoder writes for the fields read. The seed is printed; rerun one with
 * {@code -Dvipha.fuzz.seed=<seed>}.
 */
class VrrpFuzzTest {
  private static final int CASES = 100_000;
  /** Bytes of the IPv4 header that no check reads. */
  private static final Set<Integer> IPV4_UNCHECKED = Set.of(1, 4, 5, 6, 7, 10, 11);

  private final Map<String, Long> casesByKind = new LinkedHashMap<>();
  private final List<String> failures = new ArrayList<>();
  private final byte[] scratch = new byte[4200];
  private long decoded;
  private long acceptedCount;
  private long seed;

  @Test
  void randomAndMutatedAdvertisements() throws Exception {
    seed = Long.getLong("vipha.fuzz.seed", 20261206L);
    System.out.println("VrrpFuzzTest seed=" + seed);
    Random rnd = new Random(seed);
    VrrpDecoder pseudo = new VrrpDecoder(true, true);
    VrrpDecoder messageOnly = new VrrpDecoder(false, true);
    ByteBuffer buf = ByteBuffer.allocate(scratch.length);
    for (int c = 0; c < CASES; c++) {
      Advert a = Advert.random(rnd);
      VrrpDecoder dec = a.pseudoHeader ? pseudo : messageOnly;
      buf.clear();
      int n = a.encoder.encode(buf, a.source, a.destination, a.priority, a.id);
      buf.limit(n);
      switch (rnd.nextInt(5)) {
        case 0 -> genuine(c, a, buf, dec, a.pseudoHeader ? messageOnly : pseudo);
        case 1 -> oneBitFlipped(c, a, buf, n, rnd.nextInt(n * 8), dec);
        case 2 -> {
          count("bits flipped, cut or padded");
          for (int flips = rnd.nextInt(4); flips > 0; flips--) {
            flip(buf, rnd.nextInt(n * 8));
          }
          buf.limit(rnd.nextBoolean() ? rnd.nextInt(n + 1) : n + rnd.nextInt(64));
          decode(c, dec, buf);
        }
        case 3 -> {
          count("a field overwritten");
          overwriteField(rnd, buf, a.ipv6());
          decode(c, dec, buf);
        }
        default -> {
          count("random bytes");
          int len = rnd.nextInt(120);
          rnd.nextBytes(scratch);
          buf.clear();
          buf.put(scratch, 0, len).flip();
          if (len > 0 && rnd.nextBoolean()) {
            buf.put(0, (byte) (rnd.nextBoolean() ? 0x45 : 0x60));
          }
          if (len > 9 && rnd.nextBoolean()) {
            buf.put(9, (byte) VrrpCodec.PROTOCOL).put(6, (byte) VrrpCodec.PROTOCOL);
          }
          decode(c, dec, buf);
        }
      }
    }
    Map<VrrpRejection, Long> rejections = new EnumMap<>(VrrpRejection.class);
    long counted = 0;
    for (VrrpDecoder d : List.of(pseudo, messageOnly)) {
      counted += d.accepted() + d.rejectedTotal();
      for (VrrpRejection r : VrrpRejection.values()) {
        rejections.merge(r, d.rejected(r), Long::sum);
      }
    }
    System.out.printf("VrrpFuzzTest seed=%d: %,d cases %s, %,d decodes, %,d accepted%n"
        + "  rejections %s%n", seed, CASES, casesByKind, decoded, acceptedCount, rejections);
    assertThat(failures).as("seed %d: first failures", seed).isEmpty();
    assertThat(counted).as("every decode counted once").isEqualTo(decoded);
    for (VrrpRejection r : VrrpRejection.values()) {
      assertThat(rejections.get(r)).as("seed %d: cases of %s", seed, r).isPositive();
    }
  }

  private void genuine(int c, Advert a, ByteBuffer buf, VrrpDecoder dec, VrrpDecoder other) {
    count("genuine");
    VrrpAdvert v = decode(c, dec, buf);
    if (v == null || v.vrid() != a.vrid || v.priority() != a.priority
        || v.interval() != a.interval || !v.carriesExactly(a.encoder.addresses())) {
      fail(c, a + " was " + (v == null ? "rejected: " + dec.lastRejection() : "read wrongly"));
    }
    VrrpAdvert w = decode(c, other, buf);
    // The forms agree when the pseudo-header sums to 0 (one's complement): about 1 in 32,768.
    boolean agree = a.ipv6() || VrrpCodec.fold(VrrpCodec.pseudoHeaderSum(buf, 12, 16, 4,
        buf.limit() - VrrpCodec.IPV4_HEADER_LENGTH)) == 0;
    VrrpRejection expected = agree ? null : VrrpRejection.OTHER_CHECKSUM_FORM;
    if ((w == null) == agree || other.lastRejection() != expected) {
      fail(c, a + " gave " + other.lastRejection() + " from the other form's decoder");
    }
  }

  private void oneBitFlipped(int c, Advert a, ByteBuffer buf, int n, int bit, VrrpDecoder dec) {
    count("one bit flipped");
    flip(buf, bit);
    int at = bit / 8;
    boolean unchecked = a.ipv6() ? at < 4 && (at > 0 || bit % 8 < 4)
        : IPV4_UNCHECKED.contains(at) || (!a.pseudoHeader && at >= 12 && at < 20);
    VrrpAdvert v = decode(c, dec, buf);
    if ((v != null) != unchecked) {
      fail(c, "flipping bit " + bit + " of " + n + " bytes of " + a + " gave "
          + (v == null ? dec.lastRejection() : "acceptance"));
    }
  }

  /** Sets one header field to a random value, 0 half the time. */
  private static void overwriteField(Random rnd, ByteBuffer buf, boolean ipv6) {
    int message = ipv6 ? VrrpCodec.IPV6_HEADER_LENGTH : VrrpCodec.IPV4_HEADER_LENGTH;
    int[] fields = ipv6 ? new int[] {0, 4, 6, 7} : new int[] {0, 2, 8, 9};
    int which = rnd.nextInt(fields.length + 5);
    int value = rnd.nextBoolean() ? 0 : rnd.nextInt(65536);
    if (which < fields.length) {
      buf.put(fields[which], (byte) value);
    } else {
      int offset = message + new int[] {0, VrrpCodec.COUNT_OFFSET, VrrpCodec.INTERVAL_OFFSET,
          VrrpCodec.INTERVAL_OFFSET + 1, VrrpCodec.CHECKSUM_OFFSET}[which - fields.length];
      buf.put(offset, (byte) value);
    }
  }

  private static void flip(ByteBuffer buf, int bit) {
    buf.put(bit / 8, (byte) (buf.get(bit / 8) ^ (1 << (bit % 8))));
  }

  /** Decodes; an exception or an accepted packet the encoder would not write is a failure. */
  private @Nullable VrrpAdvert decode(int c, VrrpDecoder dec, ByteBuffer buf) {
    decoded++;
    VrrpAdvert v;
    try {
      v = dec.decode(buf);
    } catch (RuntimeException e) {
      fail(c, "threw " + e + " on " + VrrpCodecTest.hex(buf));
      return null;
    }
    if (v != null) {
      acceptedCount++;
      if (!reencodes(v, buf)) {
        fail(c, "accepted what the encoder would not write: " + VrrpCodecTest.hex(buf));
      }
    }
    return v;
  }

  /**
   * Whether encoding the view's fields in one of the forms gives the accepted message; when
   * compensating flips set reserved bits, the checksum aside.
   */
  private static boolean reencodes(VrrpAdvert v, ByteBuffer packet) {
    int al = v.addressLength();
    List<InetAddress> addresses = new ArrayList<>();
    byte[] one = new byte[al];
    byte[] src = new byte[al];
    byte[] dst = new byte[al];
    try {
      for (int i = 0; i < v.addressCount(); i++) {
        v.address(i, one);
        addresses.add(InetAddress.getByAddress(one));
      }
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
    v.source(src);
    v.destination(dst);
    int start = packet.position();
    int at = start + (al == 16 ? VrrpCodec.IPV6_HEADER_LENGTH
        : (packet.get(start) & 0x0F) * 4);
    byte[] theirs = new byte[v.length()];
    packet.get(at, theirs);
    boolean reserved = (theirs[VrrpCodec.INTERVAL_OFFSET] & 0xF0) != 0;
    if (reserved) {
      theirs[VrrpCodec.INTERVAL_OFFSET] &= 0x0F;
      theirs[VrrpCodec.CHECKSUM_OFFSET] = 0;
      theirs[VrrpCodec.CHECKSUM_OFFSET + 1] = 0;
    }
    ByteBuffer out = ByteBuffer.allocate(4200);
    for (boolean form : new boolean[] {true, false}) {
      int n = new VrrpEncoder(v.vrid(), v.interval(), addresses, form).encode(out, src, dst,
          v.priority(), 0);
      byte[] mine = new byte[v.length()];
      out.get(n - v.length(), mine);
      if (reserved) {
        mine[VrrpCodec.CHECKSUM_OFFSET] = 0;
        mine[VrrpCodec.CHECKSUM_OFFSET + 1] = 0;
      }
      if (Arrays.equals(mine, theirs)) {
        return true;
      }
    }
    return false;
  }

  private void fail(int c, String what) {
    if (failures.size() < 20) {
      failures.add("seed " + seed + " case " + c + ": " + what);
    }
  }

  private void count(String kind) {
    casesByKind.merge(kind, 1L, Long::sum);
  }

  /** A random genuine advertisement and how it was written. */
  private record Advert(VrrpEncoder encoder, boolean pseudoHeader, int vrid, int priority,
      int interval, int id, byte[] source, byte[] destination) {
    static Advert random(Random rnd) throws UnknownHostException {
      boolean ipv6 = rnd.nextBoolean();
      int al = ipv6 ? 16 : 4;
      int count = rnd.nextInt(10) == 0 ? 1 + rnd.nextInt(255) : 1 + rnd.nextInt(4);
      List<InetAddress> addresses = new ArrayList<>();
      byte[] a = new byte[al];
      for (int i = 0; i < count; i++) {
        rnd.nextBytes(a);
        addresses.add(InetAddress.getByAddress(a));
      }
      int vrid = 1 + rnd.nextInt(255);
      int interval = rnd.nextInt(4) == 0 ? 1 << rnd.nextInt(12)
          : 1 + rnd.nextInt(VrrpCodec.MAX_INTERVAL);
      byte[] source = new byte[al];
      rnd.nextBytes(source);
      byte[] destination = new byte[al];
      if (rnd.nextBoolean()) {
        rnd.nextBytes(destination);
      } else {
        System.arraycopy(ipv6 ? VrrpCodec.IPV6_GROUP : VrrpCodec.IPV4_GROUP, 0, destination,
            0, al);
      }
      boolean pseudoHeader = rnd.nextBoolean();
      return new Advert(new VrrpEncoder(vrid, interval, addresses, pseudoHeader), pseudoHeader,
          vrid, rnd.nextInt(256), interval, rnd.nextInt(65536), source, destination);
    }

    boolean ipv6() {
      return encoder.isIpv6();
    }

    @Override
    public String toString() {
      return (ipv6() ? "IPv6" : "IPv4") + " advertisement VRID " + vrid + " priority "
          + priority + " interval " + interval + (pseudoHeader ? " with" : " without")
          + " pseudo-header";
    }
  }
}
