package io.vipha.internal;

import io.vipha.spi.StateStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** {@link StateStore#file(Path)}: atomic replacement, forced to disk with its directory. */
public final class FileStateStore implements StateStore {
  private final Path path;

  /** A store in {@code path}. */
  public FileStateStore(Path path) {
    this.path = path.toAbsolutePath();
  }

  @Override
  public byte @Nullable [] load() throws IOException {
    try {
      return Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  @Override
  public void save(byte[] state) throws IOException {
    Path dir = Objects.requireNonNull(path.getParent(), "a state file needs a directory");
    Path tmp = dir.resolve(path.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer b = ByteBuffer.wrap(state);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
    try {
      Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
    }
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // Some file systems cannot open a directory for reading; the rename is then as durable
      // as they make it.
    }
  }

  /** A disk's fsync can take milliseconds: the agent saves off its event loop. */
  @Override
  public boolean slow() {
    return true;
  }

  @Override
  public String toString() {
    return path.toString();
  }
}
