package io.vipha.health;

import static io.vipha.Invalid.assertOnlyProblem;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EffectTest {

  @Test
  void positiveWeightAddsWhileHealthy() {
    Effect e = Effect.weight(20);

    assertThat(e.priorityDelta(true)).isEqualTo(20);
    assertThat(e.priorityDelta(false)).isZero();
    assertThat(e.disqualifies(false)).isFalse();
  }

  @Test
  void negativeWeightSubtractsWhileUnhealthy() {
    Effect e = Effect.weight(-30);

    assertThat(e.priorityDelta(true)).isZero();
    assertThat(e.priorityDelta(false)).isEqualTo(-30);
    assertThat(e.disqualifies(false)).isFalse();
  }

  @Test
  void disqualifyOnlyWhileUnhealthy() {
    Effect e = Effect.disqualify();

    assertThat(e.disqualifies(false)).isTrue();
    assertThat(e.disqualifies(true)).isFalse();
    assertThat(e.priorityDelta(false)).isZero();
    assertThat(e).hasToString("disqualify");
  }

  @ParameterizedTest
  @ValueSource(ints = {-253, -1, 1, 253})
  void acceptsTheKeepalivedRange(int w) {
    assertThat(Effect.weight(w).weight()).isEqualTo(w);
    assertThat(Effect.weight(w)).hasToString("weight(" + w + ")");
  }

  @ParameterizedTest
  @ValueSource(ints = {-254, 254, Integer.MAX_VALUE})
  void refusesWeightsOutOfRange(int w) {
    assertOnlyProblem(() -> Effect.weight(w), "effect.weight", String.valueOf(w), "out of range");
  }

  @Test
  void refusesWeightZero() {
    assertOnlyProblem(() -> Effect.weight(0), "effect.weight", "0", "no effect");
  }

  @Test
  void aDisqualifyingEffectHasNoWeight() {
    assertOnlyProblem(() -> new Effect(Effect.Type.DISQUALIFY, 5), "effect.weight", "5",
        "disqualifies or adjusts");
  }
}
