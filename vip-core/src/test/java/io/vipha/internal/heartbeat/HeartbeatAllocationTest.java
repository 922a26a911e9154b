package io.vipha.internal.heartbeat;

import static io.vipha.internal.heartbeat.TestPackets.GROUP;
import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.testkit.AllocationMeter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Steady-state encode and decode allocate nothing, measured with {@link AllocationMeter}. */
class HeartbeatAllocationTest {
  private static final int OPS = 50_000;

  @Test
  void encodeAndDecodeAllocateNothing() throws Exception {
    AllocationMeter meter = AllocationMeter.orSkip();

    HeartbeatKeys keys = HeartbeatKeys.of(2, TestPackets.KEY_B, 1, TestPackets.KEY_A);
    HeartbeatEncoder enc = new HeartbeatEncoder(keys, GROUP, "n1").incarnation(7)
        .flags(HeartbeatCodec.FLAG_ELIGIBLE | HeartbeatCodec.FLAG_HAS_QUORUM).priority(100);
    byte[] bitmap = new byte[HeartbeatCodec.bitmapLength(512)];
    HeartbeatCodec.setOwned(bitmap, 3);
    HeartbeatCodec.setOwned(bitmap, 511);
    enc.owned(bitmap, 0, bitmap.length);
    HeartbeatDecoder dec = new HeartbeatDecoder(keys, ReplayGuard.forNodes(List.of("n0", "n1")));
    byte[] buf = new byte[HeartbeatCodec.MAX_LENGTH];
    byte[] forged = new byte[HeartbeatCodec.MAX_LENGTH];
    String group = GROUP;

    long[] seq = {0};
    long sink = 0;
    // Warm up until the JIT has compiled the paths, then measure.
    for (int round = 0; round < 3; round++) {
      long encBytes = meter.bytes();
      for (int i = 0; i < OPS; i++) {
        sink += enc.sequence(++seq[0]).encode(buf, 0);
      }
      long encoded = meter.bytes() - encBytes;

      long decBytes = meter.bytes();
      for (int i = 0; i < OPS; i++) {
        int len = enc.sequence(++seq[0]).encode(buf, 0);
        DecodeResult r = dec.decode(buf, 0, len, group);
        if (r instanceof HeartbeatView v) {
          sink += v.sequence() + v.ownedCount() + (v.owns(511) ? 1 : 0)
              + (v.nodeIdEquals("n1") ? 1 : 0) + v.peerIndex();
        }
      }
      long roundTrip = meter.bytes() - decBytes;

      int len = enc.sequence(++seq[0]).encode(forged, 0);
      forged[len - 1] ^= 1;
      long rejBytes = meter.bytes();
      for (int i = 0; i < OPS; i++) {
        sink += dec.decode(forged, 0, len, group).accepted() ? 1 : 0; // BAD_MAC
        sink += dec.decode(buf, 0, len, group).accepted() ? 1 : 0; // REPLAYED
      }
      long rejected = meter.bytes() - rejBytes;

      System.out.printf("allocation round %d: encode %.4f B/op, encode+decode %.4f B/op,"
          + " rejected decode %.4f B/op (%d ops each)%n", round, (double) encoded / OPS,
          (double) roundTrip / OPS, (double) rejected / (2.0 * OPS), OPS);
      if (round == 2) {
        // A few hundred bytes of slack for the meter itself; per operation this is ~0.
        assertThat(encoded).as("encode").isLessThan(1_000);
        assertThat(roundTrip).as("encode + decode + getters").isLessThan(1_000);
        assertThat(rejected).as("rejected decodes").isLessThan(1_000);
      }
    }
    assertThat(sink).isNotZero();
    assertThat(dec.rejected(Rejection.BAD_MAC)).isEqualTo(3L * OPS);
  }
}
