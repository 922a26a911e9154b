package io.vipha.zookeeper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP proxy in front of one ZooKeeper server: {@link #cut()} drops every connection
 * and refuses new ones (a partition, or a crashed client seen from the server), {@link #heal()}
 * lets them through again.
 */
final class TcpProxy implements AutoCloseable {
  private final ServerSocket server;
  private final int target;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private volatile boolean cut;
  private volatile boolean closed;

  TcpProxy(int targetPort) throws IOException {
    this.target = targetPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::accept, "proxy-" + port());
    t.setDaemon(true);
    t.start();
  }

  /** Whether a client is connected through this proxy. */
  boolean connected() {
    return !open.isEmpty();
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket in = server.accept();
        if (cut) {
          in.close();
          continue;
        }
        Socket out = new Socket();
        try {
          out.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 1000);
        } catch (IOException e) {
          in.close();
          out.close();
          continue;
        }
        open.add(in);
        open.add(out);
        if (cut) { // cut while this connection was being made
          quietClose(in);
          quietClose(out);
          continue;
        }
        pump(in, out);
        pump(out, in);
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[8192];
      try (InputStream i = from.getInputStream(); OutputStream o = to.getOutputStream()) {
        int n;
        while ((n = i.read(buf)) >= 0) {
          if (cut) {
            break;
          }
          o.write(buf, 0, n);
          o.flush();
        }
      } catch (IOException e) {
        // connection dropped
      } finally {
        quietClose(from);
        quietClose(to);
        open.remove(from);
        open.remove(to);
      }
    }, "pump");
    t.setDaemon(true);
    t.start();
  }

  private static void quietClose(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  void cut() {
    cut = true;
    for (Socket s : open) {
      quietClose(s);
    }
  }

  void heal() {
    cut = false;
  }

  @Override
  public void close() {
    closed = true;
    cut();
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
