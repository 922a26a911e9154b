package io.vipha.internal;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Ending commands that vipha runs (health checks, address movers): the process and all its
 * descendants are killed ({@link ProcessHandle#destroyForcibly()}, SIGKILL on Linux), the
 * descendants listed before the process is killed, so that children the command started are
 * killed too even though they are re-parented when it dies. A child that detaches between the
 * listing and the kill can escape, as it could from any tool that lacks process groups.
 */
public final class Processes {
  private static final long REAP_MILLIS = 1_000;

  private Processes() {}

  /** Kills {@code process} and its descendants; returns how many descendants there were. */
  public static int kill(Process process) {
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroyForcibly();
    descendants.forEach(ProcessHandle::destroyForcibly);
    return descendants.size();
  }

  /** Waits briefly for a killed process to be reaped, ignoring (and keeping) interrupts. */
  public static void awaitExit(Process process) {
    boolean interrupted = false;
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REAP_MILLIS);
    while (true) {
      try {
        process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
