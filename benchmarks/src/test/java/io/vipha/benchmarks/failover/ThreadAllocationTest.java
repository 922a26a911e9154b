package io.vipha.benchmarks.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ThreadAllocation} on a recording made here with the soak's settings: a thread named as
 * vipd's allocates 8 MB inside the window and 1 MB before it, and only the 8 MB count.
 */
class ThreadAllocationTest {
  private static final int MB = 1 << 20;
  private static volatile byte[] sink = new byte[0];

  @Test
  void countsWhatEachThreadAllocatedInTheWindowByGroup(@TempDir Path dir) throws Exception {
    Configuration settings = Configuration.create(new StringReader(ThreadAllocation.SETTINGS));
    CountDownLatch before = new CountDownLatch(1);
    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    CountDownLatch stop = new CountDownLatch(1);
    Thread loop = new Thread(() -> {
      allocate(1);
      before.countDown();
      await(go);
      allocate(8);
      done.countDown();
      await(stop); // alive until the recording ends: the last sample is taken of live threads
    }, "vipha-loop-test");
    Path file = dir.resolve("r.jfr");
    Instant from;
    Instant to;
    try (Recording r = new Recording(settings)) {
      // Samples at the recording's start and end, whatever the period: no waiting for one.
      Map<String, String> everyChunk = new HashMap<>(settings.getSettings());
      everyChunk.put("jdk.ThreadAllocationStatistics#period", "everyChunk");
      r.setSettings(everyChunk);
      loop.start();
      before.await();
      r.start();
      Thread.sleep(50); // the JFR clock and Instant.now() agree to far better than this
      from = Instant.now();
      go.countDown();
      done.await();
      r.stop();
      Thread.sleep(50);
      to = Instant.now();
      r.dump(file);
    } finally {
      stop.countDown();
      loop.join();
    }
    List<ThreadAllocation.Thread> threads = ThreadAllocation.inWindow(file, from, to);
    ThreadAllocation.Thread t = threads.stream().filter(x -> x.name().equals("vipha-loop-test"))
        .findFirst().orElseThrow();
    assertThat(t.group()).isEqualTo(ThreadAllocation.Group.VIPD);
    assertThat(t.bytes()).isBetween(8L * MB, 8L * MB + MB / 2);
    assertThat(ThreadAllocation.bytes(threads, ThreadAllocation.Group.VIPD)).isEqualTo(t.bytes());
    assertThat(threads).extracting(ThreadAllocation.Thread::bytes).isSortedAccordingTo(
        (a, b) -> Long.compare(b, a));
    // Nothing sampled before the window's start counts when the window ends before it.
    assertThat(ThreadAllocation.inWindow(file, from.minusSeconds(60), from.minusSeconds(30)))
        .isEmpty();
  }

  @Test
  void groupsThreadsByName() {
    assertThat(ThreadAllocation.Group.of("vipd-notify-out")).isEqualTo(
        ThreadAllocation.Group.VIPD);
    assertThat(ThreadAllocation.Group.of("vipha-loop")).isEqualTo(ThreadAllocation.Group.VIPD);
    assertThat(ThreadAllocation.Group.of("pressure")).isEqualTo(ThreadAllocation.Group.PRESSURE);
    assertThat(ThreadAllocation.Group.of("main")).isEqualTo(ThreadAllocation.Group.OTHER);
    assertThat(ThreadAllocation.Group.of("JFR Periodic Tasks")).isEqualTo(
        ThreadAllocation.Group.OTHER);
  }

  private static void allocate(int mb) {
    for (int i = 0; i < mb * 16; i++) {
      sink = new byte[MB / 16 - 16];
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
