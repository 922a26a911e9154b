package io.vipha.spi;

/** A backend could not apply a change. {@link #kind()} says whether retrying can help. */
public final class BackendException extends Exception {
  private static final long serialVersionUID = 1L;

  /** What went wrong. */
  public enum Kind {
    /** The process lacks a privilege (e.g. CAP_NET_ADMIN); retrying will not help. */
    PERMISSION,
    /** The interface does not exist; retrying helps only once it appears. */
    NO_SUCH_INTERFACE,
    /** A temporary failure (busy, no buffer space); retry. */
    TRANSIENT,
    /** The platform cannot do this at all. */
    UNSUPPORTED,
    /** Anything else; the message names the request and the cause. */
    OTHER
  }

  private final Kind kind;

  /** An error of {@code kind} with a message that says what failed and what to do. */
  public BackendException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  /** An error of {@code kind} caused by {@code cause}. */
  public BackendException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  /** What went wrong. */
  public Kind kind() {
    return kind;
  }

  /** Whether retrying later can succeed. */
  public boolean retryable() {
    return kind == Kind.TRANSIENT || kind == Kind.NO_SUCH_INTERFACE;
  }
}
