package io.vipha.agent;

/**
 * Receives an agent's events, on the agent's event loop. Return quickly; a listener that throws
 * is logged and ignored.
 */
@FunctionalInterface
public interface AgentListener {
  /** One event. */
  void on(AgentEvent event);
}
