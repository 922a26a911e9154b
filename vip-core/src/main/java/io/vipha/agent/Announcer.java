package io.vipha.agent;

import io.vipha.VirtualIp;
import io.vipha.agent.VipAgent.Phase;
import io.vipha.plan.Liveness;
import io.vipha.spi.BackendException;
import io.vipha.spi.Cancellable;
import io.vipha.spi.Scheduler.Timer;
import io.vipha.spi.Coordinator.PeerState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Announcements (gratuitous ARP, unsolicited neighbour advertisements) of the VIPs this node
 * holds and owns: the burst after taking one, the periodic refresh, and the re-announcements a
 * peer's news calls for (a conflict, a peer letting go, a peer back from being apart).
 */
final class Announcer {
  private final VipAgent a;
  private final Map<VirtualIp, Long> lastConflictAnnounce = new HashMap<>();
  private final Timer refreshTimer;

  Announcer(VipAgent agent) {
    this.a = agent;
    this.refreshTimer = agent.loop.timer(this::refresh);
  }

  /** Starts the periodic refresh, when the policy asks for one. */
  void start() {
    Duration refresh = a.policy.announce().refresh();
    if (refresh != null) {
      refreshTimer.arm(refresh.toNanos());
    }
  }

  Cancellable timer() {
    return refreshTimer;
  }

  /**
   * The group changed: conflicts of VIPs no longer in it are forgotten, and on a {@code started}
   * agent the periodic refresh follows a changed period ({@code before} the old one) from now.
   */
  void regroup(@Nullable Duration before, boolean started) {
    lastConflictAnnounce.keySet().retainAll(a.group.vips());
    if (!started || Objects.equals(before, a.policy.announce().refresh())) {
      return;
    }
    refreshTimer.cancel();
    start();
  }

  private void refresh() {
    if (a.phase() == Phase.STOPPED) {
      return;
    }
    for (VirtualIp v : a.holdings.held()) {
      if (a.owns(v)) {
        announce(v);
      }
    }
    Duration every = Objects.requireNonNull(a.policy.announce().refresh());
    refreshTimer.arm(every.toNanos());
  }

  /**
   * An operator asked to announce again: a burst for every VIP this node holds and owns, unless
   * it is joining or caught in a stall (then nothing goes out). The VIPs announced.
   */
  List<VirtualIp> announceAll() {
    List<VirtualIp> out = new ArrayList<>();
    if (a.phase() == Phase.JOINING || a.phase() == Phase.STOPPED
        || a.stall.caughtStalled(a.loop.nanoTime())) {
      return out;
    }
    for (VirtualIp v : a.holdings.held()) {
      if (a.owns(v)) {
        announceBurst(v);
        out.add(v);
      }
    }
    return out;
  }

  /** Announces {@code v} now and as often as the policy says, while this node holds and owns it. */
  void announceBurst(VirtualIp v) {
    announce(v);
    repeat(v);
  }

  /**
   * The burst of {@code v} whose first announcement the backend sent with the add ({@link
   * io.vipha.spi.AddressBackend#assignAndAnnounce}), {@code failed} why it did not go out (null:
   * it did): counts it as {@link #announceBurst} would, then repeats as the policy says.
   */
  void burstAfterFirst(VirtualIp v, @Nullable BackendException failed) {
    sent(v, failed);
    repeat(v);
  }

  private void repeat(VirtualIp v) {
    int count = a.policy.announce().count();
    long interval = a.policy.announce().interval().toNanos();
    for (int i = 1; i < count; i++) {
      a.loop.schedule(interval * i, new Repeat(v));
    }
  }

  /**
   * One later announcement of a burst, while this node still holds and owns its VIP. A class
   * rather than a lambda: a take-over, often a process's first, then links no call site.
   */
  private final class Repeat implements Runnable {
    private final VirtualIp v;

    Repeat(VirtualIp v) {
      this.v = v;
    }

    @Override
    public void run() {
      if (a.holdings.holds(v) && a.owns(v)) {
        announce(v);
      }
    }
  }

  private void announce(VirtualIp v) {
    if (a.stall.caughtStalled(a.loop.nanoTime()) || a.phase() == Phase.JOINING) {
      return;
    }
    BackendException failed = null;
    try {
      a.backend.announce(v);
    } catch (BackendException e) {
      failed = e;
    }
    sent(v, failed);
  }

  /** Counts an announcement of {@code v} that went out, or reports why it did not. */
  private void sent(VirtualIp v, @Nullable BackendException failed) {
    if (failed == null) {
      a.events.announced();
    } else {
      a.events.emit(new AgentEvent.BackendError(a.loop.nanoTime(), "announce", v, failed));
    }
  }

  /** After a peer's news ({@code old} the news before it) has been planned in. */
  void onPeerNews(@Nullable PeerState old, PeerState s, long now) {
    long interval = a.policy.heartbeatInterval().toNanos();
    // A peer that holds a VIP this node still owns once the peer's news is planned in:
    // re-announce so clients follow the owner, after a quarter interval and only if it still
    // holds. (A successor that took the VIP a moment before this node's own timer moves it there
    // is not a conflict: re-announcing would pull clients back just before this node lets go.)
    for (VirtualIp v : a.group.vips()) { // (group order: the same run gives the same timers)
      if (s.held().contains(v) && a.holdings.holds(v) && a.owns(v)
          && s.liveness() != Liveness.DEAD) {
        Long last = lastConflictAnnounce.get(v);
        if (last == null || now - last >= interval) {
          lastConflictAnnounce.put(v, now);
          String peer = s.nodeId();
          // A peer that took the VIP after this node did (apart from it, in a partition) may
          // have pointed the provider at itself: ask the provider again under this node's
          // epoch, even when the peer lets go meanwhile; the epoch decides.
          boolean reassert = a.movers.has(v)
              && a.peers.peerHeldSince(peer, v) > a.holdings.acquiredAt(v);
          a.loop.schedule(interval / 4, () -> {
            PeerState p = a.peers.get(peer);
            if (a.phase() == Phase.RUNNING && a.holdings.holds(v) && a.owns(v) && p != null
                && p.held().contains(v) && p.liveness() != Liveness.DEAD) {
              a.events.emit(new AgentEvent.Conflict(a.loop.nanoTime(), v, peer));
              announce(v);
            }
            if (reassert && a.phase() == Phase.RUNNING && a.holdings.holds(v) && a.owns(v)) {
              a.movers.reassert(v, a.coordinator.fence(v).epoch());
            }
          });
        }
      }
    }
    // A peer let go of a VIP this node holds and owns: clients may still send to the peer (it
    // announced last, or took it for a moment). Announce, so they come here. The same when a
    // peer comes back after being apart: while apart it may have announced anything.
    boolean back = old != null && old.liveness() == Liveness.DEAD
        && s.liveness() != Liveness.DEAD
        && now - old.since() >= interval; // (not a start handshake)
    if (old != null) {
      for (VirtualIp v : a.holdings.held()) {
        if ((back || (old.held().contains(v) && !s.held().contains(v))) && a.owns(v)) {
          announce(v);
        }
      }
    }
  }
}
