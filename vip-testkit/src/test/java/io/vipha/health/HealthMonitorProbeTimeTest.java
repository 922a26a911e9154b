package io.vipha.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.testing.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The probe counts and times by result that metrics read, on virtual time. */
class HealthMonitorProbeTimeTest {
  private final VirtualScheduler time = new VirtualScheduler();
  private final Queue<Runnable> submitted = new ArrayDeque<>();

  /** Runs the probe submitted last, {@code millis} after its submission. */
  private void runAfter(long millis) {
    time.advance(Duration.ofMillis(millis));
    Runnable r = submitted.remove();
    r.run();
    time.runDue();
  }

  @Test
  void eachProbeCountsUnderItsResultWithTheTimeFromSubmissionToResult() {
    AtomicBoolean healthy = new AtomicBoolean(true);
    HealthMonitor m = HealthMonitor.builder().executor(submitted::add).scheduler(time)
        .check(HealthCheck.custom("app", healthy::get).interval(Duration.ofSeconds(1))
            .timeout(Duration.ofMillis(500)).build())
        .build();
    m.start();
    runAfter(30);
    runAfter(970 + 50);
    healthy.set(false);
    runAfter(950 + 20);
    assertThat(m.probeCount("app", true)).isEqualTo(2);
    assertThat(m.probeNanos("app", true)).isEqualTo(Duration.ofMillis(30 + 50).toNanos());
    assertThat(m.probeCount("app", false)).isEqualTo(1);
    assertThat(m.probeNanos("app", false)).isEqualTo(Duration.ofMillis(20).toNanos());
    assertThat(m.status("app")).extracting(HealthStatus::probes).isEqualTo(3L);
    m.stop();
  }

  @Test
  void aProbeAbandonedAtItsTimeoutCountsAsUnhealthyWithTheWatchdogsDelay() {
    HealthMonitor m = HealthMonitor.builder().executor(submitted::add).scheduler(time)
        .check(HealthCheck.custom("slow", () -> true).interval(Duration.ofSeconds(1))
            .timeout(Duration.ofMillis(500)).build())
        .build();
    m.start();
    time.advance(Duration.ofMillis(900));
    HealthCheck check = m.checks().get(0);
    assertThat(m.probeCount("slow", false)).isEqualTo(1);
    assertThat(m.probeNanos("slow", false)).isEqualTo(HealthMonitor.watchdogDelay(check));
    assertThat(m.probeCount("slow", true)).isZero();
    m.stop();
  }

  @Test
  void anUnknownCheckIsAnError() {
    HealthMonitor m = HealthMonitor.builder().executor(submitted::add).scheduler(time)
        .check(HealthCheck.custom("app", () -> true).build()).build();
    assertThatThrownBy(() -> m.probeCount("ap", true)).isInstanceOf(
        IllegalArgumentException.class).hasMessage("no health check named ap");
    assertThatThrownBy(() -> m.probeNanos("ap", false)).isInstanceOf(
        IllegalArgumentException.class);
  }
}
