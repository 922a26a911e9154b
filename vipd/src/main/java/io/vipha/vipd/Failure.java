package io.vipha.vipd;

/** A startup problem: the message to print and the code to exit with. */
final class Failure extends Exception {
  private static final long serialVersionUID = 1L;
  final ExitCode code;

  Failure(ExitCode code, String message) {
    super(message);
    this.code = code;
  }
}
