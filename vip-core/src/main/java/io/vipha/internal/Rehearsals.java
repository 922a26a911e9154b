package io.vipha.internal;

/**
 * Start-up rehearsals: a throwaway copy of a cold path (the first take-over of a node that has
 * not taken one yet) run on a thread of its own, so that its classes are loaded and its methods
 * compiled before the real path needs them. A rehearsal has no effect outside its own objects:
 * its thread's {@linkplain AcquireTrace trace} marks and what it throws are dropped unlogged.
 */
public final class Rehearsals {
  private Rehearsals() {}

  /**
   * Starts {@code body} on a new daemon thread named {@code name} at the lowest priority, so
   * that it yields to the node's own threads; returns the thread (started).
   */
  public static Thread start(String name, Runnable body) {
    Thread t = new Muted(body, name);
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
    return t;
  }

  /** A rehearsal's thread: its trace marks are dropped, what it throws too. */
  static final class Muted extends Thread {
    private final Runnable body;

    Muted(Runnable body, String name) {
      super(name);
      this.body = body;
    }

    @Override
    public void run() {
      try {
        body.run();
      } catch (RuntimeException | LinkageError e) {
        // a rehearsal warms; it has nothing to report
      }
    }
  }
}
