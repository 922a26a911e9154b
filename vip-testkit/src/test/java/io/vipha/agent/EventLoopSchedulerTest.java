package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.spi.Cancellable;
import io.vipha.spi.Scheduler.Timer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The real event loop: one named daemon thread, the system clocks, one-shot tasks and re-armable
 * timers that cancel, tasks handed over from other threads, failing tasks, close.
 */
class EventLoopSchedulerTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  /** What {@code call} returns when run on {@code loop}. */
  private static <T> T onLoop(EventLoopScheduler loop, Callable<T> call) throws Exception {
    CompletableFuture<T> f = new CompletableFuture<>();
    loop.execute(() -> {
      try {
        f.complete(call.call());
      } catch (Exception e) {
        f.completeExceptionally(e);
      }
    });
    return f.get(10, TimeUnit.SECONDS);
  }

  /**
   * Runs {@code first} on {@code loop} and then holds the loop until the returned latch is
   * counted down; returns once the loop is held.
   */
  private static CountDownLatch hold(EventLoopScheduler loop, Runnable first)
      throws InterruptedException {
    CountDownLatch busy = new CountDownLatch(1);
    CountDownLatch go = new CountDownLatch(1);
    loop.execute(() -> {
      first.run();
      busy.countDown();
      try {
        go.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();
    return go;
  }

  private static String poll(BlockingQueue<String> q) throws InterruptedException {
    String s = q.poll(10, TimeUnit.SECONDS);
    assertThat(s).as("a task ran").isNotNull();
    return s;
  }

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
  void noThreadUntilTheFirstTask() throws Exception {
    try (EventLoopScheduler loop = new EventLoopScheduler("vipha-lazy-loop")) {
      loop.timer(() -> {});
      assertThat(Thread.getAllStackTraces().keySet()).noneMatch(
          t -> t.getName().equals("vipha-lazy-loop"));
      assertThat(onLoop(loop, () -> Thread.currentThread().getName()))
          .isEqualTo("vipha-lazy-loop");
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
      long delay = 30 * MS;
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
  void aPreciseTimerWaitsOnTheCpuForItsLastMomentsAndTheLoopStillRunsTasksMeanwhile()
      throws Exception {
    // A spin window longer than the whole wait: the loop never parks for this timer.
    try (EventLoopScheduler loop = new EventLoopScheduler("precise", Thread::new,
        TimeUnit.SECONDS.toNanos(10))) {
      Thread thread = onLoop(loop, Thread::currentThread);
      long delay = 400 * MS;
      CompletableFuture<Long> armedAt = new CompletableFuture<>();
      CompletableFuture<Long> ran = new CompletableFuture<>();
      Timer precise = loop.preciseTimer(() -> ran.complete(loop.nanoTime()));
      loop.execute(() -> {
        armedAt.complete(loop.nanoTime());
        precise.arm(delay);
      });
      long armed = armedAt.get(10, TimeUnit.SECONDS);
      Thread.sleep(50);
      assertThat(ran).isNotDone();
      assertThat(thread.getState()).as("waiting on the CPU, not parked")
          .isEqualTo(Thread.State.RUNNABLE);
      assertThat(onLoop(loop, loop::nanoTime)).as("a task handed over meanwhile runs first")
          .isLessThan(armed + delay);
      assertThat(ran).isNotDone();
      assertThat(ran.get(10, TimeUnit.SECONDS) - armed).isGreaterThanOrEqualTo(delay);
    }
  }

  /**
   * A precise timer's warm-up runs on the loop's thread within the warm-up window before the
   * timer is due, each run starting before the due time, and none after the task; a warm-up that
   * takes longer than the window's end allows is not started again.
   */
  @Test
  void aPreciseTimersWarmUpRunsOnTheLoopInTheLastMillisecondsBeforeItIsDue() throws Exception {
    try (EventLoopScheduler loop = new EventLoopScheduler("warm")) {
      Thread thread = onLoop(loop, Thread::currentThread);
      List<long[]> runs = Collections.synchronizedList(new ArrayList<>());
      List<Thread> on = Collections.synchronizedList(new ArrayList<>());
      CompletableFuture<Long> ran = new CompletableFuture<>();
      Timer t = loop.preciseTimer(() -> ran.complete(loop.nanoTime()), () -> {
        long start = loop.nanoTime();
        on.add(Thread.currentThread());
        while (loop.nanoTime() - start < 100_000) {
          Thread.onSpinWait(); // a warm-up of 0.1 ms
        }
        runs.add(new long[] {start, loop.nanoTime()});
      });
      long due = onLoop(loop, () -> {
        t.arm(50 * MS);
        return loop.nanoTime() + 50 * MS;
      });
      long at = ran.get(10, TimeUnit.SECONDS);
      Thread.sleep(20);
      assertThat(at).isGreaterThanOrEqualTo(due);
      assertThat(runs).as("runs").isNotEmpty();
      // A first run that ended in the window's first half (with 0.5 ms to spare for the loop
      // between runs) leaves room for a second: the loop runs the warm-up again, not just once.
      if (runs.get(0)[1] < due - EventLoopScheduler.WARM_NANOS / 2
          - EventLoopScheduler.WARM_MARGIN_NANOS - 500_000) {
        assertThat(runs).as("runs after a first one that left room").hasSizeGreaterThan(1);
      }
      assertThat(on).containsOnly(thread);
      for (long[] r : runs) {
        assertThat(r[0]).as("started in the window, before the due time")
            .isBetween(due - EventLoopScheduler.WARM_NANOS, due - 1);
        assertThat(r[1]).as("ended before the task ran").isLessThanOrEqualTo(at);
      }
      int before = runs.size();
      Thread.sleep(20);
      assertThat(runs).as("none after the task").hasSize(before);
    }
  }

  @Test
  void aWarmUpThatThrowsIsDroppedAndItsTimerStillRuns() throws Exception {
    try (EventLoopScheduler loop = new EventLoopScheduler("warm-throws")) {
      AtomicInteger warmUps = new AtomicInteger();
      BlockingQueue<Long> ran = new LinkedBlockingQueue<>();
      Timer t = loop.preciseTimer(() -> ran.add(loop.nanoTime()), () -> {
        warmUps.incrementAndGet();
        throw new IllegalStateException("warm-up fails");
      });
      for (int i = 0; i < 2; i++) {
        long due = onLoop(loop, () -> {
          t.arm(20 * MS);
          return loop.nanoTime() + 20 * MS;
        });
        assertThat(ran.poll(10, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(due);
      }
      assertThat(warmUps).hasValue(1);
    }
  }

  @Test
  void aPreciseTimerParksUntilItsSpinWindowAndAPlainOneUntilItIsDue() throws Exception {
    try (EventLoopScheduler loop = new EventLoopScheduler("parks")) {
      Thread thread = onLoop(loop, Thread::currentThread);
      for (boolean precise : new boolean[] {true, false}) {
        CompletableFuture<Long> ran = new CompletableFuture<>();
        Timer t = precise ? loop.preciseTimer(() -> ran.complete(loop.nanoTime()))
            : loop.timer(() -> ran.complete(loop.nanoTime()));
        long start = onLoop(loop, () -> {
          t.arm(300 * MS);
          return loop.nanoTime();
        });
        Thread.sleep(50);
        assertThat(thread.getState()).as("precise " + precise)
            .isEqualTo(Thread.State.TIMED_WAITING);
        assertThat(ran.get(10, TimeUnit.SECONDS) - start).isGreaterThanOrEqualTo(300 * MS);
      }
    }
  }

  @Test
  void aCancelledTaskNeverRunsAndLeavesTheQueue() throws Exception {
    try (EventLoopScheduler loop = new EventLoopScheduler("cancel")) {
      CountDownLatch ran = new CountDownLatch(1);
      Cancellable c = loop.schedule(TimeUnit.MINUTES.toNanos(1), ran::countDown);
      Cancellable far = loop.schedule(TimeUnit.HOURS.toNanos(1), ran::countDown);
      Cancellable farthest = loop.schedule(Long.MAX_VALUE, ran::countDown);
      assertThat(onLoop(loop, loop::timersQueued)).isEqualTo(3);
      c.cancel();
      far.cancel();
      farthest.cancel();
      // A cancelled timer does not stay queued until its time (agents cancel timers all the time).
      assertThat(onLoop(loop, loop::timersQueued)).isZero();
      assertThat(ran.await(100, TimeUnit.MILLISECONDS)).isFalse();
    }
  }

  @Test
  void timersRunInOrderOfDueTimeThenOfArming() throws Exception {
    try (EventLoopScheduler loop = new EventLoopScheduler("order")) {
      BlockingQueue<String> ran = new LinkedBlockingQueue<>();
      // Due times 100 ms apart: only a pause of the loop's thread longer than that between two
      // arms (seen at 20 ms apart on a loaded machine) could reorder them.
      loop.execute(() -> {
        loop.timer(() -> ran.add("c")).arm(300 * MS);
        loop.timer(() -> ran.add("a")).arm(100 * MS);
        loop.schedule(300 * MS, () -> ran.add("d"));
        loop.timer(() -> ran.add("b")).arm(200 * MS);
      });
      assertThat(List.of(poll(ran), poll(ran), poll(ran), poll(ran)))
          .containsExactly("a", "b", "c", "d");
    }
  }

  @Test
  void tasksHandedOverAndTimersRunInTheOrderTheyFellDue() throws Exception {
    try (EventLoopScheduler loop = new EventLoopScheduler("fifo")) {
      BlockingQueue<String> ran = new LinkedBlockingQueue<>();
      loop.execute(() -> {
        loop.schedule(0, () -> ran.add("a"));
        loop.execute(() -> ran.add("b"));
        loop.timer(() -> ran.add("c")).arm(0);
        loop.execute(() -> ran.add("d"));
      });
      loop.schedule(0, () -> ran.add("e")); // from another thread
      loop.execute(() -> ran.add("f"));
      assertThat(List.of(poll(ran), poll(ran), poll(ran), poll(ran), poll(ran), poll(ran)))
          .containsSubsequence("a", "b", "c", "d").containsSubsequence("e", "f");
    }
  }

  @Test
  void reArmingReplacesThePendingRunEarlierOrLater() throws Exception {
    try (EventLoopScheduler loop = new EventLoopScheduler("rearm")) {
      BlockingQueue<String> ran = new LinkedBlockingQueue<>();
      Timer later = loop.timer(() -> ran.add("later"));
      Timer earlier = loop.timer(() -> ran.add("earlier"));
      loop.execute(() -> {
        later.arm(10 * MS);
        earlier.arm(TimeUnit.HOURS.toNanos(1));
        loop.timer(() -> ran.add("marker")).arm(300 * MS);
        later.arm(600 * MS); // moved after the marker
        earlier.arm(30 * MS); // moved before it
      });
      assertThat(List.of(poll(ran), poll(ran), poll(ran)))
          .containsExactly("earlier", "marker", "later");
      assertThat(onLoop(loop, loop::timersQueued)).isZero();
      assertThat(ran).isEmpty();
    }
  }

  @Test
  void aCancelledTimerCanBeArmedAgain() throws Exception {
    try (EventLoopScheduler loop = new EventLoopScheduler("timer-cancel")) {
      BlockingQueue<String> ran = new LinkedBlockingQueue<>();
      Timer t = loop.timer(() -> ran.add("t"));
      loop.execute(() -> {
        t.arm(5 * MS);
        t.cancel();
        t.cancel(); // twice: nothing
      });
      assertThat(onLoop(loop, loop::timersQueued)).isZero();
      assertThat(ran.poll(50, TimeUnit.MILLISECONDS)).isNull();
      loop.execute(() -> t.arm(0));
      assertThat(poll(ran)).isEqualTo("t");
    }
  }

  @Test
  void aTimerReArmedFromItsOwnTaskRunsAgain() throws Exception {
    try (EventLoopScheduler loop = new EventLoopScheduler("periodic")) {
      AtomicInteger runs = new AtomicInteger();
      CountDownLatch done = new CountDownLatch(1);
      Timer[] self = new Timer[1];
      self[0] = loop.timer(() -> {
        if (runs.incrementAndGet() < 20) {
          self[0].arm(MS);
        } else {
          done.countDown();
        }
      });
      loop.execute(() -> self[0].arm(MS));
      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(onLoop(loop, loop::timersQueued)).isZero();
      assertThat(runs).hasValue(20);
    }
  }

  @Test
  void manyTimersRunEachOnceInOrderOfDueTime() throws Exception {
    try (EventLoopScheduler loop = new EventLoopScheduler("many")) {
      int n = 2_000;
      List<Integer> order = Collections.synchronizedList(new ArrayList<>());
      CountDownLatch done = new CountDownLatch(n);
      // Each timer's due instant lies in [earliest, latest]: arm reads the clock itself, after
      // the test computed the delay from its own reading (a preemption between the two moves it).
      long[] earliest = new long[n];
      long[] latest = new long[n];
      loop.execute(() -> {
        long base = System.nanoTime() + 500 * MS; // after the last is armed
        for (int i = 0; i < n; i++) {
          int k = (i * 7919) % n; // every k once, shuffled
          Timer t = loop.timer(() -> {
            order.add(k);
            done.countDown();
          });
          t.arm(TimeUnit.HOURS.toNanos(1)); // then moved: the heap must follow
          long now = System.nanoTime();
          t.arm(base + k * 100_000L - now);
          earliest[k] = base + k * 100_000L;
          latest[k] = earliest[k] + System.nanoTime() - now;
        }
      });
      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(order).hasSize(n).doesNotHaveDuplicates();
      String inversion = null;
      for (int i = 0; i < n && inversion == null; i++) {
        for (int j = i + 1; j < n && inversion == null; j++) {
          if (latest[order.get(j)] < earliest[order.get(i)]) {
            inversion = "timer " + order.get(i) + " ran before " + order.get(j) + ", which was"
                + " due earlier";
          }
        }
      }
      assertThat(inversion).isNull();
    }
  }

  @Test
  void timersArmedAndCancelledFromOtherThreadsAreHandedToTheLoop() throws Exception {
    try (EventLoopScheduler loop = new EventLoopScheduler("cross")) {
      BlockingQueue<String> ran = new LinkedBlockingQueue<>();
      Timer t = loop.timer(() -> ran.add(Thread.currentThread().getName()));
      t.arm(0);
      assertThat(poll(ran)).isEqualTo("cross");
      long hour = TimeUnit.HOURS.toNanos(1);
      t.arm(hour);
      Cancellable c = loop.schedule(hour, () -> ran.add("one-shot"));
      assertThat(onLoop(loop, loop::timersQueued)).isEqualTo(2);
      t.cancel();
      c.cancel();
      assertThat(onLoop(loop, loop::timersQueued)).isZero();
      assertThat(ran).isEmpty();
    }
  }

  @Test
  void tasksHandedOverFromManyThreadsAllRun() throws Exception {
    try (EventLoopScheduler loop = new EventLoopScheduler("handover")) {
      int threads = 4;
      int each = 5_000;
      AtomicInteger ran = new AtomicInteger();
      Thread[] ts = new Thread[threads];
      for (int i = 0; i < threads; i++) {
        ts[i] = new Thread(() -> {
          for (int j = 0; j < each; j++) {
            loop.execute(ran::incrementAndGet);
          }
        });
        ts[i].start();
      }
      for (Thread t : ts) {
        t.join(10_000);
      }
      assertThat(onLoop(loop, ran::get)).isEqualTo(threads * each);
    }
  }

  @Test
  void tasksHandedOverWhileTheLoopIsBusyRunInOrderPastTheFirstRing() throws Exception {
    try (EventLoopScheduler loop = new EventLoopScheduler("ring")) {
      List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
      for (int i = 0; i < 10; i++) { // the ring's first slot moves on
        int k = i;
        loop.execute(() -> ran.add(k));
      }
      CountDownLatch go = hold(loop, () -> { });
      for (int i = 10; i < 210; i++) { // more than the ring holds, wrapped round its end
        int k = i;
        loop.execute(() -> ran.add(k));
      }
      go.countDown();
      assertThat(onLoop(loop, () -> List.copyOf(ran))).containsExactlyElementsOf(
          java.util.stream.IntStream.range(0, 210).boxed().toList());
    }
  }

  @Test
  void aTimerDueAmongTasksHandedOverPastTheFirstRingRunsBetweenThem() throws Exception {
    try (EventLoopScheduler loop = new EventLoopScheduler("ring-timer")) {
      List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
      for (int i = 0; i < 10; i++) { // the ring's first slot moves on
        loop.execute(() -> { });
      }
      long[] due = new long[2]; // the timer falls due between these two instants
      CountDownLatch go = hold(loop, () -> {
        due[0] = System.nanoTime() + 300 * MS;
        loop.timer(() -> ran.add(-1)).arm(300 * MS);
        due[1] = System.nanoTime() + 300 * MS;
      });
      long[] before = new long[70]; // each task was handed over between these two instants
      long[] after = new long[70];
      for (int i = 0; i < 70; i++) { // the ring grows at the 65th
        if (i == 30) {
          Thread.sleep(Math.max(0, (due[1] - System.nanoTime()) / MS + 50));
        }
        int k = i;
        before[i] = System.nanoTime();
        loop.execute(() -> ran.add(k));
        after[i] = System.nanoTime();
      }
      go.countDown();
      List<Integer> order = onLoop(loop, () -> List.copyOf(ran));
      int timer = order.indexOf(-1);
      assertThat(timer).isNotNegative();
      for (int i = 0; i < 70; i++) {
        if (after[i] < due[0]) {
          assertThat(order.indexOf(i)).as("task %d, handed over before", i).isLessThan(timer);
        } else if (before[i] > due[1]) {
          assertThat(order.indexOf(i)).as("task %d, handed over after", i).isGreaterThan(timer);
        }
      }
      assertThat(order.subList(timer + 1, order.size())).isSorted();
      assertThat(order.subList(0, timer)).isSorted();
    }
  }

  @Test
  void aTaskThatThrowsDoesNotStopTheLoop() throws Exception {
    try (EventLoopScheduler loop = new EventLoopScheduler("throws")) {
      BlockingQueue<String> ran = new LinkedBlockingQueue<>();
      loop.execute(() -> {
        throw new IllegalStateException("a task failed (as this test wants)");
      });
      loop.schedule(0, () -> {
        throw new AssertionError("an error in a task (as this test wants)");
      });
      Timer t = loop.timer(() -> {
        ran.add("timer");
        throw new IllegalStateException("a timer failed (as this test wants)");
      });
      t.arm(0);
      assertThat(poll(ran)).isEqualTo("timer");
      t.arm(MS); // still armable after its task threw
      assertThat(poll(ran)).isEqualTo("timer");
      loop.execute(() -> ran.add("after"));
      assertThat(poll(ran)).isEqualTo("after");
    }
  }

  @Test
  void anInterruptedTaskDoesNotSpinTheLoop() throws Exception {
    try (EventLoopScheduler loop = new EventLoopScheduler("interrupt")) {
      BlockingQueue<String> ran = new LinkedBlockingQueue<>();
      loop.execute(() -> Thread.currentThread().interrupt());
      loop.schedule(30 * MS, () -> ran.add("timer"));
      assertThat(poll(ran)).isEqualTo("timer");
      assertThat(onLoop(loop, () -> Thread.currentThread().isInterrupted())).isFalse();
    }
  }

  @Test
  void closeRunsWhatIsQueuedThenRefusesMore() throws Exception {
    EventLoopScheduler loop = new EventLoopScheduler("close");
    CountDownLatch gate = new CountDownLatch(1);
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<Thread> thread = new CompletableFuture<>();
    Timer due = loop.timer(() -> order.add("due"));
    loop.execute(() -> {
      due.arm(0);
      loop.schedule(TimeUnit.HOURS.toNanos(1), () -> order.add("later"));
      thread.complete(Thread.currentThread());
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      order.add("1");
    });
    loop.execute(() -> order.add("2"));
    Thread t = thread.get(10, TimeUnit.SECONDS);
    loop.close();
    gate.countDown();
    t.join(10_000);
    assertThat(t.isAlive()).isFalse();
    // (The timer fell due before the second task was handed over, or after: either may run first.)
    assertThat(order).containsExactlyInAnyOrder("1", "2", "due").startsWith("1");
    assertThatThrownBy(() -> loop.execute(() -> order.add("3")))
        .isInstanceOf(RejectedExecutionException.class);
    assertThatThrownBy(() -> loop.schedule(0, () -> order.add("4")))
        .isInstanceOf(RejectedExecutionException.class);
    due.arm(0); // does nothing, throws nothing
    due.cancel();
    loop.close(); // again: nothing
    assertThat(order).hasSize(3);
  }

  /**
   * An idle loop sleeps (parked until the next timer, or until handed something) rather than
   * spinning, and a close from another thread wakes it and ends its thread.
   */
  @Test
  void anIdleLoopParksAndACloseFromAnotherThreadEndsIt() throws Exception {
    for (boolean withTimer : new boolean[] {false, true}) {
      EventLoopScheduler loop = new EventLoopScheduler("idle");
      CompletableFuture<Thread> thread = new CompletableFuture<>();
      loop.execute(() -> thread.complete(Thread.currentThread()));
      if (withTimer) {
        loop.schedule(TimeUnit.HOURS.toNanos(1), () -> { });
      }
      Thread t = thread.get(10, TimeUnit.SECONDS);
      Thread.State idle = withTimer ? Thread.State.TIMED_WAITING : Thread.State.WAITING;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (t.getState() != idle && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      assertThat(t.getState()).as("parked, a timer pending: %s", withTimer).isEqualTo(idle);
      loop.close();
      t.join(10_000);
      assertThat(t.isAlive()).as("ended, a timer pending: %s", withTimer).isFalse();
    }
  }

  @Test
  void closeFromATaskOnTheLoopEndsItsThread() throws Exception {
    EventLoopScheduler loop = new EventLoopScheduler("close-inside");
    CompletableFuture<Thread> thread = new CompletableFuture<>();
    loop.execute(() -> {
      thread.complete(Thread.currentThread());
      loop.close();
    });
    Thread t = thread.get(10, TimeUnit.SECONDS);
    t.join(10_000);
    assertThat(t.isAlive()).isFalse();
  }
}
