package io.vipha.spi;

/** A scheduled task that can be cancelled. */
@FunctionalInterface
public interface Cancellable {
  /** Cancels the task if it has not run; does nothing otherwise. */
  void cancel();
}
