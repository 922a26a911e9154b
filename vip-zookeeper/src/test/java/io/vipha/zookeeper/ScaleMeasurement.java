package io.vipha.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.agent.EventLoopScheduler;
import io.vipha.agent.VipAgent;
import io.vipha.testing.InMemoryBackend;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A measurement, not a test: how much one node's agents of 100 and 1,000 groups cost a 3-server
 * ensemble in steady state (znodes, watches, writes and reads per second), all groups over one
 * shared session. Run with {@code -Dtest=ScaleMeasurement -Dvipha.zk.measure=true}.
 */
@EnabledIfSystemProperty(named = "vipha.zk.measure", matches = "true")
class ScaleMeasurement {
  private static final Duration SESSION = Duration.ofSeconds(6);
  private static final Duration STEADY = Duration.ofSeconds(20);

  @Test
  void groupsOneEnsembleCarries() throws Exception {
    System.setProperty("zookeeper.4lw.commands.whitelist", "mntr");
    StringBuilder out = new StringBuilder("\ngroups  znodes  watches  writes/s  reads/s"
        + "  (steady state over " + STEADY.toSeconds() + " s, session " + SESSION.toSeconds()
        + " s)\n");
    for (int groups : new int[] {100, 1000}) {
      out.append(measure(groups)).append('\n');
    }
    System.out.println(out);
  }

  private static String measure(int groups) throws Exception {
    List<InstanceSpec> specs = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      specs.add(new InstanceSpec(null, -1, -1, -1, true, i, 500, -1));
    }
    try (TestingCluster zk = new TestingCluster(specs)) {
      zk.start();
      long before = sum(specs, "zk_znode_count") / 3;
      try (ZooKeeperSession session = ZooKeeperSession.connect(zk.getConnectString(), SESSION,
          Duration.ofSeconds(20));
          EventLoopScheduler loop = new EventLoopScheduler("agents")) {
        List<VipAgent> agents = new ArrayList<>();
        List<ZooKeeperCoordinator> coordinators = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
          int k = g;
          VipGroup group = VipGroup.builder().name("g" + g).mode(Mode.ACTIVE_PASSIVE)
              .vip(v -> v.address("10." + (k / 250) + "." + (k % 250) + ".10/24")
                  .interfaceName("eth0"))
              .node(n -> n.id("a").heartbeat("198.51.100.1").priority(200))
              .node(n -> n.id("b").heartbeat("198.51.100.2").priority(100))
              .policy(p -> p.lease(Duration.ofSeconds(2))).build();
          ZooKeeperCoordinator c = ZooKeeperCoordinator.builder().session(session).build();
          VipAgent a = VipAgent.builder().group(group).nodeId("a")
              .backend(new InMemoryBackend(loop)).coordinator(c).scheduler(loop).build();
          a.start().get(20, TimeUnit.SECONDS);
          agents.add(a);
          coordinators.add(c);
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end && agents.stream().anyMatch(a -> a.state().held()
            .isEmpty())) {
          Thread.sleep(100);
        }
        assertThat(agents).allMatch(a -> !a.state().held().isEmpty());
        Thread.sleep(3000);
        long w0 = coordinators.stream().mapToLong(ZooKeeperCoordinator::writes).sum();
        long r0 = session.confirmations();
        Thread.sleep(STEADY.toMillis());
        long w1 = coordinators.stream().mapToLong(ZooKeeperCoordinator::writes).sum();
        long r1 = session.confirmations();
        long znodes = sum(specs, "zk_znode_count") / 3 - before;
        long watches = sum(specs, "zk_watch_count");
        for (VipAgent a : agents) {
          a.stop().get(20, TimeUnit.SECONDS);
        }
        return String.format(Locale.ROOT, "%6d  %6d  %7d  %8.2f  %7.2f", groups, znodes,
            watches, (w1 - w0) / (double) STEADY.toSeconds(),
            (r1 - r0) / (double) STEADY.toSeconds());
      }
    }
  }

  /** The sum over the servers of one {@code mntr} value. */
  private static long sum(List<InstanceSpec> specs, String key) throws Exception {
    long total = 0;
    for (InstanceSpec s : specs) {
      try (Socket sock = new Socket(InetAddress.getLoopbackAddress(), s.getPort())) {
        OutputStream o = sock.getOutputStream();
        o.write("mntr".getBytes(StandardCharsets.US_ASCII));
        o.flush();
        InputStream in = sock.getInputStream();
        String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        for (String line : text.split("\n")) {
          String[] kv = line.split("\t");
          if (kv.length == 2 && kv[0].equals(key)) {
            total += Long.parseLong(kv[1].trim());
          }
        }
      }
    }
    return total;
  }
}
