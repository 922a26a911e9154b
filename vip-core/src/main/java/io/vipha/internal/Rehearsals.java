package io.vipha.internal;

/**
 * Start-up rehearsals: a throwaway copy of a cold path (the first take-over of a node that has
 * not taken one yet) run on a thread of its own, so that its classes are loaded and its methods
 * compiled before the real path needs them. A rehearsal has no effect outside its own objects:
 * its thread's {@linkplain AcquireTrace trace} is muted and what it throws is dropped unlogged.
 */
public final class Rehearsals {
  private Rehearsals() {}

  /**
   * Starts {@code body} on a new daemon thread named {@code name} at the lowest priority, so
   * that it yields to the node's own threads; returns the thread (started).
   */
  public static Thread start(String name, Runnable body) {
    Thread t = new Thread(() -> run(body), name);
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
    return t;
  }

  /** Runs {@code body} with this thread's trace muted; whether it completed without throwing. */
  public static boolean run(Runnable body) {
    AcquireTrace.mute();
    try {
      body.run();
      return true;
    } catch (RuntimeException | LinkageError e) {
      return false; // a rehearsal warms; it has nothing to report
    }
  }
}
