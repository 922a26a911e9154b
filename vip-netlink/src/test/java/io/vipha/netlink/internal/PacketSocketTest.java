package io.vipha.netlink.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.netlink.Netns;
import io.vipha.testkit.Commands;
import io.vipha.testkit.Privileged;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packet socket's rehearsal ({@link PacketSocket#prepare}) in a namespace of its own with one
 * veth link: the kernel refuses its send, and no frame leaves the link. Needs root (skipped loudly
 * without it; see {@link Privileged}).
 */
class PacketSocketTest {
  private final Netns netns = new Netns();
  private String ns = "";

  @BeforeEach
  void setUp() {
    Privileged.requireNetworkNamespaces();
    ns = netns.hostWithV0();
    // No IPv6 on the link: its own traffic (neighbour discovery, MLD) would move the counter.
    Commands.run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.v0.disable_ipv6=1");
  }

  @AfterEach
  void tearDown() {
    netns.close();
  }

  @Test
  void theRehearsalIsRefusedByTheKernelAndSendsNothing() throws Exception {
    try (PacketSocket socket = Namespaces.open(ns, PacketSocket::new)) {
      long before = sent();
      assertThat(socket.prepare()).as("errno of the send to interface index 0").isEqualTo(6);
      assertThat(socket.prepare()).isEqualTo(6);
      assertThat(sent()).as("frames sent on v0").isEqualTo(before);
    }
  }

  private long sent() {
    return Long.parseLong(Commands.run("ip", "netns", "exec", ns, "cat",
        "/sys/class/net/v0/statistics/tx_packets").trim());
  }
}
