package io.vipha.benchmarks;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.ThreadMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import io.vipha.testkit.AllocationMeter;
import java.util.List;
import jdk.jfr.Recording;

/**
 * What a step allocates on the running thread, by its allocation counter ({@link
 * ThreadMXBean#getCurrentThreadAllocatedBytes()}), in windows of many steps: after a warm-up,
 * windows run until enough of them in a row allocated nothing, so that a one-off (a table grown
 * at its first use) passes and a steady allocation, however small, does not. The sites of a
 * window are recorded with JFR ({@code jdk.ObjectAllocationOutsideTLAB}: with {@code
 * -XX:-UseTLAB} every object is an event, with its size and stack).
 *
 * <p>The JVM must run with {@code -XX:-DoEscapeAnalysis}, so that an object the code creates is
 * counted even where the JIT could have removed it: the steady state allocates nothing because
 * nothing is created, whatever the JIT has compiled.
 */
final class AllocationGuard {
  private static final ThreadMXBean THREADS =
      (ThreadMXBean) ManagementFactory.getThreadMXBean();

  private final Runnable step;
  private final int window;
  /** What reading the counter twice allocates by itself (nothing, on the JDKs measured). */
  private final long overhead;

  /** A guard of {@code step}, run {@code window} times per window. */
  AllocationGuard(Runnable step, int window) {
    if (!THREADS.isThreadAllocatedMemorySupported()) {
      throw new IllegalStateException("this JVM has no thread allocation counter");
    }
    THREADS.setThreadAllocatedMemoryEnabled(true);
    this.step = step;
    this.window = window;
    long least = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      long before = THREADS.getCurrentThreadAllocatedBytes();
      least = Math.min(least, THREADS.getCurrentThreadAllocatedBytes() - before);
    }
    this.overhead = least;
  }

  /**
   * The problems of this JVM's flags for a guard: escape analysis on (objects the code creates
   * could go uncounted), TLABs on (the sites could not be named); empty when there are none.
   */
  static List<String> flagProblems() {
    HotSpotDiagnosticMXBean hs = ManagementFactory.getPlatformMXBean(
        HotSpotDiagnosticMXBean.class);
    return java.util.stream.Stream.of("DoEscapeAnalysis", "UseTLAB")
        .filter(f -> !"false".equals(hs.getVMOption(f).getValue()))
        .map(f -> "run with -XX:-" + f).toList();
  }

  /** Runs {@code windows} windows, unmeasured. */
  void warmUp(int windows) {
    for (int w = 0; w < windows; w++) {
      run();
    }
  }

  private void run() {
    for (int i = 0; i < window; i++) {
      step.run();
    }
  }

  /** The bytes the running thread allocated over one window. */
  long window() {
    long before = THREADS.getCurrentThreadAllocatedBytes();
    run();
    return THREADS.getCurrentThreadAllocatedBytes() - before - overhead;
  }

  /**
   * Runs windows until {@code clean} in a row allocated nothing, or {@code max} windows ran;
   * returns the bytes of each window run (so the guard passed when the last {@code clean} are
   * 0).
   */
  long[] untilClean(int clean, int max) {
    try {
      return AllocationMeter.untilClean(this::window, clean, max);
    } catch (Exception e) {
      throw new IllegalStateException(e); // (window() throws nothing)
    }
  }

  /** Whether the last {@code clean} of {@code windows} allocated nothing. */
  static boolean clean(long[] windows, int clean) {
    return AllocationMeter.clean(windows, clean);
  }

  /**
   * Records one window with JFR and ranks what it allocated by site ({@link AllocationSites}),
   * in bytes per step, as a Markdown table.
   */
  String sites() throws IOException {
    Path file = Files.createTempFile("allocation-guard", ".jfr");
    try {
      try (Recording r = new Recording()) {
        r.enable(SteadyStateProfile.EVENT).withStackTrace();
        r.setToDisk(true);
        r.start();
        run();
        r.stop();
        r.dump(file);
      }
      return AllocationSites.table(AllocationSites.rank(
          SteadyStateProfile.samples(file, Thread.currentThread().getId()), window), 0);
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
