package io.vipha.plan;

/** Whether a live node may own VIPs. */
public enum Eligibility {
  /** May own VIPs. */
  ELIGIBLE,
  /** A health check disqualified it. */
  DISQUALIFIED,
  /** Draining for maintenance: its VIPs move away make-before-break. */
  DRAINING,
  /** Suspended by an operator or by a flap limit reported from elsewhere. */
  SUSPENDED
}
