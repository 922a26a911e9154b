package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.internal.AcquireTrace;
import io.vipha.internal.Rehearsals;
import io.vipha.spi.Coordinator;
import io.vipha.testing.InMemoryBackend;
import io.vipha.testing.VirtualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The take-over rehearsal at start: a shadow takes and releases; the real agent sees none. */
class RehearsalTest {
  /** n1 and n2, an IPv4 and an IPv6 VIP, heartbeats every second (a join of 4 s). */
  private static VipGroup group() {
    return VipGroup.builder().name("web").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .vip(v -> v.address("2001:db8::10/64").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1").priority(200))
        .node(n -> n.id("n2").heartbeat("198.51.100.2").priority(150))
        .policy(p -> p.heartbeatInterval(Duration.ofSeconds(1)).deadAfter(3))
        .build();
  }

  @Test
  void theShadowTakesEveryVipOnceARoundAndOnceAtItsStart() {
    assertThat(Rehearsal.run(group(), "n2", 50, Long.MAX_VALUE / 4)).isEqualTo(2 * 51);
    assertThat(Rehearsal.run(group(), "n1", 7, Long.MAX_VALUE / 4)).isEqualTo(2 * 8);
  }

  @Test
  void aQuorumOfSeveralNodesStillLetsTheShadowAloneTake() {
    VipGroup g = group().toBuilder()
        .policy(group().policy().toBuilder().quorumSize(2).build()).build();
    assertThat(Rehearsal.run(g, "n2", 5, Long.MAX_VALUE / 4)).isEqualTo(2 * 6);
  }

  @Test
  void theWallTimeBudgetEndsItEarly() {
    assertThat(Rehearsal.run(group(), "n2", 1_000_000, 0)).isEqualTo(2);
  }

  @Test
  void aRealTimeAgentRehearsesWithoutTouchingItsBackendListenersOrCounters() throws Exception {
    try (EventLoopScheduler loop = new EventLoopScheduler("rehearsal-test")) {
      InMemoryBackend backend = new InMemoryBackend(loop);
      List<AgentEvent> heard = new CopyOnWriteArrayList<>();
      VipAgent agent = VipAgent.builder().group(group()).nodeId("n2").backend(backend)
          .coordinator(new Silent()).scheduler(loop).build();
      agent.addListener(heard::add);
      AgentCounters before = agent.counters();
      agent.start().get(5, TimeUnit.SECONDS);
      Thread rehearsal = Objects.requireNonNull(agent.life.rehearsal(), "a rehearsal");
      rehearsal.join(10_000);
      assertThat(rehearsal.isAlive()).isFalse();

      assertThat(backend.addresses()).isEmpty();
      assertThat(backend.announcements()).isEmpty();
      assertThat(backend.warmTakes()).as("the rehearsal thread never calls the real backend")
          .isZero();
      assertThat(heard).isEmpty();
      assertThat(agent.counters()).isEqualTo(before);
      AgentState s = agent.freshState().get(5, TimeUnit.SECONDS);
      assertThat(s.phase()).isEqualTo(VipAgent.Phase.JOINING);
      assertThat(s.held()).isEmpty();
      assertThat(s.recentEvents()).isEmpty();
      agent.stop().get(5, TimeUnit.SECONDS);
    }
  }

  /**
   * The context's warm take, as a VRRP backup's Master_Down_Timer runs it: once the rehearsal has
   * handed over its shadow and the agent runs, each call warms every VIP's take on the real
   * backend and changes nothing; while the agent joins, it does nothing.
   */
  @Test
  void theContextsWarmTakeWarmsEachVipOnTheRealBackendAndChangesNothing() throws Exception {
    VipGroup fast = group().toBuilder().policy(group().policy().toBuilder()
        .heartbeatInterval(Duration.ofMillis(100)).build()).build();
    for (VipGroup g : List.of(group(), fast)) {
      try (EventLoopScheduler loop = new EventLoopScheduler("warm-take-test")) {
        InMemoryBackend backend = new InMemoryBackend(loop);
        Silent coordinator = new Silent();
        List<AgentEvent> heard = new CopyOnWriteArrayList<>();
        VipAgent agent = VipAgent.builder().group(g).nodeId("n2").backend(backend)
            .coordinator(coordinator).scheduler(loop).build();
        agent.addListener(heard::add);
        agent.start().get(5, TimeUnit.SECONDS);
        Objects.requireNonNull(agent.life.rehearsal()).join(10_000);
        boolean joining = g == group(); // a join of 4 s, much longer than the rehearsal
        while (!joining && agent.phase() != VipAgent.Phase.RUNNING) {
          Thread.sleep(10);
        }
        AgentCounters before = agent.counters();
        Coordinator.Context ctx = Objects.requireNonNull(coordinator.context);
        int warmed = backend.warmTakes();
        CompletableFuture<Boolean> muted = new CompletableFuture<>();
        loop.execute(() -> {
          ctx.warmTake();
          ctx.warmTake();
          muted.complete(AcquireTrace.muted());
        });
        assertThat(muted.get(5, TimeUnit.SECONDS)).as("the loop's marks count again").isFalse();
        assertThat(backend.warmTakes() - warmed).as("joining " + joining)
            .isEqualTo(joining ? 0 : 2 * 2);
        assertThat(backend.addresses()).isEmpty();
        assertThat(backend.announcements()).isEmpty();
        assertThat(heard.stream().filter(e -> e instanceof AgentEvent.Acquired)).isEmpty();
        assertThat(agent.counters()).isEqualTo(before);
        assertThat(agent.freshState().get(5, TimeUnit.SECONDS).held()).isEmpty();
        agent.stop().get(5, TimeUnit.SECONDS);
      }
    }
  }

  /** A shadow builds no snapshot at its changes (most of what a rehearsed round allocated). */
  @Test
  void anAgentWithoutSnapshotsKeepsItsFirstOne() {
    for (boolean shadow : new boolean[] {false, true}) {
      VirtualScheduler time = new VirtualScheduler();
      VipAgent agent = VipAgent.builder().group(group()).nodeId("n2")
          .backend(new InMemoryBackend(time)).coordinator(new Silent()).scheduler(time).build();
      AgentState first = agent.state();
      if (shadow) {
        agent.noSnapshots();
      }
      agent.start();
      time.runDue();
      assertThat(agent.phase()).isEqualTo(VipAgent.Phase.JOINING);
      assertThat(agent.state().phase()).as("shadow " + shadow)
          .isEqualTo(shadow ? first.phase() : VipAgent.Phase.JOINING);
      assertThat(agent.state() == first).isEqualTo(shadow);
    }
  }

  @Test
  void anAgentOnAVirtualClockDoesNotRehearse() {
    VirtualScheduler time = new VirtualScheduler();
    VipAgent agent = VipAgent.builder().group(group()).nodeId("n2")
        .backend(new InMemoryBackend(time)).coordinator(new Silent()).scheduler(time).build();
    agent.start();
    time.runDue();
    assertThat(agent.phase()).isEqualTo(VipAgent.Phase.JOINING);
    assertThat(agent.life.rehearsal()).isNull();
  }

  @Test
  void aRehearsalsTraceIsMutedAndWhatItThrowsDropped() throws Exception {
    boolean[] muted = new boolean[1];
    Thread t = Rehearsals.start("rehearsal-muted", () -> muted[0] = AcquireTrace.muted());
    t.join(5_000);
    assertThat(muted[0]).isTrue();
    assertThat(t.isDaemon()).isTrue();
    assertThat(t.getPriority()).isEqualTo(Thread.MIN_PRIORITY);
    assertThat(AcquireTrace.muted()).as("only the rehearsal's thread").isFalse();
    Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
    List<Throwable> uncaught = new CopyOnWriteArrayList<>();
    Thread.setDefaultUncaughtExceptionHandler((th, e) -> uncaught.add(e));
    try {
      Thread boom = Rehearsals.start("rehearsal-boom", () -> {
        throw new IllegalStateException("boom");
      });
      boom.join(5_000);
      assertThat(boom.isAlive()).isFalse();
      assertThat(uncaught).isEmpty();
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(before);
    }
  }

  /** Hears no peer and never grants: the real agent stays joining and adds nothing. */
  private static final class Silent implements Coordinator {
    volatile @Nullable Context context;

    @Override
    public void start(Context context) {
      this.context = context;
    }

    @Override
    public Fence fence(VirtualIp vip) {
      return Fence.WAIT;
    }

    @Override
    public void publishNow() {}

    @Override
    public void leave() {}

    @Override
    public void close() {}
  }
}
