package io.vipha.benchmarks.failover;

import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.LockSupport;

/**
 * The client: sends a datagram to each target every interval and prints one line per send and
 * per answer, time-stamped with {@link System#nanoTime()} (CLOCK_MONOTONIC, the same clock in
 * every process on the host, so the harness can line the events up with its own):
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
    DatagramSocket[] sockets = new DatagramSocket[targets];
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out),
        false, StandardCharsets.US_ASCII);
    for (int t = 0; t < targets; t++) {
      to[t] = new InetSocketAddress(InetAddress.getByName(args[t + 2]), port);
      sockets[t] = new DatagramSocket();
      int target = t;
      DatagramSocket s = sockets[t];
      Thread receiver = new Thread(() -> receive(s, target, out), "probe-rx-" + t);
      receiver.setDaemon(true);
      receiver.start();
    }
    long next = System.nanoTime();
    for (long seq = 0; ; seq++) {
      for (int t = 0; t < targets; t++) {
        byte[] payload = Long.toString(seq).getBytes(StandardCharsets.US_ASCII);
        long now = System.nanoTime();
        try {
          sockets[t].send(new DatagramPacket(payload, payload.length, to[t]));
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

  private static void receive(DatagramSocket socket, int target, PrintStream out) {
    byte[] buf = new byte[600];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    while (true) {
      try {
        p.setLength(buf.length);
        socket.receive(p);
        long now = System.nanoTime();
        String[] parts = new String(buf, 0, p.getLength(), StandardCharsets.US_ASCII).split(" ");
        synchronized (out) {
          out.println("R " + target + " " + parts[1] + " " + now + " " + parts[0]);
          out.flush();
        }
      } catch (java.io.IOException | RuntimeException e) {
        // a malformed answer: ignore it
      }
    }
  }
}
