package io.vipha.agent;

import io.vipha.internal.TimerHeap;
import io.vipha.spi.Cancellable;
import io.vipha.spi.Scheduler;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real event loop: one daemon thread, {@link System#nanoTime()} as the clock. Timers wait in a
 * heap of reusable entries; tasks handed over with {@link #execute} wait in a queue; in between
 * the thread parks. Tasks and timers run in the order they fell due (a task handed over is due
 * when it is handed over). Re-arming a {@link #timer timer} and handing over a task allocate
 * nothing, so a steady state of heartbeats makes no garbage here; a one-shot {@link #schedule}
 * allocates its entry. A task that throws is logged, and the loop goes on.
 *
 * <p>A {@link #preciseTimer precise timer} stops the thread from parking {@value #SPIN_NANOS} ns
 * before it is due: the thread then waits on the CPU (still running the tasks handed over), so
 * the task starts within a microsecond or so of its time instead of after a wake-up. One with a
 * warm-up stops parking {@value #WARM_NANOS} ns before it is due and runs the warm-up again and
 * again until then (see {@link #preciseTimer(Runnable, Runnable)}).
 *
 * <p>The thread starts with the first task. Timers are armed and cancelled on the loop; from
 * another thread the call is handed over to the loop first. A {@link ThreadFactory} given to
 * {@link #EventLoopScheduler(String, ThreadFactory)} makes that one thread, e.g. to run it at a
 * real-time priority.
 */
public final class EventLoopScheduler implements Scheduler, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventLoopScheduler.class);

  /** How long before a precise timer is due the thread stops parking. */
  static final long SPIN_NANOS = 250_000L;
  /** How long before a precise timer with a warm-up is due the thread stops parking. */
  static final long WARM_NANOS = 3_000_000L;
  /** Time a warm-up run leaves before the timer is due, beyond twice its expected time. */
  static final long WARM_MARGIN_NANOS = 20_000L;

  private final String name;
  private final ThreadFactory threads;
  private final long spinNanos;
  private final Object lock = new Object();
  /** Tasks handed over, in order, and when: a ring guarded by {@link #lock}. */
  private Runnable[] handedOver = new Runnable[64];
  private long[] handedOverAt = new long[64];
  private int first;
  private int waiting;
  /** Touched on the loop's thread only. */
  private final TimerHeap<Entry> timers = new TimerHeap<>();
  private volatile @Nullable Thread thread;
  /** Written under {@link #lock}. */
  private volatile boolean closed;
  private volatile boolean parked;

  /** A loop whose thread is called {@code name}. */
  public EventLoopScheduler(String name) {
    this(name, Thread::new);
  }

  /**
   * A loop whose one thread {@code threads} makes, once, when the first task is handed over; the
   * loop then names the thread {@code name} and makes it a daemon thread.
   */
  public EventLoopScheduler(String name, ThreadFactory threads) {
    this(name, threads, SPIN_NANOS);
  }

  /** A loop whose precise timers stop it from parking {@code spinNanos} before they are due. */
  EventLoopScheduler(String name, ThreadFactory threads, long spinNanos) {
    this.name = name;
    this.threads = Objects.requireNonNull(threads, "threads");
    this.spinNanos = spinNanos;
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public long wallMillis() {
    return System.currentTimeMillis();
  }

  /**
   * {@inheritDoc}
   *
   * @throws RejectedExecutionException once closed
   */
  @Override
  public Cancellable schedule(long delayNanos, Runnable task) {
    if (closed) {
      throw new RejectedExecutionException("event loop " + name + " is closed");
    }
    Entry e = new Entry(Objects.requireNonNull(task), false);
    e.arm(delayNanos);
    return e;
  }

  /** {@inheritDoc} Arming and cancelling it allocate nothing when done on the loop. */
  @Override
  public Timer timer(Runnable task) {
    return new Entry(Objects.requireNonNull(task), false);
  }

  /** {@inheritDoc} Arming and cancelling it allocate nothing when done on the loop. */
  @Override
  public Timer preciseTimer(Runnable task) {
    return new Entry(Objects.requireNonNull(task), true);
  }

  /**
   * {@inheritDoc} A warm-up run starts only while twice its expected time and {@value
   * #WARM_MARGIN_NANOS} ns fit before the timer is due (the first two runs before a due time are
   * expected to take a quarter of the window each, later ones as long as the last); between runs
   * the loop runs the tasks handed over. A warm-up that throws is logged and not run again; its
   * timer still runs.
   */
  @Override
  public Timer preciseTimer(Runnable task, Runnable warmUp) {
    Entry e = new Entry(Objects.requireNonNull(task), true);
    e.warmUp = Objects.requireNonNull(warmUp, "warmUp");
    return e;
  }

  /**
   * {@inheritDoc} Tasks handed over run in the order they were.
   *
   * @throws RejectedExecutionException once closed
   */
  @Override
  public void execute(Runnable task) {
    Objects.requireNonNull(task);
    Thread t;
    boolean wake;
    synchronized (lock) {
      if (closed) {
        throw new RejectedExecutionException("event loop " + name + " is closed");
      }
      if (waiting == handedOver.length) {
        grow();
      }
      int i = (first + waiting) & (handedOver.length - 1);
      handedOver[i] = task;
      handedOverAt[i] = System.nanoTime();
      waiting++;
      t = thread;
      wake = parked;
      if (t == null) {
        t = threads.newThread(this::run);
        t.setName(name);
        t.setDaemon(true);
        thread = t;
        t.start();
      }
    }
    if (wake) {
      LockSupport.unpark(t);
    }
  }

  /**
   * Stops the thread once it has run the tasks already handed over and the timers already due;
   * timers not yet due never run. From then on {@link #execute} and {@link #schedule} throw
   * {@link RejectedExecutionException}, and a timer armed does not run. Returns at once; may be
   * called from a task on the loop.
   */
  @Override
  public void close() {
    Thread t;
    synchronized (lock) {
      closed = true;
      t = thread;
    }
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  /** The timers queued; call on the loop. */
  int timersQueued() {
    return timers.size();
  }

  private boolean onLoop() {
    return Thread.currentThread() == thread;
  }

  /** Doubles the ring, keeping the order; under {@link #lock}. */
  private void grow() {
    int n = handedOver.length;
    Runnable[] tasks = new Runnable[2 * n];
    long[] at = new long[2 * n];
    for (int k = 0; k < waiting; k++) {
      tasks[k] = handedOver[(first + k) & (n - 1)];
      at[k] = handedOverAt[(first + k) & (n - 1)];
    }
    handedOver = tasks;
    handedOverAt = at;
    first = 0;
  }

  private void run() {
    while (true) {
      Thread.interrupted(); // a task's interrupt must not keep the loop from parking
      Entry timer = timers.peek();
      boolean timerDue = timer != null && timer.due() - System.nanoTime() <= 0;
      Runnable task = null;
      synchronized (lock) {
        if (waiting > 0 && (timer == null || !timerDue
            || handedOverAt[first] - timer.due() <= 0)) {
          task = handedOver[first];
          handedOver[first] = null;
          first = (first + 1) & (handedOver.length - 1);
          waiting--;
        } else if (!timerDue) {
          if (closed) {
            return;
          }
          parked = true;
        }
      }
      if (task != null) {
        runSafely(task);
      } else if (timer != null && timerDue) {
        timers.poll();
        runSafely(timer.task);
      } else {
        if (timer == null) {
          LockSupport.park(this);
        } else {
          long lead = !timer.precise ? 0 : timer.warmUp != null ? WARM_NANOS : spinNanos;
          long wait = timer.due() - System.nanoTime() - lead;
          if (wait > 0) {
            LockSupport.parkNanos(this, wait);
          } else if (!warm(timer)) {
            Thread.onSpinWait(); // a precise timer's last moments: wait on the CPU
          }
        }
        parked = false;
      }
    }
  }

  /**
   * Runs {@code timer}'s warm-up once, unless it has none or twice its expected time and the
   * margin would not fit before the timer is due; whether it ran. The expected time is the last
   * run's, except for the first two runs before a due time: the first finds the caches cold and
   * takes several times as long as those after it, so each of the two is expected to take a
   * quarter of the window (the first starts when the window opens, the second only if the first
   * ended in its first half).
   */
  private boolean warm(Entry timer) {
    Runnable w = timer.warmUp;
    if (w == null) {
      return false;
    }
    long start = System.nanoTime();
    long due = timer.due();
    if (due != timer.warmedFor) {
      timer.warmedFor = due;
      timer.warmRuns = 0;
    }
    long expected = timer.warmRuns < 2 ? WARM_NANOS / 4 : timer.warmNanos;
    if (due - start <= 2 * expected + WARM_MARGIN_NANOS) {
      return false;
    }
    try {
      w.run();
    } catch (RuntimeException | Error e) {
      timer.warmUp = null;
      LOG.warn("the warm-up of a timer on event loop {} failed; the timer runs without it", name,
          e);
    }
    timer.warmNanos = System.nanoTime() - start;
    timer.warmRuns++;
    return true;
  }

  private void runSafely(Runnable task) {
    try {
      task.run();
    } catch (RejectedExecutionException e) {
      if (closed) {
        LOG.debug("event loop {} closed under a task: {}", name, e.toString());
      } else {
        LOG.warn("a task on event loop {} failed", name, e);
      }
    } catch (RuntimeException | Error e) {
      LOG.warn("a task on event loop {} failed", name, e);
    }
  }

  /** A timer, or a one-shot task's entry. */
  private final class Entry extends TimerHeap.Entry implements Timer {
    final Runnable task;
    final boolean precise;
    /** Run before a precise timer is due; null: none (or it failed). Loop thread only. */
    @Nullable Runnable warmUp;
    /** How long the warm-up's last run took. Loop thread only. */
    long warmNanos;
    /** The due time of the warm-up's runs so far, and how many ran for it. Loop thread only. */
    long warmedFor;
    int warmRuns;

    Entry(Runnable task, boolean precise) {
      this.task = task;
      this.precise = precise;
    }

    @Override
    public void arm(long delayNanos) {
      long due = TimerHeap.dueAfter(System.nanoTime(), delayNanos);
      if (onLoop()) {
        timers.add(this, due);
      } else {
        handOver(() -> timers.add(this, due));
      }
    }

    @Override
    public void cancel() {
      if (onLoop()) {
        timers.remove(this);
      } else {
        handOver(() -> timers.remove(this));
      }
    }

    private void handOver(Runnable r) {
      try {
        execute(r);
      } catch (RejectedExecutionException e) {
        // Closed: no timer runs any more.
      }
    }
  }
}
