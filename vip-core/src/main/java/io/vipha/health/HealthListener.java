package io.vipha.health;

/** Told when a check changes state: only when rise or fall is reached, never on every probe. */
@FunctionalInterface
public interface HealthListener {
  /**
   * {@code check} became {@code healthy} (or unhealthy); {@code detail} describes the probe that
   * tipped it. Called from a {@link Scheduler} task, after {@link HealthMonitor#priorityDelta()}
   * and {@link HealthMonitor#disqualified()} reflect the change. Must not block.
   */
  void onTransition(HealthCheck check, boolean healthy, String detail);
}
