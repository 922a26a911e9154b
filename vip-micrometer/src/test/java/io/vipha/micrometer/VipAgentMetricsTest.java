package io.vipha.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.agent.AgentEvent;
import io.vipha.agent.HeartbeatCoordinator;
import io.vipha.agent.VipAgent;
import io.vipha.health.HealthCheck;
import io.vipha.plan.Eligibility;
import io.vipha.plan.Liveness;
import io.vipha.spi.BackendException;
import io.vipha.spi.Coordinator;
import io.vipha.spi.Coordinator.PeerState;
import io.vipha.spi.DatagramTransport;
import io.vipha.testing.InMemoryBackend;
import io.vipha.testkit.StatusCoordinator;
import io.vipha.testing.InMemoryNetwork;
import io.vipha.testing.NodeLoop;
import io.vipha.testing.VirtualScheduler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The binder against agents on virtual time, an in-memory network and in-memory hosts. */
class VipAgentMetricsTest {
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(
      StandardCharsets.US_ASCII);

  private final VirtualScheduler time = new VirtualScheduler();
  private final InMemoryNetwork network = new InMemoryNetwork(time, 42);
  private final VipGroup group = VipGroup.builder().name("web").mode(Mode.ACTIVE_PASSIVE)
      .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
      .vip(v -> v.address("2001:db8::10/64").interfaceName("eth0"))
      .node(n -> n.id("n1").heartbeat("198.51.100.1").priority(200))
      .node(n -> n.id("n2").heartbeat("198.51.100.2").priority(150))
      .build();
  private final Map<String, NodeLoop> loops = new HashMap<>();
  private final Map<String, InMemoryBackend> hosts = new HashMap<>();
  private final Map<String, HeartbeatCoordinator> coordinators = new HashMap<>();
  private final List<AgentEvent> n1Events = new ArrayList<>();

  private VipAgent agent(String id, UnaryOperator<VipAgent.Builder> more) {
    NodeLoop loop = new NodeLoop(time);
    HeartbeatCoordinator c = HeartbeatCoordinator.builder().key(1, KEY)
        .transport(network::transport).build();
    InMemoryBackend host = new InMemoryBackend(time);
    loops.put(id, loop);
    hosts.put(id, host);
    coordinators.put(id, c);
    return more.apply(VipAgent.builder().group(group).nodeId(id).backend(host).coordinator(c)
        .scheduler(loop)).build();
  }

  private HeartbeatCoordinator coordinator(String id) {
    return Objects.requireNonNull(coordinators.get(id), id);
  }

  private InMemoryBackend host(String id) {
    return Objects.requireNonNull(hosts.get(id), id);
  }

  private NodeLoop loop(String id) {
    return Objects.requireNonNull(loops.get(id), id);
  }

  private static void start(VipAgent a, VirtualScheduler t) {
    var unused = a.start();
    t.runDue();
  }

  private SimpleMeterRegistry bound(VipAgent a, UnaryOperator<VipAgentMetrics.Builder> more) {
    SimpleMeterRegistry r = new SimpleMeterRegistry();
    more.apply(VipAgentMetrics.builder(a).coordinator(coordinator(a.nodeId()))).build()
        .bindTo(r);
    return r;
  }

  private static double gauge(SimpleMeterRegistry r, String name, String... tags) {
    return r.get(name).tags(tags).gauge().value();
  }

  private static double count(SimpleMeterRegistry r, String name, String... tags) {
    return r.get(name).tags(tags).functionCounter().count();
  }

