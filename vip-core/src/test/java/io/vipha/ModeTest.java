package io.vipha;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ModeTest {
  @Test
  void twoModes() {
    assertThat(Mode.values()).containsExactly(Mode.ACTIVE_PASSIVE, Mode.ACTIVE_ACTIVE);
  }
}
