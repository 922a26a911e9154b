package io.vipha.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** The privilege gate, with the privilege simulated as present or missing. */
class PrivilegedTest {
  @Test
  void passesWhenNothingIsMissing() {
    assertThatCode(() -> Privileged.gate(null, false)).doesNotThrowAnyException();
    assertThatCode(() -> Privileged.gate(null, true)).doesNotThrowAnyException();
  }

  @Test
  void skipsLoudlyWhenMissingAndNotRequired() {
    assertThatThrownBy(() -> Privileged.gate("root (simulated for this test: uid 1000)", false))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("SKIPPED, NOT RUN")
        .hasMessageContaining("root (simulated for this test: uid 1000)")
        .hasMessageContaining("VIPHA_REQUIRE_PRIVILEGED=1");
  }

  @Test
  void failsWhenMissingAndRequired() {
    assertThatThrownBy(() -> Privileged.gate("root (simulated for this test: uid 1000)", true))
        .isInstanceOf(AssertionFailedError.class)
        .hasMessageContaining("VIPHA_REQUIRE_PRIVILEGED=1 but")
        .hasMessageContaining("root (simulated for this test: uid 1000)");
  }

  @Test
  void onlyTheValueOneRequires() {
    assertThat(Privileged.required(Map.of("VIPHA_REQUIRE_PRIVILEGED", "1"))).isTrue();
    assertThat(Privileged.required(Map.of("VIPHA_REQUIRE_PRIVILEGED", "0"))).isFalse();
    assertThat(Privileged.required(Map.of())).isFalse();
  }

  @Test
  void readsTheEffectiveUid() {
    assertThat(Privileged.effectiveUid()).isGreaterThanOrEqualTo(0);
  }
}
