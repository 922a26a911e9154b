package io.vipha.vipd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** One request to a daemon's control socket and its reply line. */
final class ControlClient {
  /** Why no reply came. */
  static final class NoReply extends Exception {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    enum Kind {
      /** No socket there, or nobody listens on it: the daemon is not running. */
      NOT_RUNNING,
      /** The caller may not open the socket (or a directory on its path). */
      PERMISSION,
      /** The connection broke or no reply came in time. */
      BROKEN
    }

    final Kind kind;

    NoReply(Kind kind, String message) {
      super(message);
      this.kind = kind;
    }
  }

  private ControlClient() {}

  /** Sends {@code line} to the socket at {@code path}; the reply line, waiting at most {@code
   * timeout}. */
  static String request(Path path, String line, Duration timeout) throws NoReply {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      Path parent = path.toAbsolutePath().getParent();
      if (parent != null && Files.isDirectory(parent) && !Files.isExecutable(parent)) {
        throw new NoReply(NoReply.Kind.PERMISSION, "permission denied: cannot enter "
            + parent + " (run vipctl as root or as a member of the daemon's group)");
      }
      throw new NoReply(NoReply.Kind.NOT_RUNNING, "no control socket at " + path
          + ": vipd is not running for this node (or uses another daemon.controlSocket)");
    }
    SocketChannel c;
    try {
      c = SocketChannel.open(StandardProtocolFamily.UNIX);
    } catch (IOException e) {
      throw new NoReply(NoReply.Kind.BROKEN, "cannot open a Unix domain socket: " + e);
    }
    CompletableFuture<Void> watchdog = CompletableFuture.runAsync(() -> close(c),
        CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS));
    try (c) {
      try {
        c.connect(UnixDomainSocketAddress.of(path));
      } catch (SocketException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("Permission denied")) {
          throw new NoReply(NoReply.Kind.PERMISSION, "permission denied on " + path + " (mode"
              + " 0660: run vipctl as root or as the daemon's user or group)");
        }
        if (m.contains("Connection refused")) {
          throw new NoReply(NoReply.Kind.NOT_RUNNING, "nobody answers on " + path + ": vipd"
              + " is not running (the socket was left by a daemon that did not stop cleanly)");
        }
        throw new NoReply(NoReply.Kind.BROKEN, "cannot connect to " + path + ": " + m);
      }
      ByteBuffer out = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
      while (out.hasRemaining()) {
        c.write(out);
      }
      ByteArrayOutputStream reply = new ByteArrayOutputStream();
      ByteBuffer in = ByteBuffer.allocate(65536);
      while (true) {
        in.clear();
        int n = c.read(in);
        if (n < 0) {
          throw new NoReply(NoReply.Kind.BROKEN, "vipd closed the connection without a reply");
        }
        for (int i = 0; i < n; i++) {
          if (in.get(i) == '\n') {
            reply.write(in.array(), 0, i);
            return reply.toString(StandardCharsets.UTF_8);
          }
        }
        reply.write(in.array(), 0, n);
      }
    } catch (AsynchronousCloseException e) {
      throw new NoReply(NoReply.Kind.BROKEN, "no reply from vipd within "
          + Vipd.text(timeout) + " on " + path);
    } catch (IOException e) {
      throw new NoReply(NoReply.Kind.BROKEN, "the connection to " + path + " broke: " + e);
    } finally {
      watchdog.cancel(false);
    }
  }

  private static void close(SocketChannel c) {
    try {
      c.close();
    } catch (IOException e) {
      // closed already
    }
  }
}
