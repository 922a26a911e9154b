package io.vipha.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void formatsInTheLargestExactUnit() {
    assertThat(Durations.format(Duration.ofMillis(250))).isEqualTo("250ms");
    assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(Durations.format(Duration.ofMinutes(5))).isEqualTo("5m");
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    assertThat(Durations.format(Duration.ofNanos(1500))).isEqualTo("PT0.0000015S");
  }

  @Test
  void formatsDurationsTooLongForMilliseconds() {
    // Durations.parse accepts this; formatting it for an error message must not overflow.
    Duration huge = Duration.ofDays(999_999_999_999L);
    assertThat(Durations.parse("999999999999d")).isEqualTo(huge);
    assertThat(Durations.parse(Durations.format(huge))).isEqualTo(huge);
  }
}
