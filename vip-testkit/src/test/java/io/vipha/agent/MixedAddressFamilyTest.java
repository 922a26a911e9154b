package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.testing.InMemoryBackend;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A peer that lists an IPv6 heartbeat address beside its IPv4 one, as the README's example does,
 * while this node is bound to IPv4: the IPv6 address cannot be sent to from this socket, and the
 * heartbeats to the other addresses go on every interval (real UDP on loopback).
 */
class MixedAddressFamilyTest {
  private static int freePort(String host) throws Exception {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getByName(host))) {
      return s.getLocalPort();
    }
  }

  @Test
  void aPeerAddressOfTheOtherFamilyDoesNotStopTheHeartbeats() throws Exception {
    int p1 = freePort("127.0.0.1");
    int p2 = freePort("127.0.0.1");
    int p6 = freePort("::1");
    VipGroup g = VipGroup.builder().name("mixed").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.30/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("127.0.0.1:" + p1).heartbeat("[::1]:" + p6)
            .priority(200))
        .node(n -> n.id("n2").heartbeat("127.0.0.1:" + p2).priority(100))
        .policy(p -> p.heartbeatInterval(Duration.ofMillis(20)).deadAfter(25))
        .build();
    VirtualIp vip = g.vips().get(0);
    try (EventLoopScheduler loop1 = new EventLoopScheduler("n1");
        EventLoopScheduler loop2 = new EventLoopScheduler("n2")) {
      HeartbeatCoordinator c2 = HeartbeatCoordinator.builder().key(1, TestCluster.KEY).build();
      VipAgent n1 = VipAgent.builder().group(g).nodeId("n1").backend(new InMemoryBackend(loop1))
          .scheduler(loop1).coordinator(HeartbeatCoordinator.builder().key(1, TestCluster.KEY)
              .build()).build();
      VipAgent n2 = VipAgent.builder().group(g).nodeId("n2").backend(new InMemoryBackend(loop2))
          .scheduler(loop2).coordinator(c2).build();
      try {
        n1.start().get();
        n2.start().get();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        // n2 sends to two addresses of n1 each interval: one datagram, one send error.
        while (c2.sent() < 20 || !n1.state().held().contains(vip)) {
          assertThat(System.nanoTime()).as("n2 keeps sending, n1 takes the VIP")
              .isLessThan(deadline);
          Thread.sleep(10);
        }
        assertThat(n2.state().peers()).containsKey("n1");
        assertThat(n1.state().peers()).containsKey("n2");
        assertThat(n2.state().held()).isEmpty();
      } finally {
        n2.stop().get();
        n1.stop().get();
      }
    }
  }
}
