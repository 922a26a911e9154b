package io.vipha.internal;

import io.vipha.ValidationException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Collects validation problems so that a builder can report all of them at once. */
public final class Problems {
  private final List<ValidationException.Problem> list = new ArrayList<>();

  /** Adds a problem at {@code path} with the rejected value (null when missing). */
  public void add(String path, @Nullable Object value, String message) {
    list.add(new ValidationException.Problem(path, value == null ? null : String.valueOf(value),
        message));
  }

  /** Adds {@code problems}, each under {@code prefix}. */
  public void addAll(String prefix, List<ValidationException.Problem> problems) {
    for (ValidationException.Problem p : problems) {
      list.add(p.under(prefix));
    }
  }

  /** How many problems so far. */
  public int size() {
    return list.size();
  }

  /** Whether there is no problem. */
  public boolean isEmpty() {
    return list.isEmpty();
  }

  /** The problems, in the order found (mutable). */
  public List<ValidationException.Problem> list() {
    return list;
  }

  /** Throws one {@link ValidationException} listing every problem, if there is any. */
  public void throwIfAny() {
    if (!list.isEmpty()) {
      throw new ValidationException(list);
    }
  }
}
