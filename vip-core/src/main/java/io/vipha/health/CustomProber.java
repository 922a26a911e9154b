package io.vipha.health;

import java.time.Duration;

/**
 * Probes a {@link HealthCheck.Custom} target: calls its {@link java.util.concurrent.Callable};
 * {@code true} is healthy, {@code false} or {@code null} or an exception is a failure.
 *
 * <p>The callable itself cannot be bounded: when it has not returned within the timeout, the
 * {@link HealthMonitor} counts a failure, interrupts it and ignores its eventual result. Write
 * callables that honour interrupts and their own I/O timeouts.
 */
public final class CustomProber implements Prober<HealthCheck.Custom> {
  /** A custom prober. */
  public CustomProber() {}

  @Override
  public ProbeResult probe(HealthCheck.Custom target, Duration timeout,
      Cancellation cancellation) {
    Boolean ok;
    try {
      ok = target.probe().call();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ProbeResult.unhealthy("interrupted");
    } catch (Exception e) {
      return ProbeResult.failed("threw", e);
    }
    if (ok == null) {
      return ProbeResult.unhealthy("returned null");
    }
    return ok ? ProbeResult.healthy("returned true") : ProbeResult.unhealthy("returned false");
  }
}
