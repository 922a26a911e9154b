package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.testing.InMemoryBackend;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The receive thread of the UDP transport, also the heartbeat coordinator's, is made by the
 * {@link ThreadFactory} given, then named after the address and made a daemon thread.
 */
class ReceiverThreadsTest {
  private static final InetAddress LO = InetAddress.getLoopbackAddress();

  /** A factory that keeps every thread it makes. */
  private static final class Made implements ThreadFactory {
    final List<Thread> threads = new CopyOnWriteArrayList<>();

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, "unnamed");
      threads.add(t);
      return t;
    }
  }

  private static int freePort() throws Exception {
    try (DatagramSocket s = new DatagramSocket(0, LO)) {
      return s.getLocalPort();
    }
  }

  @Test
  void aTransportsReceiverIsMadeByItsFactoryNamedAfterTheAddressAndADaemon() throws Exception {
    InetSocketAddress bind = new InetSocketAddress(LO, freePort());
    Made made = new Made();
    LinkedBlockingQueue<byte[]> got = new LinkedBlockingQueue<>();
    try (EventLoopScheduler loop = new EventLoopScheduler("rt-loop")) {
      UdpTransport t = new UdpTransport(bind, made);
      t.open(loop, (from, data, off, len) -> got.add(
          java.util.Arrays.copyOfRange(data, off, off + len)));
      try {
        assertThat(made.threads).singleElement().satisfies(r -> {
          assertThat(r.getName()).isEqualTo("vipha-udp-" + bind);
          assertThat(r.isDaemon()).isTrue();
          assertThat(r.isAlive()).isTrue();
        });
        try (DatagramSocket s = new DatagramSocket(0, LO)) {
          s.send(new DatagramPacket(new byte[] {4, 2}, 2, bind));
        }
        assertThat(got.poll(10, TimeUnit.SECONDS)).containsExactly(4, 2);
      } finally {
        t.close();
      }
      made.threads.get(0).join(10_000);
      assertThat(made.threads.get(0).isAlive()).isFalse();
    }
  }

  @Test
  void theCoordinatorsReceiverIsMadeByReceiverThreads() throws Exception {
    int port = freePort();
    VipGroup g = VipGroup.builder().name("rt").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.20/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("127.0.0.1:" + port).priority(200))
        .build();
    Made made = new Made();
    try (EventLoopScheduler loop = new EventLoopScheduler("n1")) {
      VipAgent n1 = VipAgent.builder().group(g).nodeId("n1").backend(new InMemoryBackend(loop))
          .scheduler(loop).coordinator(HeartbeatCoordinator.builder().key(1, TestCluster.KEY)
              .receiverThreads(made).build()).build();
      n1.start().get(10, TimeUnit.SECONDS);
      try {
        assertThat(made.threads).singleElement().satisfies(r -> {
          assertThat(r.getName()).isEqualTo("vipha-udp-/127.0.0.1:" + port);
          assertThat(r.isAlive()).isTrue();
        });
      } finally {
        n1.stop().get(10, TimeUnit.SECONDS);
      }
    }
  }
}
