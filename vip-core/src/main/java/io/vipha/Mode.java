package io.vipha;

/** How a group's VIPs are placed on its nodes. */
public enum Mode {
  /** One node owns all of the group's VIPs; a standby takes over when it fails. */
  ACTIVE_PASSIVE,
  /** Every healthy node serves; the VIPs are spread over them by weight. */
  ACTIVE_ACTIVE
}