  @Test
  void theMetersFollowOwnershipPeersAndHeartbeats() {
    VipAgent n1 = agent("n1", b -> b);
    VipAgent n2 = agent("n2", b -> b);
    n1.addListener(n1Events::add);
    SimpleMeterRegistry r1 = bound(n1, b -> b);
    SimpleMeterRegistry r2 = bound(n2, b -> b);
    start(n1, time);
    start(n2, time);
    time.advance(Duration.ofSeconds(1));

    assertThat(gauge(r1, "vipha.vip.held")).isEqualTo(2);
    assertThat(gauge(r2, "vipha.vip.held")).isEqualTo(0);
    assertThat(gauge(r1, "vipha.peer.state", "peer", "n2")).isEqualTo(2);
    assertThat(gauge(r1, "vipha.quorum")).isEqualTo(1);
    assertThat(gauge(r1, "vipha.priority.effective")).isEqualTo(200);
    List<AgentEvent.Acquired> acquired = n1Events.stream()
        .filter(AgentEvent.Acquired.class::isInstance).map(AgentEvent.Acquired.class::cast)
        .toList();
    assertThat(acquired).hasSize(2);
    String reason = acquired.get(0).reason();
    assertThat(r1.get("vipha.transitions").tags("transition", "acquired", "reason",
        reason.toLowerCase(java.util.Locale.ROOT)).counter().count()).isEqualTo(2);
    assertThat(count(r1, "vipha.announce.sent")).isEqualTo(host("n1").announcements()
        .size()).isPositive();

    double sent1 = count(r1, "vipha.heartbeat.sent");
    double sent2 = count(r2, "vipha.heartbeat.sent");
    assertThat(sent1).isPositive();
    assertThat(sent1 + sent2).isEqualTo((double) network.sent());
    assertThat(count(r1, "vipha.heartbeat.received")).isPositive().isLessThanOrEqualTo(sent2);
    assertThat(r1.get("vipha.heartbeat.rejected").functionCounters())
        .hasSize(HeartbeatCoordinator.rejectionReasons().size())
        .allSatisfy(c -> assertThat(c.count()).isZero());

    loop("n2").halt();
    time.advance(Duration.ofSeconds(5));
    assertThat(gauge(r1, "vipha.peer.state", "peer", "n2")).isEqualTo(0);
    assertThat(gauge(r1, "vipha.vip.held")).isEqualTo(2);

    for (Meter m : r1.getMeters()) {
      assertThat(m.getId().getTag("group")).as(m.getId().toString()).isEqualTo("web");
      assertThat(m.getId().getTag("node")).as(m.getId().toString()).isEqualTo("n1");
      assertThat(m.getId().getName()).matches("vipha(\\.[a-z]+)+");
      assertThat(m.getId().getTag("vip")).isNull();
    }
  }

