package io.vipha.health;

import io.vipha.ValidationException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Collects validation problems so that a builder can report all of them at once. */
final class ProblemList {
  private final List<ValidationException.Problem> list = new ArrayList<>();

  void add(String path, @Nullable Object value, String message) {
    list.add(new ValidationException.Problem(path, value == null ? null : String.valueOf(value),
        message));
  }

  void addAll(String prefix, List<ValidationException.Problem> problems) {
    for (ValidationException.Problem p : problems) {
      list.add(p.under(prefix));
    }
  }

  boolean isEmpty() {
    return list.isEmpty();
  }

  int size() {
    return list.size();
  }

  List<ValidationException.Problem> list() {
    return list;
  }

  void throwIfAny() {
    if (!list.isEmpty()) {
      throw new ValidationException(list);
    }
  }
}
