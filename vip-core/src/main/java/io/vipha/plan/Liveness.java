package io.vipha.plan;

/** What the observing node knows of a node's heartbeats. */
public enum Liveness {
  /** Heartbeats arrive on time. */
  ALIVE,
  /** At least one interval was missed: keeps what it owns, takes nothing new. */
  SUSPECT,
  /** Silent for the policy's dead-after intervals: loses everything it owns. */
  DEAD
}
