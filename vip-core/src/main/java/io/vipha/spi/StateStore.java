package io.vipha.spi;

import io.vipha.internal.FileStateStore;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A node's small durable memory across restarts: its last heartbeat incarnation, so that a
 * restarted process is never taken for a stale one even when the wall clock stepped back, and its
 * flap record (recent failure-driven ownership changes and any suspension), so that a
 * crash-looping process stays suspended. The agent reads it once on start and writes it, on its
 * event loop, whenever it changes; the content is the agent's own (small, versioned text).
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
   * A store in one file, replaced atomically on every save: written to a temporary file in the
   * same directory, forced to disk, renamed over {@code path}, and the directory forced too. The
   * directory must exist.
   */
  static StateStore file(Path path) {
    return new FileStateStore(path);
  }
}
