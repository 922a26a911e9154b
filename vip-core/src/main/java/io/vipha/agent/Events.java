package io.vipha.agent;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's event emitter: its listeners, the recent events and the counters its snapshot
 * shows. Listeners may be added from any thread; events are emitted on the event loop.
 */
final class Events {
  private static final Logger LOG = LoggerFactory.getLogger(VipAgent.class);
  private static final int RECENT_EVENTS = 64;

  private final String groupName;
  private final String nodeId;
  private final List<AgentListener> listeners = new CopyOnWriteArrayList<>();
  private final ArrayDeque<AgentEvent> recent = new ArrayDeque<>();
  private long acquired;
  private long released;
  private long driftRepairs;
  private long conflicts;
  private long backendErrors;
  private long stalls;
  private long flapSuspensions;
  private long quorumLosses;
  private long announcements;

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

  /**
   * Keeps {@code e} among the recent events and tells every listener in the order they were
   * added. A listener that throws is logged and the others still hear of {@code e}; only a
   * {@link VirtualMachineError} (out of memory, say) goes on up.
   */
  void emit(AgentEvent e) {
    count(e);
    recent.addLast(e);
    while (recent.size() > RECENT_EVENTS) {
      recent.removeFirst();
    }
    for (AgentListener l : listeners) {
      try {
        l.on(e);
      } catch (VirtualMachineError fatal) {
        throw fatal;
      } catch (Throwable ex) { // an AssertionError or a sneaky checked one must not end the loop
        LOG.warn("listener {} failed on {}", l, e, ex);
      }
    }
    LOG.debug("{}/{}: {}", groupName, nodeId, e);
  }

  private void count(AgentEvent e) {
    if (e instanceof AgentEvent.Acquired) {
      acquired++;
    } else if (e instanceof AgentEvent.Released) {
      released++;
    } else if (e instanceof AgentEvent.DriftRepaired) {
      driftRepairs++;
    } else if (e instanceof AgentEvent.Conflict) {
      conflicts++;
    } else if (e instanceof AgentEvent.BackendError) {
      backendErrors++;
    } else if (e instanceof AgentEvent.Stalled) {
      stalls++;
    } else if (e instanceof AgentEvent.FlapSuspended) {
      flapSuspensions++;
    } else if (e instanceof AgentEvent.QuorumLost) {
      quorumLosses++;
    }
  }

  /** One announcement of one VIP went out. */
  void announced() {
    announcements++;
  }

  /** The counts so far. */
  AgentCounters counters() {
    return new AgentCounters(acquired, released, driftRepairs, conflicts, backendErrors, stalls,
        flapSuspensions, quorumLosses, announcements);
  }

  /** A copy of the recent events, oldest first. */
  List<AgentEvent> recent() {
    return new ArrayList<>(recent);
  }
}
