package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.testing.InMemoryBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Multicast settings that are wrong, caught without privileges or a network. */
class MulticastConfigTest {
  private static final InetSocketAddress GROUP = new InetSocketAddress("239.255.86.1", 7405);

  private static VipGroup group(int port1, int port2) {
    return VipGroup.builder().name("mc").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("127.0.0.1:" + port1).priority(200))
        .node(n -> n.id("n2").heartbeat("127.0.0.2:" + port2).priority(100))
        .policy(p -> p.heartbeatInterval(Duration.ofMillis(50)))
        .build();
  }

  /** The cause with which starting n1 of {@code g} with multicast on {@code iface} fails. */
  private static Throwable startFailure(VipGroup g, String iface) throws Exception {
    try (EventLoopScheduler loop = new EventLoopScheduler("n1")) {
      VipAgent a = VipAgent.builder().group(g).nodeId("n1").backend(new InMemoryBackend(loop))
          .scheduler(loop).coordinator(HeartbeatCoordinator.builder().key(1, TestCluster.KEY)
              .multicast(GROUP, iface).build()).build();
      try {
        a.start().get();
      } catch (ExecutionException e) {
        return java.util.Objects.requireNonNull(e.getCause());
      } finally {
        a.stop().get();
      }
    }
    throw new AssertionError("started");
  }

  @Test
  void unknownInterfaceFailsStartNamingItAndTheInterfacesThatExist() throws Exception {
    String known = NetworkInterface.networkInterfaces().map(NetworkInterface::getName).sorted()
        .collect(Collectors.joining(", "));
    Throwable e = startFailure(group(7405, 7405), "nosuchif0");
    assertThat(e).isInstanceOf(IOException.class)
        .hasMessage("no network interface named \"nosuchif0\" to join the multicast group on;"
            + " this host has: " + known);
    assertThat(known).contains("lo");
  }

  @Test
  void heartbeatPortsOtherThanTheGroupsFailStartWithTheRule() throws Exception {
    Throwable e = startFailure(group(7405, 7406), "lo");
    assertThat(e).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("node n2 has heartbeat address 127.0.0.2:7406 but the multicast"
            + " group is on port 7405")
        .hasMessageContaining("every node's heartbeat addresses must use port 7405");
  }

  @Test
  void builderWantsAMulticastGroupAndAnInterfaceName() {
    HeartbeatCoordinator.Builder b = HeartbeatCoordinator.builder();
    assertThatThrownBy(() -> b.multicast(new InetSocketAddress("192.0.2.1", 7405), "eth0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a multicast group address");
    assertThatThrownBy(() -> b.multicast(GROUP, " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs the name of the network interface");
    assertThatThrownBy(() -> UdpTransport.multicast(GROUP, ""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(b.multicast(new InetSocketAddress("ff02::86", 7405), "eth0")).isSameAs(b);
  }
}
