package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.Mode;
import io.vipha.ValidationException;
import io.vipha.VipGroup;
import io.vipha.testing.InMemoryBackend;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** A running agent on the default transport, a real UDP socket on loopback, reconfigured. */
class UdpReconfigureTest {
  private static int freePort() throws Exception {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static VipGroup alone(int port) {
    return VipGroup.builder().name("udp").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.20/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("127.0.0.1:" + port).priority(200))
        .build();
  }

  @Test
  void theAddressTheSocketIsBoundToCannotChangeWhileItRuns() throws Exception {
    int bound = freePort();
    int other = freePort();
    EventLoopScheduler loop = new EventLoopScheduler("n1");
    VipAgent n1 = VipAgent.builder().group(alone(bound)).nodeId("n1")
        .backend(new InMemoryBackend(loop)).scheduler(loop)
        .coordinator(HeartbeatCoordinator.builder().key(1, TestCluster.KEY).build()).build();
    try {
      n1.start().get();
      assertThatThrownBy(() -> n1.reconfigure(alone(other), List.of()).get())
          .isInstanceOf(ExecutionException.class).cause()
          .isInstanceOfSatisfying(ValidationException.class, e ->
              assertThat(e.problems()).singleElement().satisfies(p -> {
                assertThat(p.path()).isEqualTo("nodes[0].heartbeat[0]");
                assertThat(p.value()).isEqualTo("127.0.0.1:" + other);
                assertThat(p.message()).contains("127.0.0.1:" + bound,
                    "changing it needs a restart of the agent");
              }));
      n1.reconfigure(alone(bound), List.of()).get(); // the same address is taken
    } finally {
      n1.stop().get();
      loop.close();
    }
  }
}
