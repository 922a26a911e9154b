package io.vipha;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Thrown when a value or a configuration is invalid. It carries <em>every</em> problem found, not
 * just the first, each naming the path of the bad field, the bad value and how to fix it.
 */
public final class ValidationException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /**
   * One invalid field.
   *
   * @param path where the field is, e.g. {@code groups[0].vips[1].address}
   * @param value the rejected value as written, or {@code null} when the field is missing
   * @param message what is wrong and how to fix it
   */
  public record Problem(String path, @Nullable String value, String message) {
    @Override
    public String toString() {
      return value == null ? path + ": " + message : path + ": \"" + value + "\" " + message;
    }

    /** The same problem under a path prefix, e.g. {@code groups[0]}. */
    public Problem under(String prefix) {
      return new Problem(prefix.isEmpty() ? path : path.isEmpty() ? prefix : prefix + "." + path,
          value, message);
    }
  }

  private final List<Problem> problems;

  /** Creates an exception listing {@code problems}, which must not be empty. */
  public ValidationException(List<Problem> problems) {
    super(format(problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ValidationException needs at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  /** Every problem found, in the order of the input. */
  public List<Problem> problems() {
    return problems;
  }

  /** The same problems, each under {@code prefix} (e.g. {@code groups[2]}). */
  public ValidationException under(String prefix) {
    List<Problem> moved = new ArrayList<>(problems.size());
    for (Problem p : problems) {
      moved.add(p.under(prefix));
    }
    return new ValidationException(moved);
  }

  private static String format(List<Problem> problems) {
    StringBuilder sb = new StringBuilder();
    sb.append(problems.size() == 1 ? "1 problem" : problems.size() + " problems");
    for (Problem p : problems) {
      sb.append("\n  ").append(p);
    }
    return sb.toString();
  }
}
