package io.vipha.vipd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code daemon.metrics}: vipd serves its agent's meters at /metrics, on loopback here. */
class VipdMetricsTest {
  /** The tags every meter of n1 has, as Prometheus prints them. */
  private static final String LABELS = "group=\"web\",node=\"n1\"";
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir
  Path dir;

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static HttpResponse<String> request(String method, String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
        .method(method, HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The value of the sample {@code series} (name and labels as Prometheus prints them). */
  static double sample(String body, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(body);
    assertThat(m.find()).as(series + " in\n" + body).isTrue();
    return Double.parseDouble(m.group(1));
  }

  /** Whether {@code url} answers within 10 s with a body that {@code wanted} accepts. */
  static boolean scrapes(String url, java.util.function.Predicate<String> wanted)
      throws InterruptedException {
    return LocalDaemons.await(10, () -> {
      try {
        return wanted.test(request("GET", url).body());
      } catch (Exception e) {
        return false;
      }
    });
  }

  /** Daemons whose n1, started, serves its metrics at 127.0.0.1:{@code port}. */
  private LocalDaemons servingMetrics(int port) throws Exception {
    LocalDaemons d = new LocalDaemons(dir, "active-passive",
        "\"metrics\": {\"listen\": \"127.0.0.1:" + port + "\"}, ");
    try {
      return d.start("n1");
    } catch (Exception | Error e) {
      d.close();
      throw e;
    }
  }

  @Test
  void scrapesTheAgentsMetersWithGroupAndNodeTagsOnTheConfiguredAddressOnly() throws Exception {
    int port = freePort();
    try (LocalDaemons d = servingMetrics(port)) {
      String url = "http://127.0.0.1:" + port + "/metrics";
      assertThat(scrapes(url, body -> body.contains("vipha_health_check_seconds_count{check="
          + "\"true\"," + LABELS + ",result=\"healthy\"} ") && sample(body,
          "vipha_heartbeat_sent_total{" + LABELS + "}") > 0)).isTrue();
      HttpResponse<String> r = request("GET", url);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).hasValue(MetricsServer.CONTENT_TYPE);
      String body = r.body();
      assertThat(sample(body, "vipha_vip_held{" + LABELS + "}")).isBetween(0.0, 2.0);
      assertThat(sample(body, "vipha_peer_state{" + LABELS + ",peer=\"n2\"}")).isZero();
      assertThat(sample(body, "vipha_quorum{" + LABELS + "}")).isBetween(0.0, 1.0);
      assertThat(sample(body, "vipha_priority_effective{" + LABELS + "}")).isEqualTo(200);
      assertThat(sample(body, "vipha_heartbeat_received_total{" + LABELS + "}")).isZero();
      assertThat(sample(body, "vipha_heartbeat_rejected_total{" + LABELS
          + ",why=\"bad_mac\"}")).isZero();
      assertThat(sample(body, "vipha_backend_errors_total{" + LABELS + ",op=\"assign\"}"))
          .isZero();
      assertThat(sample(body, "vipha_loop_stall_total{" + LABELS + "}")).isZero();
      assertThat(sample(body, "vipha_announce_sent_total{" + LABELS + "}")).isNotNegative();
      assertThat(body).contains("# TYPE vipha_health_check_seconds summary")
          .doesNotContain("vip=\"");

      assertThat(request("GET", "http://127.0.0.1:" + port + "/").statusCode()).isEqualTo(404);
      HttpResponse<String> post = request("POST", url);
      assertThat(post.statusCode()).isEqualTo(405);
      assertThat(post.headers().firstValue("Allow")).hasValue("GET");
      // Bound to 127.0.0.1 only: another loopback address of this host is not served.
      assertThatThrownBy(() -> request("GET", "http://127.0.0.2:" + port + "/metrics"))
          .isInstanceOf(ConnectException.class);
      assertThat(d.stop("n1")).isZero();
      assertThatThrownBy(() -> request("GET", url)).isInstanceOf(IOException.class);
    }
  }

  @Test
  void theMetersFollowAReload() throws Exception {
    int port = freePort();
    try (LocalDaemons d = servingMetrics(port)) {
      String url = "http://127.0.0.1:" + port + "/metrics";
      assertThat(scrapes(url, body -> body.contains("check=\"true\"")
          && body.contains("peer=\"n2\""))).isTrue();
      // Peer n2 becomes n3 (one removed, one added); check "true" becomes "ok".
      d.edit("{\"id\": \"n2\"", "{\"id\": \"n3\"");
      d.edit("\"name\": \"true\"", "\"name\": \"ok\"");
      d.daemon("n1").hangup();
      assertThat(scrapes(url, body -> body.contains("vipha_health_check_seconds_count{check="
          + "\"ok\"," + LABELS + ",result=\"healthy\"} ") && !body.contains("check=\"true\"")
          && body.contains("vipha_peer_state{" + LABELS + ",peer=\"n3\"} ")
          && !body.contains("peer=\"n2\""))).as(request("GET", url).body()).isTrue();
      assertThat(sample(request("GET", url).body(), "vipha_heartbeat_sent_total{" + LABELS
          + "}")).isPositive();
      assertThat(d.stop("n1")).isZero();
    }
  }

  @Test
  void aMetricsPortInUseEndsTheDaemonWithExitCode8() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int port = taken.getLocalPort();
      try (LocalDaemons d = new LocalDaemons(dir, "active-passive",
          "\"metrics\": {\"listen\": \"127.0.0.1:" + port + "\"}, ")) {
        try {
          d.start("n1"); // may return: the control socket opens before the metrics endpoint
        } catch (IllegalStateException e) {
          assertThat(e).hasMessageContaining("did not open its control socket");
        }
        assertThat(d.exit("n1").get(10, TimeUnit.SECONDS)).isEqualTo(ExitCode.METRICS.code);
        assertThat(d.output()).contains("cannot serve metrics on 127.0.0.1:" + port
            + " (daemon.metrics.listen of group web)");
      }
    }
  }
}
