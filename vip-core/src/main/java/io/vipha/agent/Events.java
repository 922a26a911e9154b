package io.vipha.agent;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's event emitter: its listeners and the recent events its snapshot shows. Listeners
 * may be added from any thread; events are emitted on the event loop.
 */
final class Events {
  private static final Logger LOG = LoggerFactory.getLogger(VipAgent.class);
  private static final int RECENT_EVENTS = 64;

  private final String groupName;
  private final String nodeId;
  private final List<AgentListener> listeners = new CopyOnWriteArrayList<>();
  private final ArrayDeque<AgentEvent> recent = new ArrayDeque<>();

  Events(String groupName, String nodeId) {
    this.groupName = groupName;
    this.nodeId = nodeId;
  }

  void add(AgentListener listener) {
    listeners.add(listener);
  }

  void remove(AgentListener listener) {
    listeners.remove(listener);
  }

  /** Keeps {@code e} among the recent events and tells every listener; one failing is logged. */
  void emit(AgentEvent e) {
    recent.addLast(e);
    while (recent.size() > RECENT_EVENTS) {
      recent.removeFirst();
    }
    for (AgentListener l : listeners) {
      try {
        l.on(e);
      } catch (RuntimeException ex) {
        LOG.warn("listener {} failed on {}", l, e, ex);
      }
    }
    LOG.debug("{}/{}: {}", groupName, nodeId, e);
  }

  /** A copy of the recent events, oldest first. */
  List<AgentEvent> recent() {
    return new ArrayList<>(recent);
  }
}
