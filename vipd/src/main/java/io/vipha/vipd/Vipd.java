package io.vipha.vipd;

import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.agent.AgentEvent;
import io.vipha.agent.EventLoopScheduler;
import io.vipha.agent.HeartbeatCoordinator;
import io.vipha.zookeeper.SessionLoss;
import io.vipha.zookeeper.ZooKeeperCoordinator;
import io.vipha.zookeeper.ZooKeeperSession;
import io.vipha.agent.VipAgent;
import io.vipha.config.DaemonSettings;
import io.vipha.config.NotifySettings;
import io.vipha.health.HealthCheck;
import io.vipha.internal.Addresses;
import io.vipha.netlink.NetlinkBackend;
import io.vipha.netlink.VrrpCoordinator;
import io.vipha.spi.AddressBackend;
import io.vipha.spi.AddressMover;
import io.vipha.spi.BackendException;
import io.vipha.spi.MoverProvider;
import io.vipha.spi.StateStore;
import io.vipha.spi.StateStoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * vipd, the vipha node daemon: {@code java -jar vipd.jar --config vipha.json --node n1}.
 *
 * <p>Reads the configuration, runs a {@link VipAgent} for one node of one group with a {@link
 * HeartbeatCoordinator} and the {@link NetlinkBackend}, logs every agent event as one line, and
 * on SIGTERM or SIGINT stops gracefully (make-before-break) and exits 0. SIGHUP, like {@code
 * vipctl reload}, reloads the configuration ({@link Reloader}). Startup problems end it at once
 * with one message and the exit code of {@link ExitCode}.
 *
 * <p>{@link Setup} reads the configuration and the key before anything is opened; {@link
 * Interfaces} checks that the interfaces it names exist; this class opens the backend, runs the
 * agent and stops it.
 */
public final class Vipd {
  private static final Logger LOG = LoggerFactory.getLogger("vipd");

  /**
   * Opens the address backend, in a network namespace when one is named, as the group's daemon
   * settings say (the IPv6 preferred lifetime).
   */
  @FunctionalInterface
  interface Backends {
    AddressBackend open(@Nullable String namespace, DaemonSettings daemon)
        throws BackendException;

    /** The same, its watch thread made by {@code threads}; a stand-in ignores them. */
    default AddressBackend open(@Nullable String namespace, DaemonSettings daemon,
        ThreadFactory threads) throws BackendException {
      return open(namespace, daemon);
    }
  }

  /** The Linux backend ({@link #netlink}), its watch thread made as vipd's scheduling says. */
  static final Backends NETLINK = new Backends() {
    @Override
    public AddressBackend open(@Nullable String namespace, DaemonSettings daemon)
        throws BackendException {
      return netlink(namespace, daemon, Thread::new);
    }

    @Override
    public AddressBackend open(@Nullable String namespace, DaemonSettings daemon,
        ThreadFactory threads) throws BackendException {
      return netlink(namespace, daemon, threads);
    }
  };



  private final PrintStream out;
  private final PrintStream err;
  private final Backends backends;
  private final boolean signals;
  /** The state file template when the configuration sets none. */
  private final String defaultStateFile;
  private final CompletableFuture<ExitCode> end = new CompletableFuture<>();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private volatile boolean exiting;
  private @Nullable VipAgent agent;
  private @Nullable EventLoopScheduler loop;
  private @Nullable AddressBackend backend;
  private @Nullable ZooKeeperSession zooKeeperSession;
  private @Nullable ControlServer control;
  private @Nullable MetricsServer metrics;
  private @Nullable Notifier notifier;
  private @Nullable Reloader reloader;
  private final List<AddressMover> movers = new ArrayList<>();
  private Path controlDirectory = DEFAULT_CONTROL_DIRECTORY;
  private Scheduling.Kernel kernel = Scheduling.LINUX;
  private Duration stopBound = Duration.ofSeconds(30);

  /** How long queued notify hooks may still run when vipd exits. */
  static final Duration NOTIFY_GRACE = Duration.ofSeconds(5);

  /** Where the control socket is when the configuration names none. */
  static final Path DEFAULT_CONTROL_DIRECTORY = Path.of("/run/vipha");

  /**
   * A daemon that prints its startup messages to {@code err}, opens its backend with {@code
   * backends}, and, when {@code signals}, stops gracefully and exits 0 on SIGTERM and SIGINT.
   */
  Vipd(PrintStream out, PrintStream err, Backends backends, boolean signals) {
    this(out, err, backends, signals, DaemonSettings.DEFAULT_STATE_FILE);
  }

