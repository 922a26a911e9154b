package io.vipha.testing;

import io.vipha.spi.StateStore;
import org.jspecify.annotations.Nullable;

/**
 * A {@link StateStore} in memory, for tests and simulations: a disk that outlives the agents
 * that use it (give the same store to a node's next process) and that a test can wipe.
 */
public final class InMemoryStateStore implements StateStore {
  private final String name;
  private byte @Nullable [] bytes;

  /** An empty store, named {@code name} in messages. */
  public InMemoryStateStore(String name) {
    this.name = name;
  }

  @Override
  public synchronized byte @Nullable [] load() {
    byte[] b = bytes;
    return b == null ? null : b.clone();
  }

  @Override
  public synchronized void save(byte[] state) {
    bytes = state.clone();
  }

  /** Forgets what was saved, as a replaced disk does. */
  public synchronized void wipe() {
    bytes = null;
  }

  @Override
  public String toString() {
    return name;
  }
}
