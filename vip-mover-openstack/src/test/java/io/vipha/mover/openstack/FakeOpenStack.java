package io.vipha.mover.openstack;

import io.vipha.VirtualIp;
import io.vipha.spi.AddressMover;
import io.vipha.spi.MoverResult;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ServerSocketFactory;
import mockwebserver3.MockWebServer;

/**
 * One fake OpenStack for a test: {@link FakeKeystone} and {@link FakeNeutron} on loopback
 * servers, the {@code OS_*} variables that point at them, and movers made by the providers.
 */
final class FakeOpenStack implements AutoCloseable {
  static final String PASSWORD = "s3cret-Pa55word";
  static final String FIP = "5c1e1b8e-0a3f-4c55-9d6e-1f2a3b4c5d6e";
  static final String PORT_A = "aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa";
  static final String PORT_B = "bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb";
  static final String PORT_C = "cccccccc-3333-4333-8333-cccccccccccc";
  static final VirtualIp VIP = VirtualIp.of("203.0.113.5/32", "eth0");
  static final Duration TIMEOUT = Duration.ofSeconds(5);

  final TestClock clock = new TestClock();
  final FakeKeystone keystone = new FakeKeystone(clock, Duration.ofHours(1))
      .user("vipha", PASSWORD);
  final FakeNeutron neutron = new FakeNeutron(keystone);
  final Map<String, String> env = new HashMap<>();
  private final MockWebServer keystoneServer = new MockWebServer();
  private final MockWebServer neutronServer = new MockWebServer();

  /**
   * Server sockets whose connections send at once (TCP_NODELAY), as a production server's do: the
   * fake writes an answer's head and body separately, and with Nagle's algorithm the body would
   * wait for the client's delayed acknowledgement, 40 ms on Linux loopback.
   */
  static final class NoDelay extends ServerSocketFactory {
    @Override
    public ServerSocket createServerSocket() throws IOException {
      return new ServerSocket() {
        @Override
        public Socket accept() throws IOException {
          Socket s = new Socket();
          implAccept(s);
          s.setTcpNoDelay(true);
          return s;
        }
      };
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
      throw new UnsupportedOperationException();
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
      throw new UnsupportedOperationException();
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress address)
        throws IOException {
      throw new UnsupportedOperationException();
    }
  }

  FakeOpenStack() throws IOException {
    keystoneServer.setServerSocketFactory(new NoDelay());
    neutronServer.setServerSocketFactory(new NoDelay());
    keystoneServer.setDispatcher(keystone);
    neutronServer.setDispatcher(neutron);
    keystoneServer.start(InetAddress.getLoopbackAddress(), 0);
    neutronServer.start(InetAddress.getLoopbackAddress(), 0);
    keystone.catalog(neutronUrl(), "RegionOne");
    neutron.port(PORT_A, "192.0.2.21", "fa:16:3e:00:00:0a")
        .port(PORT_B, "192.0.2.22", "fa:16:3e:00:00:0b")
        .port(PORT_C, "192.0.2.23", "fa:16:3e:00:00:0c")
        .floatingIp(FIP, "203.0.113.5", PORT_C);
    env.put("OS_AUTH_URL", keystoneUrl());
    env.put("OS_USERNAME", "vipha");
    env.put("OS_PASSWORD", PASSWORD);
    env.put("OS_PROJECT_NAME", "ha");
    env.put("OS_USER_DOMAIN_NAME", "Default");
    env.put("OS_PROJECT_DOMAIN_NAME", "Default");
  }

  String keystoneUrl() {
    return keystoneServer.url("/v3").toString();
  }

  String neutronUrl() {
    return neutronServer.url("/").toString();
  }

  /** How long a mover waits before its second read-back (then twice as long each time). */
  Duration readBackPause = Duration.ofMillis(5);

  NeutronMoverProvider.Environment environment() {
    return new NeutronMoverProvider.Environment(Map.copyOf(env), Path.of("/nonexistent"),
        Http.defaultClient(), clock, readBackPause);
  }

  /** An {@code openstack-floating-ip} mover for {@code node} whose port is {@code port}. */
  NeutronMover<?> floatingIp(String node, String port) {
    return (NeutronMover<?>) new FloatingIpMoverProvider(environment())
        .create(node, Map.of("floatingIpId", FIP, "portId", port));
  }

  /** An {@code openstack-port-address} mover for {@code node}, the other ports as peers. */
  NeutronMover<?> portAddress(String node, String port, String... peers) {
    Map<String, String> settings = new HashMap<>(Map.of("portId", port));
    if (peers.length > 0) {
      settings.put("peerPortIds", String.join(",", peers));
    }
    return (NeutronMover<?>) new PortAddressMoverProvider(environment()).create(node, settings);
  }

  static MoverResult await(java.util.concurrent.CompletionStage<MoverResult> stage) {
    try {
      return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the mover's stage did not complete: " + e, e);
    }
  }

  static MoverResult claim(AddressMover m, long epoch) {
    return await(m.claim(VIP, epoch, null, TIMEOUT));
  }

  static MoverResult observe(AddressMover m) {
    return await(m.observe(VIP, TIMEOUT));
  }

  static MoverResult release(AddressMover m, long epoch) {
    return await(m.release(VIP, epoch, TIMEOUT));
  }

  /** {@code r} refused a claim because {@code target} holds the VIP under {@code epoch}. */
  static void assertStale(MoverResult r, long epoch, String target) {
    org.assertj.core.api.Assertions.assertThat(r).as(r.detail())
        .returns(MoverResult.Outcome.STALE_EPOCH, MoverResult::outcome)
        .returns(epoch, MoverResult::epoch).returns(target, MoverResult::target);
  }

  String fipPort() {
    return neutron.state("floatingips/" + FIP).path("port_id").asText(null);
  }

  long fipEpoch() {
    return FloatingIpMover.TAG.epoch(neutron.state("floatingips/" + FIP).path("tags"));
  }

  @Override
  public void close() {
    neutronServer.close();
    keystoneServer.close();
  }
}
