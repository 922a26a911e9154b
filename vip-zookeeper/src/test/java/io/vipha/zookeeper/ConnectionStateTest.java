package io.vipha.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.Lease;
import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.agent.AgentEvent;
import io.vipha.agent.EventLoopScheduler;
import io.vipha.agent.VipAgent;
import io.vipha.spi.BackendException;
import io.vipha.spi.Coordinator;
import io.vipha.testing.InMemoryBackend;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.KillSession;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What each connection state does to the VIPs a node holds, against one real ZooKeeper server
 * that the test stops and restarts. Real time with generous bounds; no timing goal is asserted.
 */
@SuppressWarnings("NullAway.Init") // set by start(), which every test calls first
class ConnectionStateTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private TestingServer server;
  private ZooKeeperSession session;
  private EventLoopScheduler loop;
  private InMemoryBackend backend;
  private VipAgent agent;
  private final List<AgentEvent> events = new CopyOnWriteArrayList<>();

  private VirtualIp vip() {
    return agent.group().vips().get(0);
  }

  private void start(SessionLoss loss) throws Exception {
    start(loss, ZkCluster.group(Mode.ACTIVE_PASSIVE, "a", "b"));
  }

  private void start(SessionLoss loss, VipGroup group) throws Exception {
    server = new TestingServer(new InstanceSpec(null, -1, -1, -1, true, 1, ZkCluster.TICK_MS,
        -1), true);
    session = ZooKeeperSession.connect(server.getConnectString(), ZkCluster.SESSION,
        Duration.ofSeconds(20));
    loop = new EventLoopScheduler("agent-a");
    backend = new InMemoryBackend(loop);
    agent = VipAgent.builder().group(group).nodeId("a").backend(backend)
        .coordinator(ZooKeeperCoordinator.builder().session(session).onSessionLoss(loss).build())
        .scheduler(loop).reconcileInterval(Duration.ofMillis(200)).build();
    agent.addListener(events::add);
    agent.start().get(20, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws Exception {
    if (agent != null) {
      try {
        agent.stop().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // closing anyway
      }
    }
    if (loop != null) {
      loop.close();
    }
    if (session != null) {
      session.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private static void await(String what, BooleanSupplier c) throws InterruptedException {
    long end = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < end) {
      if (c.getAsBoolean()) {
        return;
      }
      Thread.sleep(20);
    }
    assertThat(c.getAsBoolean()).as(what).isTrue();
  }

  private long released(String reason) {
    return events.stream().filter(e -> e instanceof AgentEvent.Released r
        && r.reason().equals(reason)).count();
  }

  private List<Long> epochs() {
    return events.stream().filter(e -> e instanceof AgentEvent.Acquired)
        .map(e -> ((AgentEvent.Acquired) e).epoch()).toList();
  }

  private Coordinator.Status status() {
    return agent.coordinatorStatus().orElseThrow();
  }

  /** Value {@code name} of the status now, -1 when it has none of that name. */
  private long value(String name) {
    return status().values().getOrDefault(name, -1L);
  }

  /** Counter {@code name} of the status now, -1 when it has none of that name. */
  private long count(String name) {
    return status().counters().getOrDefault(name, -1L);
  }

  private boolean shows(String state) {
    return status().state().equals(state);
  }

  @Test
  void theStatusFollowsTheSessionThroughSuspendedLostAndANewSession() throws Exception {
    start(SessionLoss.release());
    await("holds the VIP", () -> backend.holds(vip()));
    long epoch = epochs().get(0);
    Coordinator.Status s = status();
    assertThat(s.kind()).isEqualTo("zookeeper");
    assertThat(s.state()).isEqualTo("CONNECTED");
    assertThat(s.values()).containsEntry("sessionTimeoutMs", ZkCluster.SESSION.toMillis())
        .containsEntry("claimsHeld", 1L).containsEntry("claimsWaiting", 0L)
        .containsEntry("highestEpoch", epoch).containsEntry("boundsLeases", 1L)
        .containsEntry("outliveMs", 0L);
    assertThat(s.values().get("negotiatedTimeoutMs")).isPositive();
    assertThat(s.values().get("fenceMs")).isPositive();
    assertThat(s.texts()).containsEntry("connect", server.getConnectString())
        .containsEntry("sessionId", "0x" + Long.toHexString(session.sessionId()));
    assertThat(s.counters()).containsEntry("claimsWon", 1L).containsEntry("suspensions", 0L)
        .containsEntry("sessionsLost", 0L).containsEntry("fenceRevocations", 0L);
    assertThat(s.counters().get("writes")).isPositive();
    assertThat(s.dropped()).isEmpty();

    server.stop();
    await("SUSPENDED shown", () -> shows("SUSPENDED") || shows("LOST"));
    await("the grant taken back", () -> count("fenceRevocations") == 1);
    assertThat(status().counters()).containsEntry("suspensions", 1L);
    assertThat(value("fenceMs")).isZero();
    await("LOST shown", () -> shows("LOST"));
    s = status();
    assertThat(s.values()).containsEntry("claimsHeld", 0L).containsEntry("highestEpoch", 0L);
    assertThat(s.counters()).containsEntry("sessionsLost", 1L).containsEntry("reconnects", 0L)
        .containsEntry("newSessions", 0L);
    // released by this node once its VIP was gone for an interval, or lost with the session
    assertThat(count("claimsReleased") + count("claimsLost")).as("%s", s.counters())
        .isEqualTo(1);

    server.restart();
    await("claimed again", () -> value("highestEpoch") > epoch);
    s = status();
    assertThat(s.state()).isEqualTo("CONNECTED");
    assertThat(s.values()).containsEntry("claimsHeld", 1L);
    assertThat(s.texts()).containsEntry("sessionId", "0x" + Long.toHexString(
        session.sessionId()));
    assertThat(s.counters()).containsEntry("reconnects", 1L).containsEntry("newSessions", 1L)
        .containsEntry("claimsWon", 2L).containsEntry("fenceRevocations", 1L);
  }

  @Test
  void aCoordinatorNotStartedShowsConnecting() throws Exception {
    start(SessionLoss.release());
    Coordinator.Status s = ZooKeeperCoordinator.builder().session(session).build().status()
        .orElseThrow();
    assertThat(s.state()).isEqualTo("CONNECTING");
    assertThat(s.states()).containsExactly("CONNECTING", "CONNECTED", "SUSPENDED", "READ_ONLY",
        "LOST");
    assertThat(s.values()).containsEntry("claimsHeld", 0L).containsEntry("highestEpoch", 0L);
    assertThat(s.counters()).containsEntry("claimsWon", 0L).containsEntry("writes", 0L)
        .containsEntry("suspensions", 0L);
  }

  @Test
  void theConnectStringIsShownWithoutCredentials() {
    assertThat(ZooKeeperCoordinator.withoutCredentials("zk1:2181,zk2:2181/vipha"))
        .isEqualTo("zk1:2181,zk2:2181/vipha");
    assertThat(ZooKeeperCoordinator.withoutCredentials(
        "admin:s3cr/et@zk1:2181,u:p@zk2:2181/vipha")).isEqualTo("zk1:2181,zk2:2181/vipha");
  }

  @Test
  void connectedTheNodeClaimsAndHoldsUnderAnEpoch() throws Exception {
    start(SessionLoss.release());
    await("holds the VIP", () -> backend.holds(vip()));
    assertThat(session.state()).isEqualTo(ConnectionState.CONNECTED);
    assertThat(epochs()).isNotEmpty().allMatch(e -> e > 0);
    assertThat(session.client().checkExists().forPath("/vipha/web/members/a")).isNotNull();
    assertThat(session.client().getChildren().forPath("/vipha/web/claims/group")).hasSize(1);
  }

  @Test
  void suspendedReleasesAtOnceInReleaseModeAndReconnectedTakesItBack() throws Exception {
    start(SessionLoss.release());
    await("holds the VIP", () -> backend.holds(vip()));
    server.stop();
    await("SUSPENDED releases", () -> !backend.holds(vip()) && released("FENCED") > 0);
    server.restart();
    await("RECONNECTED holds it again", () -> backend.holds(vip()));
    assertThat(session.state()).isEqualTo(ConnectionState.RECONNECTED);
  }

  @Test
  void suspendedKeepsUntilTheFenceInKeepMode() throws Exception {
    start(SessionLoss.keep(Duration.ZERO));
    await("holds the VIP", () -> backend.holds(vip()));
    long epoch = epochs().get(0);
    server.stop();
    await("SUSPENDED", () -> session.state() == ConnectionState.SUSPENDED);
    assertThat(backend.holds(vip())).as("kept while suspended").isTrue();
    server.restart();
    await("RECONNECTED", () -> session.state() == ConnectionState.RECONNECTED);
    Thread.sleep(1000);
    assertThat(backend.holds(vip())).isTrue();
    assertThat(released("FENCED")).isZero();
    assertThat(epochs()).containsOnly(epoch);
  }

  @Test
  void lostDropsTheClaimAndTheNodeClaimsAgainWithAHigherEpoch() throws Exception {
    start(SessionLoss.keep(Duration.ZERO));
    await("holds the VIP", () -> backend.holds(vip()));
    long epoch = epochs().get(0);
    server.stop();
    await("LOST", () -> session.state() == ConnectionState.LOST);
    await("the kernel lease ran out", () -> !backend.holds(vip()));
    server.restart();
    await("claimed again", () -> epochs().stream().anyMatch(e -> e > epoch));
    await("holds the VIP", () -> backend.holds(vip()));
  }

  @Test
  void aSessionRenewedWhileTheLoopStalledLeavesOneClaimZnodeAndTheNodeHoldsAgain()
      throws Exception {
    start(SessionLoss.release());
    await("holds the VIP", () -> backend.holds(vip()));
    long old = session.sessionId();
    long epoch = epochs().get(0);
    CountDownLatch blocked = new CountDownLatch(1);
    CountDownLatch resume = new CountDownLatch(1);
    loop.execute(() -> {
      blocked.countDown();
      try {
        resume.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    blocked.await();
    KillSession.kill(session.client().getZookeeperClient().getZooKeeper(),
        server.getConnectString());
    // LOST and then RECONNECTED in a new session wait on the stalled loop, one after the other
    await("a new session", () -> session.usable() && session.sessionId() != old);
    resume.countDown();
    await("claimed again in the new session", () -> epochs().stream().anyMatch(e -> e > epoch));
    await("holds the VIP", () -> backend.holds(vip()));
    assertThat(session.client().getChildren().forPath("/vipha/web/claims/group")).hasSize(1);
  }

  @Test
  void aVipStillOnTheHostAtCloseKeepsItsClaimUntilItsLeaseRanOut() throws Exception {
    start(SessionLoss.release());
    await("holds the VIP", () -> backend.holds(vip()));
    backend.failWith(new BackendException(BackendException.Kind.TRANSIENT, "busy"));
    agent.stop().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(backend.holds(vip())).as("its release failed").isTrue();
    Thread.sleep(500); // (a claim deleted at close would be gone within milliseconds)
    assertThat(session.client().getChildren().forPath("/vipha/web/claims/group"))
        .as("no node may take it over yet").hasSize(1);
    await("the claim deleted", () -> {
      try {
        return session.client().getChildren().forPath("/vipha/web/claims/group").isEmpty();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    assertThat(backend.holds(vip())).as("the lease ran out first").isFalse();
  }

  @Test
  void readOnlyActsAsSuspended() throws Exception {
    start(SessionLoss.release());
    await("holds the VIP", () -> backend.holds(vip()));
    session.onState(ConnectionState.READ_ONLY);
    // (The Released event reaches listeners after the backend's release returned.)
    await("READ_ONLY releases", () -> !backend.holds(vip()) && released("FENCED") > 0);
    assertThat(status().state()).isEqualTo("READ_ONLY");
    session.onState(ConnectionState.RECONNECTED);
    await("back to holding", () -> backend.holds(vip()));
    assertThat(status().state()).isEqualTo("CONNECTED");
    assertThat(status().counters()).containsEntry("reconnects", 1L)
        .containsEntry("newSessions", 0L);
  }

  @Test
  void keepForHoldsBeyondTheFenceUntilItRunsOut() throws Exception {
    start(SessionLoss.keep(Duration.ofSeconds(60)));
    await("holds the VIP", () -> backend.holds(vip()));
    server.stop();
    await("LOST", () -> session.state() == ConnectionState.LOST);
    Thread.sleep(3000); // longer than the kernel lease: renewed although the session is lost
    assertThat(backend.holds(vip())).isTrue();
  }

  @Test
  void anUnreachableEnsembleIsAnErrorNamingTheConnectString() {
    assertThatThrownBy(() -> ZooKeeperSession.connect("127.0.0.1:1", Duration.ofSeconds(2),
        Duration.ofMillis(500)))
        .isInstanceOf(IOException.class).hasMessageContaining("\"127.0.0.1:1\"");
  }

  @Test
  void aLeaseForeverCannotBeFenced() throws Exception {
    VipGroup g = ZkCluster.group(Mode.ACTIVE_PASSIVE, "a", "b").toBuilder()
        .policy(p -> p.lease(Lease.forever())).build();
    assertThatThrownBy(() -> start(SessionLoss.release(), g))
        .isInstanceOf(ExecutionException.class).hasRootCauseInstanceOf(
            IllegalArgumentException.class).hasStackTraceContaining("must not be \"forever\"");
  }
}
