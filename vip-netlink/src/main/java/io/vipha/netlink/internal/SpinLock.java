package io.vipha.netlink.internal;

import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * A reentrant lock that allocates nothing, even when contended ({@link
 * java.util.concurrent.locks.ReentrantLock} queues a node per waiting thread): a waiter spins
 * briefly, then parks in short steps. For locks held for microseconds by few threads.
 */
final class SpinLock {
  private static final int SPINS = 1_000;
  private static final long PARK_NANOS = 20_000;

  private final AtomicReference<@Nullable Thread> owner = new AtomicReference<>();
  /** How often the owner holds it (only the owner reads and writes it). */
  private int holds;

  /** Takes the lock if it is free or already this thread's; whether it did. */
  boolean tryLock() {
    Thread me = Thread.currentThread();
    if (owner.get() == me) {
      holds++;
      return true;
    }
    if (owner.compareAndSet(null, me)) {
      holds = 1;
      return true;
    }
    return false;
  }

  /** Takes the lock, waiting while another thread holds it. */
  void lock() {
    for (int i = 0; !tryLock(); i++) {
      if (i < SPINS) {
        Thread.onSpinWait();
      } else {
        LockSupport.parkNanos(PARK_NANOS);
      }
    }
  }

  /** Releases one hold; the calling thread must hold the lock. */
  void unlock() {
    if (owner.get() != Thread.currentThread()) {
      throw new IllegalMonitorStateException("the lock is not this thread's");
    }
    if (--holds == 0) {
      owner.set(null);
    }
  }

  /** How often the calling thread holds the lock (0: not at all). */
  int holdCount() {
    return owner.get() == Thread.currentThread() ? holds : 0;
  }
}
