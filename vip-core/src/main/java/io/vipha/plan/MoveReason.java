package io.vipha.plan;

/** Why a VIP changed owner. */
public enum MoveReason {
  /** The VIP had no owner and got one (first election, quorum regained, capacity freed). */
  ELECTED,
  /** The owner was declared dead. */
  OWNER_DEAD,
  /** A health check disqualified the owner. */
  OWNER_INELIGIBLE,
  /** The owner is draining for maintenance. */
  DRAINED,
  /** The owner was suspended for flapping (or by an operator). */
  FLAP_SUSPENDED,
  /** Active/Passive: a better node took the group back after the preempt delay. */
  PREEMPTED,
  /** Active/Active: the VIP moved so that every node holds its share. */
  REBALANCED,
  /** A planned switchover moved the VIP to a named node. */
  SWITCHOVER,
  /** The observer lost quorum and the policy releases VIPs. */
  QUORUM_LOST,
  /** The owner has no room left for it (capacity). */
  NO_CAPACITY
}
