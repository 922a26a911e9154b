package io.vipha.zookeeper;

import io.vipha.Lease;
import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.plan.Liveness;
import io.vipha.spi.Cancellable;
import io.vipha.spi.Coordinator;
import io.vipha.spi.Coordinator.Fence.Verdict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A coordinator that decides ownership through ZooKeeper. Each node publishes its advertised
 * state (priority, eligibility, held VIPs, switchover pins) as an ephemeral member znode {@code
 * <path>/<group>/members/<node>}, and the agent plans on the members it sees: a member whose
 * session ends is dead. A node may hold a VIP only under a claim, an ephemeral znode {@code
 * <path>/<group>/claims/<key>} (one per VIP, one for the whole group in Active/Passive) created
 * in its session; the claim's creation zxid is its <em>epoch</em>, higher for every later claim,
 * and travels with every backend call and {@code Acquired} event.
 *
 * <p><b>Fencing.</b> A claim is an ephemeral sequential znode; the lowest one holds the claim.
 * The node renews a VIP's kernel lease at {@code t} only while its session is connected and {@code
 * t + slack <= confirmed + sessionTimeout}, with {@code confirmed} the send time of the last
 * request the ensemble answered in its session ({@link ZooKeeperSession}): the ensemble cannot
 * have expired the session, and handed the claim on, before then. When the session timeout leaves
 * room, the grant also bounds the kernel lease so that it, and the backend's {@linkplain
 * io.vipha.spi.AddressBackend#leaseOverrun() overrun}, end by {@code confirmed + sessionTimeout -
 * slack}: the VIP is off the host before the ensemble can expire the session. Each node publishes
 * with its member znode how long its VIPs may outlive its session: 0 then, otherwise one kernel
 * lease, the overrun and the slack. A node that wins a claim from a holder whose session ended
 * adds the VIP that long after winning it, by when the holder's kernel has removed it whatever
 * its process does (crash, pause, partition); a claim the holder gave up itself (after removing
 * the VIP) is used at once.
 *
 * <p>Every method runs on the agent's loop; Curator's callbacks are posted to it.
 */
