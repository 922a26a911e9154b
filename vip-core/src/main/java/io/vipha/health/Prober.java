package io.vipha.health;

import java.time.Duration;

/**
 * Runs one probe of one kind of {@link HealthCheck.Target}. {@link HealthMonitor} calls it on its
 * probe {@link java.util.concurrent.Executor}, never on the scheduler's thread, so it may block,
 * but it must return within about {@code timeout} and stop promptly when {@code cancellation} is
 * cancelled (its actions run and the thread is interrupted).
 *
 * <p>vipha provides {@link TcpProber}, {@link HttpProber}, {@link ExecProber} and {@link
 * CustomProber}; a test may replace any of them through {@link HealthMonitor.Builder}.
 *
 * @param <T> the target kind this prober handles
 */
@FunctionalInterface
public interface Prober<T extends HealthCheck.Target> {
  /**
   * Probes {@code target} once. A thrown exception counts as a failure whose detail is the
   * exception.
   */
  ProbeResult probe(T target, Duration timeout, Cancellation cancellation) throws Exception;
}
