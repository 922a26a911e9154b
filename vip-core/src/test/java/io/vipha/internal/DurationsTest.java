package io.vipha.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest
  @CsvSource({
      "250ms, PT0.25S",
      "0ms, PT0S",
      "0s, PT0S",
      "1s, PT1S",
      "2m, PT2M",
      "1h, PT1H",
      "1d, PT24H",
      "90s, PT1M30S",
      "999999999999d, PT23999999999976H",
      "PT1.5S, PT1.5S",
      "pt10s, PT10S",
      "P1DT1H, PT25H",
      "PT0.0001S, PT0.0001S",
  })
  void parsesBothForms(String text, String iso) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "1", "ms", "s1", "1.5s", "-1s", "+1s", "1S", "1MS", "1w",
      "1 s", " 1s", "1s ", "1000000000000s", "P", "PT", "PT-1S", "-PT1S", "P-1D", "PT1S2",
      "P999999999999999999999D", "1s2s"})
  void rejectsEverythingElse(String text) {
    assertThat(Durations.parse(text)).isNull();
  }

  @ParameterizedTest
  @CsvSource({
      "PT0S, 0s",
      "PT0.25S, 250ms",
      "PT1.5S, 1500ms",
      "PT2S, 2s",
      "PT90S, 90s",
      "PT5M, 5m",
      "PT61M, 61m",
      "PT1H, 1h",
      "PT25H, 25h",
      "PT24H, 1d",
      "PT168H, 7d",
      "PT-1S, PT-1S",
      "PT0.0000001S, PT0.0000001S",
      "PT1.0005S, PT1.0005S",
  })
  void formatsInTheLargestExactUnit(String iso, String text) {
    assertThat(Durations.format(Duration.parse(iso))).isEqualTo(text);
  }

  @Test
  void formatsDurationsTooLongForMilliseconds() {
    assertThat(Durations.format(Duration.ofSeconds(Long.MAX_VALUE)))
        .isEqualTo("PT2562047788015215H30M7S");
    assertThat(Durations.format(Duration.ofSeconds(Long.MAX_VALUE / 1000 + 1)))
        .isEqualTo("PT2562047788015H12M56S");
    assertThat(Durations.format(Duration.ofMillis(Long.MAX_VALUE)))
        .isEqualTo(Long.MAX_VALUE + "ms");
  }

  @ParameterizedTest
  @ValueSource(strings = {"250ms", "2s", "5m", "1h", "1d", "1500ms", "0s"})
  void formatAndParseRoundTrip(String text) {
    Duration d = Objects.requireNonNull(Durations.parse(text));
    assertThat(Durations.format(d)).isEqualTo(text);
  }
}
