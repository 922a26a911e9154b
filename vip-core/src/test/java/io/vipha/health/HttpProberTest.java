package io.vipha.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HttpProberTest {
  private static HttpResponder server;
  private static HttpProber prober;

  @BeforeAll
  static void startServer() throws Exception {
    server = new HttpResponder(Loopback.ip("127.0.0.1"));
    prober = new HttpProber();
    // the JVM's first HTTP exchange loads a lot of classes: keep that out of the timings
    prober.probe((HealthCheck.Http) HealthCheck.http("w", server.url("/")).build().target(),
        Duration.ofSeconds(10), new Cancellation());
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  private ProbeResult probe(String url, String expect, Duration timeout) throws Exception {
    HealthCheck.Http target = (HealthCheck.Http) HealthCheck.http("h", url).expectStatus(expect)
        .build().target();
    return prober.probe(target, timeout, new Cancellation());
  }

  @Test
  void status200IsHealthy() throws Exception {
    String url = server.url("/health");

    assertThat(probe(url, "200", Duration.ofSeconds(2)))
        .isEqualTo(ProbeResult.healthy("GET " + url + ": HTTP 200"));
  }

  @Test
  void status503IsAFailure() throws Exception {
    String url = server.url("/status/503");

    assertThat(probe(url, "200", Duration.ofSeconds(2)))
        .isEqualTo(ProbeResult.unhealthy("GET " + url + ": HTTP 503, expected 200"));
  }

  @Test
  void theExpectedSetDecides() throws Exception {
    assertThat(probe(server.url("/status/503"), "500-599", Duration.ofSeconds(2)).healthy())
        .isTrue();
    assertThat(probe(server.url("/status/204"), "200-299", Duration.ofSeconds(2)).healthy())
        .isTrue();
    assertThat(probe(server.url("/status/204"), "200,301", Duration.ofSeconds(2)).healthy())
        .isFalse();
  }

  @Test
  void redirectsAreNotFollowed() throws Exception {
    ProbeResult r = probe(server.url("/status/302"), "200", Duration.ofSeconds(2));

    assertThat(r.detail()).endsWith("HTTP 302, expected 200");
  }

  @Test
  void aSlowResponseFailsAtTheTimeout() throws Exception {
    String url = server.url("/slow/3000");
    long start = System.nanoTime();

    ProbeResult r = probe(url, "200", Duration.ofMillis(200));

    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(r).isEqualTo(ProbeResult.unhealthy("GET " + url + ": no response within 200ms"));
    assertThat(took).isBetween(150L, 1_500L);
  }

  @Test
  void aClosedPortIsAFailure() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 50, Loopback.ip("127.0.0.1"))) {
      port = s.getLocalPort();
    }

    ProbeResult r = probe("http://127.0.0.1:" + port + "/", "200", Duration.ofSeconds(2));

    assertThat(r.healthy()).isFalse();
    assertThat(r.detail()).startsWith("GET http://127.0.0.1:" + port + "/: ConnectException");
  }

  @Test
  void worksOverIpv6Loopback() throws Exception {
    HttpResponder v6;
    try {
      v6 = new HttpResponder(Loopback.ip("::1"));
    } catch (IOException e) {
      assumeTrue(false, "no IPv6 loopback here: " + e);
      return;
    }
    try (v6) {
      assertThat(v6.url("/x")).startsWith("http://[0:0:0:0:0:0:0:1]:");
      assertThat(probe(v6.url("/x"), "200", Duration.ofSeconds(2)).healthy()).isTrue();
    }
  }
}
