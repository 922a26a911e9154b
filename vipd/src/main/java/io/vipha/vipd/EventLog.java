package io.vipha.vipd;

import io.vipha.VirtualIp;
import io.vipha.agent.AgentEvent;
import io.vipha.agent.AgentListener;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * Logs every agent event as one readable line. A late heartbeat (peer suspect) and the peer's
 * recovery from it are DEBUG: at a 10 ms heartbeat on a busy host they come by the hundred.
 */
final class EventLog implements AgentListener {
  private final Logger log;
  /** Peers last reported suspect (events arrive on the agent's loop only). */
  private final Set<String> suspects = new HashSet<>();

  /**
   * Also formats (without logging) one event of each kind a failover logs, so that a failover's
   * first lines run code that has run.
   */
  EventLog(Logger log) {
    this.log = log;
    VirtualIp v = VirtualIp.builder().address("192.0.2.1/24").interfaceName("lo").build();
    for (AgentEvent e : List.of(new AgentEvent.PeerDown(0, "n", false),
        new AgentEvent.PeerDown(0, "n", true), new AgentEvent.Acquired(0, v, "OWNER_DEAD", 0),
        new AgentEvent.Released(0, v, "NOT_OWNER"), new AgentEvent.PeerUp(0, "n", 1))) {
      level(e);
      format(e);
    }
  }

  @Override
  public void on(AgentEvent event) {
    log.atLevel(levelAfter(event)).log(format(event));
  }

  /** {@link #level}, except that a peer heard again after it was only suspect is DEBUG. */
  Level levelAfter(AgentEvent event) {
    if (event instanceof AgentEvent.PeerSuspect e) {
      suspects.add(e.nodeId());
    } else if (event instanceof AgentEvent.PeerUp e) {
      if (suspects.remove(e.nodeId())) {
        return Level.DEBUG;
      }
    } else if (event instanceof AgentEvent.PeerDown e) {
      suspects.remove(e.nodeId());
    }
    return level(event);
  }

  /** How much an operator should care about {@code event}. */
  static Level level(AgentEvent event) {
    if (event instanceof AgentEvent.BackendError) {
      return Level.ERROR;
    }
    if (event instanceof AgentEvent.MoverFailed) {
      return Level.WARN;
    }
    if (event instanceof AgentEvent.PeerDown down) {
      return down.left() ? Level.INFO : Level.WARN;
    }
    if (event instanceof AgentEvent.PeerSuspect) {
      return Level.DEBUG;
    }
    if (event instanceof AgentEvent.HealthChanged health) {
      return health.healthy() ? Level.INFO : Level.WARN;
    }
    if (event instanceof AgentEvent.QuorumLost || event instanceof AgentEvent.Conflict
        || event instanceof AgentEvent.Stalled || event instanceof AgentEvent.FlapSuspended
        || event instanceof AgentEvent.DriftRepaired) {
      return Level.WARN;
    }
    return Level.INFO;
  }

  /** One line saying what happened, without the time (the log adds it). */
  static String format(AgentEvent event) {
    if (event instanceof AgentEvent.Acquired e) {
      return "acquired " + vip(e.vip()) + " (" + e.reason() + ")";
    } else if (event instanceof AgentEvent.Released e) {
      return "released " + vip(e.vip()) + " (" + e.reason() + ")";
    } else if (event instanceof AgentEvent.PeerUp e) {
      return "peer " + e.nodeId() + " up (incarnation " + e.incarnation() + ")";
    } else if (event instanceof AgentEvent.PeerSuspect e) {
      return "peer " + e.nodeId() + " suspect: a heartbeat is late";
    } else if (event instanceof AgentEvent.PeerDown e) {
      return e.left() ? "peer " + e.nodeId() + " left (graceful stop)"
          : "peer " + e.nodeId() + " down: no heartbeat for the dead-after time";
    } else if (event instanceof AgentEvent.QuorumLost e) {
      return "quorum lost: " + e.reachable() + " node(s) reachable, " + e.required()
          + " required";
    } else if (event instanceof AgentEvent.QuorumRegained e) {
      return "quorum regained: " + e.reachable() + " node(s) reachable, " + e.required()
          + " required";
    } else if (event instanceof AgentEvent.HealthChanged e) {
      return "health check " + e.check() + " " + (e.healthy() ? "healthy" : "unhealthy")
          + ": effective priority " + e.effectivePriority()
          + (e.disqualified() ? ", disqualified" : ", eligible")
          + (e.detail().isEmpty() ? "" : " (" + e.detail() + ")");
    } else if (event instanceof AgentEvent.FlapSuspended e) {
      return "node " + e.nodeId() + " suspended for flapping";
    } else if (event instanceof AgentEvent.BackendError e) {
      VirtualIp v = e.vip();
      return "backend error: " + e.operation() + (v == null ? "" : " " + vip(v)) + " failed ("
          + e.error().kind() + "): " + e.error().getMessage();
    } else if (event instanceof AgentEvent.DriftRepaired e) {
      return "repaired drift on " + vip(e.vip()) + ": " + e.what();
    } else if (event instanceof AgentEvent.Conflict e) {
      return "conflict: peer " + e.peer() + " also holds " + vip(e.vip()) + "; re-announced it";
    } else if (event instanceof AgentEvent.Stalled e) {
      return "event loop stalled for " + TimeUnit.NANOSECONDS.toMillis(e.nanos())
          + " ms; peers may have declared this node dead";
    } else if (event instanceof AgentEvent.Reconfigured e) {
      return "configuration applied: " + e.nodes() + " node(s), " + e.vips() + " VIP(s), "
          + e.checks() + " health check(s)";
    } else if (event instanceof AgentEvent.MoverClaimed e) {
      return "mover pointed " + vip(e.vip()) + " here (" + e.outcome() + ", epoch " + e.epoch()
          + ", attempt " + e.attempts() + ", " + TimeUnit.NANOSECONDS.toMillis(e.tookNanos())
          + " ms)";
    } else if (event instanceof AgentEvent.MoverFailed e) {
      return "mover " + e.operation() + " of " + vip(e.vip()) + " failed (" + e.outcome()
          + ", attempt " + e.attempt() + "): " + e.detail();
    }
    return event.toString();
  }

  private static String vip(VirtualIp v) {
    return v.cidr() + " on " + v.interfaceName();
  }
}
