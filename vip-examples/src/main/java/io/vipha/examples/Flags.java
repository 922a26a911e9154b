package io.vipha.examples;

import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A cursor over command-line flags written {@code --name value} or {@code --name=value}.
 *
 * <pre>{@code
 * Flags f = new Flags(args);
 * while (f.next()) {
 *   switch (f.name()) {
 *     case "--seed" -> seed = f.value();
 *     default -> throw f.unknown();
 *   }
 * }
 * }</pre>
 */
final class Flags {
  private final String[] args;
  private int index = -1;
  private String raw = "";
  private String name = "";
  private @Nullable String inline;

  Flags(String... args) {
    this.args = args.clone();
  }

  /** Moves to the next flag; false at the end. */
  boolean next() {
    index++;
    if (index >= args.length) {
      return false;
    }
    raw = args[index];
    name = raw;
    inline = null;
    int eq = raw.indexOf('=');
    if (raw.startsWith("--") && eq > 0) {
      inline = raw.substring(eq + 1);
      name = raw.substring(0, eq);
    }
    return true;
  }

  /** The current flag's name, without an inline {@code =value}. */
  String name() {
    return name;
  }

  /** The current flag's value: inline, or the next argument unless that is a flag. */
  String value() throws UsageException {
    String v = inline;
    if (v != null) {
      return v;
    }
    if (index + 1 >= args.length || args[index + 1].startsWith("--")) {
      throw new UsageException(name + " needs a value");
    }
    return args[++index];
  }

  /** Checks that the current flag came without an inline value. */
  void noValue() throws UsageException {
    if (inline != null) {
      throw new UsageException(name + " takes no value");
    }
  }

  /** Every argument after the current one; the cursor moves to the end. */
  List<String> rest() {
    List<String> rest = Arrays.asList(args).subList(Math.min(index + 1, args.length),
        args.length);
    index = args.length;
    return List.copyOf(rest);
  }

  /** The error for an argument nobody knows. */
  UsageException unknown() {
    return new UsageException("unknown argument '" + raw + "'");
  }
}
