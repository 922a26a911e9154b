package io.vipha.vipd;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A FIFO or a Unix domain socket that receives every event as one JSON line, written by a
 * thread of its own. Nobody waits for it: {@link #offer} puts the line into a bounded queue
 * (dropping the oldest when full) and returns. While no one reads (a FIFO without a reader, a
 * socket nobody listens on) the thread waits, or retries every second, and the queue keeps the
 * newest lines, which the next reader receives first.
 */
final class LineSink implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("vipd.notify");
  private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** Opens the channel to write to; may block until a reader comes. */
  @FunctionalInterface
  interface Opener {
    WritableByteChannel open(Path path) throws IOException;
  }

  private final String what;
  private final Path path;
  private final Opener opener;
  private final int capacity;
  private final ArrayDeque<String> queue = new ArrayDeque<>();
  private final Thread thread;
  private long dropped;
  private long written;
  private boolean closed;
  private volatile boolean opening;
  private @Nullable WritableByteChannel channel;

  private LineSink(String what, Path path, Opener opener, int capacity) {
    this.what = what;
    this.path = path;
    this.opener = opener;
    this.capacity = capacity;
    this.thread = new Thread(this::run, "vipd-notify-" + what);
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * A FIFO at {@code path}, created now (mode 0600) when missing; opening it for writing waits
   * for a reader.
   */
  static LineSink fifo(Path path, int capacity) throws IOException {
    createFifo(path);
    return new LineSink("fifo", path, LineSink::openFifo, capacity);
  }

  /** A Unix domain socket at {@code path} that some program listens on. */
  static LineSink socket(Path path, int capacity) {
    return new LineSink("socket", path,
        p -> SocketChannel.open(UnixDomainSocketAddress.of(p)), capacity);
  }

  private static void createFifo(Path path) throws IOException {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      try {
        Process p = new ProcessBuilder("mkfifo", "-m", "0600", path.toString())
            .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
          throw new IOException("mkfifo " + path + " failed: " + out.strip());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while creating " + path, e);
      }
    }
    requireFifo(path);
  }

  private static WritableByteChannel openFifo(Path path) throws IOException {
    requireFifo(path);
    return FileChannel.open(path, StandardOpenOption.WRITE);
  }

  private static void requireFifo(Path path) throws IOException {
    Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    if (!(mode instanceof Integer m && (m & 0170000) == 0010000)) {
      throw new IOException(path + " is not a FIFO; remove it or name another path");
    }
  }

  /** Queues {@code line} (without its newline); never blocks. */
  void offer(String line) {
    synchronized (queue) {
      if (closed) {
        return;
      }
      if (queue.size() >= capacity) {
        queue.removeFirst();
        if (dropped++ == 0) {
          LOG.warn("notify {} {}: nobody reads fast enough; dropping the oldest lines", what,
              path);
        }
      }
      queue.addLast(line);
      queue.notifyAll();
    }
  }

  /** How many lines were dropped because the queue was full. */
  long dropped() {
    synchronized (queue) {
      return dropped;
    }
  }

  /** How many lines were written. */
  long written() {
    synchronized (queue) {
      return written;
    }
  }

  private void run() {
    boolean failing = false;
    while (true) {
      synchronized (queue) {
        while (queue.isEmpty() && !closed) {
          try {
            queue.wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (closed) {
          return;
        }
      }
      try {
        WritableByteChannel c = channel;
        if (c == null) {
          opening = true;
          try {
            c = opener.open(path); // may wait for a reader; the queue keeps the newest lines
          } finally {
            opening = false;
          }
          channel = c;
          if (failing) {
            LOG.info("notify {} {}: writing again", what, path);
            failing = false;
          }
        }
        String line;
        synchronized (queue) {
          line = queue.peekFirst();
        }
        if (line == null) {
          continue;
        }
        ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
          c.write(b);
        }
        synchronized (queue) {
          if (queue.peekFirst() == line) {
            queue.removeFirst();
          }
          written++;
        }
      } catch (IOException | RuntimeException e) {
        closeChannel();
        if (!failing) {
          LOG.warn("notify {} {}: {}; retrying every second, keeping the newest {} lines", what,
              path, e.toString(), capacity);
          failing = true;
        }
        if (!pause()) {
          return;
        }
      }
    }
  }

  /** Waits a second unless closed; false when closed. */
  private boolean pause() {
    long deadline = System.nanoTime() + RETRY_NANOS;
    synchronized (queue) {
      for (long left = RETRY_NANOS; left > 0 && !closed; left = deadline - System.nanoTime()) {
        try {
          TimeUnit.NANOSECONDS.timedWait(queue, left);
        } catch (InterruptedException e) {
          return false;
        }
      }
      return !closed;
    }
  }

  private void closeChannel() {
    WritableByteChannel c = channel;
    channel = null;
    if (c != null) {
      try {
        c.close();
      } catch (IOException e) {
        LOG.debug("closing {}", path, e);
      }
    }
  }

  /**
   * Stops the thread. A thread waiting for a FIFO's reader is freed by opening the FIFO for
   * reading once.
   */
  @Override
  public void close() {
    synchronized (queue) {
      closed = true;
      queue.notifyAll();
    }
    thread.interrupt();
    if (opening && what.equals("fifo") && Files.exists(path)) {
      Thread unblock = new Thread(() -> {
        try (FileChannel r = FileChannel.open(path, StandardOpenOption.READ)) {
          LOG.debug("freed the writer of {}", path);
        } catch (IOException e) {
          LOG.debug("freeing the writer of {}", path, e);
        }
      }, "vipd-notify-close");
      unblock.setDaemon(true);
      unblock.start();
    }
    try {
      thread.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeChannel();
  }
}
