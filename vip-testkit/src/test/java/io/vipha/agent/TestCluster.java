package io.vipha.agent;

import io.vipha.Node;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.testing.InMemoryBackend;
import io.vipha.testing.InMemoryNetwork;
import io.vipha.testing.NodeLoop;
import io.vipha.testing.VirtualScheduler;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Agents of one group in one JVM: virtual time, an in-memory network, in-memory hosts. */
final class TestCluster {
  static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(
      java.nio.charset.StandardCharsets.US_ASCII);

  final VipGroup group;
  final VirtualScheduler time = new VirtualScheduler();
  final InMemoryNetwork network = new InMemoryNetwork(time, 42);
  final Map<String, InMemoryBackend> hosts = new LinkedHashMap<>();
  final Map<String, VipAgent> agents = new LinkedHashMap<>();
  final Map<String, NodeLoop> loops = new LinkedHashMap<>();
  final Map<String, HeartbeatCoordinator> coordinators = new LinkedHashMap<>();
  final List<AgentEvent> events = new ArrayList<>();
  final Map<AgentEvent, String> eventNode = new java.util.IdentityHashMap<>();

  TestCluster(VipGroup group) {
    this.group = group;
    for (Node n : group.nodes()) {
      hosts.put(n.id(), new InMemoryBackend(time));
    }
  }

  VipAgent agent(String id) {
    return java.util.Objects.requireNonNull(agents.get(id), id);
  }

  InMemoryBackend host(String id) {
    return java.util.Objects.requireNonNull(hosts.get(id), id);
  }

  NodeLoop loop(String id) {
    return java.util.Objects.requireNonNull(loops.get(id), id);
  }

  HeartbeatCoordinator coordinator(String id) {
    return java.util.Objects.requireNonNull(coordinators.get(id), id);
  }

  /** A builder for the agent of {@code id} on a fresh process loop, with its coordinator. */
  VipAgent.Builder builder(String id) {
    NodeLoop loop = new NodeLoop(time);
    HeartbeatCoordinator c = HeartbeatCoordinator.builder().key(1, KEY)
        .transport(network::transport).build();
    loops.put(id, loop);
    coordinators.put(id, c);
    return VipAgent.builder().group(group).nodeId(id).backend(hosts.getOrDefault(id,
        new io.vipha.testing.InMemoryBackend(time))).coordinator(c).scheduler(loop);
  }

  /** Builds (but does not start) the agent of {@code id} on a fresh process loop. */
  VipAgent create(String id) {
    return create(id, builder(id));
  }

  VipAgent create(String id, VipAgent.Builder b) {
    VipAgent a = b.build();
    a.addListener(e -> {
      events.add(e);
      eventNode.put(e, id);
    });
    agents.put(id, a);
    return a;
  }

  VipAgent start(String id) {
    return start(create(id));
  }

  VipAgent start(VipAgent a) {
    a.start();
    time.runDue();
    return a;
  }

  void startAll() {
    for (Node n : group.nodes()) {
      start(n.id());
    }
  }

  void run(Duration d) {
    time.advance(d);
  }

  /**
   * Stalls the whole machine for {@code d}: every node's loop is paused while the clock runs on,
   * then resumed, with the tasks due at that instant run.
   */
  void stallAll(Duration d) {
    loops.values().forEach(NodeLoop::pause);
    run(d);
    loops.values().forEach(NodeLoop::resume);
    time.runDue();
  }

  /** Advances in steps of {@code step}, checking {@code check} after each. */
  void runChecking(Duration d, Duration step, Runnable check) {
    long end = time.nanoTime() + d.toNanos();
    while (time.nanoTime() < end) {
      time.advance(step);
      check.run();
    }
  }

  /** The process of {@code id} dies: it runs nothing more, its addresses stay (host up). */
  void crashProcess(String id) {
    loop(id).halt();
  }

  /** The host of {@code id} loses power: the process dies and its addresses vanish. */
  void powerOff(String id) {
    loop(id).halt();
    host(id).clear();
  }

  /** Closes the crashed process's socket, as the kernel does, so a new process can bind. */
  void reap(String id) {
    coordinator(id).close();
  }

  /** Nodes whose host holds {@code vip} now. */
  Set<String> holders(VirtualIp vip) {
    Set<String> out = new HashSet<>();
    hosts.forEach((id, h) -> {
      if (h.holds(vip)) {
        out.add(id);
      }
    });
    return out;
  }

  InetAddress heartbeatHost(String id) {
    return group.node(id).orElseThrow().heartbeat().get(0).getAddress();
  }

  /** Cuts {@code id} off from every other node, both ways. */
  void isolate(String id) {
    Set<InetAddress> others = new HashSet<>();
    for (Node n : group.nodes()) {
      if (!n.id().equals(id)) {
        others.add(heartbeatHost(n.id()));
      }
    }
    network.isolate(heartbeatHost(id), others);
  }

  <T extends AgentEvent> List<T> events(Class<T> type, String node) {
    List<T> out = new ArrayList<>();
    for (AgentEvent e : events) {
      if (type.isInstance(e) && node.equals(eventNode.get(e))) {
        out.add(type.cast(e));
      }
    }
    return out;
  }
}
