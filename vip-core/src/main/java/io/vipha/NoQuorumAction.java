package io.vipha;

/** What a node that has lost quorum does with the VIPs it owns. */
public enum NoQuorumAction {
  /** Release them: never two owners, at the cost of no owner on the minority side (safety). */
  RELEASE,
  /** Keep them: the service stays up, at the risk of two owners during a partition. */
  KEEP
}
