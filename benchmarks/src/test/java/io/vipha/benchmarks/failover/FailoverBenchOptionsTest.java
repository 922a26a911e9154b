package io.vipha.benchmarks.failover;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link FailoverBench#main}'s refusals of bad options, before it makes any network. */
class FailoverBenchOptionsTest {
  @Test
  void jfrWithoutTheSoakIsRefused() {
    assertThatThrownBy(() -> FailoverBench.main(new String[] {"--jfr", "--reps", "1"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--jfr records the soak's nodes: give --soak MINUTES");
  }

  @Test
  void anOptionWithoutItsValueNamesItself() {
    assertThatThrownBy(() -> FailoverBench.main(new String[] {"--jfr", "--soak"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--soak needs a value");
  }
}
