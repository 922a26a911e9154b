/**
 * The node runtime: {@link io.vipha.agent.VipAgent} observes peers and health, runs the planner
 * and drives an {@link io.vipha.spi.AddressBackend}; {@link io.vipha.agent.HeartbeatCoordinator}
 * exchanges authenticated heartbeats with the peers.
 *
 * <h2>Inside the agent</h2>
 *
 * <p>{@code VipAgent} is the one entry point: its public methods post to its event loop, and it
 * owns small package-private parts, each with one job. The parts run only on that loop (one
 * writer, no locks, no threads of their own) and reach each other through the agent.
 *
 * <ul>
 *   <li>{@code Lifecycle}: the phase; start (leftover VIPs, the coordinator, the join), the end
 *       of the join, the graceful stop and the final stop; the adapters that bring the
 *       coordinator's and the backend's calls onto the loop.
 *   <li>{@code PeerTable}: what each peer last said and since when it holds each VIP; the
 *       handling of a peer's news (peer events, its pins, the end of the join, a replan).
 *   <li>{@code Standing}: this node's health checks, links, drain and backend failures, and from
 *       them its effective priority and eligibility and since when that holds.
 *   <li>{@code Holdings}: the VIPs this node holds, when and why it took each; the conflict
 *       rule that picks one holder when several claim a VIP.
 *   <li>{@code Planning}: the switchover pins, the view given to the planner, the current plan,
 *       the replan after every change and the timer for the plan's next change.
 *   <li>{@code Reconciler}: moves the host towards the plan (acquire, repair drift, release,
 *       remove leftovers, renew leases) and makes the backend calls; the periodic reconcile and
 *       the one timer for waits that held an action back.
 *   <li>{@code Handover}: make-before-break: how long a VIP this node no longer owns is kept
 *       while its successor adds it.
 *   <li>{@code QuorumLease}: the quorum lease that lets a holder keep its VIPs, the firmer
 *       quorum needed to take one, and the wait after quorum comes back.
 *   <li>{@code StallGuard}: notices that the loop itself stalled, acts on none of what queued up
 *       meanwhile, and carries on or steps down and joins afresh.
 *   <li>{@code Warmup}: after start, keeps the node not eligible (no preemption) until its loop
 *       has run stall-free for the warm-up time, exercising the codec and the planner meanwhile;
 *       ends at once when a VIP has no other owner.
 *   <li>{@code Rehearsal}: at the start of an agent on a real-time loop, a shadow of it (this
 *       node alone, an in-memory backend, a virtual clock, no listener) takes and releases the
 *       VIPs many times on a thread of its own, so that the first real take-over runs warm code.
 *   <li>{@code Announcer}: the announcement burst after taking a VIP, the periodic refresh, and
 *       re-announcements after a peer's news (a conflict, a peer letting go).
 *   <li>{@code Movers}: the address movers of VIPs that have one: the claim before a VIP counts
 *       as held, retries with backoff, the fence a newer owner's epoch puts up, the release
 *       after the local address is gone.
 *   <li>{@code Events}: the listeners, and the recent events and counters of the snapshot.
 *   <li>{@code Reconfiguration}: a changed group and health checks applied to the running
 *       agent: what cannot change live is refused whole; the rest goes to the parts that own it.
 * </ul>
 */
@NullMarked
package io.vipha.agent;

import org.jspecify.annotations.NullMarked;
