package io.vipha.vipd;

import io.vipha.vipd.ControlProtocol.Error;
import io.vipha.vipd.ControlProtocol.Request;
import io.vipha.vipd.ControlProtocol.RequestException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's control endpoint: a Unix domain socket, mode 0660, on which each line is one
 * request of the {@link ControlProtocol} and gets one reply line.
 *
 * <p>It runs on threads of its own, never on the agent's event loop: one accepts, and each
 * connection (at most {@link #MAX_CONNECTIONS} at once; one more gets a {@code busy} reply and is
 * closed) is served by a thread of a bounded pool. A connection idle for {@link #IDLE} is closed.
 * Requests reach the agent through its public API only, which posts to the loop. A request that
 * is malformed, too long or fails in any way gets an error reply; nothing a client sends stops
 * the daemon.
 */
final class ControlServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("vipd.control");
  /** Connections served at once. */
  static final int MAX_CONNECTIONS = 8;
  /** How long a connection may stay silent before it is closed. */
  static final Duration IDLE = Duration.ofSeconds(30);

  /** Answers one request line; {@code client} names the user who sent it, for the log. */
  @FunctionalInterface
  interface Handler {
    String answer(String line, String client);
  }

  /** Why the control socket cannot be opened. */
  static final class BindException extends Exception {
    private static final long serialVersionUID = 1L;

    BindException(String message) {
      super(message);
    }
  }

  private final Path path;
  private final ServerSocketChannel server;
  private final @Nullable Object fileKey;
  private final Handler handler;
  private final ThreadPoolExecutor workers;
  private final ScheduledThreadPoolExecutor idle;
  private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;
  private final AtomicLong requests = new AtomicLong();
  private volatile boolean closed;

  private ControlServer(Path path, ServerSocketChannel server, @Nullable Object fileKey,
      Handler handler) {
    this.path = path;
    this.server = server;
    this.fileKey = fileKey;
    this.handler = handler;
    this.workers = new ThreadPoolExecutor(0, MAX_CONNECTIONS, 30, TimeUnit.SECONDS,
        new SynchronousQueue<>(), r -> daemonThread(r, "vipd-control-conn"));
    this.idle = new ScheduledThreadPoolExecutor(1, r -> daemonThread(r, "vipd-control-idle"));
    this.idle.setRemoveOnCancelPolicy(true);
    this.acceptor = daemonThread(this::accept, "vipd-control");
  }

  /**
   * Opens the control socket at {@code path} for {@code service}: makes the parent directory,
   * removes a stale socket file that no daemon answers on, and refuses when one does.
   */
  static ControlServer open(Path path, ControlService service) throws BindException {
    return open(path, (line, client) -> answer(service, line, client));
  }

  /** Opens the control socket at {@code path}, answering each request line with {@code handler}. */
  static ControlServer open(Path path, Handler handler) throws BindException {
    Path parent = path.toAbsolutePath().getParent();
    try {
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (IOException e) {
      throw new BindException("cannot make the directory " + parent + " for the control socket: "
          + e);
    }
    if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      removeStale(path);
    }
    ServerSocketChannel server;
    try {
      server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    } catch (IOException e) {
      throw new BindException("cannot open a Unix domain socket: " + e);
    }
    Object key;
    try {
      server.bind(UnixDomainSocketAddress.of(path), MAX_CONNECTIONS);
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
      key = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
          .fileKey();
    } catch (IOException | UnsupportedOperationException e) {
      closeQuietly(server);
      throw new BindException("cannot open the control socket " + path + ": " + e);
    }
    ControlServer s = new ControlServer(path, server, key, handler);
    s.acceptor.start();
    LOG.info("control socket {} (mode 0660): vipctl --socket {} status", path, path);
    return s;
  }

  /** A socket file at {@code path}: removed when no daemon answers on it, else refused. */
  private static void removeStale(Path path) throws BindException {
    try {
      BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class,
          LinkOption.NOFOLLOW_LINKS);
      if (!a.isOther()) {
        throw new BindException("the control socket path " + path + " exists and is not a"
            + " socket; remove it or set another daemon.controlSocket");
      }
    } catch (IOException e) {
      throw new BindException("cannot read " + path + ": " + e);
    }
    try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
      throw new BindException("another vipd answers on the control socket " + path + "; it"
          + " runs this node already (or set another daemon.controlSocket)");
    } catch (IOException refused) {
      // No one listens: a socket left by a daemon that did not stop cleanly.
    }
    try {
      Files.deleteIfExists(path);
      LOG.info("removed the stale control socket {}", path);
    } catch (IOException e) {
      throw new BindException("cannot remove the stale control socket " + path + ": " + e);
    }
  }

  /** The socket's path. */
  Path path() {
    return path;
  }

  /** Requests answered so far. */
  long requests() {
    return requests.get();
  }

  private void accept() {
    while (!closed) {
      SocketChannel c;
      try {
        c = server.accept();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("control socket accept failed: {}", e.toString());
          pause();
        }
        continue;
      }
      open.add(c);
      try {
        workers.execute(() -> serve(c));
      } catch (RejectedExecutionException e) {
        write(c, ControlProtocol.error(Error.BUSY, MAX_CONNECTIONS + " clients are connected"
            + " already; try again"));
        close(c);
      }
    }
  }

  private void serve(SocketChannel c) {
    String client = client(c);
    ByteBuffer in = ByteBuffer.allocate(8192);
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    ScheduledFuture<?> timeout = idle.schedule(() -> close(c), IDLE.toMillis(),
        TimeUnit.MILLISECONDS);
    try {
      while (!closed) {
        in.clear();
        int n = c.read(in);
        if (n < 0) {
          return;
        }
        timeout.cancel(false);
        timeout = idle.schedule(() -> close(c), IDLE.toMillis(), TimeUnit.MILLISECONDS);
        byte[] b = in.array();
        int start = 0;
        for (int i = 0; i < n; i++) {
          if (b[i] != '\n') {
            continue;
          }
          line.write(b, start, i - start);
          start = i + 1;
          if (line.size() > ControlProtocol.MAX_LINE) {
            tooLong(c);
            return;
          }
          byte[] request = line.toByteArray();
          line.reset();
          if (!write(c, respond(request, client))) {
            return;
          }
        }
        line.write(b, start, n - start);
        if (line.size() > ControlProtocol.MAX_LINE) {
          tooLong(c);
          return;
        }
      }
    } catch (IOException e) {
      // the client went away
    } finally {
      timeout.cancel(false);
      close(c);
    }
  }

  private void tooLong(SocketChannel c) {
    requests.incrementAndGet();
    write(c, ControlProtocol.error(Error.TOO_LONG, "the request is longer than "
        + ControlProtocol.MAX_LINE + " bytes; the connection is closed"));
  }

  /** The reply to one request line (without its newline); blank lines get none. */
  private @Nullable String respond(byte[] request, String client) {
    int end = request.length;
    if (end > 0 && request[end - 1] == '\r') {
      end--;
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(request, 0, end)).toString();
    } catch (CharacterCodingException e) {
      requests.incrementAndGet();
      return ControlProtocol.error(Error.BAD_JSON, "the request is not UTF-8 text");
    }
    if (text.isBlank()) {
      return null;
    }
    requests.incrementAndGet();
    try {
      return handler.answer(text, client);
    } catch (RuntimeException e) {
      LOG.warn("control request failed: {}", text.length() > 200 ? text.substring(0, 200)
          : text, e);
      return ControlProtocol.error(Error.FAILED, "the daemon failed to carry the request out: "
          + e);
    }
  }

  /** Who is at the other end of {@code c}: user and group from the kernel (SO_PEERCRED). */
  private static String client(SocketChannel c) {
    try {
      UnixDomainPrincipal p = c.getOption(ExtendedSocketOptions.SO_PEERCRED);
      return p.user().getName() + ":" + p.group().getName();
    } catch (IOException | UnsupportedOperationException e) {
      return "unknown user";
    }
  }

  /**
   * The reply line to one request line from {@code client}, from {@code service}; a command
   * that changes something is logged with who sent it.
   */
  static String answer(ControlService service, String line, String client) {
    Request r;
    try {
      r = ControlProtocol.parse(line);
    } catch (RequestException e) {
      return ControlProtocol.error(e.error, String.valueOf(e.getMessage()));
    }
    if (r.command() == ControlProtocol.Command.RELOAD) {
      LOG.info("control request from {}: {}", client, r.toLine());
    }
    try {
      String reply = ControlProtocol.ok(service.handle(r));
      if (r.command() != ControlProtocol.Command.STATUS
          && r.command() != ControlProtocol.Command.RELOAD) {
        LOG.info("control request from {}: {}", client, r.toLine());
      }
      return reply;
    } catch (RequestException e) {
      return e.reply();
    }
  }

  /** Writes {@code reply} and a newline; false when the client is gone. */
  private static boolean write(SocketChannel c, @Nullable String reply) {
    if (reply == null) {
      return true;
    }
    ByteBuffer out = ByteBuffer.wrap((reply + "\n").getBytes(StandardCharsets.UTF_8));
    try {
      while (out.hasRemaining()) {
        c.write(out);
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private void close(SocketChannel c) {
    open.remove(c);
    closeQuietly(c);
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Thread daemonThread(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** Stops accepting, closes every connection and removes the socket file if it is still ours. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    closeQuietly(server);
    for (SocketChannel c : open) {
      close(c);
    }
    workers.shutdownNow();
    idle.shutdownNow();
    try {
      Object key = Files.readAttributes(path, BasicFileAttributes.class,
          LinkOption.NOFOLLOW_LINKS).fileKey();
      if (Objects.equals(key, fileKey)) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      // already gone
    }
  }
}
