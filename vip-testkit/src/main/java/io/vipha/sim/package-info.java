/**
 * A deterministic simulator that runs the real {@link io.vipha.agent.VipAgent}, heartbeat codec
 * and planner in virtual time: nodes with their own clocks, a datagram network with delay, loss,
 * duplication, reordering and partitions, hosts with kernel leases on one L2 segment, and a
 * client whose ARP/neighbour cache changes only on announcements or its own expiry, so an outage
 * is what a client sees.
 *
 * <p>{@link io.vipha.sim.Simulation} is the entry point: build one for a group, inject faults
 * through {@link io.vipha.sim.SimNode} and the simulation, advance time and read the timeline.
 * {@link io.vipha.sim.Explorer} runs seeded random {@link io.vipha.sim.FaultSchedule}s against the
 * invariants and shrinks a failure to a minimal trace that replays exactly.
 */
@NullMarked
package io.vipha.sim;

import org.jspecify.annotations.NullMarked;
