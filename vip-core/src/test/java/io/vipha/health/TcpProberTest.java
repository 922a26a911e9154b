package io.vipha.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TcpProberTest {
  private final TcpProber prober = new TcpProber();

  private ProbeResult probe(InetAddress ip, int port) {
    return prober.probe(new HealthCheck.Tcp(new InetSocketAddress(ip, port)),
        Duration.ofMillis(500), new Cancellation());
  }

  @Test
  void healthyWhileTheServerListensAndFailingOnceItIsClosed() throws IOException {
    InetAddress lo = Loopback.ip("127.0.0.1");
    int port;
    try (ServerSocket server = new ServerSocket(0, 50, lo)) {
      port = server.getLocalPort();
      ProbeResult up = probe(lo, port);

      assertThat(up.healthy()).isTrue();
      assertThat(up.detail()).startsWith("connected to 127.0.0.1:" + port + " in ");
    }

    ProbeResult down = probe(lo, port);

    assertThat(down.healthy()).isFalse();
    assertThat(down.detail()).isEqualTo("connect to 127.0.0.1:" + port
        + ": ConnectException: Connection refused");
  }

  @Test
  void worksOverIpv6Loopback() throws IOException {
    InetAddress lo6 = Loopback.ip("::1");
    ServerSocket server;
    try {
      server = new ServerSocket(0, 50, lo6);
    } catch (IOException e) {
      assumeTrue(false, "no IPv6 loopback here: " + e);
      return;
    }
    try (server) {
      assertThat(probe(lo6, server.getLocalPort()).detail()).startsWith("connected to [::1]:");
    }
  }

  @Test
  void aCancelledProbeFailsAtOnce() throws IOException {
    InetAddress lo = Loopback.ip("127.0.0.1");
    try (ServerSocket server = new ServerSocket(0, 50, lo)) {
      Cancellation c = new Cancellation();
      c.cancel();

      ProbeResult r = prober.probe(new HealthCheck.Tcp(new InetSocketAddress(lo,
          server.getLocalPort())), Duration.ofMillis(500), c);

      assertThat(r.healthy()).isFalse();
      assertThat(r.detail()).contains("Socket is closed");
    }
  }

  @Test
  void aZeroTimeoutNeverBecomesInfinite() {
    assertThat(TcpProber.timeoutMillis(Duration.ofNanos(1))).isEqualTo(1);
    assertThat(TcpProber.timeoutMillis(Duration.ofDays(100))).isEqualTo(Integer.MAX_VALUE);
  }
}
