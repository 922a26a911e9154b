package io.vipha.benchmarks.failover;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.LockSupport;

/**
 * The client: sends a datagram to each target every interval (one the kernel cannot take at once
 * is a lost probe, not a late one) and prints one line per send and per answer, time-stamped
 * with {@link System#nanoTime()} (CLOCK_MONOTONIC, the same clock in every process on the host,
 * so the harness can line the events up with its own):
 *
 * <pre>
 * S TARGET SEQ NANOS         a probe was sent
 * R TARGET SEQ NANOS NODE    the answer to it arrived, from NODE
 * </pre>
 *
 * <p>Run in the client namespace: {@code Probe PORT INTERVAL_MS TARGET...}; runs until killed.
 */
public final class Probe {
  private Probe() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    long intervalNanos = Long.parseLong(args[1]) * 1_000_000L;
    int targets = args.length - 2;
    InetSocketAddress[] to = new InetSocketAddress[targets];
    DatagramChannel[] channels = new DatagramChannel[targets];
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out),
        false, StandardCharsets.US_ASCII);
    for (int t = 0; t < targets; t++) {
      to[t] = new InetSocketAddress(InetAddress.getByName(args[t + 2]), port);
      // Non-blocking: a datagram the kernel cannot take now (the send buffer full of datagrams
      // queued for a neighbour that does not answer) is a lost probe, and never holds up the
      // probes of the other targets or the next ones.
      DatagramChannel c = DatagramChannel.open();
      c.configureBlocking(false);
      c.bind(null);
      channels[t] = c;
      int target = t;
      Thread receiver = new Thread(() -> receive(c, target, out), "probe-rx-" + t);
      receiver.setDaemon(true);
      receiver.start();
    }
    long next = System.nanoTime();
    for (long seq = 0; ; seq++) {
      for (int t = 0; t < targets; t++) {
        byte[] payload = Long.toString(seq).getBytes(StandardCharsets.US_ASCII);
        long now = System.nanoTime();
        try {
          channels[t].send(ByteBuffer.wrap(payload), to[t]); // 0 when not taken: lost
        } catch (java.io.IOException e) {
          // unreachable for now (no route, no neighbour): a lost probe
        }
        synchronized (out) {
          out.println("S " + t + " " + seq + " " + now);
          out.flush();
        }
      }
      next += intervalNanos;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
    }
  }

  private static void receive(DatagramChannel channel, int target, PrintStream out) {
    ByteBuffer buf = ByteBuffer.allocate(600);
    try (Selector readable = Selector.open()) {
      channel.register(readable, SelectionKey.OP_READ);
      while (true) {
        readable.select();
        readable.selectedKeys().clear();
        while (true) {
          buf.clear();
          if (channel.receive(buf) == null) {
            break;
          }
          long now = System.nanoTime();
          try {
            String[] parts = new String(buf.array(), 0, buf.position(),
                StandardCharsets.US_ASCII).split(" ");
            synchronized (out) {
              out.println("R " + target + " " + parts[1] + " " + now + " " + parts[0]);
              out.flush();
            }
          } catch (RuntimeException e) {
            // a malformed answer: ignore it
          }
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
