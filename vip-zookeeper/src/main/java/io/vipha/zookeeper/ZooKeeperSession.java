package io.vipha.zookeeper;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ZooKeeper session, shared by the coordinators of every group a process runs. Besides the
 * Curator client it keeps the one number fencing rests on: the instant (this process's {@link
 * System#nanoTime() monotonic clock}) at which it last sent a request that the ensemble answered
 * within the current session. The ensemble touched the session no earlier than that instant, so
 * it cannot expire the session, nor give this node's claims to another node, before that instant
 * plus the session timeout ({@link #validUntil()}). The session confirms itself with a read every
 * sixth of the session timeout.
 *
 * <p>Connection states, as {@link ZooKeeperCoordinator} acts on them: {@code CONNECTED} and
 * {@code RECONNECTED} make the session usable (a new session id drops the claims of the old
 * one); {@code SUSPENDED} and {@code READ_ONLY} stop confirmations, so that renewals stop at the
 * fence bound, and release the VIPs of groups whose {@link SessionLoss} says so; {@code LOST}
 * drops every claim.
 */
public final class ZooKeeperSession implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperSession.class);

  /** What a coordinator hears of the session; called on Curator's threads. */
  interface Listener {
    void stateChanged(ConnectionState state);

    /**
     * When (this session's clock) every VIP the coordinator's grants allowed is off the host,
     * kernel lease and overrun over; MIN_VALUE when none was granted.
     */
    default long vipsGoneBy() {
      return Long.MIN_VALUE;
    }
  }

  private final CuratorFramework client;
  private final String connect;
  private final long timeoutNanos;
  private final boolean owned;
  private final LongSupplier clock;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService pinger;
  private final AtomicLong confirmedAt = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong confirmations = new AtomicLong();
  private final AtomicLong closeNotBefore = new AtomicLong(Long.MIN_VALUE);
  private volatile long sessionId;
  private volatile boolean usable;
  private volatile long lostAt = Long.MIN_VALUE;
  /** The session timeout the ensemble granted, read at each connection; 0 before the first. */
  private volatile long negotiatedNanos;
  private volatile @Nullable ConnectionState last;

  private ZooKeeperSession(CuratorFramework client, String connect, Duration sessionTimeout,
      boolean owned, LongSupplier clock) {
    this.client = client;
    this.connect = connect;
    this.timeoutNanos = sessionTimeout.toNanos();
    this.owned = owned;
    this.clock = clock;
    this.pinger = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "vipha-zk-session");
      t.setDaemon(true);
      return t;
    });
    client.getConnectionStateListenable().addListener((c, s) -> onState(s));
  }

  /**
   * Connects to the ensemble at {@code connect} (ZooKeeper's connect string, e.g. {@code
   * zk1:2181,zk2:2181,zk3:2181/chroot}) with {@code sessionTimeout}, and waits up to {@code
   * connectTimeout} for the first session.
   *
   * @throws IOException when no server of {@code connect} answers in time; the message names the
   *     connect string
   */
  public static ZooKeeperSession connect(String connect, Duration sessionTimeout,
      Duration connectTimeout) throws IOException {
    Objects.requireNonNull(connect, "connect");
    if (sessionTimeout.isNegative() || sessionTimeout.isZero()) {
      throw new IllegalArgumentException("sessionTimeout must be positive: " + sessionTimeout);
    }
    CuratorFramework c = CuratorFrameworkFactory.builder()
        .connectString(connect)
        .sessionTimeoutMs(Math.toIntExact(sessionTimeout.toMillis()))
        .connectionTimeoutMs(Math.toIntExact(Math.min(sessionTimeout.toMillis(),
            connectTimeout.toMillis())))
        .retryPolicy(new ExponentialBackoffRetry(100, 3, 1000))
        // The servers named in the connect string are the ones used: no switch to the addresses
        // in the ensemble's dynamic configuration, which may not be reachable from this node.
        .ensembleTracker(false)
        .build();
    ZooKeeperSession s = new ZooKeeperSession(c, connect, sessionTimeout, true,
        System::nanoTime);
    c.start();
    boolean connected;
    try {
      connected = c.blockUntilConnected(Math.toIntExact(connectTimeout.toMillis()),
          TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      connected = false;
    }
    if (!connected) {
      s.close();
      throw new IOException("no ZooKeeper server of \"" + connect + "\" answered within "
          + connectTimeout.toMillis() + " ms");
    }
    s.start();
    return s;
  }

  /**
   * A session over a started Curator client that the caller owns, created with {@code
   * sessionTimeout}. Close the client only after this session's {@link #close()} has returned.
   */
  public static ZooKeeperSession of(CuratorFramework client, Duration sessionTimeout) {
    ZooKeeperSession s = new ZooKeeperSession(client,
        client.getZookeeperClient().getCurrentConnectionString(), sessionTimeout, false,
        System::nanoTime);
    if (client.getZookeeperClient().isConnected()) {
      s.onState(ConnectionState.CONNECTED);
    }
    s.start();
    return s;
  }

  private void start() {
    long period = Math.max(timeoutNanos / 6, TimeUnit.MILLISECONDS.toNanos(10));
    pinger.scheduleAtFixedRate(this::ping, 0, period, TimeUnit.NANOSECONDS);
  }

  /** The Curator client. */
  public CuratorFramework client() {
    return client;
  }

  /** The connect string. */
  public String connectString() {
    return connect;
  }

  /**
   * The session timeout the fence works with: the smaller of the one asked for and the one the
   * ensemble granted.
   */
  public Duration sessionTimeout() {
    return Duration.ofNanos(timeoutNanos());
  }

  long timeoutNanos() {
    return within(negotiated()); // not connected yet: the timeout asked for
  }

  /** The timeout asked for, or the one {@code granted} (0: not known) when smaller. */
  private long within(long granted) {
    return granted > 0 ? Math.min(timeoutNanos, granted) : timeoutNanos;
  }

  long nanoTime() {
    return clock.getAsLong();
  }

  /** Whether the session is connected to a server that accepts writes. */
  public boolean usable() {
    return usable;
  }

  /** The current session id, 0 before the first session. */
  long sessionId() {
    return sessionId;
  }

  /** When the connection was last lost (SUSPENDED, READ_ONLY or LOST), or MIN_VALUE. */
  long lostAt() {
    return lostAt;
  }

  /**
   * The instant (monotonic nanoseconds) before which the ensemble cannot have expired this
   * session: the send time of the last confirmed request plus the session timeout.
   * {@link Long#MIN_VALUE} before the first confirmation.
   */
  long validUntil() {
    long c = confirmedAt.get();
    return c == Long.MIN_VALUE ? Long.MIN_VALUE : c + timeoutNanos();
  }

  /** Requests the ensemble answered in a session so far (confirmation reads and claims). */
  public long confirmations() {
    return confirmations.get();
  }

  void addListener(Listener l) {
    listeners.add(l);
  }

  void removeListener(Listener l) {
    listeners.remove(l);
  }

  /** The ensemble answered, within session {@code id}, a request sent at {@code sentAt}. */
  void confirmed(long id, long sentAt) {
    if (usable && id != 0 && id == sessionId) {
      confirmedAt.accumulateAndGet(sentAt, Math::max);
      confirmations.incrementAndGet();
    }
  }

  private void ping() {
    if (!usable) {
      return;
    }
    long id = sessionId;
    long sentAt = nanoTime();
    try {
      client.checkExists().inBackground((c, e) -> {
        if (e.getResultCode() == KeeperException.Code.OK.intValue()) {
          confirmed(id, sentAt);
        }
      }).forPath("/");
    } catch (Exception e) {
      LOG.debug("session check failed", e);
    }
  }

  /** Applies a connection state; package-private so that tests can drive every state. */
  void onState(ConnectionState s) {
    last = s;
    switch (s) {
      case CONNECTED, RECONNECTED -> {
        long id = currentId();
        if (id != sessionId) {
          confirmedAt.set(Long.MIN_VALUE);
          sessionId = id;
        }
        long granted = negotiated();
        if (granted > 0) {
          negotiatedNanos = granted;
        }
        usable = true;
        lostAt = Long.MIN_VALUE;
        pinger.execute(this::ping);
      }
      case SUSPENDED, READ_ONLY, LOST -> {
        usable = false;
        if (lostAt == Long.MIN_VALUE) {
          lostAt = nanoTime();
        }
        if (s == ConnectionState.LOST) {
          confirmedAt.set(Long.MIN_VALUE);
        }
      }
    }
    LOG.info("ZooKeeper {}: {}", connect, s);
    for (Listener l : listeners) {
      l.stateChanged(s);
    }
  }

  /** The last connection state reported, or null before the first. */
  @Nullable ConnectionState state() {
    return last;
  }

  /** The timeout asked for, in nanoseconds. */
  long requestedTimeoutNanos() {
    return timeoutNanos;
  }

  /**
   * The session timeout the ensemble granted at the last connection, in nanoseconds, or 0 before
   * the first; read without a call into the client, from any thread.
   */
  long negotiatedTimeoutNanos() {
    return negotiatedNanos;
  }

  /** The session timeout the ensemble granted the connection now, or 0 when not known. */
  private long negotiated() {
    try {
      int ms = client.getZookeeperClient().getZooKeeper().getSessionTimeout();
      return ms > 0 ? TimeUnit.MILLISECONDS.toNanos(ms) : 0;
    } catch (Exception e) {
      return 0;
    }
  }

  /**
   * Like {@link #validUntil()}, with the timeout of the last connection (the smaller of the one
   * asked for and the one granted): read without a call into the client, from any thread.
   */
  long validUntilNow() {
    long c = confirmedAt.get();
    return c == Long.MIN_VALUE ? Long.MIN_VALUE : c + within(negotiatedNanos);
  }

  private long currentId() {
    try {
      return client.getZookeeperClient().getZooKeeper().getSessionId();
    } catch (Exception e) {
      return 0;
    }
  }

  /** Keeps the session open at least until {@code at} (this session's clock) on {@link #close}. */
  void closeNotBefore(long at) {
    closeNotBefore.accumulateAndGet(at, Math::max);
  }

  /** Runs {@code task} in {@code delayNanos} on the session's thread, unless closed by then. */
  void later(long delayNanos, Runnable task) {
    try {
      pinger.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      LOG.debug("session closed", e);
    }
  }

  /**
   * Stops the confirmations; closes the client when this session opened it. While a VIP granted
   * under the session may still be on its host (its coordinator is still running, or closed
   * while a release failed), it first waits until the kernel has removed it: a session the
   * ensemble closed before then would let another node add the VIP at once.
   */
  @Override
  public void close() {
    long until = closeNotBefore.get();
    for (Listener l : listeners) {
      until = Math.max(until, l.vipsGoneBy());
    }
    long wait = until == Long.MIN_VALUE ? 0 : until - nanoTime();
    if (wait > 0) {
      LOG.info("ZooKeeper {}: closing the session in {} ms, once the VIPs granted under it are off"
          + " their hosts", connect, wait / 1_000_000);
      try {
        TimeUnit.NANOSECONDS.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    pinger.shutdownNow();
    if (owned) {
      client.close();
    }
  }
}
