package io.vipha.health;

import io.vipha.internal.Durations;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Probes a {@link HealthCheck.Http} target: a {@code GET} of the URL with {@link
 * java.net.http.HttpClient}, healthy when the whole response arrives within the timeout with an
 * expected status. Redirects are not followed (a 3xx is a status like any other), no proxy is used,
 * HTTPS uses the JVM's default trust store and host name verification, and the body is discarded.
 *
 * <p>One prober holds one {@link HttpClient}, created with the prober (creating one takes a while
 * the first time in a JVM, which would otherwise eat into the first probe's timeout) and shared by
 * its probes.
 */
public final class HttpProber implements Prober<HealthCheck.Http> {
  private final HttpClient client;

  /** An HTTP prober with its own client. */
  public HttpProber() {
    client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  @Override
  public ProbeResult probe(HealthCheck.Http target, Duration timeout, Cancellation cancellation)
      throws InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(target.url())
        .GET()
        .timeout(timeout)
        .header("User-Agent", "vipha-health")
        .build();
    CompletableFuture<HttpResponse<Void>> response =
        client.sendAsync(request, HttpResponse.BodyHandlers.discarding());
    cancellation.onCancel(() -> response.cancel(true));
    int status;
    try {
      status = response.get(timeout.toNanos(), TimeUnit.NANOSECONDS).statusCode();
    } catch (TimeoutException e) {
      response.cancel(true);
      return ProbeResult.unhealthy("GET " + target.url() + ": no response within "
          + Durations.format(timeout));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof java.net.http.HttpTimeoutException) {
        return ProbeResult.unhealthy("GET " + target.url() + ": no response within "
            + Durations.format(timeout));
      }
      return ProbeResult.failed("GET " + target.url(), cause);
    } catch (InterruptedException e) {
      response.cancel(true);
      throw e;
    }
    String detail = "GET " + target.url() + ": HTTP " + status;
    return target.expectStatus().contains(status) ? ProbeResult.healthy(detail)
        : ProbeResult.unhealthy(detail + ", expected " + target.expectStatus());
  }
}
