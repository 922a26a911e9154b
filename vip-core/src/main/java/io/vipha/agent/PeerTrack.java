package io.vipha.agent;

import io.vipha.VirtualIp;
import io.vipha.plan.Eligibility;
import io.vipha.plan.Liveness;
import io.vipha.spi.Coordinator.Pin;
import io.vipha.spi.Scheduler;
import io.vipha.spi.Scheduler.Timer;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One peer as the {@link HeartbeatCoordinator} tracks it: liveness and its timers' state, what
 * its newest heartbeat said, and the suspension it last advertised of itself. Plain data, owned
 * by the coordinator's event loop.
 */
final class PeerTrack {
  final String id;
  /** Its position in id order; changes when the group does. */
  int index;
  Liveness liveness = Liveness.DEAD;
  long since;
  long lastHeard = Long.MIN_VALUE;
  /** Sequence of the newest heartbeat applied in the current incarnation. */
  long sequence;
  /** Whether the peer's newest heartbeat says it hears this node. */
  boolean hearsUs = true;
  long mutualSince;
  boolean heard;
  int priority;
  Eligibility eligibility = Eligibility.ELIGIBLE;
  long eligibilitySince;
  byte[] bitmap = new byte[0];
  Set<VirtualIp> held = Set.of();
  List<Pin> pins = List.of();
  /** The pins as last received, three longs each (VIP index, target index, epoch). */
  long[] pinFields = new long[0];
  long incarnation;
  /** Runs the next liveness step, due at {@link #deathDue}. */
  final Timer deathTimer;
  boolean deathArmed;
  /** When the peer's next step of silence falls due, as the liveness timer was armed for. */
  long deathDue;
  /** Silent for the lapse time: no longer vouches for this node's quorum lease. */
  boolean lapsed;
  /** Whether a late liveness timer already gave the receiver a moment to catch up. */
  boolean graced;
  boolean digestWarned;
  /** Whether its newest heartbeat carried this node's configuration digest. */
  boolean sameConfig = true;
  /** No longer in the group: its pending timers do nothing. */
  boolean removed;
  boolean left;
  /**
   * When the suspension this peer last advertised of itself ends (this node's clock), echoed
   * back while it lasts: {@link Long#MIN_VALUE} for none.
   */
  long suspendedUntil = Long.MIN_VALUE;
  /** The incarnation that advertised {@link #suspendedUntil}. */
  long suspensionIncarnation;

  /** A track whose liveness timer on {@code loop} calls {@code deathCheck} with it. */
  PeerTrack(String id, int index, Scheduler loop, Consumer<PeerTrack> deathCheck) {
    this.id = id;
    this.index = index;
    this.deathTimer = loop.timer(() -> deathCheck.accept(this));
  }
}
