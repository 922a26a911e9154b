package io.vipha.agent;

import io.vipha.Node;
import io.vipha.ValidationException;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.internal.AcquireTrace;
import io.vipha.internal.Addresses;
import io.vipha.internal.Hashing;
import io.vipha.internal.Problems;
import io.vipha.internal.VipOrder;
import io.vipha.internal.heartbeat.DecodeResult;
import io.vipha.internal.heartbeat.HeartbeatCodec;
import io.vipha.internal.heartbeat.HeartbeatDecoder;
import io.vipha.internal.heartbeat.HeartbeatEncoder;
import io.vipha.internal.heartbeat.HeartbeatKeys;
import io.vipha.internal.heartbeat.HeartbeatView;
import io.vipha.internal.heartbeat.MessageType;
import io.vipha.internal.heartbeat.Rejection;
import io.vipha.internal.heartbeat.ReplayGuard;
import io.vipha.plan.Eligibility;
import io.vipha.plan.Liveness;
import io.vipha.spi.Coordinator;
import io.vipha.spi.DatagramTransport;
import io.vipha.spi.Scheduler;
import io.vipha.spi.Scheduler.Timer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default coordinator: every node sends an authenticated heartbeat to every peer each
 * heartbeat interval (and at once when its state changes), and tracks its peers from theirs.
 *
 * <p>A peer is <em>suspect</em> after one missed interval (silent for 1.5 intervals) and
 * <em>dead</em> once silent for the policy's {@code deadAfter} intervals, timed to the
 * nanosecond of its last heartbeat. A node whose own heartbeat timer fires late by more than the
 * detection time minus one interval (a long GC pause, say) reports a stall to the agent, which
 * checks whether its peers acted on its silence before acting on a view that is out of date.
 *
 * <p>Packets are signed with HMAC-SHA256 under a shared key of at least 32 bytes; a previous key
 * may be accepted during rotation, which a running coordinator takes with {@link #rekey}.
 * Forged, malformed and replayed packets are dropped and counted ({@link #rejected()}), never
 * acted on. A changed group ({@link #reconfigure}) keeps what is known of the peers that stay.
 *
 * <p>Heartbeats go by unicast to every address each peer lists. With {@link
 * Builder#multicast(InetSocketAddress, String)} they also go to a multicast group, and the default
 * transport receives both on the group's port (see {@link UdpTransport#multicast}); every node's
 * heartbeat addresses must then use that port.
 *
 * <p>Its parts: {@link PeerTrack} holds what is known of each peer, the codec of {@code
 * io.vipha.internal.heartbeat} reads and writes packets, and this class runs the protocol on
 * one event loop: the send tick, a peer's heartbeat applied to its track, the liveness timers,
 * the suspension echo, and the builder. It stays one class (over 400 lines) because these steps
 * share the per-node tables and scratch buffers that keep a heartbeat allocation-free; split,
 * each part would reach into the others' arrays.
 */
public final class HeartbeatCoordinator implements Coordinator {
  private static final Logger LOG = LoggerFactory.getLogger(HeartbeatCoordinator.class);
  private static final List<String> REJECTION_REASONS =
      Arrays.stream(Rejection.values()).map(Rejection::name).toList();

  /** The keys in use; replaced whole by {@link #rekey} from any thread. */
  private volatile HeartbeatKeys keys;
  private final @Nullable Function<InetSocketAddress, DatagramTransport> transportFactory;
  private final @Nullable InetSocketAddress multicast;
  private final @Nullable String multicastInterface;
  private final ThreadFactory receiverThreads;
  /** Whether the replay guard judges packets (off only in the checker's self-test). */
  private final boolean replayGuard;

  private @Nullable Context ctx;
  private @Nullable Scheduler loop;
  private @Nullable DatagramTransport transport;
  private @Nullable HeartbeatEncoder encoder;
  private @Nullable HeartbeatDecoder decoder;
  private @Nullable Timer tickTimer;
  private String group = "";
  private String selfId = "";
  private int selfIndex;
  private String[] ids = new String[0];
  private VirtualIp[] vips = new VirtualIp[0];
  private final Map<InetAddress, Integer> vipIndex = new HashMap<>();
  private InetSocketAddress[] destinations = new InetSocketAddress[0];
  /**
   * The local state the owned bitmap and pins were last encoded from: the agent returns the same
   * object until its state changes, so they are encoded again only then (and after a regroup).
   */
  private @Nullable LocalState encoded;
  private int encodedPins;
  private PeerTrack[] tracks = new PeerTrack[0];
  private long interval;
  private long deadAfter;
  /**
   * Until every peer runs this configuration (after {@link #reconfigure}): the longest interval
   * and detection time of the configurations since, by which a peer still on another one is
   * judged, and the shortest interval, at which heartbeats go out. The configuration's own
   * values otherwise. A peer no longer vouches for this node's quorum one interval before its
   * detection time; one on another configuration, by the last configuration's timers, by which
   * it judges this node.
   */
  private long looseInterval;
  private long looseDeadAfter;
  private long looseLapse;
  private long sendInterval;
  private long stallThreshold;
  private @Nullable HeartbeatKeys appliedKeys;
  private long configDigest;
  private long incarnation;
  private long sequence;
  private long expectedTick;
  private byte[] bitmap = new byte[0];
  /** Whom this node hears, as sent: bit i for node index i in id order. */
  private byte[] heardBits = new byte[0];
  private byte[] pinBytes = new byte[0];
  private byte[] suspensionBytes = new byte[0];
  private final byte[] out = new byte[HeartbeatCodec.MAX_LENGTH];
  private boolean closed;
  /** Datagrams sent: written on the loop only, published through {@link #sentPublished}. */
  private long sentCount;
  private volatile long sentPublished;

  private HeartbeatCoordinator(Builder b) {
    byte[] key = Objects.requireNonNull(b.key, "a heartbeat key is required");
    byte[] prev = b.previousKey;
    this.keys = prev == null ? HeartbeatKeys.of(b.keyId, key)
        : HeartbeatKeys.of(b.keyId, key, b.previousKeyId, prev);
    this.transportFactory = b.transportFactory;
    this.multicast = b.multicast;
    this.multicastInterface = b.multicastInterface;
    this.receiverThreads = b.receiverThreads;
    this.replayGuard = !b.broken.contains(Breakage.REPLAY_GUARD);
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Opens the transport and starts sending heartbeats.
   *
   * @throws IOException when the transport cannot be opened: the heartbeat address is not local
   *     or its port is in use, or (with multicast) the interface does not exist or cannot join
   * @throws IllegalArgumentException when multicast is set with the default transport and a
   *     node's heartbeat port is not the group's port
   */
  @Override
  public void start(Context context) throws IOException {
    VipGroup g = context.group();
    this.ctx = context;
    Scheduler l = context.loop();
    this.loop = l;
    this.group = g.name();
    this.selfId = context.nodeId();
    this.incarnation = context.incarnation();
    HeartbeatKeys k = keys;
    this.appliedKeys = k;
    this.encoder = new HeartbeatEncoder(k, group, selfId).incarnation(incarnation);
    this.decoder = new HeartbeatDecoder(k, ReplayGuard.forNodes(List.of()));
    applyGroup(g, l.nanoTime());
    this.looseInterval = interval;
    this.looseDeadAfter = deadAfter;
    this.looseLapse = deadAfter - interval;
    this.sendInterval = interval;
    InetSocketAddress m = multicast;
    Node self = g.node(selfId).orElseThrow();
    InetSocketAddress bind = self.heartbeat().get(0);
    Function<InetSocketAddress, DatagramTransport> f = transportFactory;
    DatagramTransport tr;
    if (f != null) {
      tr = f.apply(bind);
    } else if (m != null) {
      requireGroupPort(g, m);
      tr = UdpTransport.multicast(m, Objects.requireNonNull(multicastInterface),
          receiverThreads);
    } else {
      tr = new UdpTransport(bind, receiverThreads);
    }
    tr.open(l, this::onDatagram);
    this.transport = tr;
    tickTimer = l.timer(this::tick);
    expectedTick = l.nanoTime();
    tick();
  }

  /**
   * Takes the group's members, VIPs, timers, digest and destinations, keeping the track and
   * replay state of every peer that stays; a peer no longer in the group is dropped and its
   * pending timers do nothing.
   */
  private void applyGroup(VipGroup g, long now) {
    String[] newIds = g.nodes().stream().map(Node::id).sorted().toArray(String[]::new);
    Map<String, PeerTrack> old = new HashMap<>();
    for (PeerTrack t : tracks) {
      old.put(t.id, t);
    }
    PeerTrack[] next = new PeerTrack[newIds.length];
    for (int i = 0; i < newIds.length; i++) {
      PeerTrack t = old.remove(newIds[i]);
      if (t == null) {
        t = new PeerTrack(newIds[i], i, Objects.requireNonNull(loop), this::deathCheck);
        t.since = now;
      }
      t.index = i;
      next[i] = t;
    }
    for (PeerTrack gone : old.values()) {
      gone.removed = true;
      gone.deathTimer.cancel();
    }
    this.ids = newIds;
    this.tracks = next;
    this.selfIndex = Arrays.binarySearch(ids, selfId);
    this.vips = VipOrder.of(g);
    vipIndex.clear();
    for (int i = 0; i < vips.length; i++) {
      vipIndex.put(vips[i].address(), i);
    }
    Set<VirtualIp> kept = Set.of(vips);
    for (PeerTrack t : tracks) {
      // Indexes in a peer's bitmap and pins mean other VIPs now: read its next heartbeat afresh,
      // and meanwhile keep what it held of the VIPs that stay.
      t.bitmap = new byte[0];
      t.pinFields = new long[0];
      t.pins = List.of();
      if (!kept.containsAll(t.held)) {
        Set<VirtualIp> held = new HashSet<>(t.held);
        held.retainAll(kept);
        t.held = Set.copyOf(held);
      }
    }
    this.bitmap = new byte[HeartbeatCodec.bitmapLength(vips.length)];
    this.heardBits = new byte[(ids.length + 7) / 8];
    this.pinBytes = new byte[HeartbeatCodec.MAX_PINS * HeartbeatCodec.PIN_LENGTH];
    this.suspensionBytes = new byte[ids.length * HeartbeatCodec.SUSPENSION_LENGTH];
    this.interval = g.policy().heartbeatInterval().toNanos();
    this.deadAfter = g.policy().detectionTime().toNanos();
    this.stallThreshold = deadAfter - interval;
    this.configDigest = digest(g);
    Objects.requireNonNull(encoder).configDigest(configDigest);
    HeartbeatDecoder d = Objects.requireNonNull(decoder);
    d.guard(d.guard().regrouped(Arrays.asList(ids)));
    List<InetSocketAddress> to = new ArrayList<>();
    for (int i = 0; i < ids.length; i++) {
      if (i != selfIndex) {
        to.addAll(g.node(ids[i]).orElseThrow().heartbeat());
      }
    }
    InetSocketAddress m = multicast;
    if (m != null) {
      to.add(m);
    }
    this.destinations = to.toArray(new InetSocketAddress[0]);
    this.encoded = null; // VIP and node indexes changed
  }

  /**
   * This node's first heartbeat address, to which the transport is bound, cannot change while it
   * runs (unless the default transport listens on the multicast group's port instead); with
   * multicast every heartbeat address must stay on the group's port.
   */
  @Override
  public List<ValidationException.Problem> reconfigureProblems(VipGroup g) {
    InetSocketAddress m = multicast;
    return reconfigureProblems(Objects.requireNonNull(ctx).group(), g, selfId,
        transportFactory != null || m == null, transportFactory == null ? m : null);
  }

  /**
   * The problems of changing {@code running} to {@code g} on node {@code selfId}: its first
   * heartbeat address, when the transport is {@code bound} to it; every heartbeat address off
   * the port of {@code multicast}, the group the default transport listens on (null: none).
   */
  static List<ValidationException.Problem> reconfigureProblems(VipGroup running, VipGroup g,
      String selfId, boolean bound, @Nullable InetSocketAddress multicast) {
    Problems p = new Problems();
    InetSocketAddress before = running.node(selfId).orElseThrow().heartbeat().get(0);
    Optional<Node> after = g.node(selfId);
    if (bound && after.isPresent() && !after.get().heartbeat().get(0).equals(before)) {
      p.add("nodes[" + g.nodes().indexOf(after.get()) + "].heartbeat[0]",
          Addresses.text(after.get().heartbeat().get(0)), "is this node's heartbeat address,"
          + " to which its transport is bound (now " + Addresses.text(before)
          + "); changing it needs a restart of the agent");
    }
    if (multicast != null) {
      p.list().addAll(groupPortProblems(g, multicast).list());
    }
    return p.list();
  }

  /**
   * Takes the changed group at once: peers added (unheard, as at start) and removed, their
   * addresses, the VIPs, the digest and the timers. Until every peer heard runs the same
   * configuration, heartbeats go out at the shorter of the old and new intervals and peers that
   * still run another configuration are judged by the longer of the old and new timers, so that
   * a rolling change of the timers declares no node dead, whichever node changes first.
   */
  @Override
  public void reconfigure(VipGroup g) {
    Scheduler l = Objects.requireNonNull(loop);
    long oldInterval = interval;
    long oldDeadAfter = deadAfter;
    long oldDigest = configDigest;
    applyGroup(g, l.nanoTime());
    if (configDigest != oldDigest) {
      for (PeerTrack t : tracks) {
        t.sameConfig = false; // until its next heartbeat says otherwise
      }
      looseLapse = oldDeadAfter - oldInterval;
    }
    looseInterval = Math.max(looseInterval, Math.max(oldInterval, interval));
    looseDeadAfter = Math.max(looseDeadAfter, Math.max(oldDeadAfter, deadAfter));
    long send = Math.min(sendInterval, Math.min(oldInterval, interval));
    if (send != sendInterval && !closed) {
      sendInterval = send;
      Objects.requireNonNull(tickTimer).cancel();
      expectedTick = l.nanoTime();
      tick();
    }
  }

  /**
   * Once every peer heard alive runs this node's configuration, the old timers are forgotten:
   * heartbeats go out every interval and every peer is judged by this configuration's timers.
   */
  private void settleTimers() {
    if (sendInterval == interval && looseInterval == interval && looseDeadAfter == deadAfter
        && looseLapse == deadAfter - interval) {
      return;
    }
    for (PeerTrack t : tracks) {
      if (t.index != selfIndex && t.heard && t.liveness != Liveness.DEAD && !t.sameConfig) {
        return;
      }
    }
    sendInterval = interval;
    looseInterval = interval;
    looseDeadAfter = deadAfter;
    looseLapse = deadAfter - interval;
  }

  /** The interval by which {@code t}'s silence is judged. */
  private long intervalOf(PeerTrack t) {
    return t.sameConfig ? interval : looseInterval;
  }

  /** The silence after which {@code t} is dead. */
  private long deadAfterOf(PeerTrack t) {
    return t.sameConfig ? deadAfter : looseDeadAfter;
  }

  /** The silence after which {@code t} no longer vouches for this node's quorum lease. */
  private long lapseAfterOf(PeerTrack t) {
    return t.sameConfig ? deadAfter - interval : looseLapse;
  }

  /**
   * Signs and accepts with the keys {@link #rekey} set last, from this packet on. Called on the
   * loop before every packet sent or read; a volatile read when nothing changed.
   */
  private void applyKeys() {
    HeartbeatKeys k = keys;
    if (k != appliedKeys) {
      appliedKeys = k;
      Objects.requireNonNull(encoder).keys(k);
      Objects.requireNonNull(decoder).keys(k);
    }
  }

  /**
   * With multicast, the default transport listens on the group's port only, so unicast must reach
   * that port too: every heartbeat address of every node must use it.
   */
  private static void requireGroupPort(VipGroup g, InetSocketAddress m) {
    Problems p = groupPortProblems(g, m);
    if (!p.isEmpty()) {
      throw new IllegalArgumentException(p.list().get(0).message());
    }
  }

  private static Problems groupPortProblems(VipGroup g, InetSocketAddress m) {
    Problems p = new Problems();
    for (int i = 0; i < g.nodes().size(); i++) {
      Node n = g.nodes().get(i);
      for (int j = 0; j < n.heartbeat().size(); j++) {
        InetSocketAddress a = n.heartbeat().get(j);
        if (a.getPort() != m.getPort()) {
          p.add("nodes[" + i + "].heartbeat[" + j + "]", null, "node " + n.id()
              + " has heartbeat address " + Addresses.text(a) + " but the multicast group"
              + " is on port " + m.getPort() + ": with multicast each node receives multicast and"
              + " unicast heartbeats on the group's port, so every node's heartbeat addresses must"
              + " use port " + m.getPort());
        }
      }
    }
    return p;
  }

  private void tick() {
    Scheduler l = Objects.requireNonNull(loop);
    if (closed) {
      return;
    }
    long now = l.nanoTime();
    long late = now - expectedTick;
    if (late > stallThreshold) {
      // This node was stalled: its peers' silence is its own. Give them a fresh detection time.
      for (PeerTrack t : tracks) {
        if (t.liveness != Liveness.DEAD) {
          t.lastHeard = now;
        }
      }
      Objects.requireNonNull(ctx).stalled(late);
    }
    settleTimers();
    send(MessageType.HEARTBEAT);
    if (late <= sendInterval / 4) {
      // (A late tick means this node was paused; its peers' heartbeats may still wait in the
      // socket. The death timers judge silence then, after letting the receiver catch up.)
      for (PeerTrack t : tracks) {
        if (t.index != selfIndex) {
          checkLiveness(t, now);
        }
      }
    }
    expectedTick = now + sendInterval;
    Objects.requireNonNull(tickTimer).arm(sendInterval);
  }

  @Override
  public void publishNow() {
    if (!closed && transport != null) {
      send(MessageType.HEARTBEAT);
    }
  }

  @Override
  public void leave() {
    if (!closed && transport != null) {
      send(MessageType.LEAVING);
    }
  }

  @Override
  public void close() {
    closed = true;
    Timer t = tickTimer;
    if (t != null) {
      t.cancel();
    }
    DatagramTransport tr = transport;
    if (tr != null) {
      tr.close();
    }
  }

  private void send(MessageType type) {
    applyKeys();
    Context c = Objects.requireNonNull(ctx);
    HeartbeatEncoder enc = Objects.requireNonNull(encoder);
    DatagramTransport tr = Objects.requireNonNull(transport);
    LocalState local = c.local();
    if (local != encoded) {
      encode(local);
    }
    int flags = local.quorum() ? HeartbeatCodec.FLAG_HAS_QUORUM : 0;
    switch (local.eligibility()) {
      case ELIGIBLE:
        flags |= HeartbeatCodec.FLAG_ELIGIBLE;
        break;
      case DRAINING:
        flags |= HeartbeatCodec.FLAG_DRAINING;
        break;
      case SUSPENDED:
        flags |= HeartbeatCodec.FLAG_SUSPENDED;
        break;
      default:
        break;
    }
    Arrays.fill(heardBits, (byte) 0);
    for (PeerTrack t : tracks) {
      if (t.index == selfIndex || (t.heard && t.liveness != Liveness.DEAD && !t.left)) {
        heardBits[t.index >>> 3] |= (byte) (1 << (t.index & 7));
      }
    }
    int suspensions = suspensions(c);
    int len = enc.type(type).flags(flags).priority(local.effectivePriority())
        .sequence(++sequence).owned(bitmap, 0, bitmap.length).pins(pinBytes, encodedPins)
        .heard(heardBits, heardBits.length).suspensions(suspensionBytes, suspensions)
        .encode(out, 0);
    InetSocketAddress[] to = destinations;
    for (int i = 0; i < to.length; i++) {
      tr.send(to[i], out, 0, len);
      sentPublished = ++sentCount;
    }
  }

  /** Encodes what {@code local} holds and pins into the owned bitmap and the pin bytes. */
  private void encode(LocalState local) {
    Arrays.fill(bitmap, (byte) 0);
    for (VirtualIp v : local.held()) {
      Integer i = vipIndex.get(v.address());
      if (i != null) {
        HeartbeatCodec.setOwned(bitmap, i);
      }
    }
    int pins = 0;
    for (Pin p : local.pins()) {
      if (pins == HeartbeatCodec.MAX_PINS) {
        break;
      }
      VirtualIp v = p.vip();
      Integer vi = v == null ? Integer.valueOf(HeartbeatCodec.PIN_GROUP)
          : vipIndex.get(v.address());
      String target = p.target();
      int ti = target == null ? HeartbeatCodec.PIN_CLEARED : Arrays.binarySearch(ids, target);
      if (vi != null && ti >= 0) {
        HeartbeatCodec.setPin(pinBytes, pins++, vi, ti, p.epoch());
      }
    }
    encodedPins = pins;
    encoded = local;
  }

  /**
   * Lists this node's own suspension, if any, and echoes each peer's last self-advertised one
   * while it lasts; returns the count.
   */
  private int suspensions(Context c) {
    long now = Objects.requireNonNull(loop).nanoTime();
    int n = 0;
    for (PeerTrack t : tracks) {
      long until = t.index == selfIndex ? c.suspendedUntil() : t.suspendedUntil;
      if (until == Long.MIN_VALUE || until - now < 1_000_000L) {
        continue;
      }
      long ms = until == Long.MAX_VALUE ? HeartbeatCodec.UNTIL_CLEARED
          : Math.min((until - now) / 1_000_000L, HeartbeatCodec.UNTIL_CLEARED - 1);
      HeartbeatCodec.setSuspension(suspensionBytes, n++, t.index, ms);
    }
    return n;
  }

  /**
   * Reads the suspensions a peer lists: its own replaces what this node remembers of it (it is
   * the source of truth; a new process of it that says nothing does not erase what an earlier
   * one said, so that it can be reminded), and one of this node's is passed to the agent.
   */
  private void readSuspensions(PeerTrack t, HeartbeatView hb, long now) {
    boolean own = false;
    for (int i = 0; i < hb.suspensionCount(); i++) {
      int node = hb.suspensionNode(i);
      long ms = hb.suspensionMillis(i);
      long until = ms == HeartbeatCodec.UNTIL_CLEARED ? Long.MAX_VALUE : now + ms * 1_000_000L;
      if (node == t.index) {
        own = true;
        t.suspendedUntil = until;
        t.suspensionIncarnation = hb.incarnation();
      } else if (node == selfIndex) {
        Objects.requireNonNull(ctx).suspensionEchoed(until);
      }
    }
    if (!own && (t.suspensionIncarnation == hb.incarnation()
        || t.suspendedUntil == Long.MAX_VALUE)) {
      // Over, or cleared by an operator (a suspension until cleared is cleared by a start
      // without its record: a new process that does not list it).
      t.suspendedUntil = Long.MIN_VALUE;
    }
  }

  private void onDatagram(InetSocketAddress from, byte[] data, int offset, int length) {
    if (closed) {
      return;
    }
    applyKeys();
    HeartbeatDecoder dec = Objects.requireNonNull(decoder);
    if (!replayGuard) { // a guard that has seen nothing accepts every authenticated packet
      dec = new HeartbeatDecoder(keys, ReplayGuard.forNodes(Arrays.asList(ids)));
    }
    DecodeResult r = dec.decode(data, offset, length, group);
    if (!(r instanceof HeartbeatView)) {
      if (LOG.isDebugEnabled()) {
        LOG.debug("{}/{}: dropped a packet from {}: {}", group, selfId, from, r);
      }
      return;
    }
    HeartbeatView hb = (HeartbeatView) r;
    int idx = hb.peerIndex();
    if (idx == selfIndex) {
      return; // our own multicast
    }
    PeerTrack t = tracks[idx];
    if (hb.incarnation() == t.incarnation && hb.sequence() <= t.sequence) {
      return; // overtaken in the network by a newer heartbeat: its state is out of date
    }
    t.sequence = hb.sequence();
    long now = Objects.requireNonNull(loop).nanoTime();
    boolean changed = false;
    boolean greet = false;
    if (hb.incarnation() != t.incarnation) {
      t.incarnation = hb.incarnation();
      changed = true;
    }
    boolean hearsUs = hb.hears(selfIndex);
    if (hearsUs != t.hearsUs) {
      t.hearsUs = hearsUs;
      t.mutualSince = now;
      if (hearsUs) {
        t.eligibilitySince = now; // back in touch both ways: eligible from now on, not before
      }
      changed = true;
    }
    boolean sameConfig = hb.configDigest() == configDigest;
    t.sameConfig = sameConfig;
    if (!sameConfig && !t.digestWarned) {
      t.digestWarned = true;
      LOG.warn("{}/{}: node {} runs another configuration of the group; its VIP holdings and"
          + " switchover requests are ignored until the configurations match", group, selfId,
          t.id);
    }
    if (hb.priority() != t.priority) {
      t.priority = hb.priority();
      changed = true;
    }
    Eligibility e = hb.draining() ? Eligibility.DRAINING : hb.suspended() ? Eligibility.SUSPENDED
        : hb.eligible() ? Eligibility.ELIGIBLE : Eligibility.DISQUALIFIED;
    if (e != t.eligibility) {
      t.eligibility = e;
      t.eligibilitySince = now;
      changed = true;
    }
    if (sameConfig) {
      changed |= readHeld(t, hb);
      changed |= readPins(t, hb);
      readSuspensions(t, hb, now);
    }
    if (hb.type() == MessageType.LEAVING) {
      t.left = true;
      if (t.liveness != Liveness.DEAD) {
        t.liveness = Liveness.DEAD;
        t.since = now;
        changed = true;
      }
    } else {
      t.lastHeard = now;
      t.heard = true;
      t.left = false;
      if (t.lapsed) {
        t.lapsed = false;
        changed = true;
      }
      if (t.liveness != Liveness.ALIVE) {
        if (t.liveness == Liveness.DEAD) {
          t.eligibilitySince = now; // back from the dead: eligible from now on, not before
          greet = true;
        }
        t.liveness = Liveness.ALIVE;
        t.since = now;
        changed = true;
      }
      armDeathTimer(t, now);
    }
    if (t.liveness == Liveness.DEAD) {
      reopen(t); // accepting this packet (a LEAVING notice) closed the guard's door again
    }
    if (changed) {
      report(t);
    }
    if (greet && !closed) {
      send(MessageType.HEARTBEAT); // tell the peer at once that it is heard, for the handshake
    }
  }

  private boolean readHeld(PeerTrack t, HeartbeatView hb) {
    int len = hb.bitmapLength();
    byte[] buf = hb.buffer();
    int start = hb.bitmapOffset();
    if (t.bitmap.length == len && Arrays.equals(t.bitmap, 0, len, buf, start, start + len)) {
      return false;
    }
    t.bitmap = Arrays.copyOfRange(buf, start, start + len);
    Set<VirtualIp> held = new HashSet<>();
    for (int i = 0; i < vips.length; i++) {
      if (hb.owns(i)) {
        held.add(vips[i]);
      }
    }
    t.held = Set.copyOf(held);
    return true;
  }

  private boolean readPins(PeerTrack t, HeartbeatView hb) {
    int count = hb.pinCount();
    long[] last = t.pinFields;
    if (last.length == 3 * count && samePins(last, hb)) {
      return false;
    }
    long[] fields = new long[3 * count];
    for (int i = 0; i < count; i++) {
      fields[3 * i] = hb.pinVip(i);
      fields[3 * i + 1] = hb.pinTarget(i);
      fields[3 * i + 2] = hb.pinEpoch(i);
    }
    t.pinFields = fields;
    List<Pin> pins = new ArrayList<>();
    for (int i = 0; i < hb.pinCount(); i++) {
      int vi = hb.pinVip(i);
      int ti = hb.pinTarget(i);
      if ((vi != HeartbeatCodec.PIN_GROUP && vi >= vips.length)
          || (ti != HeartbeatCodec.PIN_CLEARED && ti >= ids.length)) {
        continue;
      }
      pins.add(new Pin(vi == HeartbeatCodec.PIN_GROUP ? null : vips[vi],
          ti == HeartbeatCodec.PIN_CLEARED ? null : ids[ti], hb.pinEpoch(i)));
    }
    t.pins = List.copyOf(pins);
    return true;
  }

  /** Whether {@code hb} lists exactly the pins in {@code fields} (as {@link #readPins} keeps). */
  private static boolean samePins(long[] fields, HeartbeatView hb) {
    for (int i = 0; i < fields.length / 3; i++) {
      if (fields[3 * i] != hb.pinVip(i) || fields[3 * i + 1] != hb.pinTarget(i)
          || fields[3 * i + 2] != hb.pinEpoch(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Arms the timer of the peer's next step of silence: suspect (just past 1.5 intervals), lapsed
   * (one interval short of detection), dead. Suspicion has its own step because a node takes a
   * VIP only while its quorum's peers are not suspect: judged at the next tick instead, a peer
   * cut off just before might still count then.
   */
  private void armDeathTimer(PeerTrack t, long now) {
    if (t.deathArmed) {
      return;
    }
    t.deathArmed = true;
    long iv = intervalOf(t);
    long dead = deadAfterOf(t);
    long lapse = lapseAfterOf(t);
    long suspectAfter = iv + iv / 2 + 1;
    long due = t.lastHeard + (t.liveness == Liveness.ALIVE && suspectAfter < dead
        ? (t.lapsed ? suspectAfter : Math.min(suspectAfter, lapse))
        : t.lapsed ? dead : lapse);
    t.deathDue = due;
    t.deathTimer.arm(due - now);
  }

  private void deathCheck(PeerTrack t) {
    t.deathArmed = false;
    if (closed || t.removed || t.liveness == Liveness.DEAD) {
      return;
    }
    Scheduler l = Objects.requireNonNull(loop);
    long now = l.nanoTime();
    if (now - t.deathDue > interval / 4 && !t.graced) {
      // This timer ran late: this node was paused, and the peer's heartbeats may be waiting in
      // the socket. Let the receiver hand them over before judging the peer by its silence.
      t.graced = true;
      t.deathArmed = true;
      t.deathTimer.arm(interval / 8);
      return;
    }
    t.graced = false;
    checkLiveness(t, now);
    if (t.liveness != Liveness.DEAD) {
      armDeathTimer(t, now);
    }
  }

  private void checkLiveness(PeerTrack t, long now) {
    if (!t.heard || t.liveness == Liveness.DEAD) {
      return;
    }
    long silent = now - t.lastHeard;
    long iv = intervalOf(t);
    long dead = deadAfterOf(t);
    Liveness l = silent >= dead ? Liveness.DEAD
        : silent > iv + iv / 2 ? Liveness.SUSPECT : Liveness.ALIVE;
    boolean lapsed = l != Liveness.DEAD && silent >= lapseAfterOf(t);
    if (l != t.liveness || lapsed != t.lapsed) {
      if (l != t.liveness) {
        t.liveness = l;
        t.since = now;
      }
      t.lapsed = lapsed;
      if (l == Liveness.DEAD) {
        AcquireTrace.mark(AcquireTrace.DECIDED);
        AcquireTrace.markAt(AcquireTrace.DUE, t.lastHeard + dead);
        AcquireTrace.markAt(AcquireTrace.HEARD, t.lastHeard);
        reopen(t);
      }
      report(t);
    }
  }

  /** A dead peer may come back with a lower incarnation (its wall clock stepped back). */
  private void reopen(PeerTrack t) {
    HeartbeatDecoder d = decoder;
    if (d != null) {
      d.guard().reopen(t.index);
    }
  }

  /**
   * Reports a peer to the agent. A peer that does not hear this node counts as dead even though
   * its heartbeats arrive: it cannot see this node's holdings or requests, so nothing can be
   * decided together with it (a one-way partition would otherwise leave two owners).
   */
  private void report(PeerTrack t) {
    Liveness l = t.hearsUs ? t.liveness : Liveness.DEAD;
    long since = t.hearsUs ? t.since : Math.max(t.since, t.mutualSince);
    boolean cutOff = !t.hearsUs && t.liveness != Liveness.DEAD;
    Objects.requireNonNull(ctx).peer(new PeerState(t.id, l, since, t.priority,
        t.eligibility, t.eligibilitySince, t.held, t.pins, t.incarnation, t.left, cutOff,
        t.lapsed && l != Liveness.DEAD));
  }

  /**
   * From the next packet on, signs with key {@code id} and accepts only it; safe from any thread
   * and while running. The last step of a key rotation (the README's "Key rotation": three
   * rollouts, each finished on every node before the next starts).
   *
   * @throws IllegalArgumentException when the id is not 0..255 or the key is shorter than 32
   *     bytes; the keys in use then stay
   */
  public void rekey(int id, byte[] key) {
    rekeyTo(HeartbeatKeys.of(id, key));
  }

  /**
   * From the next packet on, signs with key {@code id} and accepts it and key {@code acceptId};
   * safe from any thread and while running. The first two steps of a key rotation: first the
   * old key signs and the new one is also accepted, then the new key signs and the old one is
   * still accepted.
   *
   * @throws IllegalArgumentException when an id is not 0..255, a key is shorter than 32 bytes,
   *     or both ids are equal; the keys in use then stay
   */
  public void rekey(int id, byte[] key, int acceptId, byte[] acceptKey) {
    rekeyTo(HeartbeatKeys.of(id, key, acceptId, acceptKey));
  }

  private void rekeyTo(HeartbeatKeys k) {
    this.keys = k;
  }

  /** Packets dropped so far, by reason. */
  public Map<Rejection, Long> rejected() {
    Map<Rejection, Long> m = new EnumMap<>(Rejection.class);
    HeartbeatDecoder d = decoder;
    if (d != null) {
      for (Rejection r : Rejection.values()) {
        long n = d.rejected(r);
        if (n > 0) {
          m.put(r, n);
        }
      }
    }
    return m;
  }

  /**
   * The reasons a packet is dropped for, as {@link #rejected(String)} names them: fixed, in the
   * order of the checks (e.g. {@code TOO_SHORT}, {@code BAD_MAC}, {@code REPLAYED}).
   */
  public static List<String> rejectionReasons() {
    return REJECTION_REASONS;
  }

  /**
   * Packets dropped so far for {@code reason}, one of {@link #rejectionReasons()}; reads a
   * counter without allocating, from any thread.
   *
   * @throws IllegalArgumentException when {@code reason} is not one of them
   */
  public long rejected(String reason) {
    Rejection r = Rejection.valueOf(reason);
    HeartbeatDecoder d = decoder;
    return d == null ? 0 : d.rejected(r);
  }

  /**
   * Heartbeat datagrams sent so far (one per destination: each peer address, and the multicast
   * group); reads a counter without allocating, from any thread.
   */
  public long sent() {
    return sentPublished;
  }

  /** Packets accepted so far. */
  public long accepted() {
    HeartbeatDecoder d = decoder;
    return d == null ? 0 : d.accepted();
  }

  /** This node's incarnation (0 before start). */
  public long incarnation() {
    return incarnation;
  }

  /** A 64-bit digest of everything in the group that peers must agree on. */
  static long digest(VipGroup g) {
    StringBuilder sb = new StringBuilder();
    sb.append(g.name()).append('|').append(g.mode()).append('|');
    for (VirtualIp v : VipOrder.of(g)) {
      sb.append(v.cidr()).append(' ').append(v.interfaceName()).append(' ')
          .append(v.exposure()).append(';');
    }
    g.nodes().stream().sorted((a, b) -> a.id().compareTo(b.id())).forEach(n -> sb.append(n.id())
        .append(' ').append(n.priority()).append(' ').append(n.weight()).append(' ')
        .append(n.capacity()).append(';'));
    sb.append(g.policy());
    return Hashing.fnv1a(sb.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** Builds a {@link HeartbeatCoordinator}. */
  public static final class Builder {
    private int keyId = 1;
    private byte @Nullable [] key;
    private int previousKeyId;
    private byte @Nullable [] previousKey;
    private @Nullable Function<InetSocketAddress, DatagramTransport> transportFactory;
    private @Nullable InetSocketAddress multicast;
    private @Nullable String multicastInterface;
    private ThreadFactory receiverThreads = Thread::new;
    private final Set<Breakage> broken = EnumSet.noneOf(Breakage.class);

    private Builder() {}

    /** Switches {@code mechanism} off: for the simulator's self-test only, see {@link Breakage}. */
    Builder breakage(Breakage mechanism) {
      broken.add(mechanism);
      return this;
    }

    /** The shared key that signs heartbeats (at least 32 bytes) and its id (0–255). */
    public Builder key(int id, byte[] key) {
      this.keyId = id;
      this.key = key.clone();
      return this;
    }

    /**
     * The signing key from a file holding it as base64 text (at least 32 bytes once decoded), e.g.
     * made with {@code head -c 32 /dev/urandom | base64 > web.key}.
     *
     * @throws IllegalArgumentException when the file cannot be read or holds no valid key; the
     *     message names the file and never shows the key
     */
    public Builder keyFile(int id, Path file) {
      return key(id, readKey(file));
    }

    /** One more accepted key, from a base64 key file (see {@link #keyFile(int, Path)}). */
    public Builder acceptAlsoFile(int id, Path file) {
      return acceptAlso(id, readKey(file));
    }

    /**
     * The key in a file of base64 text, as {@link #keyFile(int, Path)} reads it.
     *
     * @throws IllegalArgumentException when the file cannot be read or holds no valid key; the
     *     message names the file and never shows the key
     */
    public static byte[] readKey(Path file) {
      String text;
      try {
        text = Files.readString(file, StandardCharsets.US_ASCII).strip();
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException("cannot read heartbeat key file " + file + ": "
            + e.getMessage(), e);
      }
      byte[] key;
      try {
        key = Base64.getDecoder().decode(text);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("heartbeat key file " + file + " does not hold base64"
            + " text; make one with: head -c 32 /dev/urandom | base64 > " + file.getFileName(), e);
      }
      if (key.length < HeartbeatKeys.MIN_KEY_LENGTH) {
        throw new IllegalArgumentException("heartbeat key file " + file + " holds " + key.length
            + " bytes; a key needs at least " + HeartbeatKeys.MIN_KEY_LENGTH + " random bytes");
      }
      return key;
    }

    /**
     * One more key that is accepted but never used to sign, for rotation: add the new key here on
     * every node first, then make it the signing key, then remove the old one.
     */
    public Builder acceptAlso(int id, byte[] key) {
      this.previousKeyId = id;
      this.previousKey = key.clone();
      return this;
    }

    /**
     * How to open the transport for this node's first heartbeat address (default: {@link
     * UdpTransport}); tests pass an in-memory network's transports here.
     */
    public Builder transport(Function<InetSocketAddress, DatagramTransport> factory) {
      this.transportFactory = factory;
      return this;
    }

    /**
     * What makes the receive thread of the default transport, {@link UdpTransport} (default: a
     * plain thread), e.g. to run it at a real-time priority; the coordinator makes no other
     * thread. Not used with a {@link #transport(Function) transport} of one's own.
     */
    public Builder receiverThreads(ThreadFactory threads) {
      this.receiverThreads = Objects.requireNonNull(threads, "threads");
      return this;
    }

    /**
     * Also send every heartbeat to a multicast group, joined on one network interface.
     *
     * <p>Unless a {@link #transport(Function) transport} is given, the node then listens with
     * {@link UdpTransport#multicast(InetSocketAddress, String)}: on the wildcard address and the
     * group's port, for multicast and unicast alike. Every node's heartbeat addresses must
     * therefore use the group's port; {@link HeartbeatCoordinator#start} fails when one does not. It also fails, with
     * an {@link IOException} listing the interfaces that exist, when there is no interface called
     * {@code interfaceName}. Heartbeats still go by unicast to the peers' heartbeat addresses as
     * well, so either path alone keeps peers alive.
     *
     * @param group a multicast address and port, e.g. {@code 239.255.86.1:7405} (IPv4) or {@code
     *     [ff02::86]:7405} (IPv6 link-local)
     * @param interfaceName the interface to join the group on and send multicast through, e.g.
     *     {@code eth0}
     * @return this builder
     * @throws IllegalArgumentException when {@code group} is unresolved or not a multicast address,
     *     or {@code interfaceName} is empty
     */
    public Builder multicast(InetSocketAddress group, String interfaceName) {
      InetAddress a = group.getAddress();
      if (a == null || !a.isMulticastAddress()) {
        throw new IllegalArgumentException(group + " is not a multicast group address (IPv4"
            + " 224.0.0.0/4 or IPv6 ff00::/8)");
      }
      if (interfaceName.isBlank()) {
        throw new IllegalArgumentException("multicast needs the name of the network interface"
            + " to join " + group + " on, e.g. eth0; got an empty name");
      }
      this.multicast = group;
      this.multicastInterface = interfaceName;
      return this;
    }

    /** The coordinator; throws when the keys are invalid. */
    public HeartbeatCoordinator build() {
      return new HeartbeatCoordinator(this);
    }
  }
}
