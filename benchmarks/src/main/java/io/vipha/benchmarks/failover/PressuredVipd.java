package io.vipha.benchmarks.failover;

import io.vipha.vipd.Vipd;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * vipd under allocation pressure, for the soak: starts a daemon thread that allocates, then runs
 * {@link Vipd#main} with the same arguments. The thread allocates short-lived garbage (arrays of
 * small byte arrays, dropped at once) and keeps a ring of medium-lived objects whose slots it
 * replaces so that each lives long enough to be promoted, so the old generation fills with
 * garbage and G1 runs concurrent cycles and mixed collections too. System properties: {@value
 * #RATE}, MB/s in all (default {@value #DEFAULT_RATE}); {@value #RETAINED}, the ring's MB
 * (default {@value #DEFAULT_RETAINED}); {@value #LIFETIME}, the seconds a ring object lives
 * (default {@value #DEFAULT_LIFETIME}). Every minute it prints {@code pressure: …} with the rate
 * it reached (measured with {@code ThreadMXBean.getCurrentThreadAllocatedBytes}).
 *
 * <pre>
 * java -Xms64m -Xmx64m --enable-native-access=ALL-UNNAMED -Dvipha.pressure.rate=150 \
 *     -cp vipd.jar:benchmarks.jar io.vipha.benchmarks.failover.PressuredVipd --config F --node ID
 * </pre>
 */
public final class PressuredVipd {
  /** System property: MB (2^20 bytes) allocated per second, retained churn included. */
  static final String RATE = "vipha.pressure.rate";
  /** System property: MB kept in the ring of medium-lived objects. */
  static final String RETAINED = "vipha.pressure.retained";
  /** System property: seconds an object of the ring lives. */
  static final String LIFETIME = "vipha.pressure.lifetime";
  static final int DEFAULT_RATE = 150;
  static final int DEFAULT_RETAINED = 16;
  static final int DEFAULT_LIFETIME = 10;
  private static final long MB = 1L << 20;
  /** Estimated size of one ring slot: an Object[16] of byte arrays of 64–1,087 bytes. */
  private static final int SLOT_BYTES = 16 * (16 + 576) + 80;

  private final long rate;
  private final Object[] ring;
  private final long ringBytesPerSecond;
  /** Where the newest short-lived batches go, so the JIT cannot drop them unallocated. */
  private final Object[] sink = new Object[64];

  PressuredVipd(int rateMb, int retainedMb, int lifetimeSeconds) {
    rate = rateMb * MB;
    ring = new Object[(int) Math.max(1, retainedMb * MB / SLOT_BYTES)];
    ringBytesPerSecond = retainedMb * MB / Math.max(1, lifetimeSeconds);
  }

  public static void main(String[] args) {
    PressuredVipd p = new PressuredVipd(Integer.getInteger(RATE, DEFAULT_RATE),
        Integer.getInteger(RETAINED, DEFAULT_RETAINED),
        Integer.getInteger(LIFETIME, DEFAULT_LIFETIME));
    if (p.rate > 0) {
      Thread t = new Thread(p::allocate, "pressure");
      t.setDaemon(true);
      t.start();
    }
    Vipd.main(args);
  }

  /** Allocates at the configured rate until the JVM exits. */
  private void allocate() {
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < ring.length; i++) {
      ring[i] = slot(random);
    }
    long start = System.nanoTime();
    long reported = start;
    long reportedBytes = mx.getCurrentThreadAllocatedBytes();
    Pace pace = new Pace(rate, start, reportedBytes);
    long ringDone = 0;
    int next = 0;
    int s = 0;
    while (true) {
      long now = System.nanoTime();
      long allocated = mx.getCurrentThreadAllocatedBytes();
      if (now - reported >= TimeUnit.MINUTES.toNanos(1)) {
        double seconds = (now - reported) / 1e9;
        System.out.printf(Locale.ROOT, "pressure: %.1f MB/s over the last %.0f s (ring %.0f MB)%n",
            (allocated - reportedBytes) / (double) MB / seconds, seconds,
            ring.length * (double) SLOT_BYTES / MB);
        reported = now;
        reportedBytes = allocated;
      }
      if (!pace.behind(now, allocated)) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        continue;
      }
      double elapsed = (now - start) / 1e9;
      // Ring first: the slots due by now are replaced, each by a fresh one of the same size.
      long ringDue = (long) (ringBytesPerSecond * elapsed) / SLOT_BYTES;
      for (; ringDone < ringDue; ringDone++) {
        ring[next] = slot(random);
        next = (next + 1) % ring.length;
      }
      for (int k = 0; k < 16; k++) {
        Object[] batch = new Object[32];
        for (int j = 0; j < batch.length; j++) {
          batch[j] = new byte[16 + random.nextInt(496)];
        }
        sink[s++ & (sink.length - 1)] = batch;
      }
    }
  }

  /** Paces allocation at {@code rate} bytes a second; after a stall, catches up 100 ms at most. */
  static final class Pace {
    private final long rate;
    private final long start;
    private long base;

    /** Starting at {@code start} (nanoTime), with {@code allocated} bytes allocated so far. */
    Pace(long rate, long start, long allocated) {
      this.rate = rate;
      this.start = start;
      this.base = allocated;
    }

    /** Whether a thread that has allocated {@code allocated} bytes at {@code now} is behind. */
    boolean behind(long now, long allocated) {
      long behind = (long) (rate * ((now - start) / 1e9)) - (allocated - base);
      if (behind > rate / 10) {
        base -= behind - rate / 10;
      }
      return behind > 0;
    }
  }

  private static Object[] slot(ThreadLocalRandom random) {
    Object[] slot = new Object[16];
    for (int j = 0; j < slot.length; j++) {
      slot[j] = new byte[64 + random.nextInt(1024)];
    }
    return slot;
  }
}
