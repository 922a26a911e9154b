package io.vipha.agent;

/**
 * How often an agent did something since it was built; every count only grows.
 *
 * @param acquired VIPs this node added (event {@link AgentEvent.Acquired})
 * @param released VIPs this node removed (event {@link AgentEvent.Released})
 * @param driftRepairs differences between host and plan that reconcile fixed
 * @param conflicts re-announcements because a peer also held a VIP this node owns
 * @param backendErrors failed backend calls
 * @param stalls times the agent's own loop stalled for a detection time
 * @param flapSuspensions times a node was suspended for flapping
 * @param quorumLosses times this node lost quorum
 * @param announcements gratuitous ARPs or unsolicited neighbour advertisements sent, one per VIP
 *     and burst step
 * @param moverClaims claims an address mover answered with success (event {@link
 *     AgentEvent.MoverClaimed})
 * @param moverFailures address mover calls that did not succeed (event {@link
 *     AgentEvent.MoverFailed})
 */
public record AgentCounters(long acquired, long released, long driftRepairs, long conflicts,
    long backendErrors, long stalls, long flapSuspensions, long quorumLosses,
    long announcements, long moverClaims, long moverFailures) {

  /** Nothing counted yet. */
  public static final AgentCounters ZERO = new AgentCounters(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
