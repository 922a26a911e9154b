package io.vipha.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import io.vipha.internal.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Typed access to the fields of one object of a configuration document. Each getter returns null
 * when the field is absent or its value was reported as wrong; each setter form hands a present,
 * good value to a builder and does nothing otherwise.
 */
final class Fields {
  static final String DURATION_HINT = "write e.g. 250ms, 10s, 5m, 1h, 1d or ISO-8601 such as"
      + " PT10S";

  private final ConfigProblems problems;
  final JsonNode node;
  final String path;

  Fields(ConfigProblems problems, JsonNode node, String path) {
    this.problems = problems;
    this.node = node;
    this.path = path;
  }

  /** The path of field {@code name} of this object. */
  String child(String name) {
    return ConfigProblems.child(path, name);
  }

  private @Nullable JsonNode get(String name, JsonNodeType type, String what) {
    JsonNode v = node.get(name);
    return v != null && problems.expect(v, child(name), type, what) ? v : null;
  }

  @Nullable String string(String name) {
    JsonNode v = get(name, JsonNodeType.STRING, "a string");
    return v == null ? null : v.textValue();
  }

  void string(String name, Consumer<String> set) {
    ifPresent(string(name), set);
  }

  @Nullable Boolean bool(String name) {
    JsonNode v = get(name, JsonNodeType.BOOLEAN, "true or false");
    return v == null ? null : v.booleanValue();
  }

  void bool(String name, Consumer<Boolean> set) {
    ifPresent(bool(name), set);
  }

  @Nullable Integer integer(String name) {
    JsonNode v = get(name, JsonNodeType.NUMBER, "a whole number");
    String p = child(name);
    if (v == null) {
      return null;
    } else if (!v.isIntegralNumber()) {
      problems.report(p, problems.scalars.get(p), "is not a whole number");
      return null;
    } else if (!v.canConvertToInt()) {
      problems.report(p, problems.scalars.get(p), "is outside the range of a 32-bit integer");
      return null;
    }
    return v.intValue();
  }

  void integer(String name, IntConsumer set) {
    Integer v = integer(name);
    if (v != null) {
      set.accept(v);
    }
  }

  @Nullable Duration duration(String name) {
    JsonNode v = get(name, JsonNodeType.STRING, "a duration such as \"10s\"");
    if (v == null) {
      return null;
    }
    Duration d = Durations.parse(v.textValue());
    if (d == null) {
      problems.report(child(name), v.textValue(), "is not a duration; " + DURATION_HINT);
    }
    return d;
  }

  void duration(String name, Consumer<Duration> set) {
    ifPresent(duration(name), set);
  }

  /** An enum constant, by name ignoring case, with '-' for '_'. */
  <E extends Enum<E>> @Nullable E choice(String name, Class<E> type) {
    E[] constants = type.getEnumConstants();
    List<String> allowed = new ArrayList<>();
    for (E e : constants) {
      allowed.add(e.name());
    }
    JsonNode v = get(name, JsonNodeType.STRING, "one of " + String.join(", ", allowed));
    if (v == null) {
      return null;
    }
    String text = v.textValue().replace('-', '_');
    for (E e : constants) {
      if (e.name().equalsIgnoreCase(text)) {
        return e;
      }
    }
    problems.report(child(name), v.textValue(), "is not one of " + String.join(", ", allowed));
    return null;
  }

  <E extends Enum<E>> void choice(String name, Class<E> type, Consumer<E> set) {
    ifPresent(choice(name, type), set);
  }

  private static <T> void ifPresent(@Nullable T value, Consumer<T> set) {
    if (value != null) {
      set.accept(value);
    }
  }

  @Nullable Fields object(String name, List<String> allowed) {
    JsonNode v = node.get(name);
    return v == null ? null : problems.fields(v, child(name), allowed, "an object");
  }

  /** Each element of a list of objects; null for an element that is not an object. */
  void objects(String name, List<String> allowed, String what, Consumer<@Nullable Fields> each) {
    JsonNode list = get(name, JsonNodeType.ARRAY, "a list");
    if (list == null) {
      return;
    }
    for (int i = 0; i < list.size(); i++) {
      each.accept(problems.fields(list.get(i), child(name) + "[" + i + "]", allowed,
          "an object (" + what + ")"));
    }
  }

  /** Each element of a list of strings; null for an element that is not a string. */
  void strings(String name, String what, Consumer<@Nullable String> each) {
    JsonNode list = get(name, JsonNodeType.ARRAY, "a list");
    if (list == null) {
      return;
    }
    for (int i = 0; i < list.size(); i++) {
      JsonNode v = list.get(i);
      each.accept(problems.expect(v, child(name) + "[" + i + "]", JsonNodeType.STRING, what)
          ? v.textValue() : null);
    }
  }
}
