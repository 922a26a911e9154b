package io.vipha.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import io.vipha.ValidationException;
import io.vipha.ValidationException.Problem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Where each value of a configuration document starts, and the problems found in it, each with
 * its line and column. {@link JsonTreeReader} notes the positions; the readers of the sections
 * report problems; {@link #failure()} lists them all in document order.
 *
 * <p>The document root has the path {@code ""}; problems show it as {@code $}.
 */
final class ConfigProblems {
  /** A position in the document, both 1-based. */
  record Position(int line, int column) implements Comparable<Position> {
    static final Comparator<Position> ORDER =
        Comparator.comparingInt(Position::line).thenComparingInt(Position::column);

    static Position of(JsonLocation l) {
      return new Position(Math.max(l.getLineNr(), 1), Math.max(l.getColumnNr(), 1));
    }

    @Override
    public int compareTo(Position o) {
      return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
      return "(line " + line + ", column " + column + ")";
    }
  }

  private record Located(Problem problem, Position position) {}

  private static final Pattern PREFIX_LENGTH =
      Pattern.compile("(groups\\[\\d+]\\.vips\\[\\d+])\\.prefixLength");

  /** Where each value starts, by path. */
  final Map<String, Position> values = new HashMap<>();
  /** Where each field name starts, by the path of its value. */
  final Map<String, Position> names = new HashMap<>();
  /** Scalars as written, by path: the value shown in problems. */
  final Map<String, String> scalars = new HashMap<>();
  private final List<Located> problems = new ArrayList<>();
  /** Paths that have a problem of this reader: model problems at or under them are superseded. */
  private final Set<String> reported = new HashSet<>();

  /** How many problems have been found so far. */
  int count() {
    return problems.size();
  }

  /** All the problems, in document order (ties keep the order they were found in). */
  ValidationException failure() {
    List<Located> sorted = new ArrayList<>(problems);
    sorted.sort(Comparator.comparing(Located::position));
    List<Problem> list = new ArrayList<>(sorted.size());
    for (Located l : sorted) {
      list.add(l.problem());
    }
    return new ValidationException(list);
  }

  void report(String path, @Nullable String value, String message, Position at) {
    if (!path.isEmpty()) { // a problem with the whole document explains no model problem
      reported.add(path);
    }
    problems.add(new Located(new Problem(path.isEmpty() ? "$" : path, value,
        message + " " + at), at));
  }

  /** {@link #report} at the value of {@code path}. */
  void report(String path, @Nullable String value, String message) {
    report(path, value, message, locate(path));
  }

  /** A problem found by the model: located, unless one of ours already explains it. */
  void reportModel(Problem found) {
    Problem p = found;
    Matcher prefix = PREFIX_LENGTH.matcher(p.path());
    if (prefix.matches()) {
      // The file has no prefixLength field: the prefix is part of "address".
      String address = prefix.group(1) + ".address";
      p = new Problem(address, scalars.getOrDefault(address, p.value()), p.message());
    }
    for (String path = p.path(); ; path = parent(path)) {
      if (reported.contains(path)) {
        return;
      }
      if (path.isEmpty()) {
        break;
      }
    }
    Position at = locate(p.path());
    problems.add(new Located(new Problem(p.path(), p.value(), p.message() + " " + at), at));
  }

  /** Each problem of {@code e}, found by the model at paths relative to {@code path}. */
  void reportModel(ValidationException e, String path) {
    for (Problem p : e.problems()) {
      reportModel(p.under(path));
    }
  }

  /** Where {@code path} starts, or its nearest enclosing value that is in the file. */
  Position locate(String path) {
    for (String p = path; ; p = parent(p)) {
      Position at = values.get(p);
      if (at != null) {
        return at;
      }
      if (p.isEmpty()) {
        return new Position(1, 1);
      }
    }
  }

  /** Where the name of field {@code path} starts, else where its value does. */
  Position locateName(String path) {
    return names.getOrDefault(path, locate(path));
  }

  static String parent(String path) {
    int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
    return cut < 0 ? "" : path.substring(0, cut);
  }

  static String child(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  /** Whether {@code node} has {@code type}; reports that it has not. */
  boolean expect(JsonNode node, String path, JsonNodeType type, String what) {
    if (node.getNodeType() == type) {
      return true;
    }
    report(path, scalars.get(path), "is " + describe(node) + "; expected " + what);
    return false;
  }

  private static String describe(JsonNode node) {
    return switch (node.getNodeType()) {
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      case ARRAY -> "a list";
      case OBJECT -> "an object";
      default -> node.getNodeType().toString().toLowerCase(Locale.ROOT);
    };
  }

  /** The fields of an object, checked against {@code allowed}; null when it is not an object. */
  @Nullable Fields fields(JsonNode node, String path, List<String> allowed, String what) {
    if (!expect(node, path, JsonNodeType.OBJECT, what)) {
      return null;
    }
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      if (!allowed.contains(field.getKey())) {
        String p = child(path, field.getKey());
        report(p, null, "is not a known field; allowed here: " + String.join(", ", allowed),
            locateName(p));
      }
    }
    return new Fields(this, node, path);
  }
}
