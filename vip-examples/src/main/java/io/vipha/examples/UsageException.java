package io.vipha.examples;

/** A bad command line; the message names the bad argument. */
final class UsageException extends Exception {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
