package io.vipha.internal.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Throws random, truncated, bit-flipped, wrongly signed and replayed packets at a decoder.
 *
 * <p>Asserts that no exception escapes and that nothing is accepted except a genuine packet, once.
 * Mutations are made from packets the decoder has not seen yet, so only the structure checks and
 * the MAC stand between a mutation and acceptance (not the replay guard). The seed is printed;
 * rerun one with {@code -Dvipha.fuzz.seed=<seed>}.
 */
class HeartbeatFuzzTest {
  private static final String GROUP = "fuzz";
  private static final List<String> NODES =
      List.of("n0", "n1", "n2", "n3", "n4", "n5", "nœud-ü", "😀-node");
  private static final byte[] CURRENT = TestPackets.key(1);
  private static final byte[] PREVIOUS = TestPackets.key(2);
  private static final byte[] WRONG = TestPackets.key(3);
  private static final int CURRENT_ID = 2;
  private static final int PREVIOUS_ID = 1;

  /** Rejections that only the structure checks, the key lookup or the MAC produce. */
  private static final Set<Rejection> BEFORE_TRUST = EnumSet.of(Rejection.TOO_SHORT,
      Rejection.BAD_MAGIC, Rejection.BAD_VERSION, Rejection.BAD_TYPE, Rejection.BAD_FLAGS,
      Rejection.BAD_LENGTH, Rejection.UNKNOWN_KEY, Rejection.BAD_MAC);

  private long seed;
  private Random rnd = new Random();
  private HeartbeatDecoder dec =
      new HeartbeatDecoder(HeartbeatKeys.of(1, CURRENT), ReplayGuard.bounded(1));
  private final Set<ByteBuffer> genuine = new HashSet<>();
  private final Set<ByteBuffer> acceptedPackets = new HashSet<>();
  private final Map<String, Long> casesByKind = new LinkedHashMap<>();
  private final Map<Rejection, Long> rejections = new EnumMap<>(Rejection.class);
  private final List<String> failures = new ArrayList<>();
  private long cases;
  private long exceptions;
  private long wronglyAccepted;
  private long accepted;
  private final byte[] scratch = new byte[HeartbeatCodec.MAX_LENGTH + 64];

  private final class Sender {
    final String node;
    final HeartbeatEncoder enc;
    long incarnation;
    long sequence;
    final List<byte[]> sent = new ArrayList<>();
    final List<byte[]> earlierIncarnations = new ArrayList<>();

    Sender(String node) {
      this.node = node;
      boolean current = rnd.nextBoolean();
      HeartbeatKeys keys = current ? HeartbeatKeys.of(CURRENT_ID, CURRENT)
          : HeartbeatKeys.of(PREVIOUS_ID, PREVIOUS);
      this.enc = new HeartbeatEncoder(keys, GROUP, node);
      this.incarnation = rnd.nextLong() >>> 2;
    }

    byte[] next(int bitmapLen) {
      byte[] bitmap = new byte[bitmapLen];
      rnd.nextBytes(bitmap);
      // Flap suspensions: mostly none, sometimes a few, now and then one per node (256).
      int suspensions = rnd.nextInt(4) != 0 ? 0 : rnd.nextInt(50) == 0
          ? HeartbeatCodec.MAX_SUSPENSIONS : rnd.nextInt(4);
      byte[] entries = new byte[suspensions * HeartbeatCodec.SUSPENSION_LENGTH];
      rnd.nextBytes(entries);
      enc.type(rnd.nextInt(10) == 0 ? MessageType.LEAVING : MessageType.HEARTBEAT)
          .flags(rnd.nextInt(16)).incarnation(incarnation).sequence(++sequence)
          .priority(rnd.nextInt()).configDigest(rnd.nextLong()).owned(bitmap, 0, bitmapLen)
          .suspensions(entries, suspensions);
      int len = enc.encode(scratch, 0);
      byte[] p = Arrays.copyOf(scratch, len);
      genuine.add(ByteBuffer.wrap(p));
      return p;
    }

    void restart() {
      earlierIncarnations.addAll(sent);
      sent.clear();
      incarnation += 1 + rnd.nextInt(1000);
      sequence = 0;
    }
  }

