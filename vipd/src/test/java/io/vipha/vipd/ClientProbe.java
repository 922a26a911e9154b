package io.vipha.vipd;

import io.vipha.netlink.internal.Namespaces;
import io.vipha.spi.BackendException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * A client that sends a UDP datagram to the VIP every {@value #INTERVAL_MS} ms from its own
 * namespace, and an echo in every node namespace that answers with its node's name: so the test
 * sees, probe by probe, whether the VIP answered and which node it was. Sockets are opened
 * inside the namespaces ({@link Namespaces#open}); the threads run in this process. A probe
 * counts as lost when no answer comes within {@value #TIMEOUT_MS} ms.
 */
final class ClientProbe implements AutoCloseable {
  static final int INTERVAL_MS = 10;
  static final int TIMEOUT_MS = 200;
  private static final int PORT = 9000;

  private final List<DatagramChannel> channels = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final Map<String, Integer> answeredBy = new LinkedHashMap<>();
  private final List<String> lost = new ArrayList<>();
  private final long started = System.nanoTime();
  private volatile boolean closed;
  private long sent;

  /**
   * Starts an echo in each of {@code nodeNs} (answering as {@code names}) and the client in
   * {@code clientNs}, probing {@code vip}.
   */
  ClientProbe(String clientNs, String vip, String[] nodeNs, String[] names)
      throws BackendException {
    try {
      for (int i = 0; i < nodeNs.length; i++) {
        DatagramChannel echo = open(nodeNs[i], PORT);
        byte[] name = (names[i] + " ").getBytes(StandardCharsets.US_ASCII);
        thread("echo-" + names[i], () -> echo(echo, name));
      }
      DatagramChannel client = open(clientNs, 0);
      client.socket().setSoTimeout(TIMEOUT_MS);
      thread("probe", () -> probe(client, new InetSocketAddress(vip, PORT)));
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(e);
    } catch (RuntimeException | BackendException e) {
      close();
      throw e;
    }
  }

  private DatagramChannel open(String ns, int port) throws BackendException {
    DatagramChannel ch = Namespaces.open(ns, () -> {
      try {
        return DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress(port));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    channels.add(ch);
    return ch;
  }

  private void thread(String name, Runnable body) {
    Thread t = new Thread(body, "client-probe-" + name);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  private void echo(DatagramChannel ch, byte[] name) {
    ByteBuffer in = ByteBuffer.allocate(512);
    ByteBuffer out = ByteBuffer.allocate(512 + name.length);
    while (!closed) {
      try {
        in.clear();
        var from = ch.receive(in);
        out.clear().put(name).put(in.flip()).flip();
        ch.send(out, from);
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void probe(DatagramChannel ch, InetSocketAddress vip) {
    byte[] buf = new byte[600];
    java.net.DatagramPacket answer = new java.net.DatagramPacket(buf, buf.length);
    long next = System.nanoTime();
    for (long seq = 0; !closed; seq++) {
      byte[] payload = Long.toString(seq).getBytes(StandardCharsets.US_ASCII);
      long at = System.nanoTime();
      String by = null;
      try {
        ch.socket().send(new java.net.DatagramPacket(payload, payload.length, vip));
        long deadline = at + TIMEOUT_MS * 1_000_000L;
        while (by == null && System.nanoTime() < deadline) {
          answer.setLength(buf.length);
          ch.socket().receive(answer);
          String[] parts = new String(buf, 0, answer.getLength(), StandardCharsets.US_ASCII)
              .split(" ");
          by = parts.length == 2 && parts[1].equals(Long.toString(seq)) ? parts[0] : null;
        }
      } catch (SocketTimeoutException e) {
        by = null;
      } catch (IOException e) {
        if (closed) {
          return;
        }
        by = null; // no route or neighbour yet: lost
      }
      record(seq, at, by);
      next += INTERVAL_MS * 1_000_000L;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      } else {
        next = System.nanoTime();
      }
    }
  }

  private synchronized void record(long seq, long at, @Nullable String by) {
    sent++;
    if (by == null) {
      lost.add("probe " + seq + " at " + (at - started) / 1_000_000 + " ms");
    } else {
      answeredBy.merge(by, 1, Integer::sum);
    }
  }

  /** The probes sent so far. */
  synchronized long sent() {
    return sent;
  }

  /** The lost probes so far, each with its sequence number and time since the start. */
  synchronized List<String> lost() {
    return List.copyOf(lost);
  }

  /** How many probes each node answered so far. */
  synchronized Map<String, Integer> answeredBy() {
    return Map.copyOf(answeredBy);
  }

  /** Forgets what was counted so far (for instance the answers before a node settled). */
  synchronized void reset() {
    sent = 0;
    lost.clear();
    answeredBy.clear();
  }

  /** Whether the last {@code n} probes all came back from {@code node}; waits for them. */
  boolean answersSteadily(String node, int n, long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    while (System.nanoTime() < deadline) {
      reset();
      Thread.sleep((long) n * INTERVAL_MS + TIMEOUT_MS);
      synchronized (this) {
        if (lost.isEmpty() && answeredBy.keySet().equals(java.util.Set.of(node))) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  public void close() {
    closed = true;
    for (DatagramChannel ch : channels) {
      try {
        ch.close();
      } catch (IOException e) {
        // closing: nothing to do
      }
    }
    for (Thread t : threads) {
      try {
        t.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