public final class ZooKeeperCoordinator implements Coordinator {
  private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperCoordinator.class);
  /** The claim key of an Active/Passive group. */
  static final String GROUP_KEY = "group";
  private static final long SECOND = 1_000_000_000L;
  /** The round trip a confirmation is allowed when judging whether a bounded lease fits. */
  static final long RTT_ALLOWANCE_NANOS = 100_000_000L;

  private final ZooKeeperSession session;
  private final String root;
  private final SessionLoss loss;
  private final long slackNanos;

  private @Nullable Context ctx;
  private @Nullable PersistentNode member;
  private @Nullable CuratorCache cache;
  private final ZooKeeperSession.Listener sessionListener = new ZooKeeperSession.Listener() {
    @Override
    public void stateChanged(ConnectionState state) {
      sessionChanged(state);
    }

    @Override
    public long vipsGoneBy() {
      return vipsGoneBy;
    }
  };
  private final AtomicBoolean refreshPending = new AtomicBoolean();
  private volatile boolean closed;
  private long leaseNanos;
  private long overrunNanos;
  /** Whether grants bound the kernel lease to end within the session (see the class comment). */
  private boolean boundsLeases;
  /** How long this node's VIPs may outlive its session, published with its member znode. */
  private long outliveNanos;
  /** The wait after winning from a holder whose session ended, when its own figure is unknown. */
  private long takeoverNanos;
  /** When (session clock) every VIP granted so far is off the host, its lease and overrun over. */
  private volatile long vipsGoneBy = Long.MIN_VALUE;
  private byte @Nullable [] published;
  private boolean leaving;
  private @Nullable Cancellable sweep;
  private @Nullable Cancellable tick;

  /** This node's claim znodes, won or queued: key to claim. */
  private final Map<String, Claim> mine = new HashMap<>();
  /**
   * Claims being created: key to the session of the create. One create per key and session, so
   * that a node never has two claim znodes of one key in its session (the lower one, not its
   * claim, would block the other for as long as the session lives).
   */
  private final Map<String, Long> creating = new HashMap<>();
  /** Who holds each claim as the cache shows it (the owner of its lowest znode): key to node. */
  private final Map<String, String> owners = new HashMap<>();
  /**
   * The last holder seen of each claim other than this node's current session: another node, or
   * this one in an earlier session.
   */
  private final Map<String, Holder> lastHolder = new HashMap<>();

  /**
   * A holder of a claim: its node, the session of its claim znode, and how long its VIPs may
   * outlive that session as its member znode of the same session said (-1: not known).
   */
  private record Holder(String node, long sessionId, long outliveNanos) {}
  /** Claims this node had when the connection went, kept by {@link SessionLoss#keep}. */
  private final Map<String, Long> keptAtLoss = new HashMap<>();
  private final Map<String, PeerState> reported = new HashMap<>();
  private final AtomicLong writes = new AtomicLong();
  /** The wait of the last claim won from a holder whose session ended, or -1; for tests. */
  private volatile long lastTakeoverWait = -1;

  /** The connection states {@link #status()} reports. */
  static final List<String> STATES = List.of("CONNECTING", "CONNECTED", "SUSPENDED",
      "READ_ONLY", "LOST");
  /** The connection state as the loop last acted on it (RECONNECTED shown as CONNECTED). */
  private volatile String connection = "CONNECTING";
  /** The last verdict of each key's fence (loop-only), to count grants taken back. */
  private final Map<String, Verdict> verdicts = new HashMap<>();
  /** Snapshots of the loop's claims for {@link #status()}: held, waiting, highest epoch held. */
  private volatile long claimsHeld;
  private volatile long claimsWaiting;
  private volatile long highestEpoch;
  /** Counts, written on the loop only. */
  private volatile long suspensions;
  private volatile long reconnects;
  private volatile long sessionsLost;
  private volatile long newSessions;
  private volatile long claimsWon;
  private volatile long claimsLost;
  private volatile long claimsReleased;
  private volatile long fenceRevocations;
  private volatile long fenceWaits;
  /** The session id the loop last saw connected, 0 before the first. */
  private long seenSession;

  /**
   * One of this node's claim znodes: an ephemeral sequential child of the key's znode, won once
   * it is the lowest child (every earlier claimant released or lost its session).
   */
  private static final class Claim {
    final String path;
    final long epoch;
    final long sessionId;
    boolean won;
    long usableAt = Long.MAX_VALUE;
    long askedAt;
    boolean everHeld;
    /** When (session clock) the VIPs granted under this claim are off the host, or MIN_VALUE. */
    long goneBy = Long.MIN_VALUE;
    /** Since when the local state has shown none of its VIPs held, or MAX_VALUE. */
    long unheldSince = Long.MAX_VALUE;

    Claim(String path, long epoch, long sessionId, long now) {
      this.path = path;
      this.epoch = epoch;
      this.sessionId = sessionId;
      this.askedAt = now;
    }
  }

  private ZooKeeperCoordinator(Builder b) {
    this.session = Objects.requireNonNull(b.session, "session");
    this.root = b.path;
    this.loss = b.loss;
    this.slackNanos = b.slack.toNanos();
  }

  /** A builder; {@link Builder#session} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The session this coordinator uses. */
  public ZooKeeperSession session() {
    return session;
  }

  /** What a holder does when the connection goes. */
  public SessionLoss sessionLoss() {
    return loss;
  }

  /**
   * How long this node waited before adding the VIPs of the last claim it won from a holder whose
   * session had ended, in nanoseconds; -1 before the first.
   */
  long lastTakeoverWait() {
    return lastTakeoverWait;
  }

  /** Whether this node bounds its kernel leases to end within its session. */
  boolean boundsLeases() {
    return boundsLeases;
  }

  /** ZooKeeper writes this coordinator made (member updates, claims, releases). */
  public long writes() {
    return writes.get();
  }

  private Context ctx() {
    return Objects.requireNonNull(ctx, "not started");
  }

  private String groupPath() {
    return ZKPaths.makePath(root, ctx().group().name());
  }

  private String membersPath() {
    return ZKPaths.makePath(groupPath(), "members");
  }

  private String claimsPath() {
    return ZKPaths.makePath(groupPath(), "claims");
  }

  /** The claim key of {@code vip}: the group's in Active/Passive, the VIP's own otherwise. */
  String key(VirtualIp vip) {
    return ctx().group().mode() == Mode.ACTIVE_PASSIVE ? GROUP_KEY
        : vip.cidr().replace('/', '_');
  }

  @Override
  public void start(Context context) throws IOException {
    Lease lease = context.group().policy().lease();
    if (lease.isForever()) {
      throw new IllegalArgumentException("group " + context.group().name() + ": the ZooKeeper"
          + " coordinator fences VIPs through their kernel lease; policy.lease must not be"
          + " \"forever\"");
    }
    this.ctx = context;
    this.leaseNanos = Objects.requireNonNull(lease.duration()).toNanos();
    this.overrunNanos = context.leaseOverrun().toNanos();
    this.takeoverNanos = leaseNanos + overrunNanos + slackNanos;
    long timeout = session.timeoutNanos();
    long room = boundedRoom(timeout, slackNanos, overrunNanos);
    this.boundsLeases = room >= SECOND;
    this.outliveNanos = boundsLeases ? 0 : takeoverNanos;
    if (boundsLeases) {
      LOG.info("group {}: node {} bounds its kernel leases to end within its ZooKeeper session:"
          + " session timeout {} ms less a sixth, {} ms for the round trip, {} ms slack and the"
          + " backend's {} ms overrun leaves {} ms, room for a lease of at least 1 s; a node that"
          + " takes its VIPs over after its session ends adds them at once",
          context.group().name(), context.nodeId(), ms(timeout), ms(RTT_ALLOWANCE_NANOS),
          ms(slackNanos), ms(overrunNanos), ms(room));
    } else {
      LOG.info("group {}: node {} cannot bound its kernel leases to end within its ZooKeeper"
          + " session: session timeout {} ms less a sixth, {} ms for the round trip, {} ms slack"
          + " and the backend's {} ms overrun leaves {} ms, less than a lease of 1 s; a node that"
          + " takes its VIPs over after its session ends adds them {} ms later (lease, overrun"
          + " and slack)", context.group().name(), context.nodeId(), ms(timeout),
          ms(RTT_ALLOWANCE_NANOS), ms(slackNanos), ms(overrunNanos), ms(room), ms(outliveNanos));
    }
    CuratorFramework c = session.client();
    MemberData first = MemberData.of(context.incarnation(), context.local(), false,
        outliveNanos);
    published = first.encode();
    PersistentNode m = new PersistentNode(c, CreateMode.EPHEMERAL, false,
        ZKPaths.makePath(membersPath(), context.nodeId()), published);
    member = m;
    CuratorCache cc = CuratorCache.build(c, groupPath());
    cc.listenable().addListener(CuratorCacheListener.builder()
        .forAll((type, before, after) -> refreshSoon())
        .forInitialized(this::refreshSoon)
        .build());
    cache = cc;
    session.addListener(sessionListener);
    ConnectionState now = session.state(); // (later changes reach the loop after this)
    if (now != null) {
      connection = stateName(now);
      seenSession = session.sessionId();
    }
    try {
      c.createContainers(claimsPath());
      c.createContainers(membersPath());
    } catch (Exception e) {
      LOG.debug("cannot create the group's znodes yet", e);
    }
    m.start();
    writes.incrementAndGet();
    cc.start();
    scheduleSweep();
    scheduleTick();
  }

  /**
   * How much of a kernel lease, and the backend's overrun, fits in the session in steady state
   * at worst: the session timeout less the confirmation period (a sixth of it), a round trip,
   * the slack and the overrun. A bounded lease needs at least 1 s of it.
   */
  static long boundedRoom(long timeoutNanos, long slackNanos, long overrunNanos) {
    return timeoutNanos - timeoutNanos / 6 - RTT_ALLOWANCE_NANOS - slackNanos - overrunNanos;
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }

  /**
   * Asks for the local state every heartbeat interval, as the heartbeat coordinator does (the
   * agent's stall guard takes that as the sign that its loop runs), and writes it when it changed
   * since the last write that succeeded.
   */
  private void scheduleTick() {
    tick = ctx().loop().schedule(ctx().group().policy().heartbeatInterval().toNanos(), () -> {
      if (!closed) {
        publishNow(); // asks for the local state; writes only what changed
        scheduleTick();
      }
    });
  }

  private void scheduleSweep() {
    long period = Math.max(session.timeoutNanos() / 3, TimeUnit.MILLISECONDS.toNanos(50));
    sweep = ctx().loop().schedule(period, () -> {
      if (!closed) {
        sweepClaims();
        scheduleSweep();
      }
    });
  }

  /** Posts one refresh of the view for any number of cache events. */
  private void refreshSoon() {
    if (!closed && refreshPending.compareAndSet(false, true)) {
      post(() -> {
        refreshPending.set(false);
        refresh();
      });
    }
  }

  private void sessionChanged(ConnectionState s) {
    post(() -> onSession(s));
  }

  /** A connection state reached the loop. */
  private void onSession(ConnectionState s) {
    long now = session.nanoTime();
    count(s);
    switch (s) {
      case SUSPENDED, READ_ONLY, LOST -> {
        if (keptAtLoss.isEmpty()) {
          for (Map.Entry<String, Claim> e : mine.entrySet()) {
            if (e.getValue().won) {
              keptAtLoss.put(e.getKey(), e.getValue().epoch);
            }
          }
        }
        if (s == ConnectionState.LOST) {
          claimsLost += mine.values().stream().filter(c -> c.won).count();
          mine.clear();
        }
        long keep = loss.keepNanos();
        if (keep > 0) {
          ctx().loop().schedule(Math.max(0, session.lostAt() + keep - now), this::fenceChanged);
        }
      }
      case CONNECTED, RECONNECTED -> {
        dropOtherSessions();
        keptAtLoss.clear();
        publishNow();
      }
    }
    noteClaims();
    fenceChanged();
  }

  /** Counts connection state {@code s} and notes it as the state now. */
  private void count(ConnectionState s) {
    connection = stateName(s);
    switch (s) {
      case SUSPENDED -> suspensions++;
      case LOST -> sessionsLost++;
      case RECONNECTED -> reconnects++;
      default -> { }
    }
    long id = session.sessionId();
    if ((s == ConnectionState.CONNECTED || s == ConnectionState.RECONNECTED) && id != 0
        && id != seenSession) {
      if (seenSession != 0) {
        newSessions++;
      }
      seenSession = id;
    }
  }

  /** A connection state as {@link #status()} shows it: RECONNECTED is CONNECTED again. */
  private static String stateName(ConnectionState s) {
    return s == ConnectionState.RECONNECTED ? "CONNECTED" : s.name();
  }

  /** Drops the claims of an earlier session, counting those that were won as lost. */
  private void dropOtherSessions() {
    mine.values().removeIf(c -> {
      boolean other = c.sessionId != session.sessionId();
      if (other && c.won) {
        claimsLost++;
      }
      return other;
    });
  }

  /** Notes this node's claims for {@link #status()}; after every change of {@link #mine}. */
  private void noteClaims() {
    long held = 0;
    long waiting = 0;
    long epoch = 0;
    for (Claim c : mine.values()) {
      if (c.won) {
        held++;
        epoch = Math.max(epoch, c.epoch);
      } else {
        waiting++;
      }
    }
    claimsHeld = held;
    claimsWaiting = waiting;
    highestEpoch = epoch;
  }

  /**
   * The coordinator's state for {@code vipctl status} and the metrics: kind {@code zookeeper};
   * state the connection as this coordinator last acted on it, {@code CONNECTING} (none yet),
   * {@code CONNECTED} (also after a reconnect, which the counters count), {@code SUSPENDED},
   * {@code READ_ONLY} or {@code LOST}; values {@code sessionTimeoutMs} (asked for), {@code
   * negotiatedTimeoutMs} (granted; 0 before the first connection), {@code claimsHeld} (won in
   * the current session), {@code claimsWaiting} (queued behind another node's), {@code
   * highestEpoch} (of the claims held; 0 with none), {@code fenceMs} (how long the fence stays
   * open without another answer of the ensemble: the bound on a renewed lease when {@code
   * boundsLeases} is 1), {@code boundsLeases}, {@code outliveMs} (how long this node's VIPs may
   * outlive its session, as it publishes); texts {@code connect} (the connect string without
   * {@code user:password@} parts) and {@code sessionId} (hexadecimal; empty before the first);
   * counters {@code suspensions}, {@code reconnects}, {@code sessionsLost}, {@code newSessions}
   * (sessions after the first: the ensemble expired the one before), {@code claimsWon}, {@code
   * claimsLost} (won claims that went with their session), {@code claimsReleased} (given up),
   * {@code fenceRevocations} and {@code fenceWaits} (a claim's grant followed by a revoke or a
   * wait), {@code writes}, {@code confirmations}. Reads snapshots: never blocks.
   */
  @Override
  public Optional<Status> status() {
    long now = session.nanoTime();
    long valid = session.validUntilNow();
    long fence = valid == Long.MIN_VALUE || !session.usable() ? 0
        : Math.max(0, valid - slackNanos - now);
    Map<String, Long> values = new LinkedHashMap<>();
    values.put("sessionTimeoutMs", ms(session.requestedTimeoutNanos()));
    values.put("negotiatedTimeoutMs", ms(session.negotiatedTimeoutNanos()));
    values.put("claimsHeld", claimsHeld);
    values.put("claimsWaiting", claimsWaiting);
    values.put("highestEpoch", highestEpoch);
    values.put("fenceMs", ms(fence));
    values.put("boundsLeases", boundsLeases ? 1L : 0L);
    values.put("outliveMs", ms(outliveNanos));
    long id = session.sessionId();
    Map<String, String> texts = new LinkedHashMap<>();
    texts.put("connect", withoutCredentials(session.connectString()));
    texts.put("sessionId", id == 0 ? "" : "0x" + Long.toHexString(id));
    Map<String, Long> counters = new LinkedHashMap<>();
    counters.put("suspensions", suspensions);
    counters.put("reconnects", reconnects);
    counters.put("sessionsLost", sessionsLost);
    counters.put("newSessions", newSessions);
    counters.put("claimsWon", claimsWon);
    counters.put("claimsLost", claimsLost);
    counters.put("claimsReleased", claimsReleased);
    counters.put("fenceRevocations", fenceRevocations);
    counters.put("fenceWaits", fenceWaits);
    counters.put("writes", writes.get());
    counters.put("confirmations", session.confirmations());
    return Optional.of(new Status("zookeeper", connection, STATES, values, texts, counters,
        Map.of()));
  }

  /** {@code connect} without a {@code user:password@} before any of its servers. */
  static String withoutCredentials(String connect) {
    return connect.replaceAll("[^,@]*@", "");
  }

  private void fenceChanged() {
    if (!closed) {
      ctx().fenceChanged();
    }
  }

  /** Reads the cache into peer states and other nodes' claims. */
  private void refresh() {
    CuratorCache cc = cache;
    if (cc == null) {
      return;
    }
    Context c = ctx();
    VipGroup g = c.group();
    long now = c.loop().nanoTime();
    String membersPrefix = membersPath() + "/";
    String claimsPrefix = claimsPath() + "/";
    Map<String, MemberData> seen = new HashMap<>();
    Map<String, Long> memberSessions = new HashMap<>();
    Map<String, ChildData> lowest = new HashMap<>();
    cc.stream().forEach(d -> {
      String p = d.getPath();
      if (p.startsWith(membersPrefix)) {
        String id = p.substring(membersPrefix.length());
        MemberData m = MemberData.decode(d.getData(), g);
        if (m != null && !id.equals(c.nodeId()) && g.node(id).isPresent()) {
          seen.put(id, m);
          if (d.getStat() != null) {
            memberSessions.put(id, d.getStat().getEphemeralOwner());
          }
        }
      } else if (p.startsWith(claimsPrefix) && p.indexOf('/', claimsPrefix.length()) > 0) {
        String key = p.substring(claimsPrefix.length(), p.indexOf('/', claimsPrefix.length()));
        ChildData low = lowest.get(key);
        if (low == null || ZKPaths.getNodeFromPath(p).compareTo(
            ZKPaths.getNodeFromPath(low.getPath())) < 0) {
          lowest.put(key, d);
        }
      }
    });
    Map<String, String> claims = new HashMap<>();
    lowest.values().removeIf(this::strayRemoved);
    lowest.forEach((k, d) -> {
      String owner = owner(d);
      claims.put(k, owner);
      if (d.getStat() != null && owner.equals(c.nodeId())
          && d.getStat().getEphemeralOwner() != session.sessionId()) {
        // this node's own claim of an earlier session: its VIPs are on this host
        lastHolder.put(k, new Holder(owner, d.getStat().getEphemeralOwner(), 0));
      } else if (!owner.equals(c.nodeId()) && d.getStat() != null) {
        long sessionId = d.getStat().getEphemeralOwner();
        MemberData m = seen.get(owner);
        long outlive = m != null && Objects.equals(memberSessions.get(owner), sessionId)
            ? m.outliveNanos() : -1;
        Holder had = lastHolder.get(k);
        if (outlive < 0 && had != null && had.node().equals(owner)
            && had.sessionId() == sessionId) {
          outlive = had.outliveNanos(); // (its member znode is already in its next session)
        }
        lastHolder.put(k, new Holder(owner, sessionId, outlive));
      }
    });
    boolean claimGone = false;
    for (Map.Entry<String, String> e : owners.entrySet()) {
      if (!e.getValue().equals(claims.get(e.getKey()))) {
        claimGone = true;
      }
    }
    owners.clear();
    owners.putAll(claims);
    for (Map.Entry<String, Claim> e : mine.entrySet()) {
      Claim m = e.getValue();
      ChildData low = lowest.get(e.getKey());
      if (!m.won && low != null && low.getPath().equals(m.path)) {
        checkWon(e.getKey(), m);
      }
    }
    for (Map.Entry<String, MemberData> e : seen.entrySet()) {
      report(e.getKey(), e.getValue(), claims, now);
    }
    for (PeerState p : List.copyOf(reported.values())) {
      if (!seen.containsKey(p.nodeId()) && p.liveness() != Liveness.DEAD) {
        PeerState dead = new PeerState(p.nodeId(), Liveness.DEAD, now, p.effectivePriority(),
            p.eligibility(), p.eligibilitySince(), Set.of(), p.pins(), p.incarnation(),
            p.left(), false, false);
        reported.put(p.nodeId(), dead);
        c.peer(dead);
      }
    }
    if (claimGone) {
      fenceChanged();
    }
  }

  /**
   * Deletes {@code d} if it is a claim znode of this node's session that is not its claim and
   * not being created (one left by a create whose answer was dropped): as the lowest znode of
   * its key it would block this node's claim, and every other node's, while the session lives.
   */
  private boolean strayRemoved(ChildData d) {
    Stat st = d.getStat();
    long id = session.sessionId();
    if (st == null || id == 0 || st.getEphemeralOwner() != id) {
      return false;
    }
    String p = d.getPath();
    String key = ZKPaths.getNodeFromPath(ZKPaths.getPathAndNode(p).getPath());
    Claim m = mine.get(key);
    Long pending = creating.get(key);
    if ((m != null && m.path.equals(p)) || (pending != null && pending == id)) {
      return false;
    }
    LOG.info("group {}: node {} deletes claim znode {}, which is not its claim",
        ctx().group().name(), ctx().nodeId(), p);
    delete(p);
    return true;
  }

  private static String owner(ChildData d) {
    byte[] b = d.getData();
    return b == null ? "" : new String(b, StandardCharsets.UTF_8);
  }

  /**
   * Reports peer {@code id} as {@code m} says, but holding only the VIPs whose claim it owns: a
   * node back from a pause or a partition may still say it holds what another node has won since,
   * and must not make that node give way.
   */
  private void report(String id, MemberData m, Map<String, String> claims, long now) {
    Set<VirtualIp> held = new HashSet<>();
    for (VirtualIp v : m.held()) {
      if (id.equals(claims.get(key(v)))) {
        held.add(v);
      }
    }
    PeerState old = reported.get(id);
    long since = old != null && old.liveness() == Liveness.ALIVE
        && old.incarnation() == m.incarnation() ? old.since() : now;
    long eligibleSince = old != null && old.eligibility() == m.eligibility()
        ? old.eligibilitySince() : now;
    PeerState s = new PeerState(id, Liveness.ALIVE, since, m.priority(), m.eligibility(),
        eligibleSince, held, m.pins(), m.incarnation(), m.leaving(), false, false);
    if (!s.equals(old)) {
      reported.put(id, s);
      ctx().peer(s);
    }
  }

  @Override
  public Fence fence(VirtualIp vip) {
    String key = key(vip);
    Fence f = decide(key);
    Verdict was = verdicts.put(key, f.verdict());
    if (was == Verdict.GRANT && f.verdict() == Verdict.REVOKE) {
      fenceRevocations++;
    } else if (was == Verdict.GRANT && f.verdict() == Verdict.WAIT) {
      fenceWaits++;
    }
    return f;
  }

  /** The fence of claim {@code key} now. */
  private Fence decide(String key) {
    long now = session.nanoTime();
    Claim m = mine.get(key);
    if (m != null && m.sessionId != session.sessionId()) {
      mine.remove(key); // it went with its session
      if (m.won) {
        claimsLost++;
      }
      noteClaims();
      m = null;
    }
    if (m != null) {
      m.askedAt = now;
    }
    if (!session.usable()) {
      if (loss.releases()) {
        return Fence.REVOKE;
      }
      Long kept = keptAtLoss.get(key);
      long lost = session.lostAt();
      if (kept != null && lost != Long.MIN_VALUE && now - lost < loss.keepNanos()) {
        // available: kept for keepFor, beyond the fence (and its bound) if need be
        return fenceOpen(now) ? grant(m, kept, now) : grant(m, kept, now, Long.MAX_VALUE);
      }
      return m != null && m.won && now >= m.usableAt && fenceOpen(now)
          ? grant(m, m.epoch, now) : Fence.WAIT;
    }
    String owner = owners.get(key);
    boolean other = owner != null && !owner.equals(ctx().nodeId());
    if (m == null || !m.won) {
      if (m == null && !other) {
        claim(key);
      }
      return Fence.REVOKE; // no claim in this session: a held VIP goes at once
    }
    if (now < m.usableAt) {
      return Fence.WAIT;
    }
    return fenceOpen(now) ? grant(m, m.epoch, now) : Fence.WAIT;
  }

  /**
   * A grant under {@code epoch} while the fence is open: bounded, when this node bounds its
   * leases, to end {@code slack} before the session could expire.
   */
  private Fence grant(@Nullable Claim claim, long epoch, long now) {
    return grant(claim, epoch, now, boundsLeases
        ? Math.max(0, session.validUntil() - slackNanos - now) : Long.MAX_VALUE);
  }

  /**
   * A grant under {@code epoch} whose VIPs are off the host within {@code bound} (MAX_VALUE: the
   * policy's lease); notes by when, for {@link #close} and the session's.
   */
  private Fence grant(@Nullable Claim claim, long epoch, long now, long bound) {
    long goneBy = now + Math.min(bound, leaseNanos + overrunNanos + slackNanos);
    if (claim != null) {
      claim.goneBy = Math.max(claim.goneBy, goneBy);
    }
    if (goneBy > vipsGoneBy) {
      vipsGoneBy = goneBy;
    }
    return bound == Long.MAX_VALUE ? Fence.grant(epoch) : Fence.grant(epoch, bound);
  }

  /**
   * Whether the ensemble cannot have expired this node's session (and handed its claims to
   * another node) within the slack from now: the condition for any renewal.
   */
  private boolean fenceOpen(long now) {
    long valid = session.validUntil();
    return valid != Long.MIN_VALUE && now + slackNanos <= valid;
  }

  @Override
  public boolean makeBeforeBreak() {
    return false;
  }

  /** Creates this node's claim znode for {@code key} unless one is being created. */
  private void claim(String key) {
    long id = session.sessionId();
    Long pending = creating.get(key);
    if (closed || (pending != null && pending == id)) {
      return;
    }
    creating.put(key, id);
    long sentAt = session.nanoTime();
    String prefix = ZKPaths.makePath(ZKPaths.makePath(claimsPath(), key), "c-");
    byte[] owner = ctx().nodeId().getBytes(StandardCharsets.UTF_8);
    try {
      writes.incrementAndGet();
      Stat stat = new Stat();
      session.client().create().storingStatIn(stat).creatingParentContainersIfNeeded()
          .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
          .inBackground((cl, e) -> created(key, id, sentAt, e, stat)).forPath(prefix, owner);
    } catch (Exception e) {
      creating.remove(key, id);
      LOG.debug("cannot claim {}", prefix, e);
    }
  }

  /** The create of a claim znode returned (Curator's thread). */
  private void created(String key, long id, long sentAt, CuratorEvent e, Stat stored) {
    boolean ok = e.getResultCode() == KeeperException.Code.OK.intValue();
    String path = e.getName();
    Stat stat = e.getStat() != null ? e.getStat() : stored;
    if (ok) {
      session.confirmed(id, sentAt);
    }
    if (ok && closed) {
      delete(path);
      return;
    }
    post(() -> {
      creating.remove(key, id);
      if (!ok || path == null) {
        return;
      }
      if (stat.getEphemeralOwner() != session.sessionId() || stat.getCzxid() == 0) {
        delete(path); // created in a session that has ended since, or not known: start over
        return;
      }
      Claim had = mine.get(key);
      if (had != null && had.sessionId == session.sessionId()) {
        delete(path); // one claim znode per key and session: this one is one too many
        return;
      }
      Claim c = new Claim(path, stat.getCzxid(), stat.getEphemeralOwner(), session.nanoTime());
      mine.put(key, c);
      noteClaims();
      checkWon(key, c);
    });
  }

  /** Whether {@code c} is now the lowest znode of {@code key}: then it is won. */
  private void checkWon(String key, Claim c) {
    try {
      session.client().getChildren().inBackground((cl, e) -> {
        List<String> children = e.getChildren();
        if (e.getResultCode() != KeeperException.Code.OK.intValue() || children == null) {
          return;
        }
        String name = ZKPaths.getNodeFromPath(c.path);
        String low = children.stream().min(String::compareTo).orElse("");
        if (low.equals(name)) {
          post(() -> won(key, c));
        } else if (!children.contains(name)) {
          post(() -> { // its znode went: the next fence claims again
            mine.remove(key, c);
            noteClaims();
          });
        }
      }).forPath(ZKPaths.makePath(claimsPath(), key));
    } catch (Exception e) {
      LOG.debug("cannot read the claims of {}", key, e);
    }
  }

  /**
   * {@code c} is the lowest znode of {@code key}: the claim is this node's. It adds the VIPs at
   * once when the last holder gave the claim up itself (its member znode is still there, in the
   * same session: it released the VIPs before it deleted its claim); otherwise (its session
   * ended) after the time the holder published that its VIPs may outlive its session, by when
   * its kernel has removed them whatever became of its process: 0 when it bounds its leases to
   * its session. With no holder known, or no figure of its session, it waits one kernel lease,
   * its own backend's overrun and the slack.
   */
  private void won(String key, Claim c) {
    if (c.won || mine.get(key) != c || c.sessionId != session.sessionId()) {
      return;
    }
    c.won = true;
    claimsWon++;
    noteClaims();
    owners.put(key, ctx().nodeId());
    long now = session.nanoTime();
    Holder last = lastHolder.remove(key);
    if (last == null) {
      usableFrom(key, c, now + takeoverNanos);
      return;
    }
    if (last.node().equals(ctx().nodeId())) {
      usableFrom(key, c, now); // from this node's earlier session: its VIPs, on this host
      return;
    }
    try {
      session.client().checkExists().inBackground((cl, e) -> {
        Stat st = e.getStat();
        boolean gave = e.getResultCode() == KeeperException.Code.OK.intValue() && st != null
            && st.getEphemeralOwner() == last.sessionId();
        long wait = last.outliveNanos() >= 0 ? last.outliveNanos() : takeoverNanos;
        post(() -> {
          if (!gave) {
            lastTakeoverWait = wait;
          }
          usableFrom(key, c, gave ? now : now + wait);
        });
      }).forPath(ZKPaths.makePath(membersPath(), last.node()));
    } catch (Exception e) {
      usableFrom(key, c, now + takeoverNanos);
    }
  }

  private void usableFrom(String key, Claim c, long at) {
    if (mine.get(key) != c) {
      return;
    }
    c.usableAt = at;
    long now = session.nanoTime();
    LOG.info("group {}: node {} won claim {} with epoch {}; adds its VIPs in {} ms",
        ctx().group().name(), ctx().nodeId(), key, c.epoch,
        Math.max(0, at - now) / 1_000_000);
    if (at > now) {
      ctx().loop().schedule(at - now, this::fenceChanged);
    }
    fenceChanged();
  }

  /** Runs {@code task} on the loop unless this coordinator closed. */
  private void post(Runnable task) {
    if (!closed) {
      ctx().loop().execute(() -> {
        if (!closed) {
          task.run();
        }
      });
    }
  }

  /** Deletes one of this node's claim znodes (its path is its own: no other node's). */
  private void delete(String path) {
    try {
      writes.incrementAndGet();
      session.client().delete().guaranteed().inBackground().forPath(path);
    } catch (Exception e) {
      LOG.debug("cannot delete claim {}", path, e);
    }
  }

  /**
   * Gives up the claims of keys whose VIPs this node no longer holds: one heartbeat interval after
   * the local state last showed one held, for a claim under which it held a VIP (the state shows
   * nothing held for half an interval while the agent checks a stall of its loop, though the
   * VIPs stay), and after one session timeout for one it won but never used.
   */
  private void sweepClaims() {
    if (mine.isEmpty()) {
      return;
    }
    Set<String> heldKeys = new HashSet<>();
    for (VirtualIp v : ctx().local().held()) {
      heldKeys.add(key(v));
    }
    long now = session.nanoTime();
    long idle = session.timeoutNanos();
    long interval = ctx().group().policy().heartbeatInterval().toNanos();
    mine.entrySet().removeIf(e -> {
      Claim c = e.getValue();
      if (heldKeys.contains(e.getKey())) {
        c.everHeld = true;
        c.unheldSince = Long.MAX_VALUE;
        return false;
      }
      c.unheldSince = Math.min(c.unheldSince, now);
      if ((c.everHeld && now - c.unheldSince >= interval) || now - c.askedAt > idle) {
        delete(c.path);
        claimsReleased++;
        return true;
      }
      return false;
    });
    noteClaims();
  }

  @Override
  public void publishNow() {
    if (closed || ctx == null) {
      return;
    }
    Context c = ctx();
    LocalState local = c.local();
    Set<VirtualIp> held = new HashSet<>();
    for (VirtualIp v : local.held()) {
      Claim claim = mine.get(key(v));
      if (claim != null && claim.won && claim.sessionId == session.sessionId()) {
        held.add(v); // only what this node's claims cover: peers plan on the claims
      }
    }
    LocalState claimed = new LocalState(local.effectivePriority(), local.eligibility(),
        local.quorum(), held, local.pins());
    byte[] data = MemberData.of(c.incarnation(), claimed, leaving, outliveNanos).encode();
    PersistentNode m = member;
    if (m != null && !java.util.Arrays.equals(data, published)) {
      try {
        m.setData(data); // (fails before the first create: the tick tries again)
        published = data;
        writes.incrementAndGet();
      } catch (Exception e) {
        LOG.debug("cannot publish this node's state yet", e);
      }
    }
    sweepClaims();
  }

  @Override
  public void leave() {
    leaving = true;
    publishNow();
  }

  /**
   * Deletes this node's claim znodes: at once for keys whose VIPs it no longer holds, and for
   * one whose VIPs it still holds (a release failed) only once their kernel lease and overrun
   * are over, so that no node takes them over while they are still on this host. The session
   * then stays open until then too ({@link ZooKeeperSession#close}).
   */
  private void closeClaims() {
    Set<String> heldKeys = new HashSet<>();
    for (VirtualIp v : ctx().local().held()) {
      heldKeys.add(key(v));
    }
    long now = session.nanoTime();
    for (Map.Entry<String, Claim> e : mine.entrySet()) {
      Claim c = e.getValue();
      if (heldKeys.contains(e.getKey()) && c.goneBy > now) {
        LOG.info("group {}: node {} closes holding {}: it deletes its claim in {} ms, when the"
            + " kernel has removed them", ctx().group().name(), ctx().nodeId(), e.getKey(),
            ms(c.goneBy - now));
        session.closeNotBefore(c.goneBy);
        session.later(c.goneBy - now, () -> delete(c.path));
      } else {
        delete(c.path);
      }
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    if (ctx != null) {
      closeClaims();
    }
    closed = true;
    mine.clear();
    noteClaims();
    session.removeListener(sessionListener);
    for (Cancellable t : new Cancellable[] {sweep, tick}) {
      if (t != null) {
        t.cancel();
      }
    }
    CuratorCache cc = cache;
    if (cc != null) {
      cc.close();
    }
    PersistentNode m = member;
    if (m != null) {
      try {
        m.close();
      } catch (IOException e) {
        LOG.debug("cannot remove this node's member znode", e);
      }
    }
  }

  /** Builds a {@link ZooKeeperCoordinator}. */
  public static final class Builder {
    private @Nullable ZooKeeperSession session;
    private String path = "/vipha";
    private SessionLoss loss = SessionLoss.release();
    private Duration slack = Duration.ofMillis(100);

    private Builder() {}

    /** The session (required); several coordinators may share one. */
    public Builder session(ZooKeeperSession session) {
      this.session = session;
      return this;
    }

    /** The znode under which groups live (default {@code /vipha}). */
    public Builder path(String path) {
      if (!path.startsWith("/") || (path.length() > 1 && path.endsWith("/"))) {
        throw new IllegalArgumentException("path \"" + path + "\" must start with / and not end"
            + " with /, e.g. /vipha");
      }
      this.path = path;
      return this;
    }

    /** What a holder does when the connection goes (default {@link SessionLoss#release()}). */
    public Builder onSessionLoss(SessionLoss loss) {
      this.loss = Objects.requireNonNull(loss, "loss");
      return this;
    }

    /**
     * The margin the fence keeps for the time between its check and the kernel's renewal, and
     * for the clocks' rate differences (default 100 ms, at most 10 s).
     */
    public Builder slack(Duration slack) {
      if (slack.isNegative() || slack.compareTo(Duration.ofSeconds(10)) > 0) {
        throw new IllegalArgumentException("slack " + slack + " is out of range; use 0-10s");
      }
      this.slack = slack;
      return this;
    }

    /** The coordinator. */
    public ZooKeeperCoordinator build() {
      if (session == null) {
        throw new IllegalArgumentException("session is required: ZooKeeperSession.connect(...)");
      }
      return new ZooKeeperCoordinator(this);
    }
  }
}
