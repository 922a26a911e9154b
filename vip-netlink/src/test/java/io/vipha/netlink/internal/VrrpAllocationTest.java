package io.vipha.netlink.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.testkit.AllocationMeter;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Encoding, decoding and rejecting advertisements allocate nothing, by {@link AllocationMeter}. */
class VrrpAllocationTest {
  private static final int OPS = 50_000;

  @Test
  void encodeDecodeAndRejectAllocateNothing() throws Exception {
    AllocationMeter meter = AllocationMeter.orSkip();
    VrrpEncoder enc = new VrrpEncoder(51, 100, List.of(InetAddress.getByName("192.0.2.100"),
        InetAddress.getByName("192.0.2.101")), true);
    VrrpDecoder dec = new VrrpDecoder(true, true);
    byte[] source = InetAddress.getByName("192.0.2.11").getAddress();
    byte[] local = InetAddress.getByName("192.0.2.12").getAddress();
    byte[] packed = enc.addresses();
    ByteBuffer buf = ByteBuffer.allocateDirect(enc.packetLength());
    ByteBuffer bad = ByteBuffer.allocateDirect(enc.packetLength());
    long sink = 0;
    for (int round = 0; round < 3; round++) {
      long before = meter.bytes();
      for (int i = 0; i < OPS; i++) {
        enc.encode(buf, source, VrrpCodec.IPV4_GROUP, i & 0xFF, i);
        VrrpAdvert a = dec.decode(buf);
        if (a != null) {
          sink += a.priority() + a.interval() + a.compareSource(local)
              + (a.carriesExactly(packed) ? 1 : 0);
        }
        enc.encode(bad, source, VrrpCodec.IPV4_GROUP, i & 0xFF, i);
        bad.put(31, (byte) ~bad.get(31));
        sink += dec.decode(bad) == null ? 1 : 0;
      }
      long allocated = meter.bytes() - before;
      System.out.printf("allocation round %d: %.4f B per encode, decode and rejection%n", round,
          (double) allocated / OPS);
      if (round == 2) {
        // A few hundred bytes of slack for the meter itself; per operation this is ~0.
        assertThat(allocated).isLessThan(1_000);
      }
    }
    assertThat(sink).isPositive();
    assertThat(dec.accepted()).isEqualTo(3L * OPS);
    assertThat(dec.rejected(VrrpRejection.BAD_CHECKSUM)).isEqualTo(3L * OPS);
  }
}
