package io.vipha.agent;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;

/**
 * Opens a multicast {@link UdpTransport} on an interface that cannot join the group, then binds
 * the group's port alone (without address reuse). Run in a network namespace by {@link
 * MulticastNamespaceTest}; prints {@code OPEN FAILED <message>} (or {@code OPENED}), then {@code
 * PORT FREE} or {@code PORT IN USE <message>}, and exits.
 *
 * <p>Arguments: {@code <interface> <IPv4 group address> <port>}.
 */
public final class MulticastJoinFailureMain {
  private MulticastJoinFailureMain() {}

  /**
   * Runs the check once.
   *
   * @param args interface name, group address, port
   */
  public static void main(String[] args) throws Exception {
    PrintStream out = System.out;
    int port = Integer.parseInt(args[2]);
    InetSocketAddress group = new InetSocketAddress(InetAddress.getByName(args[1]), port);
    try (EventLoopScheduler loop = new EventLoopScheduler("join")) {
      UdpTransport t = UdpTransport.multicast(group, args[0]);
      try {
        t.open(loop, (from, data, offset, length) -> { });
        out.println("OPENED");
      } catch (IOException e) {
        out.println("OPEN FAILED " + e.getMessage());
      }
    }
    try (DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET)) {
      ch.bind(new InetSocketAddress(port));
      out.println("PORT FREE");
    } catch (IOException e) {
      out.println("PORT IN USE " + e.getMessage());
    }
    out.flush();
  }
}
