package io.vipha.health;

import java.util.Objects;

/**
 * A snapshot of one check in a {@link HealthMonitor}.
 *
 * @param check the check
 * @param healthy its state; {@code false} until it first rises
 * @param consecutiveSuccesses successes since the last failure
 * @param consecutiveFailures failures since the last success
 * @param lastDetail what the last probe saw, or {@code "not probed yet"}
 * @param lastChange when the state last changed, in nanoseconds on the monitor's clock: the
 *     instant of {@link HealthMonitor#start()} until the first change, 0 before it
 * @param probes how many probe results were counted
 */
public record HealthStatus(
    HealthCheck check,
    boolean healthy,
    int consecutiveSuccesses,
    int consecutiveFailures,
    String lastDetail,
    long lastChange,
    long probes) {

  /** Checks for null. */
  public HealthStatus {
    Objects.requireNonNull(check, "check");
    Objects.requireNonNull(lastDetail, "lastDetail");
  }

  /** The check's name. */
  public String name() {
    return check.name();
  }

  /** What this check currently adds to the node's priority. */
  public int priorityDelta() {
    return check.effect().priorityDelta(healthy);
  }

  /** Whether this check currently makes the node ineligible. */
  public boolean disqualifies() {
    return check.effect().disqualifies(healthy);
  }
}