  @Test
  void aForgedOrMalformedPacketIsCountedUnderItsReason() throws java.io.IOException {
    VipAgent n1 = agent("n1", b -> b);
    SimpleMeterRegistry r = bound(n1, b -> b);
    start(n1, time);
    DatagramTransport attacker = network.transport(new InetSocketAddress("198.51.100.9", 7405));
    attacker.open(time, (from, data, off, len) -> { });
    attacker.send(group.node("n1").orElseThrow().heartbeat().get(0), new byte[3], 0, 3);
    time.advance(Duration.ofMillis(10));
    assertThat(count(r, "vipha.heartbeat.rejected", "why", "too_short")).isEqualTo(1);
    assertThat(count(r, "vipha.heartbeat.rejected", "why", "bad_mac")).isZero();
    assertThat(coordinator("n1").rejected("TOO_SHORT")).isEqualTo(1);
    assertThat(coordinator("n1").rejected()).hasToString("{TOO_SHORT=1}");
    assertThatThrownBy(() -> coordinator("n1").rejected("too_short"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aHealthCheckIsATimerOfItsProbesByResult() {
    AtomicBoolean healthy = new AtomicBoolean(true);
    VipAgent n1 = agent("n1", b -> b.healthCheck(HealthCheck.custom("app", healthy::get)
        .interval(Duration.ofMillis(200)).timeout(Duration.ofMillis(100)).rise(1).fall(1)
        .build()).healthExecutor(Runnable::run));
    SimpleMeterRegistry r = bound(n1, b -> b);
    start(n1, time);
    time.advance(Duration.ofSeconds(1));
    FunctionTimer ok = r.get("vipha.health.check").tags("check", "app", "result", "healthy")
        .functionTimer();
    FunctionTimer bad = r.get("vipha.health.check").tags("check", "app", "result",
        "unhealthy").functionTimer();
    double probed = ok.count();
    assertThat(probed).isGreaterThanOrEqualTo(5);
    assertThat(bad.count()).isZero();
    healthy.set(false);
    time.advance(Duration.ofMillis(600));
    assertThat(bad.count()).isEqualTo(3);
    assertThat(ok.count()).isEqualTo(probed);
    assertThat(ok.totalTime(TimeUnit.NANOSECONDS)).isGreaterThanOrEqualTo(0);
    assertThat(n1.healthMonitor().orElseThrow().probeCount("app", false)).isEqualTo(3);
  }

  @Test
  void backendErrorsAreCountedByOperationAndEveryOperationStartsAtZero() {
    VipAgent n1 = agent("n1", b -> b);
    SimpleMeterRegistry r = bound(n1, b -> b);
    assertThat(r.get("vipha.backend.errors").counters()).extracting(c -> c.getId().getTag("op"))
        .containsExactlyInAnyOrderElementsOf(VipAgentMetrics.BACKEND_OPS);
    host("n1").failWith(new BackendException(BackendException.Kind.TRANSIENT, "busy"));
    start(n1, time);
    time.advance(Duration.ofSeconds(1));
    double listed = r.get("vipha.backend.errors").tags("op", "list").counter().count();
    assertThat(listed).isPositive();
    double all = 0;
    for (Counter c : r.get("vipha.backend.errors").counters()) {
      all += c.count();
    }
    assertThat(all).isEqualTo((double) n1.counters().backendErrors());
  }

  @Test
  void vipTagsOnlyWhenAskedFor() {
    VipAgent n1 = agent("n1", b -> b);
    SimpleMeterRegistry plain = bound(n1, b -> b);
    SimpleMeterRegistry tagged = bound(n1, b -> b.vipTags(true)
        .tags(Tags.of("site", "lab")));
    start(n1, time);
    time.advance(Duration.ofSeconds(5));
    assertThat(plain.find("vipha.vip.holding").meters()).isEmpty();
    assertThat(tagged.get("vipha.vip.holding").gauges()).extracting(g -> g.getId().getTag("vip"))
        .containsExactlyInAnyOrder("192.0.2.10/24", "2001:db8::10/64");
    assertThat(gauge(tagged, "vipha.vip.holding", "vip", "192.0.2.10/24", "site", "lab"))
        .isEqualTo(1);
    assertThat(tagged.getMeters()).allSatisfy(m ->
        assertThat(m.getId().getTag("site")).isEqualTo("lab"));
  }

  @Test
  void closeRemovesTheMetersAndStopsCounting() {
    VipAgent n1 = agent("n1", b -> b);
    SimpleMeterRegistry r = new SimpleMeterRegistry();
    VipAgentMetrics m = VipAgentMetrics.builder(n1).coordinator(coordinator("n1")).build();
    m.bindTo(r);
    assertThat(r.getMeters()).isNotEmpty();
    m.close();
    assertThat(r.getMeters()).isEmpty();
    start(n1, time);
    time.advance(Duration.ofSeconds(5));
    assertThat(n1.counters().acquired()).isEqualTo(2);
    assertThat(r.getMeters()).isEmpty();
  }

  @Test
  void withoutACoordinatorThereAreNoHeartbeatMeters() {
    VipAgent n1 = agent("n1", b -> b);
    SimpleMeterRegistry r = new SimpleMeterRegistry();
    VipAgentMetrics.builder(n1).build().bindTo(r);
    assertThat(r.find("vipha.heartbeat.sent").meters()).isEmpty();
    assertThat(r.find("vipha.vip.held").gauge()).isNotNull();
  }

  /** Group web with the VIPs {@code cidrs} on eth0 and the nodes {@code ids} (198.51.100.N). */
  private static VipGroup web(List<String> cidrs, String... ids) {
    VipGroup.Builder b = VipGroup.builder().name("web").mode(Mode.ACTIVE_PASSIVE);
    cidrs.forEach(c -> b.vip(v -> v.address(c).interfaceName("eth0")));
    for (String id : ids) {
      b.node(n -> n.id(id).heartbeat("198.51.100." + id.substring(1))
          .priority(id.equals("n1") ? 200 : 100));
    }
    return b.build();
  }

  private void reconfigure(VipAgent a, VipGroup g, HealthCheck... checks) {
    var done = a.reconfigure(g, List.of(checks));
    time.runDue();
    assertThat(done).isCompleted();
  }

  private static List<String> tagValues(SimpleMeterRegistry r, String name, String tag) {
    return r.find(name).meters().stream().map(m -> m.getId().getTag(tag)).distinct().toList();
  }

  private static void assertPeersAndVips(SimpleMeterRegistry r, List<String> peers,
      List<String> vips) {
    assertThat(tagValues(r, "vipha.peer.state", "peer")).containsExactlyInAnyOrderElementsOf(
        peers);
    assertThat(tagValues(r, "vipha.vip.holding", "vip")).containsExactlyInAnyOrderElementsOf(
        vips);
  }

  /** How many meters {@code r} has besides the transition counters. */
  private static long withoutTransitions(SimpleMeterRegistry r) {
    return r.getMeters().stream().filter(m -> !m.getId().getName().equals("vipha.transitions"))
        .count();
  }

  @Test
  void peerAndVipMetersFollowAReconfigurationAndTheUnchangedOnesStay() {
    VipGroup before = web(List.of("192.0.2.10/24", "192.0.2.11/24"), "n1", "n2", "n3");
    VipGroup after = web(List.of("192.0.2.10/24", "192.0.2.12/24"), "n1", "n2", "n4");
    VipAgent n1 = agent("n1", b -> b.group(before));
    VipAgent n2 = agent("n2", b -> b.group(before));
    SimpleMeterRegistry r = bound(n1, b -> b.vipTags(true));
    start(n1, time);
    start(n2, time);
    time.advance(Duration.ofSeconds(2));
    assertPeersAndVips(r, List.of("n2", "n3"), List.of("192.0.2.10/24", "192.0.2.11/24"));
    Meter peer2 = r.get("vipha.peer.state").tags("peer", "n2").gauge();
    Meter kept = r.get("vipha.vip.holding").tags("vip", "192.0.2.10/24").gauge();
    Meter held = r.get("vipha.vip.held").gauge();
    Meter sent = r.get("vipha.heartbeat.sent").functionCounter();
    double sentBefore = count(r, "vipha.heartbeat.sent");
    long meters = withoutTransitions(r);

    reconfigure(n2, after);
    reconfigure(n1, after);
    time.advance(Duration.ofSeconds(2));

    assertPeersAndVips(r, List.of("n2", "n4"), List.of("192.0.2.10/24", "192.0.2.12/24"));
    assertThat(r.get("vipha.peer.state").tags("peer", "n2").gauge()).isSameAs(peer2);
    assertThat(r.get("vipha.vip.holding").tags("vip", "192.0.2.10/24").gauge()).isSameAs(kept);
    assertThat(r.get("vipha.vip.held").gauge()).isSameAs(held);
    assertThat(r.get("vipha.heartbeat.sent").functionCounter()).isSameAs(sent);
    assertThat(count(r, "vipha.heartbeat.sent")).isGreaterThan(sentBefore);
    assertThat(gauge(r, "vipha.peer.state", "peer", "n2")).isEqualTo(2);
    assertThat(gauge(r, "vipha.peer.state", "peer", "n4")).isZero();
    assertThat(gauge(r, "vipha.vip.holding", "vip", "192.0.2.12/24")).isEqualTo(1);
    assertThat(gauge(r, "vipha.vip.held")).isEqualTo(2);
    assertThat(r.find("vipha.peer.state").tags("peer", "n3").meters()).isEmpty();
    assertThat(r.find("vipha.vip.holding").tags("vip", "192.0.2.11/24").meters()).isEmpty();
    // The acquisition and release add transition counters; nothing else changes in number.
    assertThat(withoutTransitions(r)).isEqualTo(meters);
  }

  @Test
  void healthCheckTimersFollowAReconfigurationFromNoMonitorOn() {
    VipAgent n1 = agent("n1", b -> b.healthExecutor(Runnable::run));
    SimpleMeterRegistry r = new SimpleMeterRegistry();
    VipAgentMetrics m = VipAgentMetrics.builder(n1).coordinator(coordinator("n1")).build();
    m.bindTo(r);
    start(n1, time);
    time.advance(Duration.ofSeconds(1));
    assertThat(n1.healthMonitor()).isEmpty();
    assertThat(r.find("vipha.health.check").meters()).isEmpty();

    HealthCheck appCheck = check("app", () -> true);
    reconfigure(n1, group, appCheck, check("db", () -> false));
    time.advance(Duration.ofSeconds(1));
    assertThat(n1.healthMonitor()).isPresent();
    assertThat(tagValues(r, "vipha.health.check", "check")).containsExactlyInAnyOrder("app",
        "db");
    assertThat(r.get("vipha.health.check").functionTimers()).hasSize(4);
    FunctionTimer app = r.get("vipha.health.check").tags("check", "app", "result", "healthy")
        .functionTimer();
    double appProbes = app.count();
    assertThat(appProbes).isPositive();
    assertThat(r.get("vipha.health.check").tags("check", "db", "result", "unhealthy")
        .functionTimer().count()).isPositive();

    // The same app check: unchanged, it keeps its state and its timers their counts.
    reconfigure(n1, group, appCheck, check("cache", () -> true));
    time.advance(Duration.ofSeconds(1));
    assertThat(tagValues(r, "vipha.health.check", "check")).containsExactlyInAnyOrder("app",
        "cache");
    assertThat(r.get("vipha.health.check").tags("check", "app", "result", "healthy")
        .functionTimer()).isSameAs(app);
    assertThat(app.count()).isGreaterThan(appProbes);
    assertThat(r.get("vipha.health.check").tags("check", "cache", "result", "healthy")
        .functionTimer().count()).isPositive();

    m.close();
    assertThat(r.getMeters()).isEmpty();
    reconfigure(n1, group, check("app", () -> true), check("db", () -> true));
    assertThat(r.getMeters()).isEmpty();
  }

  private static HealthCheck check(String name, java.util.function.BooleanSupplier probe) {
    return HealthCheck.custom(name, probe).interval(Duration.ofMillis(200))
        .timeout(Duration.ofMillis(100)).rise(1).fall(1).build();
  }

  @Test
  void livenessIsTwoOneZero() {
    assertThat(VipAgentMetrics.liveness(null)).isZero();
    assertThat(VipAgentMetrics.liveness(peer(Liveness.ALIVE))).isEqualTo(2);
    assertThat(VipAgentMetrics.liveness(peer(Liveness.SUSPECT))).isEqualTo(1);
    assertThat(VipAgentMetrics.liveness(peer(Liveness.DEAD))).isZero();
  }

  private static PeerState peer(Liveness l) {
    return new PeerState("n2", l, 0, 100, Eligibility.ELIGIBLE, 0, Set.of(), List.of(), 1, false,
        false, false);
  }

  @Test
  void theCoordinatorsOwnStateIsAGaugePerStateAndItsValuesCountersAndDrops() {
    AtomicReference<Coordinator.Status> now = new AtomicReference<>(status("BACKUP", 0, 3));
    Coordinator vrrp = new StatusCoordinator(() -> Optional.of(Objects.requireNonNull(
        now.get())));
    VipAgent a = VipAgent.builder().group(group).nodeId("n1").backend(new InMemoryBackend(time))
        .coordinator(vrrp).scheduler(new NodeLoop(time)).build();
    SimpleMeterRegistry r = new SimpleMeterRegistry();
    VipAgentMetrics.builder(a).build().bindTo(r);
    Tags t = Tags.of("group", "web", "node", "n1", "coordinator", "vrrp");
    assertThat(r.get("vipha.coordinator.state").tags(t).tag("state", "backup").gauge().value())
        .isEqualTo(1);
    assertThat(r.get("vipha.coordinator.state").tags(t).tag("state", "master").gauge().value())
        .isZero();
    assertThat(r.get("vipha.coordinator.master.priority").tags(t).gauge().value())
        .isEqualTo(150);
    assertThat(r.get("vipha.coordinator.advertisements.sent").tags(t).functionCounter()
        .count()).isZero();
    assertThat(r.get("vipha.coordinator.dropped").tags(t).tag("why", "wrong_ttl")
        .functionCounter().count()).isEqualTo(3);

    now.set(status("MASTER", 12, 4));
    assertThat(r.get("vipha.coordinator.state").tags(t).tag("state", "master").gauge().value())
        .isEqualTo(1);
    assertThat(r.get("vipha.coordinator.state").tags(t).tag("state", "backup").gauge().value())
        .isZero();
    assertThat(r.get("vipha.coordinator.advertisements.sent").tags(t).functionCounter()
        .count()).isEqualTo(12);
    assertThat(r.get("vipha.coordinator.dropped").tags(t).tag("why", "wrong_ttl")
        .functionCounter().count()).isEqualTo(4);
    assertThat(r.find("vipha.coordinator.dropped").meters()).hasSize(2);
    assertThat(VipAgentMetrics.dotted("advertisementsSent")).isEqualTo("advertisements.sent");
  }

  @Test
  void aCoordinatorWithoutAStateOfItsOwnHasNoCoordinatorMeters() {
    SimpleMeterRegistry r = new SimpleMeterRegistry();
    VipAgentMetrics.builder(agent("n1", b -> b)).build().bindTo(r);
    assertThat(r.getMeters()).isNotEmpty()
        .noneMatch(m -> m.getId().getName().startsWith("vipha.coordinator."));
  }

  private static Coordinator.Status status(String state, long sent, long wrongTtl) {
    return new Coordinator.Status("vrrp", state, List.of("INITIALIZE", "BACKUP", "MASTER"),
        Map.of("masterPriority", 150L), Map.of("masterAddress", "192.0.2.12"),
        Map.of("advertisementsSent", sent), Map.of("WRONG_TTL", wrongTtl, "BAD_CHECKSUM", 0L));
  }
}
