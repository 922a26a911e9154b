package io.vipha.health;

import java.util.Objects;

/**
 * The outcome of one probe.
 *
 * @param healthy whether the probe succeeded
 * @param detail what was seen, for logs and the listener, e.g. {@code HTTP 503, expected 200}
 */
public record ProbeResult(boolean healthy, String detail) {
  /** Checks for null. */
  public ProbeResult {
    Objects.requireNonNull(detail, "detail");
  }

  /** A success. */
  public static ProbeResult healthy(String detail) {
    return new ProbeResult(true, detail);
  }

  /** A failure. */
  public static ProbeResult unhealthy(String detail) {
    return new ProbeResult(false, detail);
  }

  /** A failure caused by {@code e}: its class and message. */
  static ProbeResult failed(String what, Throwable e) {
    String m = e.getMessage();
    return unhealthy(what + ": " + e.getClass().getSimpleName() + (m == null ? "" : ": " + m));
  }
}
