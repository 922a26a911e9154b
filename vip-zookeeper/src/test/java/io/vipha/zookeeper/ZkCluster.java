package io.vipha.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.agent.AgentEvent;
import io.vipha.agent.EventLoopScheduler;
import io.vipha.agent.VipAgent;
import io.vipha.testing.InMemoryBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.KillSession;
import org.apache.curator.test.TestingCluster;

/**
 * A 3-server ZooKeeper ensemble in process and agents on the in-memory backend, each reaching
 * every server through its own {@link TcpProxy} so that a test can cut one node off. Every
 * backend call goes to one {@link Ledger}, which checks that no two nodes held one VIP at once.
 */
final class ZkCluster implements AutoCloseable {
  static final Duration SESSION = Duration.ofSeconds(4);
  static final int TICK_MS = 200;
  private static final int PORT_BASE = 12_000;
  private static final int PORT_SPAN = 20_000;
  private static final AtomicInteger nextPort =
      new AtomicInteger((int) (ProcessHandle.current().pid() * 997 % PORT_SPAN));

  final TestingCluster zk;
  final List<InstanceSpec> servers;
  final Ledger ledger = new Ledger();
  final VipGroup group;
  final Map<String, ZkNode> nodes = new LinkedHashMap<>();
  /** Nodes replaced by a restart, closed with the cluster. */
  private final List<ZkNode> retired = new ArrayList<>();
  private final Duration sessionTimeout;
  private final Duration overrun;

  /** One agent, its loop, backend, proxies and session. */
  static final class ZkNode {
    final String id;
    final List<TcpProxy> proxies;
    final ZooKeeperSession session;
    final ZooKeeperCoordinator coordinator;
    final EventLoopScheduler loop;
    final InMemoryBackend backend;
    final VipAgent agent;
    final List<AgentEvent> events = new CopyOnWriteArrayList<>();
    volatile boolean crashed;

    ZkNode(String id, List<TcpProxy> proxies, ZooKeeperSession session,
        ZooKeeperCoordinator coordinator, EventLoopScheduler loop, InMemoryBackend backend,
        VipAgent agent) {
      this.id = id;
      this.proxies = proxies;
      this.session = session;
      this.coordinator = coordinator;
      this.loop = loop;
      this.backend = backend;
      this.agent = agent;
    }
  }

  ZkCluster(VipGroup group) throws Exception {
    this(group, SESSION);
  }

  ZkCluster(VipGroup group, Duration sessionTimeout) throws Exception {
    this(group, sessionTimeout, TICK_MS);
  }

  /** With servers of tick {@code tickMs}: sessions of 2 to 20 ticks. */
  ZkCluster(VipGroup group, Duration sessionTimeout, int tickMs) throws Exception {
    this(group, sessionTimeout, tickMs, Duration.ZERO);
  }

