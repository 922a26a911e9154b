package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.spi.Cancellable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The real event loop: one named daemon thread, the system clocks, timers that cancel. */
class EventLoopSchedulerTest {
  @Test
  void tasksRunInOrderOnOneNamedDaemonThread() throws Exception {
    try (EventLoopScheduler loop = new EventLoopScheduler("vipha-test-loop")) {
      List<Integer> order = Collections.synchronizedList(new ArrayList<>());
      CompletableFuture<Thread> thread = new CompletableFuture<>();
      loop.execute(() -> order.add(1));
      loop.execute(() -> order.add(2));
      loop.execute(() -> thread.complete(Thread.currentThread()));
      Thread t = thread.get(10, TimeUnit.SECONDS);
      assertThat(t.getName()).isEqualTo("vipha-test-loop");
      assertThat(t.isDaemon()).isTrue();
      assertThat(t).isNotSameAs(Thread.currentThread());
      assertThat(order).containsExactly(1, 2);
    }
  }

  @Test
  void theClocksAreTheSystemsClocks() {
    try (EventLoopScheduler loop = new EventLoopScheduler("clock")) {
      long before = System.nanoTime();
      long millisBefore = System.currentTimeMillis();
      long nanos = loop.nanoTime();
      long millis = loop.wallMillis();
      assertThat(nanos).isBetween(before, System.nanoTime());
      assertThat(millis).isBetween(millisBefore, System.currentTimeMillis());
    }
  }

  @Test
  void aTimerRunsNoEarlierThanItsDelayAndANegativeDelayRunsAtOnce() throws Exception {
    try (EventLoopScheduler loop = new EventLoopScheduler("timer")) {
      long delay = TimeUnit.MILLISECONDS.toNanos(30);
      long scheduled = loop.nanoTime();
      CompletableFuture<Long> ran = new CompletableFuture<>();
      loop.schedule(delay, () -> ran.complete(loop.nanoTime()));
      CompletableFuture<Long> now = new CompletableFuture<>();
      loop.schedule(-5, () -> now.complete(loop.nanoTime()));
      assertThat(now.get(10, TimeUnit.SECONDS)).isLessThan(ran.get(10, TimeUnit.SECONDS));
      assertThat(ran.get() - scheduled).isGreaterThanOrEqualTo(delay);
    }
  }

  @Test
  void aCancelledTimerNeverRunsAndLeavesTheQueue() throws Exception {
    try (EventLoopScheduler loop = new EventLoopScheduler("cancel")) {
      CountDownLatch ran = new CountDownLatch(1);
      Cancellable c = loop.schedule(TimeUnit.MILLISECONDS.toNanos(20), ran::countDown);
      Cancellable far = loop.schedule(TimeUnit.HOURS.toNanos(1), ran::countDown);
      c.cancel();
      far.cancel();
      // A cancelled timer does not stay queued until its time (agents cancel timers all the time).
      java.lang.reflect.Field f = EventLoopScheduler.class.getDeclaredField("executor");
      f.setAccessible(true);
      assertThat(((ScheduledThreadPoolExecutor) f.get(loop)).getQueue()).isEmpty();
      assertThat(ran.await(100, TimeUnit.MILLISECONDS)).isFalse();
    }
  }

  @Test
  void closeRunsWhatIsQueuedThenRefusesMore() throws Exception {
    EventLoopScheduler loop = new EventLoopScheduler("close");
    CountDownLatch gate = new CountDownLatch(1);
    List<Integer> order = Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<Thread> thread = new CompletableFuture<>();
    loop.execute(() -> {
      thread.complete(Thread.currentThread());
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      order.add(1);
    });
    loop.execute(() -> order.add(2));
    Thread t = thread.get(10, TimeUnit.SECONDS);
    loop.close();
    gate.countDown();
    t.join(10_000);
    assertThat(t.isAlive()).isFalse();
    assertThat(order).containsExactly(1, 2);
    assertThatThrownBy(() -> loop.execute(() -> order.add(3)))
        .isInstanceOf(RejectedExecutionException.class);
  }
}
