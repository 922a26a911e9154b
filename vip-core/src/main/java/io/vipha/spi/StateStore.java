package io.vipha.spi;

import io.vipha.internal.FileStateStore;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A node's small durable memory across restarts: its last heartbeat incarnation, so that a
 * restarted process is never taken for a stale one even when the wall clock stepped back, and its
 * flap record (recent failure-driven ownership changes and any suspension), so that a
 * crash-looping process stays suspended. The agent reads it once on start and writes it whenever
 * it changes (on its event loop, or from a thread of its own for a {@linkplain #slow() slow}
 * store); the content is the agent's own (small, versioned text).
 */
public interface StateStore {
  /**
   * The bytes saved last, or null when nothing was saved yet.
   *
   * @throws IOException when the store exists but cannot be read
   */
  byte @org.jspecify.annotations.Nullable [] load() throws IOException;

  /**
   * Replaces the saved bytes; they must survive a crash or power loss once this returns.
   *
   * @throws IOException when they cannot be written
   */
  void save(byte[] state) throws IOException;

  /**
   * Whether {@link #save} waits for slow I/O, such as a disk's fsync. The agent then saves changes
   * after the start from a thread of its own, keeping only the latest, so that a failover never
   * waits for the disk; a crash in the milliseconds after a change may lose that change of the
   * flap record (the incarnation is saved before the start completes either way). The default is
   * false: the agent saves on its event loop.
   */
  default boolean slow() {
    return false;
  }

  /**
   * A store in one file, replaced atomically on every save: written to a temporary file in the
   * same directory, forced to disk, renamed over {@code path}, and the directory forced too. The
   * directory must exist. It is {@linkplain #slow() slow}.
   */
  static StateStore file(Path path) {
    return new FileStateStore(path);
  }
}