  /** The same, with another default state file template (tests keep theirs in a temp dir). */
  Vipd(PrintStream out, PrintStream err, Backends backends, boolean signals,
      String defaultStateFile) {
    this.out = out;
    this.err = err;
    this.backends = backends;
    this.signals = signals;
    this.defaultStateFile = defaultStateFile;
  }

  /** Raises threads and locks memory through {@code k} instead of the kernel (tests). */
  Vipd kernel(Scheduling.Kernel k) {
    this.kernel = k;
    return this;
  }

  /** Puts the default control socket into {@code dir} instead of /run/vipha (tests). */
  Vipd controlDirectory(Path dir) {
    this.controlDirectory = dir;
    return this;
  }

  /**
   * The control socket of {@code node} in {@code group}: the daemon settings' {@code
   * controlSocket}, else {@code GROUP-NODE.sock} in {@code dir}.
   */
  static Path controlSocket(Path dir, String group, String node, DaemonSettings daemon) {
    Path configured = daemon.controlSocket();
    return configured != null ? configured : dir.resolve(group + "-" + node + ".sock");
  }

  /** Runs vipd; exits with one of the codes of {@link ExitCode}. */
  public static void main(String[] args) {
    Vipd vipd = new Vipd(System.out, System.err, NETLINK, true);
    int code;
    try {
      code = vipd.run(args);
    } catch (RuntimeException | Error e) {
      LOG.error("vipd failed unexpectedly", e);
      vipd.stopGracefully("failure");
      code = ExitCode.FAILURE.code;
    }
    vipd.exiting = true;
    System.exit(code);
  }

  /**
   * The Linux backend, after checking that this process has the capabilities it needs; its watch
   * thread made by {@code threads}.
   */
  static AddressBackend netlink(@Nullable String namespace, DaemonSettings daemon,
      ThreadFactory threads) throws BackendException {
    Capabilities.require(namespace != null);
    NetlinkBackend.Builder b = NetlinkBackend.builder()
        .preferredLifetimeZero(daemon.preferredLifetimeZero()).watchThreads(threads);
    if (namespace != null) {
      b.namespace(namespace);
    }
    return b.build();
  }

