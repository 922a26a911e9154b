package io.vipha.vipd;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vipha.agent.HeartbeatCoordinator;
import io.vipha.agent.VipAgent;
import io.vipha.internal.Addresses;
import io.vipha.micrometer.VipAgentMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's metrics endpoint: {@code GET /metrics} answers the agent's meters in the
 * Prometheus text format, on the one configured address. Every other path is 404, every other
 * method 405. One thread serves requests, never the agent's loop: a scrape reads counters that
 * the loop publishes.
 */
final class MetricsServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
  /** The Prometheus text exposition format. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor;
  private final PrometheusMeterRegistry registry;
  private final VipAgentMetrics metrics;

  private MetricsServer(HttpServer server, ExecutorService executor,
      PrometheusMeterRegistry registry, VipAgentMetrics metrics) {
    this.server = server;
    this.executor = executor;
    this.registry = registry;
    this.metrics = metrics;
  }

  /**
   * Binds {@code listen} and serves the metrics of {@code agent} and {@code coordinator} (null:
   * none, as with the ZooKeeper coordinator).
   *
   * @throws IOException when the address cannot be bound (in use, or not on this host)
   */
  static MetricsServer open(InetSocketAddress listen, VipAgent agent,
      @Nullable HeartbeatCoordinator coordinator) throws IOException {
    HttpServer server = HttpServer.create(listen, 16);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VipAgentMetrics.Builder mb = VipAgentMetrics.builder(agent);
    if (coordinator != null) {
      mb.coordinator(coordinator);
    }
    VipAgentMetrics metrics = mb.build();
    metrics.bindTo(registry);
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "vipd-metrics");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", e -> serve(e, registry));
    server.start();
    LOG.info("metrics at http://{}/metrics", Addresses.text(server.getAddress()));
    return new MetricsServer(server, executor, registry, metrics);
  }

  private static void serve(HttpExchange e, PrometheusMeterRegistry registry) throws IOException {
    try (e) {
      if (!"/metrics".equals(e.getRequestURI().getPath())) {
        reply(e, 404, "text/plain; charset=utf-8", "not found; the metrics are at /metrics\n");
      } else if (!"GET".equals(e.getRequestMethod())) {
        e.getResponseHeaders().set("Allow", "GET");
        reply(e, 405, "text/plain; charset=utf-8", "only GET\n");
      } else {
        reply(e, 200, CONTENT_TYPE, registry.scrape());
      }
    } catch (RuntimeException ex) {
      LOG.warn("metrics request failed", ex);
    }
  }

  private static void reply(HttpExchange e, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    e.getResponseHeaders().set("Content-Type", type);
    e.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = e.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** The address bound. */
  InetSocketAddress address() {
    return server.getAddress();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    metrics.close();
    registry.close();
  }
}
