package io.vipha.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RiseFallTest {

  /** Runs {@code sequence} (S = success, F = failure) and writes the state after each: U or H. */
  private static String run(int rise, int fall, String sequence) {
    RiseFall s = RiseFall.initial(rise, fall);
    StringBuilder states = new StringBuilder();
    for (int i = 0; i < sequence.length(); i++) {
      s = s.next(sequence.charAt(i) == 'S');
      states.append(s.healthy() ? 'H' : 'U');
    }
    return states.toString();
  }

  @Test
  void startsUnhealthyWithNoResults() {
    RiseFall s = RiseFall.initial(2, 3);

    assertThat(s.healthy()).isFalse();
    assertThat(s.successes()).isZero();
    assertThat(s.failures()).isZero();
  }

  @ParameterizedTest(name = "rise {0} fall {1}: {2} -> {3}")
  @CsvSource({
      // the defaults: healthy after 2 successes, unhealthy after 3 failures
      "2, 3, SS, UH",
      "2, 3, SFS, UUU",
      "2, 3, SSFFF, UHHHU",
      "2, 3, SSFFSFFF, UHHHHHHU",
      "2, 3, SSFFFS, UHHHUU",
      "2, 3, SSFFFSS, UHHHUUH",
      "2, 3, FFFFSS, UUUUUH",
      // rise 1 / fall 1: every result decides
      "1, 1, SFSF, HUHU",
      "1, 1, FS, UH",
      // failures before the first rise change nothing; one success is not enough
      "3, 1, SSFSSS, UUUUUH",
      "3, 2, SSSFSF, UUHHHH",
      "3, 2, SSSFF, UUHHU",
  })
  void followsSequences(int rise, int fall, String sequence, String expected) {
    assertThat(run(rise, fall, sequence)).isEqualTo(expected);
  }

  /**
   * Every sequence of up to 14 results, for rise and fall 1–5, against an independent definition:
   * the state is set by the last point where the last {@code rise} results were all successes
   * (healthy) or the last {@code fall} results were all failures (unhealthy); before any such
   * point it is the initial unhealthy state. The counts are the lengths of the trailing runs.
   * Sequences are walked as a tree, so each prefix is checked once.
   */
  @Test
  void matchesTheWindowDefinitionOnEverySequence() {
    long checked = 0;
    for (int rise = 1; rise <= 5; rise++) {
      for (int fall = 1; fall <= 5; fall++) {
        checked += walk(RiseFall.initial(rise, fall), false, new boolean[14], 0);
      }
    }
    assertThat(checked).isEqualTo(25L * ((1 << 15) - 2));
  }

  /** Checks both extensions of the prefix {@code seq[0..t)}; returns the steps checked. */
  private static long walk(RiseFall s, boolean expectedBefore, boolean[] seq, int t) {
    if (t == seq.length) {
      return 0;
    }
    long n = 0;
    for (boolean result : new boolean[] {true, false}) {
      seq[t] = result;
      RiseFall next = s.next(result);
      boolean expected = expectedBefore;
      if (allEqual(seq, t, s.rise(), true)) {
        expected = true;
      } else if (allEqual(seq, t, s.fall(), false)) {
        expected = false;
      }
      if (next.healthy() != expected || next.successes() != run(seq, t, true)
          || next.failures() != run(seq, t, false) || next.rise() != s.rise()
          || next.fall() != s.fall()) {
        fail("rise %d fall %d after %s: got %s, expected healthy=%s", s.rise(), s.fall(),
            text(seq, t), next, expected);
      }
      n += 1 + walk(next, expected, seq, t + 1);
    }
    return n;
  }

  /** Whether the {@code n} results ending at {@code t} all equal {@code v}. */
  private static boolean allEqual(boolean[] seq, int t, int n, boolean v) {
    if (t + 1 < n) {
      return false;
    }
    for (int i = t - n + 1; i <= t; i++) {
      if (seq[i] != v) {
        return false;
      }
    }
    return true;
  }

  /** Length of the run of {@code v} ending at {@code t}. */
  private static int run(boolean[] seq, int t, boolean v) {
    int n = 0;
    for (int i = t; i >= 0 && seq[i] == v; i--) {
      n++;
    }
    return n;
  }

  private static String text(boolean[] seq, int t) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i <= t; i++) {
      sb.append(seq[i] ? 'S' : 'F');
    }
    return sb.toString();
  }

  @Test
  void countsSaturate() {
    RiseFall s = new RiseFall(2, 3, true, Integer.MAX_VALUE, 0).next(true);
    assertThat(s.successes()).isEqualTo(Integer.MAX_VALUE);
    RiseFall f = new RiseFall(2, 3, false, 0, Integer.MAX_VALUE).next(false);
    assertThat(f.failures()).isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void rejectsImpossibleStates() {
    assertThatThrownBy(() -> RiseFall.initial(0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RiseFall.initial(1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RiseFall(1, 1, true, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RiseFall(1, 1, true, -1, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
