package io.vipha.netlink;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A small JSON reader for the output of {@code ip -j}: objects become maps, arrays lists,
 * numbers {@code Long} (or {@code Double}), and the rest strings, booleans and null.
 */
final class Json {
  private final String s;
  private int i;

  private Json(String s) {
    this.s = s;
  }

  static @Nullable Object parse(String text) {
    Json j = new Json(text);
    Object v = j.value();
    j.space();
    if (j.i != j.s.length()) {
      throw new IllegalArgumentException("trailing text at " + j.i + ": " + text);
    }
    return v;
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> array(String text) {
    return (List<Map<String, Object>>) java.util.Objects.requireNonNull(parse(text));
  }

  private @Nullable Object value() {
    space();
    char c = s.charAt(i);
    switch (c) {
      case '{': {
        i++;
        Map<String, @Nullable Object> m = new LinkedHashMap<>();
        space();
        if (s.charAt(i) == '}') {
          i++;
          return m;
        }
        while (true) {
          space();
          String k = string();
          space();
          expect(':');
          m.put(k, value());
          space();
          if (s.charAt(i) == ',') {
            i++;
          } else {
            expect('}');
            return m;
          }
        }
      }
      case '[': {
        i++;
        List<@Nullable Object> l = new ArrayList<>();
        space();
        if (s.charAt(i) == ']') {
          i++;
          return l;
        }
        while (true) {
          l.add(value());
          space();
          if (s.charAt(i) == ',') {
            i++;
          } else {
            expect(']');
            return l;
          }
        }
      }
      case '"':
        return string();
      default:
        if (s.startsWith("true", i)) {
          i += 4;
          return Boolean.TRUE;
        }
        if (s.startsWith("false", i)) {
          i += 5;
          return Boolean.FALSE;
        }
        if (s.startsWith("null", i)) {
          i += 4;
          return null;
        }
        int start = i;
        while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
          i++;
        }
        String n = s.substring(start, i);
        if (n.isEmpty()) {
          throw new IllegalArgumentException("unexpected " + c + " at " + start);
        }
        if (n.contains(".") || n.contains("e") || n.contains("E")) {
          return Double.valueOf(n);
        }
        return Long.valueOf(n);
    }
  }

  private String string() {
    expect('"');
    StringBuilder b = new StringBuilder();
    while (s.charAt(i) != '"') {
      char c = s.charAt(i++);
      if (c == '\\') {
        char e = s.charAt(i++);
        switch (e) {
          case 'n' -> b.append('\n');
          case 't' -> b.append('\t');
          case 'u' -> {
            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            i += 4;
          }
          default -> b.append(e);
        }
      } else {
        b.append(c);
      }
    }
    i++;
    return b.toString();
  }

  private void expect(char c) {
    if (s.charAt(i) != c) {
      throw new IllegalArgumentException("expected " + c + " at " + i + ", found " + s.charAt(i));
    }
    i++;
  }

  private void space() {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
  }
}