  /**
   * With hosts that remove an address {@code overrun} after its lease ends, as the Linux kernel
   * does up to about a second late ({@link InMemoryBackend#leaseOverrun()}).
   */
  ZkCluster(VipGroup group, Duration sessionTimeout, int tickMs, Duration overrun)
      throws Exception {
    this.group = group;
    this.sessionTimeout = sessionTimeout;
    this.overrun = overrun;
    List<InstanceSpec> specs = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      specs.add(new InstanceSpec(null, freePort(), freePort(), freePort(), true, i, tickMs,
          -1));
    }
    this.servers = specs;
    this.zk = new TestingCluster(specs);
    zk.start();
  }

  /**
   * A free port below the kernel's ephemeral range (32768 and up), so that no client
   * socket takes a killed server's port before it restarts; each port once per process, from an
   * offset of the process id so that two test processes rarely probe the same ones.
   */
  static int freePort() throws IOException {
    while (true) {
      int port = PORT_BASE + Math.floorMod(nextPort.getAndIncrement(), PORT_SPAN);
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(port));
        return port;
      } catch (IOException e) {
        // in use: the next one
      }
    }
  }

  /** An Active/Passive (or Active/Active) group of {@code ids} with two VIPs and a 2 s lease. */
  static VipGroup group(Mode mode, String... ids) {
    VipGroup.Builder b = VipGroup.builder().name("web").mode(mode)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .vip(v -> v.address("192.0.2.11/24").interfaceName("eth0"))
        .policy(p -> p.preempt(false).holdDown(Duration.ZERO).lease(Duration.ofSeconds(2)));
    for (int i = 0; i < ids.length; i++) {
      String id = ids[i];
      int k = i;
      b.node(n -> n.id(id).heartbeat("198.51.100." + (k + 1)).priority(200 - 10 * k));
    }
    return b.build();
  }

  ZkNode start(String id, SessionLoss loss) throws Exception {
    List<TcpProxy> proxies = new ArrayList<>();
    for (InstanceSpec s : servers) {
      proxies.add(new TcpProxy(s.getPort()));
    }
    String connect = proxies.stream().map(p -> "127.0.0.1:" + p.port())
        .collect(Collectors.joining(","));
    ZooKeeperSession session = ZooKeeperSession.connect(connect, sessionTimeout,
        Duration.ofSeconds(20));
    ZooKeeperCoordinator c = ZooKeeperCoordinator.builder().session(session)
        .onSessionLoss(loss).build();
    EventLoopScheduler loop = new EventLoopScheduler("agent-" + id);
    InMemoryBackend backend = new InMemoryBackend(loop, Set.of("eth0"), overrun);
    VipAgent agent = VipAgent.builder().group(group).nodeId(id)
        .backend(ledger.audit(id, backend)).coordinator(c).scheduler(loop)
        .reconcileInterval(Duration.ofMillis(200)).build();
    ZkNode n = new ZkNode(id, proxies, session, c, loop, backend, agent);
    agent.addListener(n.events::add);
    ZkNode old = nodes.put(id, n);
    if (old != null) {
      retired.add(old);
    }
    agent.start().get(20, TimeUnit.SECONDS);
    return n;
  }

  ZkNode node(String id) {
    return Objects.requireNonNull(nodes.get(id), id);
  }

  /** The live nodes whose host holds {@code vip}. */
  List<String> holders(VirtualIp vip) {
    List<String> out = new ArrayList<>();
    for (ZkNode n : nodes.values()) {
      if (!n.crashed && n.backend.holds(vip)) {
        out.add(n.id);
      }
    }
    return out;
  }

  /** Cuts {@code id} off from every server (its proxies drop and refuse connections). */
  void partition(String id) {
    node(id).proxies.forEach(TcpProxy::cut);
  }

  /** Lets {@code id} reach the servers again, unless it crashed: a dead client stays silent. */
  void heal(String id) {
    ZkNode n = node(id);
    if (!n.crashed) {
      n.proxies.forEach(TcpProxy::heal);
    }
  }

  /**
   * The process of {@code id} dies: its loop stops (no renewal, no release) and its client goes
   * silent, so the ensemble expires its session after the session timeout.
   */
  void crash(String id) {
    ZkNode n = node(id);
    n.crashed = true;
    partition(id);
    n.loop.close();
  }

  /**
   * The session of {@code id} expires: its client hears of it at once (Curator's KillSession) and
   * starts a new session, and the ensemble expires the old one a session timeout after it last
   * heard of it. The node is cut off while its client drops the old session, so that nothing it
   * sends then reaches the ensemble: Curator closes a handle it believes expired, and a close on
   * a handle still connected (KillSession races with Curator's own thread) would end the session
   * early, by the node's own hand, which is no expiry.
   */
  void expire(String id) throws Exception {
    ZkNode n = node(id);
    partition(id);
    KillSession.kill(n.session.client().getZookeeperClient().getZooKeeper(),
        zk.getConnectString());
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (n.session.state() != ConnectionState.LOST && System.nanoTime() < end) {
      Thread.sleep(10);
    }
    Thread.sleep(100);
    heal(id);
  }

  /**
   * Freezes {@code id} for {@code d}, as a long GC pause would: its event loop blocks and its
   * client can reach no server; both resume at the end.
   */
  void pause(String id, Duration d) throws InterruptedException {
    ZkNode n = node(id);
    CountDownLatch blocked = new CountDownLatch(1);
    partition(id);
    n.loop.execute(() -> {
      blocked.countDown();
      try {
        Thread.sleep(d.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      heal(id);
    });
    blocked.await();
  }

  /** The server {@code id}'s session is connected to (through its proxy). */
  InstanceSpec serverOf(String id) throws Exception {
    ZkNode n = node(id);
    for (int i = 0; i < n.proxies.size(); i++) {
      if (n.proxies.get(i).connected()) {
        return servers.get(i);
      }
    }
    return servers.get(0);
  }

  /** Waits up to {@code timeout} for {@code condition}, checking the ledger meanwhile. */
  void await(Duration timeout, String what, BooleanSupplier condition)
      throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      assertNoOverlap();
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(20);
    }
    assertNoOverlap();
    assertThat(condition.getAsBoolean()).as(what + " within " + timeout + "; " + describe())
        .isTrue();
  }

  /** Waits until every VIP has exactly one live holder, and all of them the same in A/P. */
  void awaitOneHolder(Duration timeout) throws InterruptedException {
    await(timeout, "every VIP with exactly one holder", this::oneHolderEach);
  }

  /**
   * Waits up to {@code timeout} until every VIP has had exactly one live holder, the same ones,
   * for one kernel lease, the hosts' overrun and {@code margin} without a break, checking the
   * ledger meanwhile. A holder that no longer renews loses its VIPs within that, so a holding
   * this stable is not the remainder of a lease its node has stopped renewing.
   */
  void awaitSettled(Duration timeout, Duration margin) throws InterruptedException {
    long stable = Objects.requireNonNull(group.policy().lease().duration()).plus(overrun)
        .plus(margin).toNanos();
    long end = System.nanoTime() + timeout.toNanos();
    long since = 0;
    String seen = null;
    while (System.nanoTime() < end) {
      assertNoOverlap();
      long now = System.nanoTime();
      String holders = oneHolderEach() ? describeHolders() : null;
      if (holders == null || !holders.equals(seen)) {
        since = now;
        seen = holders;
      } else if (now - since >= stable) {
        return;
      }
      Thread.sleep(20);
    }
    assertNoOverlap();
    assertThat(false).as("every VIP with the same single holder for a lease and " + margin
        + " within " + timeout + "; " + describe()).isTrue();
  }

  private String describeHolders() {
    StringBuilder b = new StringBuilder();
    for (VirtualIp v : group.vips()) {
      b.append(v.cidr()).append(holders(v)).append(';');
    }
    return b.toString();
  }

  boolean oneHolderEach() {
    for (VirtualIp v : group.vips()) {
      if (holders(v).size() != 1) {
        return false;
      }
    }
    return group.mode() != Mode.ACTIVE_PASSIVE || group.vips().stream()
        .map(v -> holders(v).get(0)).distinct().count() == 1;
  }

  /** Holds {@code d} of real time, checking the ledger every 20 ms. */
  void hold(Duration d) throws InterruptedException {
    long end = System.nanoTime() + d.toNanos();
    while (System.nanoTime() < end) {
      assertNoOverlap();
      Thread.sleep(20);
    }
  }

  void assertNoOverlap() {
    assertThat(ledger.overlaps()).as("two holders of one VIP at once").isEmpty();
  }

  String describe() {
    StringBuilder b = new StringBuilder();
    for (VirtualIp v : group.vips()) {
      b.append(v.cidr()).append(" held by ").append(holders(v)).append("; ");
    }
    for (ZkNode n : nodes.values()) {
      b.append("\n").append(n.id).append(n.crashed ? " (crashed)" : "").append(": ")
          .append(n.events.size() > 30 ? n.events.subList(n.events.size() - 30, n.events.size())
              : n.events);
    }
    return b.toString();
  }

  Collection<ZkNode> live() {
    return nodes.values().stream().filter(n -> !n.crashed).toList();
  }

  @Override
  public void close() throws Exception {
    List<ZkNode> all = new ArrayList<>(nodes.values());
    all.addAll(retired);
    for (ZkNode n : all) {
      if (!n.crashed) {
        try {
          n.agent.stop().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          // closing anyway
        }
      }
      n.loop.close();
      n.session.close();
      n.proxies.forEach(TcpProxy::close);
    }
    zk.close();
  }
}
