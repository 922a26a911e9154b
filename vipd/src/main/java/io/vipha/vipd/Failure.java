package io.vipha.vipd;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A startup problem: the message to print and the code to exit with; {@link #problems} lists
 * each problem on its own (a reload rejects with them).
 */
final class Failure extends Exception {
  private static final long serialVersionUID = 1L;
  final ExitCode code;
  /** Every problem, each a line of its own; the message alone when there is one. */
  final List<String> problems;
  /** Whether the problem is the group or the node: what a reload cannot change. */
  final boolean role;

  Failure(ExitCode code, String message) {
    this(code, message, false);
  }

  Failure(ExitCode code, String message, boolean role) {
    super(message);
    this.code = code;
    this.problems = List.of(message);
    this.role = role;
  }

  /** The problems under {@code header}: the message is the header and one indented line each. */
  Failure(ExitCode code, String header, List<String> problems) {
    super(header + ":\n" + problems.stream().map(p -> "  " + p)
        .collect(Collectors.joining("\n")));
    this.code = code;
    this.problems = List.copyOf(problems);
    this.role = false;
  }
}
