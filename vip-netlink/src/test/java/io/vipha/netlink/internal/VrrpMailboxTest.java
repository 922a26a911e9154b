package io.vipha.netlink.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.spi.Cancellable;
import io.vipha.spi.Scheduler;
import io.vipha.testkit.AllocationMeter;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link VrrpMailbox}: every advertisement reaches the loop once and in order with its fields
 * and source; one drain task per batch; a full ring loses and counts; handing over allocates
 * nothing.
 */
class VrrpMailboxTest {
  private static final byte[] LOCAL = {(byte) 192, 0, 2, 11};

  /** A loop whose tasks wait until {@link #runAll}, or run at once when {@code inline}. */
  private static final class Loop implements Scheduler {
    final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    boolean inline;
    int posted;

    @Override
    public long nanoTime() {
      return 0;
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
      throw new AssertionError("the mailbox only executes");
    }

    @Override
    public void execute(Runnable task) {
      posted++;
      if (inline) {
        task.run();
      } else {
        tasks.add(task);
      }
    }

    @Override
    public long wallMillis() {
      return 0;
    }

    void runAll() {
      while (!tasks.isEmpty()) {
        tasks.poll().run();
      }
    }
  }

  @Test
  void everyAdvertisementReachesTheLoopOnceInOrderWithOneDrainPerBatch() throws Exception {
    Loop loop = new Loop();
    List<String> got = new ArrayList<>();
    VrrpMailbox box = new VrrpMailbox(loop, 8, (p, i, v, s, n) ->
        got.add(p + "/" + i + "/" + Integer.signum(v) + "/" + ipv4(s, n)));
    VrrpDecoder d = new VrrpDecoder(true, true);
    for (int k = 1; k <= 5; k++) {
      assertThat(box.post(advert(d, "192.0.2." + (10 + k), 100 + k), LOCAL)).isTrue();
    }
    assertThat(loop.posted).as("one drain task for the batch").isEqualTo(1);
    loop.runAll();
    assertThat(got).containsExactly("101/10/0/192.0.2.11",
        "102/10/1/192.0.2.12", "103/10/1/192.0.2.13", "104/10/1/192.0.2.14",
        "105/10/1/192.0.2.15");
    assertThat(box.post(advert(d, "192.0.2.9", 7), LOCAL)).isTrue();
    assertThat(loop.posted).as("a new batch, a new task").isEqualTo(2);
    loop.runAll();
    assertThat(got).hasSize(6).last().isEqualTo("7/10/-1/192.0.2.9");
    assertThat(box.lost()).isZero();
  }

  @Test
  void aFullRingLosesAndCountsAndKeepsWhatItHeld() throws Exception {
    Loop loop = new Loop();
    List<Integer> got = new ArrayList<>();
    VrrpMailbox box = new VrrpMailbox(loop, 4, (p, i, v, s, n) -> got.add(p));
    VrrpDecoder d = new VrrpDecoder(true, true);
    for (int k = 1; k <= 6; k++) {
      assertThat(box.post(advert(d, "192.0.2.12", k), LOCAL)).isEqualTo(k <= 4);
    }
    assertThat(box.lost()).isEqualTo(2);
    loop.runAll();
    assertThat(got).containsExactly(1, 2, 3, 4);
    assertThatThrownBy(() -> new VrrpMailbox(loop, 6, (p, i, v, s, n) -> { }))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a capacity is a power of two; got 6");
  }

  @Test
  void handingOverAllocatesNothing() throws Exception {
    AllocationMeter meter = AllocationMeter.orSkip();
    Loop loop = new Loop();
    loop.inline = true;
    long[] sum = new long[1];
    VrrpMailbox box = new VrrpMailbox(loop, 64, (p, i, v, s, n) -> sum[0] += p + i + v + s[n - 1]);
    VrrpDecoder d = new VrrpDecoder(true, true);
    VrrpAdvert a = advert(d, "192.0.2.12", 150);
    for (int round = 0; round < 3; round++) {
      long before = meter.bytes();
      for (int k = 0; k < 50_000; k++) {
        box.post(a, LOCAL);
      }
      long allocated = meter.bytes() - before;
      if (round == 2) {
        assertThat(allocated).as("bytes for 50,000 advertisements").isLessThan(1_000);
      }
    }
    assertThat(loop.posted).isEqualTo(150_000);
    assertThat(sum[0]).isEqualTo(150_000L * (150 + 10 + 1 + 12));
  }

  /** The IPv4 address in {@code s[0, 4)}, dotted; {@code n} must be 4. */
  private static String ipv4(byte[] s, int n) {
    assertThat(n).isEqualTo(4);
    return (s[0] & 0xFF) + "." + (s[1] & 0xFF) + "." + (s[2] & 0xFF) + "." + (s[3] & 0xFF);
  }

  /** An accepted advertisement of priority {@code priority} from {@code source}, 100 ms. */
  private static VrrpAdvert advert(VrrpDecoder d, String source, int priority) throws Exception {
    VrrpEncoder enc = new VrrpEncoder(51, 10, List.of(InetAddress.getByName("192.0.2.100")),
        true);
    ByteBuffer b = ByteBuffer.allocate(enc.packetLength());
    enc.encode(b, InetAddress.getByName(source).getAddress(), VrrpCodec.group(false), priority,
        1);
    return VrrpCodecTest.accept(d, b);
  }
}
