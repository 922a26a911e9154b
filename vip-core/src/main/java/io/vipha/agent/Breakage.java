package io.vipha.agent;

/**
 * A safety mechanism switched off, for the simulator's self-test only: it checks that the
 * explorer notices the loss of each mechanism. Package-private, as are the builder methods that
 * take it ({@code VipAgent.Builder.breakage}, {@code HeartbeatCoordinator.Builder.breakage}), so
 * only code in this package can build a broken agent; a builder reached through the public API
 * has none. Each part reads its switch once, into a final field, where the mechanism acts.
 */
enum Breakage {
  /** The quorum lease never runs out: a holder cut off from the majority keeps its VIPs. */
  QUORUM_LEASE,
  /** The conflict rule picks this node whenever it holds a VIP, so two holders both stay. */
  CONFLICT_RULE,
  /** A VIP planned away is released at once, before the successor holds it. */
  MAKE_BEFORE_BREAK,
  /** Kernel leases are set when a VIP is taken and never renewed. */
  LEASE_RENEWAL,
  /** The heartbeat replay guard accepts every authenticated packet. */
  REPLAY_GUARD
}
