package io.vipha.vipd;

import static io.vipha.testkit.Commands.run;
import static io.vipha.vipd.NamespaceDaemons.VIP;
import static io.vipha.vipd.NamespaceDaemons.holds;
import static io.vipha.vipd.NamespaceDaemons.log;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vipha.testkit.Privileged;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The hitless reload as users run it: two vipd processes in their own namespaces and a client
 * on one bridge, the client probing the VIP every {@value ClientProbe#INTERVAL_MS} ms, then
 * {@value #STEPS} reloads in a row of each node, owner first, alternating a real {@code kill
 * -HUP} and {@code vipctl reload}; each rewrites the configuration with a changed heartbeat
 * interval (odd steps) or changed priorities that keep n1 the owner (even steps). No probe may
 * be lost and the VIP may not move: it is never deleted from n1's {@code eth0} (rtnetlink
 * events; n1 renews its lease) nor added to n2's, and neither node acquires or releases it once
 * n1 serves. A configuration with errors is rejected with its problems while the daemon
 * keeps serving. Needs root; skipped loudly without it, failed when {@value
 * Privileged#REQUIRE_ENV}=1.
 */
class VipdReloadNamespaceTest {
  private static final int STEPS = 20;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] NODES = {"n1", "n2"};

  @RegisterExtension final NamespaceDaemons net = new NamespaceDaemons();
  private @Nullable ClientProbe probe;

  @AfterEach
  void stopTheProbe() {
    ClientProbe p = probe;
    if (p != null) {
      p.close();
    }
  }

  /** The interval of step {@code s}: 100 ms, 150 ms after odd timer changes. */
  private static String interval(int s) {
    return (s + 1) / 2 % 2 == 1 ? "150ms" : "100ms";
  }

  /** How much step {@code s} raises both priorities: 0, or 10 after odd priority changes. */
  private static int raise(int s) {
    return s / 2 % 2 == 1 ? 10 : 0;
  }

  /** {@code node}'s status as JSON. */
  private JsonNode status(String node) throws Exception {
    return JSON.readTree(net.ok(node, "status", "--json"));
  }

  private JsonNode config(String node) throws Exception {
    return status(node).path("config");
  }

  /** Waits until {@code node}'s {@code config.generation} is {@code generation}; its status. */
  private JsonNode awaitGeneration(String node, long generation, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    JsonNode status = status(node);
    while (status.path("config").path("generation").asLong() < generation
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
      status = status(node);
    }
    assertThat(status.path("config").path("generation").asLong())
        .as("%s's config.generation after its reload; log:\n%s", node, log(log))
        .isEqualTo(generation);
    return status;
  }

  @Test
  void twentyReloadsOfEachNodeLoseNoProbeAndMoveNoVip() throws Exception {
    String[] ns = net.hostsOnABridge(3);
    String client = ns[2];
    NamespaceDaemons.address(client, "192.0.2.100/24");
    Path config = net.config("eth0", interval(0), 200 + raise(0), 100 + raise(0));
    Path[] logs = {net.dir().resolve("n1.log"), net.dir().resolve("n2.log")};
    Process[] p = {net.vipd(ns[0], config, "n1", logs[0]),
        net.vipd(ns[1], config, "n2", logs[1])};
    ClientProbe probe = new ClientProbe(client, VIP, new String[] {ns[0], ns[1]}, NODES);
    this.probe = probe;
    assertThat(probe.answersSteadily("n1", 50, 30_000))
        .as("n1 (priority 200) answers the client; logs:\n%s\n%s", log(logs[0]), log(logs[1]))
        .isTrue();
    assertThat(holds(ns[1])).isFalse();
    List<List<String>> watched = List.of(new ArrayList<>(), new ArrayList<>());
    net.watchVip(ns[0], watched.get(0));
    net.watchVip(ns[1], watched.get(1));
    Thread.sleep(300); // the monitors are listening
    probe.reset();
    // On a loaded host n2 may have held the VIP while n1 still started: only what comes from
    // here on counts.
    JsonNode[] countersBefore = {status("n1").path("counters"), status("n2").path("counters")};
    int[] logBefore = {log(logs[0]).length(), log(logs[1]).length()};

    for (int s = 1; s <= STEPS; s++) {
      net.config("eth0", interval(s), 200 + raise(s), 100 + raise(s));
      boolean signal = s % 2 == 1;
      for (int i = 0; i < 2; i++) {
        if (signal) {
          run("kill", "-HUP", Long.toString(p[i].pid()));
        } else {
          String out = net.ok(NODES[i], "reload");
          assertThat(out).as("vipctl reload of %s, step %d", NODES[i], s).isNotBlank();
        }
        JsonNode status = awaitGeneration(NODES[i], s, logs[i]);
        JsonNode last = status.path("config").path("lastReload");
        assertThat(last.path("ok").asBoolean()).as("step %d on %s: %s", s, NODES[i], last)
            .isTrue();
        assertThat(last.path("changes")).as("the change of step %d on %s", s, NODES[i])
            .isNotEmpty();
        assertThat(status.path("self").path("priority").asInt())
            .as("%s's priority after step %d", NODES[i], s).isEqualTo((i == 0 ? 200 : 100)
                + raise(s));
        assertThat(status.path("config").path("applied").asLong()).isEqualTo(s);
      }
      Thread.sleep(300); // heartbeats under the new configuration
    }
    // n2 hears n1's raised (or lowered) priority in its heartbeats.
    JsonNode n1AsSeen = status("n2").path("peers").get(0);
    assertThat(n1AsSeen.path("effectivePriority").asInt()).as("n1 as n2 sees it: %s", n1AsSeen)
        .isEqualTo(200 + raise(STEPS));
    Thread.sleep(ClientProbe.TIMEOUT_MS + 2L * ClientProbe.INTERVAL_MS);

    long sent = probe.sent();
    assertThat(probe.lost()).as("probes lost during %d reloads of each node, of %d sent; logs:"
        + "\n%s\n%s", STEPS, sent, log(logs[0]), log(logs[1])).isEmpty();
    assertThat(probe.answeredBy()).as("who answered").isEqualTo(Map.of("n1", (int) sent));
    synchronized (watched.get(0)) {
      // n1 renews the VIP's kernel lease (an RTM_NEWADDR each time); it never deletes it.
      assertThat(watched.get(0)).as("VIP address events on n1")
          .noneMatch(line -> line.startsWith("Deleted"));
    }
    synchronized (watched.get(1)) {
      assertThat(watched.get(1)).as("VIP address events on n2").isEmpty();
    }
    assertThat(holds(ns[0])).isTrue();
    assertThat(holds(ns[1])).isFalse();
    for (int i = 0; i < 2; i++) {
      JsonNode counters = status(NODES[i]).path("counters");
      for (String counter : new String[] {"acquired", "released"}) {
        assertThat(counters.path(counter).asLong()).as("%s's %s counter during the reloads",
            NODES[i], counter).isEqualTo(countersBefore[i].path(counter).asLong());
      }
      assertThat(log(logs[i]).substring(logBefore[i])).as("%s's log during the reloads",
          NODES[i]).doesNotContain("acquired " + VIP, "released " + VIP);
    }
  }

  @Test
  void aConfigWithErrorsIsRejectedWholeAndTheDaemonKeepsServing() throws Exception {
    String[] ns = net.hostsOnABridge(3);
    NamespaceDaemons.address(ns[2], "192.0.2.100/24");
    Path config = net.config("eth0");
    Path[] logs = {net.dir().resolve("n1.log"), net.dir().resolve("n2.log")};
    Process n1 = net.vipd(ns[0], config, "n1", logs[0]);
    net.vipd(ns[1], config, "n2", logs[1]);
    ClientProbe probe = new ClientProbe(ns[2], VIP, new String[] {ns[0], ns[1]}, NODES);
    this.probe = probe;
    assertThat(probe.answersSteadily("n1", 50, 30_000)).as("n1 answers; log:\n%s", log(logs[0]))
        .isTrue();
    probe.reset();

    // Two problems at once: a negative priority and an interval that is no duration.
    net.write(config.getFileName().toString(), java.nio.file.Files.readString(config)
        .replace("\"priority\": 200", "\"priority\": -5")
        .replace("\"100ms\"", "\"soon\""));
    String[] rejected = net.vipctlOn("n1", "reload");
    assertThat(rejected[0]).as("vipctl reload's exit code; stdout %s", rejected[1])
        .isEqualTo("1");
    assertThat(rejected[2]).as("the problems, every one").contains("priority", "soon");
    run("kill", "-HUP", Long.toString(n1.pid()));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (config("n1").path("rejected").asLong() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    JsonNode c = config("n1");
    assertThat(c.path("rejected").asLong()).as("rejected reloads: %s", c).isEqualTo(2);
    assertThat(c.path("generation").asLong()).as("the running configuration stays").isZero();
    assertThat(c.path("lastReload").path("ok").asBoolean()).isFalse();
    assertThat(c.path("lastReload").path("problems")).hasSize(2);
    assertThat(status("n1").path("self").path("priority").asInt()).isEqualTo(200);
    assertThat(log(logs[0])).contains("reload rejected, the running configuration stays");
    assertThat(n1.isAlive()).isTrue();
    Thread.sleep(500 + ClientProbe.TIMEOUT_MS);
    assertThat(probe.lost()).as("probes lost around the rejected reloads, of %d", probe.sent())
        .isEmpty();
    assertThat(probe.answeredBy().keySet()).containsExactly("n1");
    assertThat(holds(ns[0])).isTrue();
  }
}