  @Test
  void nothingForgedMutatedOrReplayedIsEverAcceptedAndNothingThrows() {
    seed = Long.getLong("vipha.fuzz.seed", System.nanoTime());
    System.out.println("HeartbeatFuzzTest seed=" + seed);
    rnd = new Random(seed);
    dec = new HeartbeatDecoder(HeartbeatKeys.of(CURRENT_ID, CURRENT, PREVIOUS_ID, PREVIOUS),
        ReplayGuard.forNodes(NODES));
    List<Sender> senders = new ArrayList<>();
    for (String n : NODES) {
      senders.add(new Sender(n));
    }
    long start = System.nanoTime();

    for (int i = 0; i < 40_000; i++) {
      randomBytes();
    }
    for (int i = 0; i < 20_000; i++) {
      randomStructure();
    }
    int packets = 0;
    int big = 0;
    while (packets < 1_000) {
      Sender s = senders.get(rnd.nextInt(senders.size()));
      if (rnd.nextInt(20) == 0) {
        s.restart();
      }
      if (rnd.nextInt(10) == 0) {
        s.sequence += ReplayGuard.WINDOW + rnd.nextInt(100); // a gap: lost packets
      }
      List<byte[]> batch = new ArrayList<>();
      int n = 1 + rnd.nextInt(6);
      for (int k = 0; k < n; k++, packets++) {
        int bitmapLen;
        if (big < 3 && packets % 300 == 7) {
          bitmapLen = HeartbeatCodec.MAX_BITMAP_LENGTH;
          big++;
        } else {
          bitmapLen = rnd.nextInt(5) == 0 ? rnd.nextInt(257) : rnd.nextInt(33);
        }
        byte[] p = s.next(bitmapLen);
        truncations(p);
        extension(p);
        for (int f = 0; f < 24; f++) {
          flips(p, 1);
        }
        if (packets % 50 == 0) {
          everySingleBitFlip(p);
        }
        for (int f = 0; f < 8; f++) {
          flips(p, 2 + rnd.nextInt(31));
        }
        wrongKey(p);
        wrongKey(p);
        batch.add(p);
      }
      // The genuine packets, out of order within the window: each is accepted exactly once.
      Collections.shuffle(batch, rnd);
      for (byte[] p : batch) {
        expectAccepted("genuine", p, s);
        s.sent.add(p);
      }
      replay(s);
    }

    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("HeartbeatFuzzTest seed=%d: %,d cases in %.2fs, %,d accepted, %s%n"
        + "  rejections %s%n", seed, cases, seconds, accepted, casesByKind, rejections);
    assertThat(failures).as("seed %d: first failures", seed).isEmpty();
    assertThat(exceptions).as("seed %d: exceptions", seed).isZero();
    assertThat(wronglyAccepted).as("seed %d: wrongly accepted", seed).isZero();
    assertThat(accepted).isEqualTo(packets);
    assertThat(dec.accepted()).isEqualTo(accepted);
    assertThat(dec.rejectedTotal()).isEqualTo(cases - accepted);
    for (Map.Entry<Rejection, Long> e : rejections.entrySet()) {
      assertThat(dec.rejected(e.getKey())).isEqualTo(e.getValue());
    }
    assertThat(cases).isGreaterThan(150_000);
  }

  /** Random bytes of random length, at a random offset in the buffer. */
  private void randomBytes() {
    int len = rnd.nextInt(20) == 0 ? rnd.nextInt(HeartbeatCodec.MAX_LENGTH + 16)
        : rnd.nextInt(160);
    byte[] buf = new byte[len + rnd.nextInt(8)];
    rnd.nextBytes(buf);
    if (rnd.nextBoolean() && len >= 4) { // get past the first checks now and then
      buf[0] = 0x56;
      buf[1] = 0x48;
      buf[2] = (byte) HeartbeatCodec.VERSION;
      buf[3] = (byte) (1 + rnd.nextInt(2));
    }
    expectRejected("random bytes", buf, buf.length - len, len, null);
  }

  /** A well-formed header with consistent lengths, random content and a random MAC. */
  private void randomStructure() {
    int g = 1 + rnd.nextInt(64);
    int n = 1 + rnd.nextInt(64);
    int b = rnd.nextInt(40);
    int s = rnd.nextInt(3);
    int len = HeartbeatCodec.packetLength(g, n, b, 0, 0, s);
    byte[] p = new byte[len];
    rnd.nextBytes(p);
    ByteBuffer.wrap(p).putShort(40 + g + n + b, (short) s);
    ByteBuffer.wrap(p).putShort(0, (short) HeartbeatCodec.MAGIC)
        .put(2, (byte) HeartbeatCodec.VERSION)
        .put(3, (byte) (1 + rnd.nextInt(2)))
        .put(4, (byte) (rnd.nextBoolean() ? CURRENT_ID : rnd.nextInt(256)))
        .put(5, (byte) rnd.nextInt(16)).put(6, (byte) g).put(7, (byte) n)
        .put(28, (byte) 0).put(29, (byte) 0).putShort(30, (short) b);
    expectRejected("random structure", p, 0, len, null);
  }

  /** Every prefix of a genuine packet. */
  private void truncations(byte[] p) {
    for (int len = 0; len < p.length; len++) {
      expectRejected("truncation", p, 0, len,
          len < HeartbeatCodec.MIN_LENGTH ? Rejection.TOO_SHORT : Rejection.BAD_LENGTH);
    }
  }

  /** A genuine packet followed by extra bytes. */
  private void extension(byte[] p) {
    byte[] q = Arrays.copyOf(p, p.length + 1 + rnd.nextInt(16));
    expectRejected("extension", q, 0, q.length, Rejection.BAD_LENGTH);
  }

