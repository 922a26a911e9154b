package io.vipha.agent;

/**
 * Receives an agent's events.
 *
 * <p>How a listener runs: on the agent's event loop thread (the {@link
 * io.vipha.spi.Scheduler} the agent was built with), the same thread that plans, reconciles and
 * sends heartbeats. Events arrive one at a time in the order the agent emitted them; listeners
 * hear each event in the order they were added, and none hears the next event before every one
 * has heard this one. A listener must not block: while it runs, the agent neither fails over nor
 * sends heartbeats. Hand slow work (a command, a network call) to another thread through a
 * bounded queue, as vipd's notify hooks do. A listener that throws is logged (at warn) and
 * ignored: the other listeners still hear the event and the loop goes on. A listener added or
 * removed from another thread takes effect from a later event.
 *
 * <p>The events of one decision (a peer's news with the replan and reconcile it brings, or one
 * reconcile pass) reach the listeners once that work is done: a take-over adds and announces
 * every VIP before a listener hears that the peer is down or that a VIP was acquired. The events,
 * their order and their times stay the same.
 *
 * <p>A listener that keeps something per peer, VIP or health check (a meter, say) follows a
 * {@link VipAgent#reconfigure} by reading {@link VipAgent#group()} and {@link
 * VipAgent#healthMonitor()} again when it hears {@link AgentEvent.Reconfigured}.
 */
@FunctionalInterface
public interface AgentListener {
  /** One event. */
  void on(AgentEvent event);
}
