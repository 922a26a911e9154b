package io.vipha.benchmarks;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;
import org.jspecify.annotations.Nullable;

/**
 * Where the steady state's bytes come from: the {@link SteadyStateGroup} of {@link
 * SteadyStateBench}, warmed up, then (1) bytes per part from the thread's allocation counter
 * ({@code com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes}) and (2) every object
 * the group's intervals allocate, from a JFR recording of {@code
 * jdk.ObjectAllocationOutsideTLAB} with TLABs off (so each allocation is an event, with its
 * size and stack), ranked by allocation site ({@link AllocationSites}). JIT compilation and
 * escape analysis are as with TLABs; only the allocations are slower.
 *
 * <p>{@code java -XX:-UseTLAB -cp benchmarks/target/benchmarks.jar
 * io.vipha.benchmarks.SteadyStateProfile [OPS [RECORDED]]}: OPS runs of each part to warm up and
 * OPS measured (default 400,000), then RECORDED intervals recorded (default 20,000).
 */
public final class SteadyStateProfile {
  static final String EVENT = "jdk.ObjectAllocationOutsideTLAB";

  private SteadyStateProfile() {}

  /** Runs the profile and prints both tables as Markdown. */
  public static void main(String[] args) throws IOException {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 400_000;
    int recorded = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    String tlab = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
        .getVMOption("UseTLAB").getValue();
    if (!"false".equals(tlab)) {
      throw new IllegalStateException("run with -XX:-UseTLAB, so that every object is an "
          + EVENT + " event");
    }
    SteadyStateGroup g = new SteadyStateGroup();
    repeat(g::interval, n);
    repeat(g::send, n);
    repeat(g::sendAndReceive, n);
    g.check();
    g.mark();
    System.out.println("| part | B/op (thread allocation counter, " + n + " ops) |");
    System.out.println("|---|---|");
    Runnable[] parts = {g::interval, g::send, g::sendAndReceive};
    String[] names = {"interval (3 nodes)", "send (n1)", "sendAndReceive (n1 → n2, n3)"};
    for (int i = 0; i < parts.length; i++) {
      System.out.printf(Locale.ROOT, "| %s | %.1f |%n", names[i], bytesPerOp(parts[i], n));
    }
    g.check();
    Path file = Files.createTempFile("steady-state", ".jfr");
    try {
      try (Recording r = new Recording()) {
        r.enable(EVENT).withStackTrace();
        r.setToDisk(true);
        r.start();
        repeat(parts[0], recorded); // (a method reference made here would be linked here)
        r.stop();
        r.dump(file);
      }
      g.check();
      List<AllocationSites.Sample> samples = samples(file, Thread.currentThread().getId());
      long sampled = 0;
      for (AllocationSites.Sample s : samples) {
        sampled += s.bytes();
      }
      System.out.printf(Locale.ROOT, "%n%d allocations over %d intervals of the group: %.1f B per"
          + " interval recorded%n%n", samples.size(), recorded, (double) sampled / recorded);
      System.out.print(AllocationSites.table(AllocationSites.rank(samples, recorded), 0.001));
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private static void repeat(Runnable part, int times) {
    for (int i = 0; i < times; i++) {
      part.run();
    }
  }

  /** Bytes this thread allocates per run of {@code part}, over {@code times} runs. */
  static double bytesPerOp(Runnable part, int times) {
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = mx.getCurrentThreadAllocatedBytes();
    repeat(part, times);
    long after = mx.getCurrentThreadAllocatedBytes();
    return (double) (after - before) / times;
  }

  /**
   * The thread's allocations, each with its size; JFR's own (made on the thread as the
   * recording stops) left out.
   */
  static List<AllocationSites.Sample> samples(Path file, long threadId)
      throws IOException {
    List<AllocationSites.Sample> out = new ArrayList<>();
    events:
    for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
      @Nullable RecordedThread t = e.getThread();
      if (!e.getEventType().getName().equals(EVENT) || t == null
          || t.getJavaThreadId() != threadId) {
        continue;
      }
      List<String> frames = new ArrayList<>();
      @Nullable RecordedStackTrace st = e.getStackTrace();
      if (st != null) {
        for (RecordedFrame f : st.getFrames()) {
          String type = f.getMethod().getType().getName();
          if (type.startsWith("jdk.jfr.")) {
            continue events;
          }
          frames.add(type + "." + f.getMethod().getName());
        }
      }
      out.add(new AllocationSites.Sample(e.getClass("objectClass").getName(), frames,
          e.getLong("allocationSize")));
    }
    return out;
  }
}
