package io.vipha.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Lease;
import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.agent.AgentEvent;
import io.vipha.agent.EventLoopScheduler;
import io.vipha.agent.HeartbeatCoordinator;
import io.vipha.agent.VipAgent;
import io.vipha.testkit.Commands;
import io.vipha.testkit.Privileged;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The runtime on the Linux backend: two agents in this JVM (heartbeats on loopback), each with
 * a {@link NetlinkBackend} in a namespace of its own whose interface {@code v0} is bridged to
 * the other's. The periodic reconcile is set to 30 s, so what happens within a second comes from
 * the watch. Needs root.
 */
class AgentTest {
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(
      StandardCharsets.US_ASCII);
  private final Netns netns = new Netns();
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final List<String> events = new CopyOnWriteArrayList<>();
  private String nsA = "";
  private String nsB = "";

  @BeforeEach
  void setUp() {
    Privileged.requireNetworkNamespaces();
    nsA = netns.create();
    nsB = netns.create();
    netns.segment(new String[] {nsA, "v0"}, new String[] {nsB, "v0"});
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
    netns.close();
  }

  @Test
  void agentsTakeRepairAndHandOverAVipThroughNetlink() throws Exception {
    int p1 = freePort();
    int p2 = freePort();
    VipGroup g = VipGroup.builder().name("nl").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("v0"))
        .vip(v -> v.address("2001:db8::10/64").interfaceName("v0"))
        .node(n -> n.id("n1").heartbeat("127.0.0.1:" + p1).priority(200))
        .node(n -> n.id("n2").heartbeat("127.0.0.1:" + p2).priority(100))
        .policy(p -> p.heartbeatInterval(Duration.ofMillis(50)).preempt(false)
            .lease(Lease.of(Duration.ofSeconds(10))))
        .build();
    VipAgent n1 = agent(g, "n1", nsA);
    VipAgent n2 = agent(g, "n2", nsB);
    n1.start().get(10, TimeUnit.SECONDS);
    await("n1 holds both VIPs", () -> n1.state().held().size() == 2);
    n2.start().get(10, TimeUnit.SECONDS);
    await("n2 runs", () -> n2.state().phase() == VipAgent.Phase.RUNNING);

    Map<String, Object> v4 = netns.requireAddress(nsA, "v0", "192.0.2.10");
    assertThat((Long) v4.get("valid_life_time")).as("the lease").isBetween(1L, 10L);
    assertThat(netns.requireAddress(nsA, "v0", "2001:db8::10")).containsEntry("nodad", true);
    assertThat(netns.address(nsB, "v0", "192.0.2.10")).isNull();

    // Removed behind the agent's back: re-added at once (the periodic reconcile is 30 s away).
    Commands.run("ip", "-n", nsA, "addr", "del", "192.0.2.10/24", "dev", "v0");
    await("n1 re-added the VIP", () -> netns.address(nsA, "v0", "192.0.2.10") != null, 2);
    assertThat(events).anyMatch(e -> e.startsWith("n1 DriftRepaired 192.0.2.10"));

    // n1's link goes down: it is disqualified and n2 takes both VIPs.
    Commands.run("ip", "-n", nsA, "link", "set", "v0", "down");
    await("n2 holds both VIPs", () -> netns.address(nsB, "v0", "192.0.2.10") != null
        && netns.address(nsB, "v0", "2001:db8::10") != null, 3);
    await("n1 released", () -> n1.state().held().isEmpty(), 3);
    assertThat(events).anyMatch(e -> e.startsWith("n1 HealthChanged link v0 false"));

    n2.stop().get(10, TimeUnit.SECONDS);
    assertThat(netns.address(nsB, "v0", "192.0.2.10")).isNull();
    assertThat(netns.address(nsB, "v0", "2001:db8::10")).isNull();
  }

  private VipAgent agent(VipGroup g, String id, String ns) throws Exception {
    NetlinkBackend backend = NetlinkBackend.builder().namespace(ns).build();
    resources.add(backend);
    EventLoopScheduler loop = new EventLoopScheduler(id);
    VipAgent a = VipAgent.builder().group(g).nodeId(id).backend(backend).scheduler(loop)
        .reconcileInterval(Duration.ofSeconds(30))
        .coordinator(HeartbeatCoordinator.builder().key(1, KEY).build()).build();
    a.addListener(e -> events.add(id + " " + describe(e)));
    resources.add(() -> {
      try {
        a.stop().get(10, TimeUnit.SECONDS);
      } finally {
        loop.close();
      }
    });
    return a;
  }

  private static String describe(AgentEvent e) {
    if (e instanceof AgentEvent.DriftRepaired d) {
      return "DriftRepaired " + d.vip().cidr();
    }
    if (e instanceof AgentEvent.HealthChanged h) {
      return "HealthChanged " + h.check() + " " + h.healthy();
    }
    return e.toString();
  }

  private static int freePort() throws Exception {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private void await(String what, BooleanSupplier condition) throws InterruptedException {
    await(what, condition, 10);
  }

  private void await(String what, BooleanSupplier condition, int seconds)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + seconds + " s waiting until " + what
            + "; events: " + events);
      }
      Thread.sleep(10);
    }
  }
}
