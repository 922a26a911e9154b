package io.vipha;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class FailoverPolicyTest {
  @Test
  void aHugeDurationIsReportedAsOutOfRange() {
    assertThatThrownBy(() -> FailoverPolicy.builder()
        .preemptDelay(Duration.ofDays(999_999_999_999L)).build())
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("preemptDelay")
        .hasMessageContaining("is out of range; use 0–1h");
  }
}
