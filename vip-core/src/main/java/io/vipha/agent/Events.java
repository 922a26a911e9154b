package io.vipha.agent;

import io.vipha.internal.AcquireTrace;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLongArray;
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
  private static final int ACQUIRED = 0;
  private static final int RELEASED = 1;
  private static final int DRIFT_REPAIRS = 2;
  private static final int CONFLICTS = 3;
  private static final int BACKEND_ERRORS = 4;
  private static final int STALLS = 5;
  private static final int FLAP_SUSPENSIONS = 6;
  private static final int QUORUM_LOSSES = 7;
  private static final int ANNOUNCEMENTS = 8;
  private static final int MOVER_CLAIMS = 9;
  private static final int MOVER_FAILURES = 10;
  /** The counts, written on the loop only and readable from any thread without a lock. */
  private final AtomicLongArray counts = new AtomicLongArray(11);
  /** Events emitted so far (on the loop only). */
  private long emitted;
  /** How many {@link #hold()}s are open; while any is, listeners hear events at the release. */
  private int holds;
  /** Events emitted while held, to be told to the listeners in order. */
  private final ArrayDeque<AgentEvent> held = new ArrayDeque<>();

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
   * added, at once or, while {@linkplain #hold() held}, at the release. A listener that throws
   * is logged and the others still hear of {@code e}; only a {@link VirtualMachineError} (out of
   * memory, say) goes on up.
   */
  void emit(AgentEvent e) {
    emitted++;
    count(e);
    recent.addLast(e);
    while (recent.size() > RECENT_EVENTS) {
      recent.removeFirst();
    }
    if (holds > 0) {
      held.addLast(e);
    } else {
      tell(e);
    }
  }

  /**
   * Holds the listeners back until the matching {@link #release()}: a decision's work (the
   * replan, the addresses added and announced) runs first and its events reach the listeners
   * after it, in the order emitted and as emitted. Holds nest; on the loop.
   */
  void hold() {
    holds++;
  }

  /** Ends a {@link #hold()}; the last one tells the listeners what was held back. */
  void release() {
    if (--holds == 0) {
      flush();
    }
  }

  /** Tells the listeners every event held back so far, now (before a stop completes, say). */
  void flush() {
    AgentEvent e;
    while ((e = held.pollFirst()) != null) {
      tell(e);
    }
  }

  private void tell(AgentEvent e) {
    AcquireTrace.mark(AcquireTrace.EMIT);
    for (AgentListener l : listeners) {
      try {
        l.on(e);
      } catch (VirtualMachineError fatal) {
        throw fatal;
      } catch (Throwable ex) { // an AssertionError or a sneaky checked one must not end the loop
        LOG.warn("listener {} failed on {}", l, e, ex);
      }
    }
    AcquireTrace.mark(AcquireTrace.EMITTED);
    if (LOG.isDebugEnabled()) { // (three arguments: an array, even when disabled)
      LOG.debug("{}/{}: {}", groupName, nodeId, e);
    }
  }

  /** How many events were emitted so far; on the loop. */
  long emitted() {
    return emitted;
  }

  private void count(AgentEvent e) {
    if (e instanceof AgentEvent.Acquired) {
      increment(ACQUIRED);
    } else if (e instanceof AgentEvent.Released) {
      increment(RELEASED);
    } else if (e instanceof AgentEvent.DriftRepaired) {
      increment(DRIFT_REPAIRS);
    } else if (e instanceof AgentEvent.Conflict) {
      increment(CONFLICTS);
    } else if (e instanceof AgentEvent.BackendError) {
      increment(BACKEND_ERRORS);
    } else if (e instanceof AgentEvent.Stalled) {
      increment(STALLS);
    } else if (e instanceof AgentEvent.FlapSuspended) {
      increment(FLAP_SUSPENSIONS);
    } else if (e instanceof AgentEvent.QuorumLost) {
      increment(QUORUM_LOSSES);
    } else if (e instanceof AgentEvent.MoverClaimed) {
      increment(MOVER_CLAIMS);
    } else if (e instanceof AgentEvent.MoverFailed) {
      increment(MOVER_FAILURES);
    }
  }

  /** Single writer (the loop): an ordered store, no read-modify-write, no allocation. */
  private void increment(int i) {
    counts.lazySet(i, counts.get(i) + 1);
  }

  /** One announcement of one VIP went out. */
  void announced() {
    increment(ANNOUNCEMENTS);
  }

  /** The counts so far; safe from any thread. */
  AgentCounters counters() {
    return new AgentCounters(counts.get(ACQUIRED), counts.get(RELEASED),
        counts.get(DRIFT_REPAIRS), counts.get(CONFLICTS), counts.get(BACKEND_ERRORS),
        counts.get(STALLS), counts.get(FLAP_SUSPENSIONS), counts.get(QUORUM_LOSSES),
        counts.get(ANNOUNCEMENTS), counts.get(MOVER_CLAIMS), counts.get(MOVER_FAILURES));
  }

  /** A copy of the recent events, oldest first. */
  List<AgentEvent> recent() {
    return new ArrayList<>(recent);
  }
}
