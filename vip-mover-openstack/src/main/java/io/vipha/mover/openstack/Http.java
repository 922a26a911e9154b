package io.vipha.mover.openstack;

import io.vipha.spi.MoverResult;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/** Sends one request within a deadline; turns what can go wrong on the way into a refusal. */
final class Http {
  private final HttpClient client;
  private final Clock clock;

  Http(HttpClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  static HttpClient defaultClient() {
    return HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NEVER)
        .version(HttpClient.Version.HTTP_1_1)
        .build();
  }

  Clock clock() {
    return clock;
  }

  /**
   * Sends {@code request} (its timeout is set here) and waits at most what {@code deadline} has
   * left. {@code what} names the call in details, e.g. {@code "GET floating IP 5c1e..."}.
   */
  HttpResponse<byte[]> send(HttpRequest.Builder request, Deadline deadline, String what)
      throws Refusal {
    Duration left = deadline.remaining(what);
    CompletableFuture<HttpResponse<byte[]>> f =
        client.sendAsync(request.timeout(left).build(), HttpResponse.BodyHandlers.ofByteArray());
    try {
      return f.get(left.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new Refusal(MoverResult.timedOut("no answer within " + deadline.total().toMillis()
          + " ms (" + what + ")"));
    } catch (InterruptedException e) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      throw new Refusal(MoverResult.failed("interrupted (" + what + ")"));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof java.net.http.HttpTimeoutException) {
        throw new Refusal(MoverResult.timedOut("no answer within " + deadline.total().toMillis()
            + " ms (" + what + ")"));
      }
      String kind = cause instanceof IOException ? "I/O error" : "error";
      throw new Refusal(MoverResult.failed(kind + " (" + what + "): "
          + (cause == null ? e : cause.getClass().getSimpleName())));
    }
  }

  /** A THROTTLED refusal for a 429 or 503 answer, honouring its {@code Retry-After}. */
  Refusal throttled(HttpResponse<?> response, String what) {
    Duration retry = retryAfter(response.headers().firstValue("Retry-After").orElse(null),
        clock.instant());
    return new Refusal(MoverResult.throttled(retry, what + ": " + response.statusCode()
        + (retry == null ? "" : ", retry after " + retry.toMillis() + " ms")));
  }

  /** {@code Retry-After} as seconds or an HTTP date, relative to {@code now}; null if absent. */
  static @Nullable Duration retryAfter(@Nullable String header, Instant now) {
    if (header == null || header.isBlank()) {
      return null;
    }
    String h = header.strip();
    if (h.matches("\\d{1,9}")) {
      return Duration.ofSeconds(Long.parseLong(h));
    }
    try {
      Instant at = ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration d = Duration.between(now, at);
      return d.isNegative() ? Duration.ZERO : d;
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