  /** {@code count} distinct random bits of a genuine packet flipped. */
  private void flips(byte[] p, int count) {
    byte[] q = p.clone();
    Set<Integer> bits = new HashSet<>();
    while (bits.size() < count) {
      bits.add(rnd.nextInt(p.length * 8));
    }
    for (int bit : bits) {
      q[bit >>> 3] ^= (byte) (1 << (bit & 7));
    }
    expectRejectedBeforeTrust(count == 1 ? "single bit flip" : "multi bit flip", q);
  }

  private void everySingleBitFlip(byte[] p) {
    byte[] q = p.clone();
    for (int bit = 0; bit < p.length * 8; bit++) {
      q[bit >>> 3] ^= (byte) (1 << (bit & 7));
      expectRejectedBeforeTrust("exhaustive bit flip", q);
      q[bit >>> 3] ^= (byte) (1 << (bit & 7));
    }
  }

  /** The same fields, but signed with a key the decoder does not hold. */
  private void wrongKey(byte[] p) {
    int id = switch (rnd.nextInt(3)) {
      case 0 -> CURRENT_ID;
      case 1 -> PREVIOUS_ID;
      default -> rnd.nextInt(256);
    };
    byte[] q = p.clone();
    q[HeartbeatCodec.KEY_ID_OFFSET] = (byte) id;
    TestPackets.resign(rnd.nextBoolean() ? WRONG : (id == CURRENT_ID ? PREVIOUS : CURRENT), q);
    Rejection expected = id == CURRENT_ID || id == PREVIOUS_ID ? Rejection.BAD_MAC
        : Rejection.UNKNOWN_KEY;
    expectRejected("wrong key", q, 0, q.length, expected);
  }

  /** Genuine packets decoded before: replayed or from an earlier incarnation. */
  private void replay(Sender s) {
    int n = 1 + rnd.nextInt(3);
    for (int k = 0; k < n && !s.sent.isEmpty(); k++) {
      byte[] p = s.sent.get(rnd.nextInt(s.sent.size()));
      expectRejected("replay", p, 0, p.length, Rejection.REPLAYED);
    }
    if (!s.earlierIncarnations.isEmpty()) {
      byte[] p = s.earlierIncarnations.get(rnd.nextInt(s.earlierIncarnations.size()));
      expectRejected("earlier incarnation", p, 0, p.length, Rejection.STALE_INCARNATION);
    }
  }

  private void expectAccepted(String kind, byte[] p, Sender s) {
    DecodeResult r = decode(kind, p, 0, p.length);
    if (r instanceof HeartbeatView v) {
      if (!v.nodeIdEquals(s.node) || v.incarnation() != s.incarnation
          || v.bitmapLength() != ByteBuffer.wrap(p).getShort(30)
          || v.suspensionCount() != ByteBuffer.wrap(p).getShort(p.length - 32 - 2
              - v.suspensionCount() * HeartbeatCodec.SUSPENSION_LENGTH)) {
        fail(kind + ": fields differ: " + v);
      }
    } else if (r != null) {
      fail(kind + ": rejected " + r + " " + hex(p, p.length));
    }
  }

  private void expectRejectedBeforeTrust(String kind, byte[] q) {
    DecodeResult r = decode(kind, q, 0, q.length);
    if (r instanceof Rejection why && !BEFORE_TRUST.contains(why)) {
      fail(kind + ": got past the MAC and was rejected only for " + why + " " + hex(q, q.length));
    }
  }

  private void expectRejected(String kind, byte[] buf, int off, int len,
      @Nullable Rejection expected) {
    DecodeResult r = decode(kind, buf, off, len);
    if (expected != null && r instanceof Rejection why && why != expected) {
      fail(kind + ": expected " + expected + " but got " + why);
    }
  }

  /** Decodes, counts, and checks that anything accepted is a genuine packet seen the first time. */
  private @Nullable DecodeResult decode(String kind, byte[] buf, int off, int len) {
    cases++;
    casesByKind.merge(kind, 1L, Long::sum);
    DecodeResult r;
    try {
      r = dec.decode(buf, off, len, GROUP);
    } catch (Throwable t) {
      exceptions++;
      fail(kind + ": threw " + t);
      return null;
    }
    if (r instanceof Rejection why) {
      rejections.merge(why, 1L, Long::sum);
      return r;
    }
    accepted++;
    ByteBuffer copy = ByteBuffer.wrap(Arrays.copyOfRange(buf, off, off + len));
    if (!genuine.contains(copy) || !acceptedPackets.add(copy)) {
      wronglyAccepted++;
      fail(kind + ": ACCEPTED " + (genuine.contains(copy) ? "a replay" : "a forgery") + " "
          + hex(buf, len));
    }
    return r;
  }

  private void fail(String message) {
    if (failures.size() < 10) {
      failures.add("seed " + seed + ": " + message);
    }
  }

  private static String hex(byte[] b, int len) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(len, 96); i++) {
      sb.append(String.format("%02x", b[i]));
    }
    return sb.append(len > 96 ? "…" : "").toString();
  }
}
