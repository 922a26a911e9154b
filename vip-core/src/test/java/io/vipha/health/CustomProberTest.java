package io.vipha.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

class CustomProberTest {
  private static ProbeResult probe(Callable<Boolean> c) {
    return new CustomProber().probe(new HealthCheck.Custom(c), Duration.ofSeconds(1),
        new Cancellation());
  }

  @Test
  void trueIsHealthyAndFalseIsNot() {
    assertThat(probe(() -> true)).isEqualTo(ProbeResult.healthy("returned true"));
    assertThat(probe(() -> false)).isEqualTo(ProbeResult.unhealthy("returned false"));
  }

  @Test
  void nullIsAFailure() {
    assertThat(probe(() -> null)).isEqualTo(ProbeResult.unhealthy("returned null"));
  }

  @Test
  void anExceptionIsAFailure() {
    assertThat(probe(() -> {
      throw new IllegalStateException("queue is stuck");
    })).isEqualTo(ProbeResult.unhealthy("threw: IllegalStateException: queue is stuck"));
  }

  @Test
  void aBooleanSupplierThatThrowsIsAFailure() throws Exception {
    HealthCheck c = HealthCheck.custom("s", () -> {
      if (Math.abs(1) == 1) {
        throw new IllegalArgumentException("boom");
      }
      return true;
    }).build();

    ProbeResult r = new CustomProber().probe((HealthCheck.Custom) c.target(),
        Duration.ofSeconds(1), new Cancellation());

    assertThat(r.detail()).isEqualTo("threw: IllegalArgumentException: boom");
  }
}
