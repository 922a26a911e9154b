package io.vipha.netlink;

import io.vipha.netlink.internal.Errno;
import io.vipha.netlink.internal.Sched;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real-time scheduling for the few threads that must never wait behind others: Linux's {@code
 * SCHED_RR} or {@code SCHED_FIFO} at a priority of {@value #MIN_PRIORITY}–{@value #MAX_PRIORITY},
 * above every normally scheduled thread of the host, and locking the process's memory into RAM.
 *
 * <p>A raised thread has {@code SCHED_RESET_ON_FORK}: the threads and processes it starts (a
 * mover's script, say) are scheduled normally. Raising needs {@code CAP_SYS_NICE}, or an {@code
 * RLIMIT_RTPRIO} of at least the priority; in a cgroup with real-time group scheduling its cgroup
 * also needs real-time runtime. A thread that cannot be raised says why with {@link Refused}.
 *
 * <pre>{@code
 * Realtime.check(Realtime.Policy.RR, 10); // fails at start rather than in each thread
 * ThreadFactory rt = Realtime.threadFactory(Realtime.Policy.RR, 10);
 * EventLoopScheduler loop = new EventLoopScheduler("vip-loop", rt);
 * }</pre>
 */
public final class Realtime {
  private static final Logger LOG = LoggerFactory.getLogger(Realtime.class);

  /** The lowest real-time priority. */
  public static final int MIN_PRIORITY = 1;
  /** The highest real-time priority. */
  public static final int MAX_PRIORITY = 99;

  private Realtime() {}

  /** A real-time scheduling policy. */
  public enum Policy {
    /** {@code SCHED_RR}: threads of one priority take turns, a time slice each. */
    RR(Sched.RR),
    /** {@code SCHED_FIFO}: a thread runs until it blocks or one of a higher priority wakes. */
    FIFO(Sched.FIFO);

    private final int value;

    Policy(int value) {
      this.value = value;
    }

    /** The kernel's name, e.g. {@code SCHED_RR}. */
    public String kernelName() {
      return "SCHED_" + name();
    }
  }

  /**
   * Raises the calling thread to {@code policy} at {@code priority}.
   *
   * @throws IllegalArgumentException when the priority is not 1–99
   * @throws Refused when the kernel refuses; the message says what is missing
   */
  public static void raiseCurrentThread(Policy policy, int priority) throws Refused {
    requirePriority(priority);
    int errno = Sched.setCurrentThread(policy.value, priority);
    if (errno != 0) {
      throw refused(errno, policy, priority, Thread.currentThread().getName());
    }
  }

  /**
   * Whether this process may raise a thread to {@code policy} at {@code priority}: raises a
   * short-lived thread of its own, so that a daemon can fail at start, not later in each thread.
   *
   * @throws IllegalArgumentException when the priority is not 1–99
   * @throws Refused when it may not; the message says what is missing
   */
  public static void check(Policy policy, int priority) throws Refused {
    requirePriority(priority);
    Refused[] failure = new Refused[1];
    Thread t = new Thread(() -> {
      try {
        raiseCurrentThread(policy, priority);
      } catch (Refused e) {
        failure[0] = e;
      }
    }, "vipha-realtime-check");
    t.start();
    boolean interrupted = false;
    while (t.isAlive()) {
      try {
        t.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (failure[0] != null) {
      throw failure[0];
    }
  }

  /**
   * A factory of threads that raise themselves to {@code policy} at {@code priority} when they
   * start, before they run their task. A thread that cannot be raised logs one warning saying why
   * and runs its task at normal scheduling; call {@link #check} first to fail instead.
   *
   * @throws IllegalArgumentException when the priority is not 1–99
   */
  public static ThreadFactory threadFactory(Policy policy, int priority) {
    requirePriority(priority);
    return task -> new Thread(() -> {
      try {
        raiseCurrentThread(policy, priority);
      } catch (Refused e) {
        LOG.warn("thread {} runs at normal scheduling: {}", Thread.currentThread().getName(),
            e.getMessage());
      }
      task.run();
    });
  }

  /**
   * Locks every page of the process into RAM, now and as it grows ({@code mlockall(MCL_CURRENT |
   * MCL_FUTURE)}), so that none is swapped out and paged in again at a bad moment.
   *
   * @throws Refused when the kernel refuses; the message says what is missing
   */
  public static void lockMemory() throws Refused {
    int errno = Sched.lockAll();
    if (errno == 0) {
      return;
    }
    String what = "locking the process's memory (mlockall) was refused with "
        + Errno.name(errno);
    if (errno == Errno.EPERM || errno == Errno.ENOMEM || errno == Errno.EAGAIN) {
      throw new Refused(errno, true, what + ": it needs CAP_IPC_LOCK or an RLIMIT_MEMLOCK that"
          + " holds the whole process (this process's is " + limit("Max locked memory") + "); in a"
          + " systemd unit LimitMEMLOCK=infinity");
    }
    throw new Refused(errno, false, what);
  }

  private static void requirePriority(int priority) {
    if (priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
      throw new IllegalArgumentException("a real-time priority is " + MIN_PRIORITY + "-"
          + MAX_PRIORITY + "; got " + priority);
    }
  }

  private static Refused refused(int errno, Policy policy, int priority, String thread) {
    String what = "raising thread " + thread + " to " + policy.kernelName() + " priority "
        + priority + " was refused with " + Errno.name(errno);
    if (errno == Errno.EPERM) {
      return new Refused(errno, true, what + ": it needs CAP_SYS_NICE (or an RLIMIT_RTPRIO of"
          + " at least " + priority + "; this process's is " + limit("Max realtime priority")
          + "): in a systemd unit LimitRTPRIO=" + priority + ", or AmbientCapabilities="
          + "CAP_SYS_NICE with the same CapabilityBoundingSet. In a container or a cgroup with"
          + " real-time group scheduling, the cgroup also needs real-time runtime"
          + " (cpu.rt_runtime_us)");
    }
    if (errno == Errno.EINVAL) {
      return new Refused(errno, false, what + ": the kernel takes no such policy and"
          + " priority (priorities are " + MIN_PRIORITY + "-" + MAX_PRIORITY + ")");
    }
    return new Refused(errno, false, what);
  }

  /** The soft limit called {@code name} in {@code /proc/self/limits}, or "unknown". */
  private static String limit(String name) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith(name)) {
          String[] f = line.substring(name.length()).trim().split("\\s+");
          return f.length > 2 ? f[0] + " " + f[2] : f[0];
        }
      }
    } catch (IOException | RuntimeException e) {
      // the limit is only shown; it stays unknown
    }
    return "unknown";
  }

  /** The kernel refused to raise a thread or lock memory; the message says what is missing. */
  public static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    private final int errno;
    private final boolean permission;

    /**
     * A refusal with {@code errno}; {@code permission} when a privilege or a limit is missing.
     */
    public Refused(int errno, boolean permission, String message) {
      super(message);
      this.errno = errno;
      this.permission = permission;
    }

    /** The errno of the refusal, e.g. 1 ({@code EPERM}). */
    public int errno() {
      return errno;
    }

    /** Whether a privilege or a limit is missing, rather than something else. */
    public boolean permission() {
      return permission;
    }
  }
}
