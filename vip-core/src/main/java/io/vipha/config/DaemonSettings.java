package io.vipha.config;

import io.vipha.health.Effect;
import io.vipha.health.HealthCheck;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * What a node daemon (vipd) needs beyond the group itself: the {@code "daemon"} object of a group
 * in the configuration file. Every field is optional; {@link #NONE} has none of them.
 *
 * @param keyFile the heartbeat signing key, as a file of base64 text (absolute path), or null
 *     when the daemon is given one another way
 * @param multicast a multicast group that heartbeats are also sent to, or null for unicast only
 * @param reconcileInterval how often the agent compares the host with the plan, or null for the
 *     agent's default
 * @param healthChecks this group's health checks, run by every node of the group
 * @param preferredLifetimeZero whether IPv6 VIPs get a preferred lifetime of 0, so that the
 *     kernel never picks one as the source address of outgoing connections (default false)
 * @param linkDown what a VIP interface going down does to the node: {@link
 *     Effect#disqualify()} (the default) or a weight, as for a failing health check
 * @param stateFile where the daemon keeps the node's state across restarts (absolute path, in
 *     which {@code {group}} and {@code {node}} stand for the group's and the node's names), or
 *     null for {@link #DEFAULT_STATE_FILE}
 * @param controlSocket the path of the daemon's control socket (a Unix domain socket, absolute),
 *     or null for the daemon's default, {@code /run/vipha/GROUP-NODE.sock}
 * @param metrics where the daemon serves its metrics, or null (the default) to serve none
 * @param notifications the hooks, FIFO and socket that are told of the node's events ({@link
 *     NotifySettings#NONE} for none)
 * @param keyId the id (0–255) of the signing key of {@code keyFile}; {@link #DEFAULT_KEY_ID}
 *     unless set
 * @param acceptKey one more key that heartbeats may be signed with, for key rotation, or null
 * @param warmup how long the node warms up after start before it may take a VIP that a live peer
 *     serves (0: no warm-up; see {@code VipAgent.Builder.warmup}), 0–5min, or null for {@link
 *     #DEFAULT_WARMUP}
 * @param zookeeper the ZooKeeper ensemble that decides ownership instead of heartbeats, or null
 *     (the default) for heartbeats
 * @param vrrp the VRRP virtual router the group is, instead of heartbeats, or null (the default)
 *     for heartbeats; not together with {@code zookeeper}
 * @param movers the address movers that point the group's VIPs at the owner through a cloud API
 *     or a script; at most one per VIP (empty, the default: none)
 * @param realtime how the daemon schedules its latency-critical threads ({@link
 *     Realtime#DEFAULT} unless set)
 */
public record DaemonSettings(@Nullable Path keyFile, @Nullable Multicast multicast,
    @Nullable Duration reconcileInterval, List<HealthCheck> healthChecks,
    boolean preferredLifetimeZero, Effect linkDown, @Nullable String stateFile,
    @Nullable Path controlSocket, @Nullable Metrics metrics, NotifySettings notifications,
    int keyId, @Nullable Key acceptKey, @Nullable Duration warmup,
    @Nullable ZooKeeper zookeeper, @Nullable Vrrp vrrp, List<Mover> movers,
    Realtime realtime) {

  /** The id of the signing key when none is set. */
  public static final int DEFAULT_KEY_ID = 1;

  /** The link-down effect when none is set: the node may not own VIPs. */
  public static final Effect DEFAULT_LINK_DOWN = Effect.disqualify();

  /** Where the node state is kept when {@code stateFile} is not set. */
  public static final String DEFAULT_STATE_FILE = "/var/lib/vipha/{group}-{node}.state";

  /** The warm-up when none is set. */
  public static final Duration DEFAULT_WARMUP = Duration.ofSeconds(2);

  /** The longest warm-up. */
  public static final Duration MAX_WARMUP = Duration.ofMinutes(5);

  /** No daemon settings: what a group without a {@code "daemon"} object has. */
  public static final DaemonSettings NONE = new DaemonSettings(null, null, null, List.of());

  /** Copies the list of checks; checks the key ids, the warm-up and the coordinator. */
  public DaemonSettings {
    if (zookeeper != null && vrrp != null) {
      throw new IllegalArgumentException("a group has one coordinator: ZooKeeper or VRRP");
    }
    healthChecks = List.copyOf(healthChecks);
    movers = List.copyOf(movers);
    if (warmup != null && (warmup.isNegative() || warmup.compareTo(MAX_WARMUP) > 0)) {
      throw new IllegalArgumentException("warmup must be 0-5min, got " + warmup);
    }
    Objects.requireNonNull(linkDown, "linkDown");
    Objects.requireNonNull(notifications, "notifications");
    Objects.requireNonNull(realtime, "realtime");
    Key.requireId(keyId);
    if (acceptKey != null && acceptKey.id() == keyId) {
      throw new IllegalArgumentException("the accepted key's id " + keyId + " is the signing"
          + " key's; give the accepted key another id");
    }
  }

  /** Settings with the default real-time scheduling, {@link Realtime#DEFAULT}. */
  public DaemonSettings(@Nullable Path keyFile, @Nullable Multicast multicast,
      @Nullable Duration reconcileInterval, List<HealthCheck> healthChecks,
      boolean preferredLifetimeZero, Effect linkDown, @Nullable String stateFile,
      @Nullable Path controlSocket, @Nullable Metrics metrics, NotifySettings notifications,
      int keyId, @Nullable Key acceptKey, @Nullable Duration warmup,
      @Nullable ZooKeeper zookeeper, @Nullable Vrrp vrrp, List<Mover> movers) {
    this(keyFile, multicast, reconcileInterval, healthChecks, preferredLifetimeZero, linkDown,
        stateFile, controlSocket, metrics, notifications, keyId, acceptKey, warmup, zookeeper,
        vrrp, movers, Realtime.DEFAULT);
  }

  /** Settings without address movers. */
  public DaemonSettings(@Nullable Path keyFile, @Nullable Multicast multicast,
      @Nullable Duration reconcileInterval, List<HealthCheck> healthChecks,
      boolean preferredLifetimeZero, Effect linkDown, @Nullable String stateFile,
      @Nullable Path controlSocket, @Nullable Metrics metrics, NotifySettings notifications,
      int keyId, @Nullable Key acceptKey, @Nullable Duration warmup,
      @Nullable ZooKeeper zookeeper, @Nullable Vrrp vrrp) {
    this(keyFile, multicast, reconcileInterval, healthChecks, preferredLifetimeZero, linkDown,
        stateFile, controlSocket, metrics, notifications, keyId, acceptKey, warmup, zookeeper,
        vrrp, List.of());
  }

  /** Settings without VRRP. */
  public DaemonSettings(@Nullable Path keyFile, @Nullable Multicast multicast,
      @Nullable Duration reconcileInterval, List<HealthCheck> healthChecks,
      boolean preferredLifetimeZero, Effect linkDown, @Nullable String stateFile,
      @Nullable Path controlSocket, @Nullable Metrics metrics, NotifySettings notifications,
      int keyId, @Nullable Key acceptKey, @Nullable Duration warmup,
      @Nullable ZooKeeper zookeeper) {
    this(keyFile, multicast, reconcileInterval, healthChecks, preferredLifetimeZero, linkDown,
        stateFile, controlSocket, metrics, notifications, keyId, acceptKey, warmup, zookeeper,
        null);
  }

  /** Settings with the default warm-up and heartbeats as the coordinator. */
  public DaemonSettings(@Nullable Path keyFile, @Nullable Multicast multicast,
      @Nullable Duration reconcileInterval, List<HealthCheck> healthChecks,
      boolean preferredLifetimeZero, Effect linkDown, @Nullable String stateFile,
      @Nullable Path controlSocket, @Nullable Metrics metrics, NotifySettings notifications,
      int keyId, @Nullable Key acceptKey) {
    this(keyFile, multicast, reconcileInterval, healthChecks, preferredLifetimeZero, linkDown,
        stateFile, controlSocket, metrics, notifications, keyId, acceptKey, null, null);
  }

  /** Settings with the signing key id {@link #DEFAULT_KEY_ID} and no accepted key. */
  public DaemonSettings(@Nullable Path keyFile, @Nullable Multicast multicast,
      @Nullable Duration reconcileInterval, List<HealthCheck> healthChecks,
      boolean preferredLifetimeZero, Effect linkDown, @Nullable String stateFile,
      @Nullable Path controlSocket, @Nullable Metrics metrics, NotifySettings notifications) {
    this(keyFile, multicast, reconcileInterval, healthChecks, preferredLifetimeZero, linkDown,
        stateFile, controlSocket, metrics, notifications, DEFAULT_KEY_ID, null);
  }

  /** Settings with the default preferred lifetime, link-down effect, state file and socket. */
  public DaemonSettings(@Nullable Path keyFile, @Nullable Multicast multicast,
      @Nullable Duration reconcileInterval, List<HealthCheck> healthChecks) {
    this(keyFile, multicast, reconcileInterval, healthChecks, false, DEFAULT_LINK_DOWN, null,
        null);
  }

  /** Settings without metrics or notifications. */
  public DaemonSettings(@Nullable Path keyFile, @Nullable Multicast multicast,
      @Nullable Duration reconcileInterval, List<HealthCheck> healthChecks,
      boolean preferredLifetimeZero, Effect linkDown, @Nullable String stateFile,
      @Nullable Path controlSocket) {
    this(keyFile, multicast, reconcileInterval, healthChecks, preferredLifetimeZero, linkDown,
        stateFile, controlSocket, null, NotifySettings.NONE);
  }

  /** These settings with the state file template {@code template}. */
  public DaemonSettings withStateFile(String template) {
    return new DaemonSettings(keyFile, multicast, reconcileInterval, healthChecks,
        preferredLifetimeZero, linkDown, template, controlSocket, metrics, notifications, keyId,
        acceptKey, warmup, zookeeper, vrrp, movers, realtime);
  }

  /** These settings with metrics served as {@code m} says (null: none). */
  public DaemonSettings withMetrics(@Nullable Metrics m) {
    return new DaemonSettings(keyFile, multicast, reconcileInterval, healthChecks,
        preferredLifetimeZero, linkDown, stateFile, controlSocket, m, notifications, keyId,
        acceptKey, warmup, zookeeper, vrrp, movers, realtime);
  }

  /** These settings with {@code notifications}. */
  public DaemonSettings withNotifications(NotifySettings notifications) {
    return new DaemonSettings(keyFile, multicast, reconcileInterval, healthChecks,
        preferredLifetimeZero, linkDown, stateFile, controlSocket, metrics, notifications, keyId,
        acceptKey, warmup, zookeeper, vrrp, movers, realtime);
  }

  /** These settings with signing key id {@code id} and accepted key {@code accept} (or none). */
  public DaemonSettings withKeys(int id, @Nullable Key accept) {
    return new DaemonSettings(keyFile, multicast, reconcileInterval, healthChecks,
        preferredLifetimeZero, linkDown, stateFile, controlSocket, metrics, notifications, id,
        accept, warmup, zookeeper, vrrp, movers, realtime);
  }

  /** These settings with the warm-up {@code w} (null: {@link #DEFAULT_WARMUP}). */
  public DaemonSettings withWarmup(@Nullable Duration w) {
    return new DaemonSettings(keyFile, multicast, reconcileInterval, healthChecks,
        preferredLifetimeZero, linkDown, stateFile, controlSocket, metrics, notifications, keyId,
        acceptKey, w, zookeeper, vrrp, movers, realtime);
  }

  /** The warm-up: the one set, or {@link #DEFAULT_WARMUP}. */
  public Duration warmupOrDefault() {
    return warmup == null ? DEFAULT_WARMUP : warmup;
  }

  /** These settings with {@code zookeeper} deciding ownership (null: heartbeats). */
  public DaemonSettings withZooKeeper(@Nullable ZooKeeper zookeeper) {
    return new DaemonSettings(keyFile, multicast, reconcileInterval, healthChecks,
        preferredLifetimeZero, linkDown, stateFile, controlSocket, metrics, notifications, keyId,
        acceptKey, warmup, zookeeper, vrrp, movers, realtime);
  }

  /** These settings with the group as the VRRP virtual router {@code vrrp} (null: heartbeats). */
  public DaemonSettings withVrrp(@Nullable Vrrp vrrp) {
    return new DaemonSettings(keyFile, multicast, reconcileInterval, healthChecks,
        preferredLifetimeZero, linkDown, stateFile, controlSocket, metrics, notifications, keyId,
        acceptKey, warmup, zookeeper, vrrp, movers, realtime);
  }

  /** These settings with {@code movers} (empty: none). */
  public DaemonSettings withMovers(List<Mover> movers) {
    return new DaemonSettings(keyFile, multicast, reconcileInterval, healthChecks,
        preferredLifetimeZero, linkDown, stateFile, controlSocket, metrics, notifications, keyId,
        acceptKey, warmup, zookeeper, vrrp, movers, realtime);
  }

  /** These settings with the real-time scheduling {@code r}. */
  public DaemonSettings withRealtime(Realtime r) {
    return new DaemonSettings(keyFile, multicast, reconcileInterval, healthChecks,
        preferredLifetimeZero, linkDown, stateFile, controlSocket, metrics, notifications, keyId,
        acceptKey, warmup, zookeeper, vrrp, movers, r);
  }

  /** The state file of node {@code node} of group {@code group}: the template filled in. */
  public Path stateFile(String group, String node) {
    String t = stateFile == null ? DEFAULT_STATE_FILE : stateFile;
    return Path.of(t.replace("{group}", group).replace("{node}", node));
  }

  /** Whether every field is absent. */
  public boolean isEmpty() {
    return equals(NONE);
  }

  /**
   * The daemon's metrics endpoint: Prometheus text at {@code GET /metrics}.
   *
   * @param listen the address and port to listen on, e.g. {@code 127.0.0.1:9405}; only that
   *     address is bound
   */
  public record Metrics(InetSocketAddress listen) {
    /** The port of the examples, {@code 9405}. */
    public static final int DEFAULT_PORT = 9405;

    /** Checks for null and for a port (not 0). */
    public Metrics {
      Objects.requireNonNull(listen, "listen");
      if (listen.getPort() == 0) {
        throw new IllegalArgumentException("the metrics port must be set: " + listen);
      }
    }
  }

  /**
   * An address mover ({@code "movers": [{"type": "exec", ...}]}): points VIPs of the group at
   * their owner through something outside the host, found by {@code type} through {@link
   * io.vipha.spi.MoverProvider}.
   *
   * @param type the provider's type, e.g. {@code exec}
   * @param vips the addresses of the VIPs it moves; empty for every VIP of the group
   * @param timeout the deadline of each call, or null for the agent's default (10 s)
   * @param settings the provider's fields (every field but {@code type}, {@code vips} and
   *     {@code timeout}), each as text: a string as it is, a number or a boolean as written, a
   *     list or an object as compact JSON; never a secret (the reader refuses fields named like
   *     one)
   */
  public record Mover(String type, List<InetAddress> vips, @Nullable Duration timeout,
      Map<String, String> settings) {
    /** Checks for null, copies the lists; the timeout must be positive. */
    public Mover {
      Objects.requireNonNull(type, "type");
      vips = List.copyOf(vips);
      settings = Collections.unmodifiableMap(new TreeMap<>(settings));
      if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
        throw new IllegalArgumentException("a mover's timeout must be positive, got " + timeout);
      }
    }

    /** Whether it moves {@code vip}: named, or every VIP when none is named. */
    public boolean moves(InetAddress vip) {
      return vips.isEmpty() || vips.contains(vip);
    }
  }

  /**
   * A heartbeat key that a node accepts besides its signing key: its id and its file.
   *
   * @param id the key's id, 0–255, as heartbeats carry it
   * @param file the key, as a file of base64 text (absolute path)
   */
  public record Key(int id, Path file) {
    /** The highest key id. */
    public static final int MAX_ID = 255;

    /** Checks the id and that the file is not null. */
    public Key {
      requireId(id);
      Objects.requireNonNull(file, "file");
    }

    static void requireId(int id) {
      if (id < 0 || id > MAX_ID) {
        throw new IllegalArgumentException("a key id is 0-" + MAX_ID + "; got " + id);
      }
    }
  }

  /**
   * The ZooKeeper ensemble that decides ownership ({@code "coordinator": {"zookeeper": {...}}}).
   *
   * @param connect ZooKeeper's connect string, e.g. {@code zk1:2181,zk2:2181,zk3:2181}
   * @param sessionTimeout the session timeout asked for (default {@link #DEFAULT_SESSION})
   * @param path the znode under which groups live (default {@link #DEFAULT_PATH})
   * @param keepFor what a holder does when its connection goes: null to release its VIPs at once
   *     ({@code "onSessionLoss": "release"}, the default), or how long it keeps renewing them
   *     ({@code "onSessionLoss": "keep"} with {@code "keepFor"}, default 0s: only while fenced)
   */
  public record ZooKeeper(String connect, Duration sessionTimeout, String path,
      @Nullable Duration keepFor) {
    /** The session timeout when none is set: 6 s. */
    public static final Duration DEFAULT_SESSION = Duration.ofSeconds(6);
    /** The znode under which groups live when none is set. */
    public static final String DEFAULT_PATH = "/vipha";

    /** Checks for null. */
    public ZooKeeper {
      Objects.requireNonNull(connect, "connect");
      Objects.requireNonNull(sessionTimeout, "sessionTimeout");
      Objects.requireNonNull(path, "path");
    }
  }

  /**
   * The group as a VRRP version 3 virtual router ({@code "coordinator": {"vrrp": {...}}}), so that
   * its nodes join keepalived nodes and routers of the same VRID. The group gives the rest: the
   * VIPs are the router's addresses, a node's priority its priority, the heartbeat interval the
   * advertisement interval, the policy's preemption and its delay those of VRRP.
   *
   * @param vrid the virtual router id, 1-255, unique per interface and address family
   * @param interfaceName the interface the advertisements go out on and come in from, or null for
   *     the one interface of the group's VIPs
   * @param ipv4Checksum what the checksum of IPv4 advertisements covers
   * @param unicastPeers the peers advertisements go to, of the VIPs' family; empty (the default)
   *     to send them to the VRRP multicast group, 224.0.0.18 or ff02::12
   * @param addressOwner whether this node owns the addresses and advertises priority 255, which
   *     no health check or link changes (default false: the node's priority)
   */
  public record Vrrp(int vrid, @Nullable String interfaceName, Ipv4Checksum ipv4Checksum,
      List<InetAddress> unicastPeers, boolean addressOwner) {
    /** The highest VRID. */
    public static final int MAX_VRID = 255;

    /** Checks the VRID; copies the peers. */
    public Vrrp {
      if (vrid < 1 || vrid > MAX_VRID) {
        throw new IllegalArgumentException("a VRID is 1-" + MAX_VRID + "; got " + vrid);
      }
      Objects.requireNonNull(ipv4Checksum, "ipv4Checksum");
      unicastPeers = List.copyOf(unicastPeers);
    }

    /** Multicast advertisements with the pseudo-header checksum, not the address owner. */
    public static Vrrp of(int vrid) {
      return new Vrrp(vrid, null, Ipv4Checksum.PSEUDO_HEADER, List.of(), false);
    }

    /** What the checksum of an IPv4 advertisement covers; IPv6 ones always cover both. */
    public enum Ipv4Checksum {
      /**
       * The IPv4 pseudo-header and the message, as RFC 5798 reads and keepalived sends by default
       * ({@code "pseudo-header"}, the default).
       */
      PSEUDO_HEADER("pseudo-header"),
      /**
       * The message alone, as RFC 9568 says and keepalived with {@code v3_checksum_as_v2}, Cisco
       * and Juniper send ({@code "message-only"}).
       */
      MESSAGE_ONLY("message-only");

      private final String text;

      Ipv4Checksum(String text) {
        this.text = text;
      }

      /** The setting as the configuration file writes it. */
      public String text() {
        return text;
      }
    }
  }

  /**
   * How the daemon schedules its latency-critical threads ({@code "realtime": {...}}): the event
   * loop, the heartbeat and VRRP receive threads and the netlink watch thread. No other thread
   * (health probes, notify hooks, the control socket, metrics) is raised.
   *
   * @param policy the scheduling policy (default {@link Policy#AUTO})
   * @param priority the real-time priority, {@value #MIN_PRIORITY}–{@value #MAX_PRIORITY}
   *     (default {@value #DEFAULT_PRIORITY}); not used with {@link Policy#OFF}
   * @param lockMemory whether the daemon locks its memory into RAM ({@code mlockall}), so that
   *     no page of it is swapped out (default false)
   */
  public record Realtime(Policy policy, int priority, boolean lockMemory) {
    /** The lowest real-time priority. */
    public static final int MIN_PRIORITY = 1;
    /** The highest real-time priority. */
    public static final int MAX_PRIORITY = 99;
    /** The priority when none is set. */
    public static final int DEFAULT_PRIORITY = 10;
    /** What a daemon without a {@code "realtime"} object does: RR 10 where permitted. */
    public static final Realtime DEFAULT = new Realtime(Policy.AUTO, DEFAULT_PRIORITY, false);

    /** Checks the priority. */
    public Realtime {
      Objects.requireNonNull(policy, "policy");
      if (priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
        throw new IllegalArgumentException("a real-time priority is " + MIN_PRIORITY + "-"
            + MAX_PRIORITY + "; got " + priority);
      }
    }

    /** The scheduling policy of the latency-critical threads. */
    public enum Policy {
      /**
       * {@link #RR} where the process may ({@code CAP_SYS_NICE} or a high enough {@code
       * RLIMIT_RTPRIO}), else normal scheduling with a warning ({@code "auto"}, the default).
       */
      AUTO("auto"),
      /** {@code SCHED_RR}, round robin among threads of one priority ({@code "rr"}). */
      RR("rr"),
      /** {@code SCHED_FIFO}, first in first out among threads of one priority ({@code "fifo"}). */
      FIFO("fifo"),
      /** Normal scheduling, as every other thread ({@code "off"}). */
      OFF("off");

      private final String text;

      Policy(String text) {
        this.text = text;
      }

      /** The policy as the configuration file writes it. */
      public String text() {
        return text;
      }
    }
  }

  /**
   * A multicast group for heartbeats and the interface to join it on.
   *
   * @param group a multicast address and port, e.g. {@code 239.255.86.1:7405}
   * @param interfaceName the interface, e.g. {@code eth0}
   */
  public record Multicast(InetSocketAddress group, String interfaceName) {
    /** Checks that neither is null. */
    public Multicast {
      Objects.requireNonNull(group, "group");
      Objects.requireNonNull(interfaceName, "interfaceName");
    }
  }
}
