package io.vipha.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.spi.Cancellable;
import io.vipha.spi.Scheduler.Timer;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Virtual time: one-shot tasks and re-armable timers, on the shared clock and a node's loop. */
class VirtualSchedulerTest {
  @Test
  void tasksAndTimersRunInOrderOfDueTimeThenOfArming() {
    VirtualScheduler s = new VirtualScheduler();
    List<String> ran = new ArrayList<>();
    Timer b = s.timer(() -> ran.add("b@" + s.nanoTime()));
    s.schedule(20, () -> ran.add("a@" + s.nanoTime()));
    b.arm(20);
    s.schedule(10, () -> ran.add("first@" + s.nanoTime()));
    assertThat(s.pending()).isEqualTo(3);
    s.runUntil(100);
    assertThat(ran).containsExactly("first@10", "a@20", "b@20");
    assertThat(s.nanoTime()).isEqualTo(100);
    assertThat(s.pending()).isZero();
  }

  @Test
  void reArmingMovesThePendingRunAndCancellingRemovesIt() {
    VirtualScheduler s = new VirtualScheduler();
    List<Long> ran = new ArrayList<>();
    Timer t = s.timer(() -> ran.add(s.nanoTime()));
    t.arm(50);
    t.arm(80); // later
    t.arm(30); // earlier
    assertThat(s.pending()).isEqualTo(1);
    s.runUntil(1_000);
    assertThat(ran).containsExactly(30L);
    t.arm(10);
    t.cancel();
    Cancellable c = s.schedule(10, () -> ran.add(-1L));
    c.cancel();
    assertThat(s.pending()).isZero();
    s.runUntil(2_000);
    assertThat(ran).containsExactly(30L);
    t.arm(-7); // as soon as possible
    s.runDue();
    assertThat(ran).containsExactly(30L, 2_000L);
  }

  @Test
  void aTimerReArmedByItsTaskRunsEveryPeriod() {
    VirtualScheduler s = new VirtualScheduler();
    List<Long> ran = new ArrayList<>();
    Timer[] t = new Timer[1];
    t[0] = s.timer(() -> {
      ran.add(s.nanoTime());
      t[0].arm(5);
    });
    t[0].arm(5);
    s.runUntil(22);
    assertThat(ran).containsExactly(5L, 10L, 15L, 20L);
    assertThat(s.pending()).isEqualTo(1);
  }

  @Test
  void reArmingTimersAllocatesNothing() {
    VirtualScheduler s = new VirtualScheduler();
    long[] runs = new long[1];
    Timer[] timers = new Timer[8];
    for (int i = 0; i < timers.length; i++) {
      int k = i;
      timers[i] = s.timer(() -> {
        runs[0]++;
        timers[k].arm(5 + k);
      });
      timers[i].arm(k);
    }
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    // Some 12,000 runs per window; a window without a byte is enough (while the JIT compiles
    // this code, the runtime may allocate a little in this thread, though the code does not).
    long allocated = -1;
    for (int window = 1; window <= 20 && allocated != 0; window++) {
      long runsBefore = runs[0];
      long before = mx.getCurrentThreadAllocatedBytes();
      s.runUntil(window * 100_000L);
      allocated = mx.getCurrentThreadAllocatedBytes() - before;
      assertThat(runs[0] - runsBefore).isGreaterThan(10_000);
    }
    assertThat(allocated).isZero();
  }

  @Test
  void aNodesTimersStopWhenItHaltsAndRunLateAfterAPause() {
    VirtualScheduler s = new VirtualScheduler();
    NodeLoop node = new NodeLoop(s);
    List<Long> ran = new ArrayList<>();
    Timer t = node.timer(() -> ran.add(s.nanoTime()));
    t.arm(10);
    node.pause();
    s.runUntil(50);
    assertThat(ran).isEmpty();
    node.resume();
    assertThat(ran).containsExactly(50L);
    t.arm(10);
    s.runUntil(100);
    assertThat(ran).containsExactly(50L, 60L);
    t.arm(10);
    node.halt();
    s.runUntil(200);
    assertThat(ran).containsExactly(50L, 60L);
  }
}
