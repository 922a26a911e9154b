package io.vipha.agent;

import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.testing.InMemoryBackend;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * One node of a two-node Active/Passive group whose heartbeats can only travel by multicast: the
 * configured unicast heartbeat addresses (192.0.2.201 and .202) are routed nowhere. Run in a
 * network namespace by {@link MulticastNamespaceTest}; prints {@code READY} once started and one
 * {@code EVENT ...} line per agent event, and runs until killed.
 *
 * <p>Arguments: {@code <node id (n1|n2)> <interface> <group address> <port>}.
 */
public final class MulticastNodeMain {
  private MulticastNodeMain() {}

  /** The group both nodes run. */
  static VipGroup group(int port) {
    return VipGroup.builder().name("mcast").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("192.0.2.201:" + port).priority(200))
        .node(n -> n.id("n2").heartbeat("192.0.2.202:" + port).priority(100))
        .policy(p -> p.heartbeatInterval(Duration.ofMillis(50)).deadAfter(10))
        .build();
  }

  /** One line per event, e.g. {@code EVENT Acquired 192.0.2.10/24 OWNER_DEAD}. */
  static String line(AgentEvent e) {
    if (e instanceof AgentEvent.Acquired) {
      AgentEvent.Acquired a = (AgentEvent.Acquired) e;
      return "EVENT Acquired " + a.vip().cidr() + " " + a.reason();
    } else if (e instanceof AgentEvent.Released) {
      AgentEvent.Released r = (AgentEvent.Released) e;
      return "EVENT Released " + r.vip().cidr() + " " + r.reason();
    } else if (e instanceof AgentEvent.PeerUp) {
      return "EVENT PeerUp " + ((AgentEvent.PeerUp) e).nodeId();
    } else if (e instanceof AgentEvent.PeerSuspect) {
      return "EVENT PeerSuspect " + ((AgentEvent.PeerSuspect) e).nodeId();
    } else if (e instanceof AgentEvent.PeerDown) {
      return "EVENT PeerDown " + ((AgentEvent.PeerDown) e).nodeId();
    }
    return "EVENT " + e.getClass().getSimpleName() + " " + e;
  }

  /**
   * Runs the node until the process is killed.
   *
   * @param args node id, interface name, group address, port
   */
  public static void main(String[] args) throws Exception {
    PrintStream out = System.out;
    if (args.length != 4) {
      out.println("FAILED usage: MulticastNodeMain <n1|n2> <interface> <group> <port>");
      System.exit(2);
    }
    String id = args[0];
    int port = Integer.parseInt(args[3]);
    InetSocketAddress group = new InetSocketAddress(InetAddress.getByName(args[2]), port);
    EventLoopScheduler loop = new EventLoopScheduler(id);
    HeartbeatCoordinator coordinator = HeartbeatCoordinator.builder().key(1, TestCluster.KEY)
        .multicast(group, args[1]).build();
    VipAgent agent = VipAgent.builder().group(group(port)).nodeId(id)
        .backend(new InMemoryBackend(loop)).scheduler(loop).coordinator(coordinator).build();
    agent.addListener(e -> {
      synchronized (out) {
        out.println(line(e));
        out.flush();
      }
    });
    try {
      agent.start().get();
    } catch (java.util.concurrent.ExecutionException e) {
      out.println("FAILED " + e.getCause());
      out.flush();
      System.exit(1);
    }
    synchronized (out) {
      out.println("READY " + id);
      out.flush();
    }
    Thread.sleep(Long.MAX_VALUE);
  }
}
