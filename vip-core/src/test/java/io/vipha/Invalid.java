package io.vipha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.vipha.ValidationException.Problem;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.jspecify.annotations.Nullable;

/** Assertions on the problems a {@link ValidationException} reports. */
public final class Invalid {
  private Invalid() {}

  /** Runs {@code code}, which must throw a {@link ValidationException}, and returns its problems. */
  public static List<Problem> problems(ThrowingCallable code) {
    Throwable t = catchThrowable(code);
    assertThat(t).isExactlyInstanceOf(ValidationException.class);
    return ((ValidationException) t).problems();
  }

  /** {@code code} reports exactly one problem: at {@code path}, for {@code value}, with a phrase. */
  public static Problem assertOnlyProblem(ThrowingCallable code, String path, @Nullable String value,
      String phrase) {
    List<Problem> problems = problems(code);
    assertThat(problems).as("problems").hasSize(1);
    Problem p = problems.get(0);
    assertProblem(p, path, value, phrase);
    return p;
  }

  /** {@code p} is at {@code path}, for {@code value}, and its message contains {@code phrase}. */
  public static void assertProblem(Problem p, String path, @Nullable String value, String phrase) {
    assertThat(p.path()).as("path of %s", p).isEqualTo(path);
    assertThat(p.value()).as("value of %s", p).isEqualTo(value);
    assertThat(p.message()).as("message of %s", p).contains(phrase);
  }
}
