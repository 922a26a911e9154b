package io.vipha.health;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A minimal HTTP/1.1 server on loopback for tests: {@code GET /status/503} answers 503, {@code GET
 * /slow/300} answers 200 after 300 ms, anything else 200. One request per connection.
 */
final class HttpResponder implements AutoCloseable {
  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "http-responder");
    t.setDaemon(true);
    return t;
  });

  HttpResponder(InetAddress bind) throws IOException {
    server = new ServerSocket(0, 50, bind);
    threads.execute(this::accept);
  }

  int port() {
    return server.getLocalPort();
  }

  /** The URL of {@code path} on this server. */
  String url(String path) {
    String host = server.getInetAddress().getHostAddress();
    return "http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port() + path;
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        threads.execute(() -> serve(s));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private static void serve(Socket s) {
    try (s) {
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
          StandardCharsets.ISO_8859_1));
      String requestLine = in.readLine();
      if (requestLine == null) {
        return;
      }
      for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
        // skip headers
      }
      String path = requestLine.split(" ", 3)[1];
      int status = 200;
      if (path.startsWith("/status/")) {
        status = Integer.parseInt(path.substring("/status/".length()));
      } else if (path.startsWith("/slow/")) {
        Thread.sleep(Long.parseLong(path.substring("/slow/".length())));
      }
      OutputStream out = s.getOutputStream();
      out.write(("HTTP/1.1 " + status + " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    } catch (SocketException e) {
      // the client gave up
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    threads.shutdownNow();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
