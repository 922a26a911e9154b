package io.vipha.internal;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A trace of the steps from a decision to take over to the first announcement, for measuring
 * where a failover's milliseconds go inside the process. Off unless the system property {@code
 * vipha.trace.acquire} is {@code true}; then each {@link #mark} stores the step and {@link
 * System#nanoTime()} in a preallocated ring (no allocation, no I/O on the caller's thread), and a
 * daemon thread prints each episode (a decision and the marks in the 100 ms after it) once it is
 * over, to standard error as one line: {@code vipha-acquire-trace decided+0.0 due-21.4 replan+12.3
 * ...}, offsets in microseconds from the decision (negative for what came before it: the receipt
 * that armed the timer, and when it was due). Off, a mark is a test of a constant that the JIT
 * folds away.
 */
public final class AcquireTrace {
  /** Whether tracing is on ({@code -Dvipha.trace.acquire=true}). */
  public static final boolean ON = Boolean.getBoolean("vipha.trace.acquire");

  /** A coordinator decided that this node takes over (a peer dead, VRRP master-down). */
  public static final int DECIDED = 0;
  /** The listeners of an agent event (a log, say) are told of it. */
  public static final int EMIT = 1;
  /** The listeners of the event returned. */
  public static final int EMITTED = 2;
  /** A replan starts. */
  public static final int REPLAN = 3;
  /** The planner returned the new plan. */
  public static final int PLANNED = 4;
  /** A reconcile starts. */
  public static final int RECONCILE = 5;
  /** The backend's assign is called. */
  public static final int ASSIGN = 6;
  /** The backend's assign returned. */
  public static final int ASSIGNED = 7;
  /** The backend's announce is called. */
  public static final int ANNOUNCE = 8;
  /** The backend's announce returned. */
  public static final int ANNOUNCED = 9;
  /** The VRRP router entered MASTER (the agent reconciles next, then the state is logged). */
  public static final int ENTERED = 10;
  /** The last advertisement or heartbeat before the decision was received (with its time). */
  public static final int HEARD = 11;
  /** The timer whose run-out is the decision was due (marked with its time). */
  public static final int DUE = 12;
  /** The first frame of an announcement was handed to the kernel. */
  public static final int FRAME = 13;

  private static final String[] NAMES = {"decided", "emit", "emitted", "replan", "planned",
      "reconcile", "assign", "assigned", "announce", "announced", "entered", "heard", "due",
      "frame"};
  private static final int SIZE = 1 << 12;
  /** Steps after a decision further away than this belong to no episode. */
  private static final long EPISODE_NANOS = 100_000_000L;

  private static final AtomicIntegerArray steps = new AtomicIntegerArray(SIZE);
  private static final AtomicLongArray times = new AtomicLongArray(SIZE);
  /** Marks claimed so far (the next slot is {@code written % SIZE}). */
  private static final AtomicLong written = new AtomicLong();
  /** Per thread, how many {@link #muteHere} calls hold its marks back. */
  private static final ThreadLocal<int[]> MUTED_HERE = ThreadLocal.withInitial(() -> new int[1]);

  /** Marks made at start so that marking runs compiled code ({@link #warm}). */
  private static final int WARM_MARKS = 20_000;

  static {
    if (ON) {
      warm();
      Thread t = new Thread(AcquireTrace::printLoop, "vipha-acquire-trace");
      t.setDaemon(true);
      t.start();
    }
  }

  private AcquireTrace() {}

  /**
   * Records {@link #WARM_MARKS} marks of a step no episode starts with (the printer skips them),
   * so that marking is compiled before the first take-over: run by the interpreter, as code run
   * that seldom is, each mark took 2-20 µs and the trace showed its own cost as the take-over's.
   */
  static void warm() {
    for (int i = 0; i < WARM_MARKS; i++) {
      record(EMITTED, 0);
    }
  }

  /** Marks {@code step} now; does nothing unless tracing is on, or on a rehearsal's thread. */
  public static void mark(int step) {
    if (ON && !muted()) {
      record(step, System.nanoTime());
    }
  }

  /**
   * Marks {@code step} at {@code nanos} ({@link System#nanoTime()}), an instant already past,
   * such as a timer's due time; like {@link #mark}.
   */
  public static void markAt(int step, long nanos) {
    if (ON && !muted()) {
      record(step, nanos);
    }
  }

  /**
   * Whether the calling thread's marks are dropped: a {@linkplain Rehearsals rehearsal}'s, or
   * one between {@link #muteHere muteHere(true)} and {@code muteHere(false)}.
   */
  public static boolean muted() {
    return Thread.currentThread() instanceof Rehearsals.Muted || MUTED_HERE.get()[0] > 0;
  }

  /**
   * Drops (true) or records again (false) the calling thread's marks, for a warm-up that runs a
   * shadow of the take-over on a real loop; calls nest.
   */
  public static void muteHere(boolean on) {
    MUTED_HERE.get()[0] += on ? 1 : -1;
  }

  /**
   * Stores {@code step} at {@code now} (package-private for tests: marks always record). Takes
   * no lock: marks from threads working side by side (the loop and the watch) must not make one
   * wait for the other. The printer reads a slot only once its episode is 100 ms old.
   */
  static void record(int step, long now) {
    int i = (int) (written.getAndIncrement() & (SIZE - 1));
    times.set(i, now);
    steps.set(i, step);
  }

  /** The number of marks recorded so far. */
  static long written() {
    return written.get();
  }

  private static void printLoop() {
    long printed = 0;
    PrintStream err = System.err;
    StringBuilder out = new StringBuilder();
    while (true) {
      try {
        Thread.sleep(EPISODE_NANOS / 1_000_000);
      } catch (InterruptedException e) {
        return;
      }
      long w = written.get();
      printed = episodes(Math.max(printed, w - SIZE), w, System.nanoTime(), out);
      if (out.length() > 0) {
        err.print(out);
        err.flush();
        out.setLength(0);
      }
    }
  }

  /**
   * Appends to {@code out} the episodes among marks {@code from} (inclusive) to {@code to} that
   * ended by {@code now} (a decision and the marks within {@link #EPISODE_NANOS} after it), one
   * line each; returns the first mark not yet consumed.
   */
  static long episodes(long from, long to, long now, StringBuilder out) {
    long k = from;
    while (k < to && steps.get((int) (k & (SIZE - 1))) != DECIDED) {
      k++; // (a mark outside any episode)
    }
    while (k < to) {
      long start = times.get((int) (k & (SIZE - 1)));
      if (now - start <= EPISODE_NANOS) {
        return k; // still open
      }
      out.append("vipha-acquire-trace");
      long j = k;
      do {
        int i = (int) (j & (SIZE - 1));
        long dt = times.get(i) - start;
        if (dt > EPISODE_NANOS || (j > k && steps.get(i) == DECIDED)) {
          break;
        }
        out.append(' ').append(NAMES[steps.get(i)]).append(dt < 0 ? "" : "+")
            .append(String.format(Locale.ROOT, "%.1f", dt / 1000.0));
        j++;
      } while (j < to);
      out.append('\n');
      k = j;
      while (k < to && steps.get((int) (k & (SIZE - 1))) != DECIDED) {
        k++;
      }
    }
    return k;
  }
}