  /** Runs until stopped; the exit code. */
  int run(String... args) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (UsageException e) {
      err.println("vipd: " + e.getMessage() + "\nRun vipd --help for the options.");
      return ExitCode.CONFIG.code;
    }
    if (options.help()) {
      out.print(Options.USAGE);
      return ExitCode.OK.code;
    }
    if (options.version()) {
      out.println("vipd " + version());
      return ExitCode.OK.code;
    }
    try {
      Setup setup = Setup.read(options, defaultStateFile);
      if (options.check()) {
        VipGroup g = setup.group();
        out.println("vipd: " + options.config() + " is valid: group " + g.name() + ", node "
            + options.node() + ", " + g.vips().size() + " VIP(s), " + g.nodes().size()
            + " node(s), " + setup.daemon().healthChecks().size() + " health check(s), "
            + setup.keys() + ", state file " + setup.stateFile());
        return ExitCode.OK.code;
      }
      return serve(options, setup, defaultStateFile).code;
    } catch (Failure f) {
      err.println("vipd: " + f.getMessage());
      LOG.error("exiting with code {}", f.code.code);
      return f.code.code;
    }
  }


  private ExitCode serve(Options o, Setup setup, String stateTemplate) throws Failure {
    VipGroup group = setup.group();
    String node = java.util.Objects.requireNonNull(o.node());
    String ns = o.namespace();
    if (signals) {
      handleHangup(); // at once: a SIGHUP before the reloader exists is ignored, not an exit
    }
    Scheduling sched = Scheduling.apply(setup.daemon().realtime(), kernel, LOG);
    ThreadFactory threads = sched.threads();
    AddressBackend b;
    try {
      b = backends.open(ns, setup.daemon(), threads);
    } catch (BackendException e) {
      throw new Failure(ExitCode.of(e.kind()), String.valueOf(e.getMessage()));
    }
    backend = b;
    try {
      Interfaces.check(b, group, setup.daemon(), ns);
      StateStore state = stateStore(setup.stateFile());
      EventLoopScheduler l = new EventLoopScheduler("vipd-" + node, threads);
      loop = l;
      DaemonSettings.ZooKeeper zk = setup.daemon().zookeeper();
      DaemonSettings.Vrrp vrrp = setup.daemon().vrrp();
      HeartbeatCoordinator coordinator = zk == null && vrrp == null
          ? setup.coordinator().receiverThreads(threads).build() : null;
      VipAgent.Builder ab = VipAgent.builder().group(group).nodeId(node).backend(b)
          .coordinator(zk != null ? zooKeeper(zk, group.name())
              : vrrp != null ? VrrpCoordinator.create(vrrp, ns, threads)
              : java.util.Objects.requireNonNull(coordinator))
          .scheduler(l)
          .healthChecks(setup.daemon().healthChecks()).linkDown(setup.daemon().linkDown())
          .stateStore(state).warmup(setup.daemon().warmupOrDefault());
      Duration reconcile = setup.daemon().reconcileInterval();
      if (reconcile != null) {
        ab.reconcileInterval(reconcile);
      }
      movers(group, node, setup.daemon(), ab);
      VipAgent a = ab.build();
      agent = a;
      Duration detection = zk == null ? group.policy().detectionTime() : zk.sessionTimeout();
      stopBound = detection.multipliedBy(2).plus(group.policy().heartbeatInterval())
          .plusSeconds(5);
      a.addListener(new EventLog(LOG));
      a.addListener(this::fatal);
      NotifySettings notify = setup.daemon().notifications();
      Notifier n;
      try {
        n = Notifier.start(group.name(), node, notify); // a reload may add hooks
        notifier = n;
        a.addListener(n);
      } catch (IOException e) {
        throw new Failure(ExitCode.FAILURE, "cannot start daemon.notify of group "
            + group.name() + ": " + e.getMessage());
      }
      Reloader r = new Reloader(o, stateTemplate, setup,
          new ReloadTarget(a, coordinator, n, b, ns), Instant::now);
      reloader = r;
      Path socket = o.controlSocket() != null ? o.controlSocket()
          : controlSocket(controlDirectory, group.name(), node, setup.daemon());
      try {
        control = ControlServer.open(socket, new ControlService(a, coordinator, r, sched));
      } catch (ControlServer.BindException e) {
        throw new Failure(ExitCode.CONTROL_SOCKET, String.valueOf(e.getMessage()));
      }

      DaemonSettings.Metrics m = setup.daemon().metrics();
      if (m != null) {
        try {
          metrics = MetricsServer.open(m.listen(), a, coordinator);
        } catch (IOException e) {
          throw new Failure(ExitCode.METRICS, "cannot serve metrics on "
              + Addresses.text(m.listen()) + " (daemon.metrics.listen of group " + group.name()
              + "): " + e.getMessage() + "; choose a free port on an address of this host");
        }
      }
      if (vrrp != null) {
        LOG.info("vipd {} starting: group {}, node {}, {}, VRRP VRID {} every {}", version(),
            group.name(), node, vipList(group), vrrp.vrid(),
            text(group.policy().heartbeatInterval()));
      } else if (zk == null) {
        LOG.info("vipd {} starting: group {}, node {}, {}, heartbeat {} every {} (dead after {})",
            version(), group.name(), node, vipList(group), heartbeats(group, node),
            text(group.policy().heartbeatInterval()), text(detection));
      } else {
        LOG.info("vipd {} starting: group {}, node {}, {}, ZooKeeper {} (session timeout {},"
            + " on session loss {})", version(), group.name(), node, vipList(group),
            zk.connect(), text(detection), zk.keepFor() == null ? "release" : "keep "
            + text(java.util.Objects.requireNonNull(zk.keepFor())));
      }
      try {
        a.start().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        if (cause instanceof StateStoreException) {
          throw new Failure(ExitCode.STATE, cause.getMessage() + " (daemon.stateFile of group "
              + group.name() + ")");
        }
        ExitCode code = cause instanceof IOException ? ExitCode.HEARTBEAT
            : cause instanceof IllegalArgumentException ? ExitCode.CONFIG : ExitCode.FAILURE;
        throw new Failure(code, "cannot start the heartbeat on " + heartbeats(group, node) + ": "
            + cause.getMessage());
      } catch (TimeoutException e) {
        throw new Failure(ExitCode.FAILURE, "the agent did not start within 30s");
      }
      if (signals) {
        Runtime.getRuntime().addShutdownHook(new Thread(this::onSignal, "vipd-stop"));
      }
      LOG.info("started; SIGTERM or SIGINT stops gracefully, SIGHUP reloads {}", o.config());
      n.daemon("started", null);
      ExitCode code = end.join();
      if (code != ExitCode.OK) {
        stopGracefully("exit " + code.code);
      }
      return code;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure(ExitCode.FAILURE, "interrupted while starting");
    } catch (Failure f) {
      close();
      throw f;
    }
  }

  /** What a reload changes in the running daemon. */
  private record ReloadTarget(VipAgent agent, @Nullable HeartbeatCoordinator coordinator,
      Notifier notifier,
      AddressBackend backend, @Nullable String namespace) implements Reloader.Target {
    @Override
    public CompletableFuture<Void> reconfigure(VipGroup group, List<HealthCheck> checks) {
      return agent.reconfigure(group, checks);
    }

    @Override
    public void rekey(KeySet keys) {
      HeartbeatCoordinator coordinator = this.coordinator;
      if (coordinator == null) {
        return; // ZooKeeper decides: no heartbeats to sign
      }
      KeySet.Key accept = keys.accept();
      if (accept == null) {
        coordinator.rekey(keys.sign().id(), keys.sign().bytes());
      } else {
        coordinator.rekey(keys.sign().id(), keys.sign().bytes(), accept.id(), accept.bytes());
      }
    }

    @Override
    public void hooks(NotifySettings notify) {
      notifier.hooks(notify);
    }

    @Override
    public void checkInterfaces(VipGroup group, DaemonSettings daemon) throws Failure {
      Interfaces.check(backend, group, daemon, namespace);
    }
  }

  /**
   * SIGHUP reloads instead of ending the JVM (its default). sun.misc.Signal (module
   * jdk.unsupported) is the JDK's only way to handle a signal; it works on JDK 17 and later.
   */
  private void handleHangup() {
    try {
      sun.misc.SignalHandler before = sun.misc.Signal.handle(new sun.misc.Signal("HUP"),
          s -> hangup());
      if (before == sun.misc.SignalHandler.SIG_IGN) {
        // The JVM keeps a signal ignored at its start (nohup) ignored: no handler runs.
        LOG.warn("SIGHUP was ignored when vipd started (nohup?), so it cannot reload vipd;"
            + " reload with vipctl reload");
      }
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      LOG.warn("SIGHUP cannot be handled ({}); reload with vipctl reload", e.getMessage());
    }
  }

  /** What SIGHUP does: asks for a reload and returns at once. */
  void hangup() {
    Reloader r = reloader;
    if (r != null) {
      r.signal();
    } else {
      LOG.info("SIGHUP while vipd starts: ignored; send it again once it has started");
    }
  }

  /**
   * The node's state file, its directory created when missing (as systemd's {@code
   * StateDirectory=} would).
   */
  private static StateStore stateStore(Path file) throws Failure {
    Path dir = file.toAbsolutePath().getParent();
    try {
      if (dir != null) {
        Files.createDirectories(dir);
      }
    } catch (IOException | RuntimeException e) {
      throw new Failure(ExitCode.STATE, "cannot create the directory of the node state file "
          + file + ": " + e + "; create it, writable by this user, or set daemon.stateFile");
    }
    return StateStore.file(file);
  }

  /** Ends the daemon on an error that retrying cannot fix. */
  private void fatal(AgentEvent event) {
    if (event instanceof AgentEvent.BackendError e) {
      BackendException.Kind kind = e.error().kind();
      if (kind == BackendException.Kind.PERMISSION || kind == BackendException.Kind.UNSUPPORTED) {
        err.println("vipd: " + e.error().getMessage());
        end.complete(ExitCode.of(kind));
      }
    }
  }

  /** The shutdown hook: a graceful stop, then exit 0 unless the daemon is exiting on its own. */
  private void onSignal() {
    if (exiting) {
      return;
    }
    LOG.info("signal received");
    stopGracefully("signal");
    // The JVM would exit 143 (or 130) after a signal; a graceful stop is a clean exit.
    System.out.flush();
    System.err.flush();
    Runtime.getRuntime().halt(ExitCode.OK.code);
  }

  /**
   * Stops the agent make-before-break, waiting at most the handover bound; then closes. {@code
   * why} (signal, failure, exit CODE, shutdown) is the reason of the stopping event.
   */
  void stopGracefully(String why) {
    if (!stopping.compareAndSet(false, true)) {
      return;
    }
    VipAgent a = agent;
    Notifier n = notifier;
    if (n != null && a != null) {
      n.daemon("stopping", why);
    }
    if (a != null) {
      LOG.info("stopping: peers take over the VIPs before this node releases them (at most {})",
          text(stopBound));
      String outcome = "released";
      try {
        a.stop().get(stopBound.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("stopped; this node holds no VIPs");
      } catch (TimeoutException e) {
        outcome = "timeout";
        LOG.warn("the graceful stop did not finish within {}; exiting anyway (the kernel removes"
            + " leftover VIPs when their lease ends)", text(stopBound));
      } catch (ExecutionException e) {
        outcome = "failed";
        LOG.warn("the graceful stop failed: {}", String.valueOf(e.getCause()));
      } catch (InterruptedException e) {
        outcome = "interrupted";
        Thread.currentThread().interrupt();
      }
      if (n != null) {
        n.daemon("stopped", outcome);
      }
    }
    close();
  }

  /** Stops the daemon from another thread (tests): graceful stop, then {@link #run} returns 0. */
  void shutdown() {
    stopGracefully("shutdown");
    end.complete(ExitCode.OK);
  }

  /**
   * Connects to the ZooKeeper ensemble of {@code zk} and builds the coordinator of group {@code
   * group}; the daemon exits with {@link ExitCode#ZOOKEEPER} when no server answers.
   */
  private ZooKeeperCoordinator zooKeeper(DaemonSettings.ZooKeeper zk, String group)
      throws Failure {
    ZooKeeperSession s;
    try {
      s = ZooKeeperSession.connect(zk.connect(), zk.sessionTimeout(),
          zk.sessionTimeout().multipliedBy(2).plusSeconds(5));
    } catch (IOException e) {
      throw new Failure(ExitCode.ZOOKEEPER, "cannot reach ZooKeeper at \"" + zk.connect()
          + "\" (daemon.coordinator.zookeeper.connect of group " + group + "): "
          + e.getMessage() + "; check that the ensemble runs and that this host reaches it");
    }
    zooKeeperSession = s;
    Duration keep = zk.keepFor();
    return ZooKeeperCoordinator.builder().session(s).path(zk.path())
        .onSessionLoss(keep == null ? SessionLoss.release() : SessionLoss.keep(keep)).build();
  }

  /** Creates the movers of {@code daemon} for {@code node} and hands them to {@code ab}. */
  private void movers(VipGroup group, String node, DaemonSettings daemon, VipAgent.Builder ab)
      throws Failure {
    if (daemon.movers().isEmpty()) {
      return;
    }
    Map<String, MoverProvider> providers = MoverProvider.installed();
    for (DaemonSettings.Mover m : daemon.movers()) {
      MoverProvider p = providers.get(m.type());
      if (p == null) { // (the configuration was read with the same class path: not expected)
        throw new Failure(ExitCode.CONFIG, "no mover provider of type " + m.type()
            + " is installed; installed: " + providers.keySet());
      }
      AddressMover mover = p.create(node, m.settings());
      movers.add(mover);
      Duration timeout = m.timeout();
      for (VirtualIp v : group.vips()) {
        if (m.moves(v.address())) {
          ab.mover(v, mover, timeout != null ? timeout : VipAgent.DEFAULT_MOVER_TIMEOUT);
        }
      }
    }
  }

  private void close() {
    Reloader r = reloader;
    if (r != null) {
      r.close();
    }
    ControlServer c = control;
    if (c != null) {
      c.close();
    }
    MetricsServer ms = metrics;
    if (ms != null) {
      ms.close();
    }
    Notifier n = notifier;
    if (n != null) {
      n.close(NOTIFY_GRACE);
    }
    EventLoopScheduler l = loop;
    if (l != null) {
      l.close();
    }
    for (AddressMover m : movers) {
      m.close();
    }
    AddressBackend b = backend;
    if (b != null) {
      b.close();
    }
    ZooKeeperSession z = zooKeeperSession;
    if (z != null) {
      z.close();
    }
  }


  /** A duration as a person writes it: 100ms, 3s, 1.5s. */
  static String text(Duration d) {
    long ms = d.toMillis();
    return ms < 1000 ? ms + "ms" : ms % 1000 == 0 ? ms / 1000 + "s"
        : java.math.BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString() + "s";
  }

  /** The group's VIPs for the start-up line. */
  static String vipList(VipGroup g) {
    return g.vips().size() == 1 ? "VIP " + g.vips().get(0)
        : g.vips().size() + " VIPs " + g.vips();
  }

  private static String heartbeats(VipGroup g, String node) {
    List<InetSocketAddress> hb = g.node(node).orElseThrow().heartbeat();
    return hb.stream().map(Addresses::text).collect(Collectors.joining(", "));
  }

  /** This build's version, from vipd.properties. */
  static String version() {
    try (InputStream in = Vipd.class.getResourceAsStream("/vipd.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
