package io.vipha.spi;

import java.io.IOException;

/**
 * A {@link StateStore} cannot be read or written, or holds something else than a node's state;
 * an agent's start fails with it. The message names the store and what to do.
 */
public final class StateStoreException extends IOException {
  private static final long serialVersionUID = 1L;

  /** With a message and the cause, if any. */
  public StateStoreException(String message, @org.jspecify.annotations.Nullable Throwable cause) {
    super(message, cause);
  }
}
