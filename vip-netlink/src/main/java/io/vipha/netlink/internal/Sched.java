package io.vipha.netlink.internal;

import com.sun.jna.LastErrorException;

/** The scheduling and memory-locking calls of {@code io.vipha.netlink.Realtime}. */
public final class Sched {
  /** {@code SCHED_FIFO}. */
  public static final int FIFO = 1;
  /** {@code SCHED_RR}. */
  public static final int RR = 2;
  /** {@code SCHED_RESET_ON_FORK}: threads and processes the thread makes start normal. */
  static final int RESET_ON_FORK = 0x40000000;
  private static final int MCL_CURRENT = 1;
  private static final int MCL_FUTURE = 2;

  private Sched() {}

  /**
   * Sets the calling thread's policy ({@link #FIFO} or {@link #RR}) and priority, with {@code
   * SCHED_RESET_ON_FORK}; 0, or the errno of the failure.
   */
  public static int setCurrentThread(int policy, int priority) {
    try {
      LibC.sched_setscheduler(0, policy | RESET_ON_FORK, new int[] {priority});
      return 0;
    } catch (LastErrorException e) {
      return e.getErrorCode();
    }
  }

  /** Locks the process's pages, now and later, into RAM; 0, or the errno of the failure. */
  public static int lockAll() {
    try {
      LibC.mlockall(MCL_CURRENT | MCL_FUTURE);
      return 0;
    } catch (LastErrorException e) {
      return e.getErrorCode();
    }
  }
}
