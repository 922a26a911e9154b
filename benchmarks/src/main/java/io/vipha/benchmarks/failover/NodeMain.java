package io.vipha.benchmarks.failover;

import io.vipha.agent.HeartbeatCoordinator;
import io.vipha.agent.VipAgent;
import io.vipha.config.VipConfig;
import io.vipha.netlink.NetlinkBackend;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The vipha node process of the harness until vipd replaces it: {@code NodeMain CONFIG GROUP
 * NODE KEYFILE}. Starts a {@link VipAgent} with a {@link HeartbeatCoordinator} (UDP unicast to
 * the peers' heartbeat addresses) and a {@link NetlinkBackend} in the namespace it runs in;
 * prints {@code STARTED}; on SIGTERM the shutdown hook stops the agent (make-before-break hand
 * over, at most 5 s) and prints {@code STOPPED}.
 */
public final class NodeMain {
  private NodeMain() {}

  public static void main(String[] args) throws Exception {
    VipConfig config = VipConfig.read(Path.of(args[0]));
    NetlinkBackend backend = NetlinkBackend.builder().preferredLifetimeZero(true).build();
    VipAgent agent = VipAgent.builder().group(config, args[1]).nodeId(args[2]).backend(backend)
        .coordinator(HeartbeatCoordinator.builder().keyFile(1, Path.of(args[3])).build())
        .build();
    agent.addListener(e -> System.out.println("EVENT " + System.nanoTime() + " " + e));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        agent.stop().get(5, TimeUnit.SECONDS);
        System.out.println("STOPPED");
      } catch (Exception e) {
        System.out.println("STOP FAILED " + e);
      } finally {
        backend.close();
      }
    }, "vipha-shutdown"));
    agent.start().get(30, TimeUnit.SECONDS);
    System.out.println("STARTED");
    System.out.flush();
    Thread.currentThread().join();
  }
}
