package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.internal.heartbeat.Rejection;
import io.vipha.testing.InMemoryBackend;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** Two agents on real event loops exchanging real UDP heartbeats on loopback. */
class UdpAgentTest {
  private static int freePort() throws Exception {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(10);
    }
  }

  @Test
  void electsFailsOverAndDropsForgedPacketsOverUdp() throws Exception {
    int p1 = freePort();
    int p2 = freePort();
    VipGroup g = VipGroup.builder().name("udp").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.20/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("127.0.0.1:" + p1).priority(200))
        .node(n -> n.id("n2").heartbeat("127.0.0.1:" + p2).priority(100))
        .policy(p -> p.heartbeatInterval(Duration.ofMillis(20)).preempt(false))
        .build();
    VirtualIp vip = g.vips().get(0);
    EventLoopScheduler loop1 = new EventLoopScheduler("n1");
    EventLoopScheduler loop2 = new EventLoopScheduler("n2");
    InMemoryBackend host1 = new InMemoryBackend(loop1);
    InMemoryBackend host2 = new InMemoryBackend(loop2);
    HeartbeatCoordinator c2 = HeartbeatCoordinator.builder().key(1, TestCluster.KEY).build();
    VipAgent n1 = VipAgent.builder().group(g).nodeId("n1").backend(host1).scheduler(loop1)
        .coordinator(HeartbeatCoordinator.builder().key(1, TestCluster.KEY).build()).build();
    VipAgent n2 = VipAgent.builder().group(g).nodeId("n2").backend(host2).scheduler(loop2)
        .coordinator(c2).build();
    try {
      n1.start().get();
      n2.start().get();
      await("n1 holds the VIP", () -> n1.state().held().contains(vip)
          && n2.state().phase() == VipAgent.Phase.RUNNING);
      assertThat(n2.state().held()).isEmpty();
      assertThat(n2.state().peers()).hasEntrySatisfying("n1",
          peer -> assertThat(peer.incarnation()).isPositive());

      try (DatagramSocket attacker = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
        byte[] forged = new byte[120];
        forged[0] = 0x56;
        forged[1] = 0x48;
        forged[2] = 1;
        for (int i = 0; i < 20; i++) {
          attacker.send(new DatagramPacket(forged, forged.length,
              new InetSocketAddress(InetAddress.getLoopbackAddress(), p2)));
        }
      }
      await("n2 counted 20 rejected packets", () ->
          c2.rejected().values().stream().mapToLong(Long::longValue).sum() >= 20);
      assertThat(c2.rejected()).doesNotContainKey(Rejection.REPLAYED);

      n1.stop().get();
      await("n2 holds the VIP", () -> n2.state().held().contains(vip));
      assertThat(host1.holds(vip)).isFalse();
      await("n2 heard n1 leave", () -> n2.state().recentEvents().stream().anyMatch(e ->
          e instanceof AgentEvent.PeerDown && ((AgentEvent.PeerDown) e).left()));
      assertThat(n2.state().peers()).hasEntrySatisfying("n1",
          peer -> assertThat(peer.liveness()).isEqualTo(io.vipha.plan.Liveness.DEAD));
    } finally {
      n2.stop().get();
      n1.stop().get();
      loop1.close();
      loop2.close();
    }
  }
}
