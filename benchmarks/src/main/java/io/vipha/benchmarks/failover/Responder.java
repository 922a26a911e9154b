package io.vipha.benchmarks.failover;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A UDP echo that answers every datagram with its node name, a space, and the datagram's
 * payload. Run in a node namespace: {@code ip netns exec NS java -cp benchmarks.jar
 * io.vipha.benchmarks.failover.Responder NAME PORT}. Bound to the wildcard (IPv4 and IPv6), so it
 * answers on whatever VIP the host holds at the moment.
 */
public final class Responder {
  private Responder() {}

  public static void main(String[] args) throws Exception {
    byte[] name = (args[0] + " ").getBytes(StandardCharsets.US_ASCII);
    int port = Integer.parseInt(args[1]);
    try (DatagramSocket socket = new DatagramSocket(null)) {
      socket.bind(new InetSocketAddress(InetAddress.getByName("::"), port));
      byte[] in = new byte[512];
      byte[] out = new byte[512 + name.length];
      System.arraycopy(name, 0, out, 0, name.length);
      DatagramPacket request = new DatagramPacket(in, in.length);
      System.out.println("READY");
      System.out.flush();
      while (true) {
        request.setLength(in.length);
        socket.receive(request);
        int n = request.getLength();
        System.arraycopy(in, 0, out, name.length, n);
        try {
          socket.send(new DatagramPacket(out, name.length + n, request.getSocketAddress()));
        } catch (IOException e) {
          // EPERM while a partition's nftables rules drop our output: the answer is lost, and
          // logged (the harness keeps responder-nI.log) with the probe's payload and the time
          System.out.println(System.nanoTime() + " answer to " + request.getSocketAddress()
              + " (" + new String(in, 0, n, StandardCharsets.US_ASCII) + ") failed: " + e);
        }
      }
    }
  }
}
