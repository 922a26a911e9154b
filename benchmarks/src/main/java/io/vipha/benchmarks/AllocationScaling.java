package io.vipha.benchmarks;

import static io.vipha.benchmarks.Fixtures.T_FAIL;
import static io.vipha.benchmarks.Fixtures.T_RETURN;

import io.vipha.VipGroup;
import io.vipha.plan.ClusterView;
import io.vipha.plan.Plan;
import io.vipha.plan.Planner;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * An experiment behind the "allocation proportional to the VIPs moved" target: bytes allocated
 * by one Active/Active replan after one node fails (and when it comes back) for groups whose
 * nodes hold 64 VIPs each (so the same 64 VIPs move) but whose total VIP count differs, and for
 * groups with the same VIP count but more moved. Measured with the HotSpot per-thread allocation
 * counter after warm-up; the time column is a rough single-shot average, not a JMH result.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.vipha.benchmarks.AllocationScaling}
 */
public final class AllocationScaling {
  private static final long WARMUP_NANOS = 3_000_000_000L;
  private static final long MEASURE_NANOS = 2_000_000_000L;

  private AllocationScaling() {}

  /** Prints a Markdown table; see the class comment. */
  public static void main(String[] args) {
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    System.out.println("| nodes | VIPs | scenario | VIPs moved | B/op | µs/op (rough) |");
    System.out.println("|---|---|---|---|---|---|");
    int[][] shapes = {{32, 2048}, {64, 4096}, {128, 8192}, {64, 8192}, {64, 16384}};
    for (int[] shape : shapes) {
      VipGroup group = Fixtures.activeActiveGroup(shape[0], shape[1]);
      Planner planner = Planner.of(group);
      ClusterView all = Fixtures.allAlive(group);
      Plan balanced = Fixtures.settled(planner, all);
      String id = Fixtures.nodeId(7);
      ClusterView down = Fixtures.dead(all, id, T_FAIL);
      Plan afterFailure = planner.plan(down, balanced, T_FAIL);
      ClusterView back = Fixtures.alive(down, id, T_RETURN);
      measure(mx, shape, "failure", () -> planner.plan(down, balanced, T_FAIL));
      measure(mx, shape, "return", () -> planner.plan(back, afterFailure, T_RETURN));
    }
  }

  private interface Call {
    Plan run();
  }

  private static void measure(com.sun.management.ThreadMXBean mx, int[] shape, String what,
      Call call) {
    int moved = 0;
    long end = System.nanoTime() + WARMUP_NANOS;
    for (int i = 0; i < 100 || System.nanoTime() < end; i++) {
      moved = call.run().moves().size();
    }
    long tid = Thread.currentThread().getId();
    long bytes = mx.getThreadAllocatedBytes(tid);
    long t0 = System.nanoTime();
    int calls = 0;
    long nanos;
    do {
      moved += call.run().moves().size() & 0; // keeps the result used
      calls++;
      nanos = System.nanoTime() - t0;
    } while (calls < 100 || nanos < MEASURE_NANOS);
    long allocated = mx.getThreadAllocatedBytes(tid) - bytes;
    System.out.printf(Locale.ROOT, "| %d | %d | %s | %d | %d | %.0f |%n", shape[0], shape[1], what,
        moved, allocated / calls, nanos / 1e3 / calls);
  }
}
