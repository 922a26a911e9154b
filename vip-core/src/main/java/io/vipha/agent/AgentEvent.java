package io.vipha.agent;

import io.vipha.VirtualIp;
import io.vipha.spi.BackendException;
import io.vipha.spi.MoverResult;
import org.jspecify.annotations.Nullable;

/** Something an agent did or noticed. Every event carries its instant on the agent's clock. */
public sealed interface AgentEvent {
  /** When it happened, nanoseconds on the agent's clock. */
  long at();

  /**
   * This node added (and announced) a VIP; {@code reason} is the planner's move reason, {@code
   * epoch} that of the fencing coordinator's claim (0 when the coordinator does not fence).
   */
  record Acquired(long at, VirtualIp vip, String reason, long epoch) implements AgentEvent {
    /** An acquisition without fencing (epoch 0). */
    public Acquired(long at, VirtualIp vip, String reason) {
      this(at, vip, reason, 0);
    }
  }

  /** This node removed a VIP; {@code reason} is a move reason, or why it was a leftover. */
  record Released(long at, VirtualIp vip, String reason) implements AgentEvent {}

  /** A peer's heartbeats arrive (again). */
  record PeerUp(long at, String nodeId, long incarnation) implements AgentEvent {}

  /** A peer missed a heartbeat interval. */
  record PeerSuspect(long at, String nodeId) implements AgentEvent {}

  /**
   * A peer was silent for the policy's dead-after intervals ({@code left} false), or said it was
   * leaving in a graceful stop ({@code left} true).
   */
  record PeerDown(long at, String nodeId, boolean left) implements AgentEvent {}

  /** This node lost quorum. */
  record QuorumLost(long at, int reachable, int required) implements AgentEvent {}

  /** This node regained quorum. */
  record QuorumRegained(long at, int reachable, int required) implements AgentEvent {}

  /** This node's health changed: effective priority and eligibility. */
  record HealthChanged(long at, String check, boolean healthy, int effectivePriority,
      boolean disqualified, String detail) implements AgentEvent {}

  /** A node was suspended for flapping. */
  record FlapSuspended(long at, String nodeId) implements AgentEvent {}

  /** The backend failed. */
  record BackendError(long at, String operation, @Nullable VirtualIp vip,
      BackendException error) implements AgentEvent {}

  /** Reconcile found the host different from the plan and fixed it. */
  record DriftRepaired(long at, VirtualIp vip, String what) implements AgentEvent {}

  /** A peer also holds a VIP this node owns; this node re-announced it. */
  record Conflict(long at, VirtualIp vip, String peer) implements AgentEvent {}

  /** This node's loop stalled long enough that peers may have declared it dead. */
  record Stalled(long at, long nanos) implements AgentEvent {}

  /**
   * A {@link VipAgent#reconfigure} was applied: the group has {@code nodes} nodes and {@code
   * vips} VIPs and this node {@code checks} health checks from now on. Listeners hear it after
   * {@link VipAgent#group()} and {@link VipAgent#healthMonitor()} show the change and before
   * the VIPs it moves are acquired or released.
   */
  record Reconfigured(long at, int nodes, int vips, int checks) implements AgentEvent {}

  /**
   * The VIP's address mover answered a claim with success ({@code outcome} ACCEPTED or
   * ALREADY_OWNED) under {@code epoch}, at the {@code attempts}-th call, {@code tookNanos} after
   * this node decided to take it (or to ask again). A VIP being taken is held, announced and
   * {@link Acquired} right after.
   */
  record MoverClaimed(long at, VirtualIp vip, MoverResult.Outcome outcome, long epoch,
      int attempts, long tookNanos) implements AgentEvent {}

  /**
   * A call of the VIP's address mover ({@code operation} "claim" or "release") did not succeed:
   * {@code outcome} says how, {@code attempt} counts the calls of this claim (1 for a release),
   * {@code detail} is the mover's account. A failed, throttled or timed-out claim is tried again
   * with backoff while this node owns the VIP; a stale epoch lets the VIP go (a newer owner
   * exists); a conflict is observed before the next claim.
   */
  record MoverFailed(long at, VirtualIp vip, String operation, MoverResult.Outcome outcome,
      int attempt, String detail) implements AgentEvent {}
}
