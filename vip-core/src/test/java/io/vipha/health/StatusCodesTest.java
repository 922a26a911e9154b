package io.vipha.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StatusCodesTest {

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
      "200; 200",
      "200-299; 200-299",
      " 200 - 204 ; 200-204",
      "204,200; 200,204",
      "200,201,202; 200-202",
      "200-204,203-210,301; 200-210,301",
      "100-599; 100-599",
  })
  void parsesToTheCanonicalForm(String text, String canonical) {
    StatusCodes c = StatusCodes.parse(text);

    assertThat(c).isNotNull().hasToString(canonical);
    assertThat(StatusCodes.parse(canonical)).isEqualTo(c);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "ok", "20", "2000", "099", "600", "300-200", "200-", "-200", "200,",
      "200-250-299", "+200"})
  void refusesAnythingElse(String text) {
    assertThat(StatusCodes.parse(text)).isNull();
  }

  @Test
  void containsExactlyItsCodes() {
    StatusCodes c = Objects.requireNonNull(StatusCodes.parse("200-204,301"));

    assertThat(c.contains(199)).isFalse();
    assertThat(c.contains(200)).isTrue();
    assertThat(c.contains(204)).isTrue();
    assertThat(c.contains(205)).isFalse();
    assertThat(c.contains(301)).isTrue();
    assertThat(c.contains(302)).isFalse();
  }

  @Test
  void factories() {
    assertThat(StatusCodes.ok()).hasToString("200");
    assertThat(StatusCodes.of(204, 200, 200)).hasToString("200,204");
    assertThat(StatusCodes.range(200, 299)).isEqualTo(StatusCodes.parse("200-299"))
        .hasSameHashCodeAs(StatusCodes.parse("200-299"));
    assertThatThrownBy(() -> StatusCodes.of()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StatusCodes.of(99)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StatusCodes.range(300, 200))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
