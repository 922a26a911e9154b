package io.vipha.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.vipha.ValidationException;
import io.vipha.ValidationException.Problem;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.jspecify.annotations.Nullable;

/** Assertions on the problems a {@link ValidationException} reports. */
final class Problems {
  private Problems() {}

  /** Runs {@code code}, which must throw a {@link ValidationException}, and returns its problems. */
  static List<Problem> of(ThrowingCallable code) {
    Throwable t = catchThrowable(code);
    assertThat(t).isExactlyInstanceOf(ValidationException.class);
    return ((ValidationException) t).problems();
  }

  /** {@code code} reports exactly one problem: at {@code path}, for {@code value}, with a phrase. */
  static void assertOnly(ThrowingCallable code, String path, @Nullable String value,
      String phrase) {
    List<Problem> problems = of(code);
    assertThat(problems).as("problems").hasSize(1);
    Problem p = problems.get(0);
    assertThat(p.path()).as("path of %s", p).isEqualTo(path);
    assertThat(p.value()).as("value of %s", p).isEqualTo(value);
    assertThat(p.message()).as("message of %s", p).contains(phrase);
  }
}
