package io.vipha.spi;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.spi.Scheduler.Timer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Scheduler#timer}'s default, for schedulers that only implement {@code schedule}. */
class SchedulerTimerTest {
  /** A scheduler that keeps what is scheduled until {@link #runAll} runs it in due order. */
  private static final class Manual implements Scheduler {
    final List<long[]> dues = new ArrayList<>();
    final List<Runnable> tasks = new ArrayList<>();
    long now;

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public long wallMillis() {
      return 0;
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
      long[] due = {now + delayNanos};
      dues.add(due);
      tasks.add(task);
      return () -> {
        int i = dues.indexOf(due);
        if (i >= 0) {
          dues.remove(i);
          tasks.remove(i);
        }
      };
    }

    int pending() {
      return tasks.size();
    }

    void runAll() {
      while (!tasks.isEmpty()) {
        int first = 0;
        for (int i = 1; i < dues.size(); i++) {
          if (dues.get(i)[0] < dues.get(first)[0]) {
            first = i;
          }
        }
        now = Math.max(now, dues.remove(first)[0]);
        tasks.remove(first).run();
      }
    }
  }

  @Test
  void eachArmIsOneRunAndReArmingReplacesThePendingOne() {
    Manual m = new Manual();
    List<Long> ran = new ArrayList<>();
    Timer t = m.timer(() -> ran.add(m.now));
    t.arm(10);
    t.arm(30); // later
    t.arm(20); // earlier
    assertThat(m.pending()).isEqualTo(1);
    m.runAll();
    assertThat(ran).containsExactly(20L);
    t.arm(5);
    m.runAll();
    assertThat(ran).containsExactly(20L, 25L);
  }

  @Test
  void aCancelledTimerDoesNotRunAndCanBeArmedAgain() {
    Manual m = new Manual();
    List<Long> ran = new ArrayList<>();
    Timer t = m.timer(() -> ran.add(m.now));
    t.cancel(); // not armed: nothing
    t.arm(10);
    t.cancel();
    assertThat(m.pending()).isZero();
    m.runAll();
    assertThat(ran).isEmpty();
    t.arm(3);
    m.runAll();
    assertThat(ran).containsExactly(3L);
  }

  @Test
  void aTimerReArmedByItsTaskRunsAgain() {
    Manual m = new Manual();
    List<Long> ran = new ArrayList<>();
    Timer[] t = new Timer[1];
    t[0] = m.timer(() -> {
      ran.add(m.now);
      if (ran.size() < 3) {
        t[0].arm(10);
      }
    });
    t[0].arm(10);
    m.runAll();
    assertThat(ran).containsExactly(10L, 20L, 30L);
    t[0].cancel(); // after its last run: nothing
    assertThat(m.pending()).isZero();
  }
}
