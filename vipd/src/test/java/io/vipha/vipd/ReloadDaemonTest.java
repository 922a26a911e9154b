package io.vipha.vipd;

import static io.vipha.vipd.ControlTestClient.json;
import static io.vipha.vipd.LocalDaemons.VIP4;
import static io.vipha.vipd.LocalDaemons.VIP6;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vipha.VirtualIp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Reloads of two daemons in this JVM on the in-memory backend, through {@code vipctl reload}
 * and through the path that SIGHUP takes ({@link Vipd#hangup()}).
 */
class ReloadDaemonTest extends TwoDaemons {
  private static final VirtualIp V4 = VirtualIp.of(VIP4, "eth0");
  private static final VirtualIp V6 = VirtualIp.of(VIP6, "eth0");

  private int reload(String node) throws Exception {
    return vipctl.run("--socket", d().socket(node).toString(), "reload");
  }

  private JsonNode status(String node) throws Exception {
    try (ControlTestClient c = new ControlTestClient(d().socket(node))) {
      JsonNode r = json(c.ask("{\"v\":1,\"cmd\":\"status\"}"));
      assertThat(r.path("ok").asBoolean()).as("%s", r).isTrue();
      return r.path("result");
    }
  }

  private boolean statusHolds(String node, java.util.function.Predicate<JsonNode> check) {
    try {
      return check.test(status(node));
    } catch (Exception e) {
      return false;
    }
  }

  /** Samples the backends until closed: counts the samples where n1 lacks a VIP or n2 has one. */
  private static final class Sampler implements AutoCloseable {
    final AtomicInteger gaps = new AtomicInteger();
    final AtomicLong samples = new AtomicLong();
    private volatile boolean running = true;
    private final Thread thread;

    Sampler(LocalDaemons d) {
      thread = new Thread(() -> {
        while (running) {
          if (!d.backend("n1").holds(V4) || !d.backend("n1").holds(V6)
              || d.backend("n2").holds(V4) || d.backend("n2").holds(V6)) {
            gaps.incrementAndGet();
          }
          samples.incrementAndGet();
          try {
            Thread.sleep(1);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "sampler");
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      thread.join();
    }
  }

  @Test
  void timersAndPrioritiesApplyLiveAndNoVipMoves() throws Exception {
    LocalDaemons d = d();
    // n2 may have held the VIPs before n1 preempted it (a slow start): count from here.
    int releasedByN1 = status("n1").path("counters").path("released").asInt();
    int releasedByN2 = status("n2").path("counters").path("released").asInt();
    try (Sampler sampler = new Sampler(d)) {
      d.edit("\"priority\": 100}", "\"priority\": 150}");
      d.edit("\"heartbeatInterval\": \"100ms\"", "\"heartbeatInterval\": \"150ms\"");
      assertThat(reload("n1")).as(vipctl.err()).isZero();
      assertThat(vipctl.out()).isEqualTo("reload 1 applied: 2 changes\n"
          + "  nodes[n2].priority: default -> 150\n"
          + "  policy.heartbeatInterval: default -> 150ms\n");
      d.daemon("n2").hangup(); // the SIGHUP path
      assertThat(LocalDaemons.await(10, () -> statusHolds("n2",
          s -> s.path("config").path("generation").asInt() == 1))).isTrue();
      // n2 advertises its new priority; n1 sees it.
      assertThat(LocalDaemons.await(10, () -> statusHolds("n1",
          s -> s.path("peers").get(0).path("priority").asInt() == 150))).as("%s", d.output())
          .isTrue();
      Thread.sleep(1000);
      assertThat(sampler.samples.get()).isPositive();
      assertThat(sampler.gaps.get()).as("samples where n1 lacked a VIP or n2 had one").isZero();
    }
    JsonNode s = status("n1");
    assertThat(s.path("self").path("priority").asInt()).isEqualTo(200);
    assertThat(s.path("counters").path("released").asInt()).isEqualTo(releasedByN1);
    assertThat(s.path("peers").get(0).path("liveness").asText()).isEqualTo("ALIVE");
    JsonNode c = s.path("config");
    assertThat(c.path("file").asText()).isEqualTo(d.config.toString());
    assertThat(c.path("generation").asInt()).isEqualTo(1);
    assertThat(c.path("applied").asInt()).isEqualTo(1);
    assertThat(c.path("rejected").asInt()).isZero();
    assertThat(c.path("lastReload").path("ok").asBoolean()).isTrue();
    assertThat(c.path("lastReload").path("changes").toString()).isEqualTo(
        "[\"nodes[n2].priority: default -> 150\",\"policy.heartbeatInterval: default -> 150ms\"]");
    assertThat(status("n2").path("counters").path("released").asInt()).isEqualTo(releasedByN2);
    assertThat(vipctl.run("--socket", d.socket("n1").toString(), "status")).isZero();
    assertThat(vipctl.out()).containsPattern("(?m)^config " + java.util.regex.Pattern.quote(
        d.config.toString()) + ", generation 1 \\(1 applied, 0 rejected\\), last reload \\d+s"
        + " ago: applied, 2 changes$");
  }

  @Test
  void aConfigurationWithProblemsIsRejectedWholeAndTheRunningOneStays() throws Exception {
    LocalDaemons d = d();
    d.edit("\"priority\": 100}", "\"priority\": 150}");
    d.edit("\"deadAfter\": 3", "\"deadAfter\": 1, \"colour\": \"red\"");
    assertThat(reload("n1")).isEqualTo(1);
    assertThat(vipctl.out()).isEmpty();
    assertThat(vipctl.err()).startsWith("vipctl: reload rejected, the running configuration stays;"
        + " 2 problems:\n  groups[0].policy.deadAfter: \"1\" is below 2 intervals;")
        .contains("\n  groups[0].policy.colour: is not a known field;");
    try (ControlTestClient c = new ControlTestClient(d.socket("n1"))) {
      JsonNode r = json(c.ask("{\"v\":1,\"cmd\":\"reload\"}"));
      assertThat(r.path("ok").asBoolean()).isFalse();
      assertThat(r.path("error").path("code").asText()).isEqualTo("rejected");
      assertThat(r.path("error").path("problems")).hasSize(2);
    }
    JsonNode s = status("n1");
    assertThat(s.path("config").path("generation").asInt()).isZero();
    assertThat(s.path("config").path("rejected").asInt()).isEqualTo(2);
    assertThat(s.path("config").path("lastReload").path("ok").asBoolean()).isFalse();
    assertThat(s.path("config").path("lastReload").path("problems")).hasSize(2);
    assertThat(s.path("peers").get(0).path("priority").asInt()).isEqualTo(100);
    assertThat(vipctl.run("--socket", d.socket("n1").toString(), "status")).isZero();
    assertThat(vipctl.out()).contains("last reload ", "REJECTED, 2 problems");
    // The daemon runs on; the file mended, the reload applies.
    d.edit("\"deadAfter\": 1, \"colour\": \"red\"", "\"deadAfter\": 3");
    assertThat(reload("n1")).as(vipctl.err()).isZero();
    assertThat(vipctl.out()).isEqualTo("reload 1 applied: 1 change\n"
        + "  nodes[n2].priority: default -> 150\n");
    assertThat(d.backend("n1").holds(V4)).isTrue();
  }

  @Test
  void aModeChangeAndAnotherControlSocketAreRefusedAsNeedingARestart() throws Exception {
    LocalDaemons d = d();
    d.edit("\"ACTIVE_PASSIVE\"", "\"ACTIVE_ACTIVE\"");
    d.edit(".sock\",", "-new.sock\",");
    assertThat(reload("n1")).isEqualTo(1);
    assertThat(vipctl.err()).isEqualTo("vipctl: reload rejected, the running configuration stays;"
        + " 2 problems:\n"
        + "  mode: ACTIVE_PASSIVE -> ACTIVE_ACTIVE needs a restart (the mode is the node's role"
        + " in the group)\n"
        + "  daemon.controlSocket: " + d.socket("n1") + " -> " + dir.resolve("n1-new.sock")
        + " needs a restart (the control socket is bound at start)\n");
    // n2 runs with --control-socket: only the mode is refused.
    assertThat(reload("n2")).isEqualTo(1);
    assertThat(vipctl.err()).contains("1 problem:\n  mode: ACTIVE_PASSIVE -> ACTIVE_ACTIVE needs a"
        + " restart");
    assertThat(status("n1").path("mode").asText()).isEqualTo("ACTIVE_PASSIVE");
  }

  @Test
  void anAddedVipIsAcquiredAndARemovedOneReleasedWhileTheOtherStays() throws Exception {
    LocalDaemons d = d();
    d.edit("{\"address\": \"" + VIP6 + "\", \"interface\": \"eth0\"}",
        "{\"address\": \"192.0.2.11/24\", \"interface\": \"eth0\"}");
    VirtualIp added = VirtualIp.of("192.0.2.11/24", "eth0");
    assertThat(reload("n2")).as(vipctl.err()).isZero();
    assertThat(reload("n1")).as(vipctl.err()).isZero();
    assertThat(vipctl.out()).isEqualTo("reload 1 applied: 2 changes\n"
        + "  vips[" + VIP6 + "]: removed\n"
        + "  vips[192.0.2.11/24]: added {\"address\":\"192.0.2.11/24\",\"interface\":\"eth0\"}\n");
    assertThat(LocalDaemons.await(10, () -> d.backend("n1").holds(added)
        && !d.backend("n1").holds(V6))).as("%s", d.output()).isTrue();
    assertThat(d.backend("n1").holds(V4)).isTrue();
    assertThat(d.backend("n2").holds(added)).isFalse();
    assertThat(status("n1").path("counters").path("released").asInt()).isEqualTo(1);
  }

  @Test
  void keysRotateInThreeReloadsAndAKeyChangedUnderItsIdIsRefused() throws Exception {
    LocalDaemons d = d();
    Path old = dir.resolve("web.key");
    Path fresh = dir.resolve("web-2.key");
    byte[] two = new byte[32];
    java.util.Arrays.fill(two, (byte) 2);
    Files.writeString(fresh, Base64.getEncoder().encodeToString(two) + "\n");
    String keyField = "\"keyFile\": \"" + old + "\"";
    // 1: accept the new key as well.
    d.edit(keyField, keyField + ", \"acceptKey\": {\"id\": 2, \"file\": \"" + fresh + "\"}");
    for (String n : new String[] {"n1", "n2"}) {
      assertThat(reload(n)).as(vipctl.err()).isZero();
      assertThat(vipctl.out()).contains("accepted key: none -> key 2 (" + fresh + ")");
    }
    // 2: sign with the new key, still accept the old one.
    String step1 = keyField + ", \"acceptKey\": {\"id\": 2, \"file\": \"" + fresh + "\"}";
    String step2 = "\"keyFile\": \"" + fresh + "\", \"keyId\": 2, \"acceptKey\": {\"id\": 1,"
        + " \"file\": \"" + old + "\"}";
    d.edit(step1, step2);
    for (String n : new String[] {"n1", "n2"}) {
      assertThat(reload(n)).as(vipctl.err()).isZero();
      assertThat(vipctl.out()).contains("signing key: key 1 (" + old + ") -> key 2 (" + fresh
          + ")");
    }
    // 3: drop the old key.
    d.edit(step2, "\"keyFile\": \"" + fresh + "\", \"keyId\": 2");
    for (String n : new String[] {"n1", "n2"}) {
      assertThat(reload(n)).as(vipctl.err()).isZero();
      assertThat(vipctl.out()).contains("accepted key: key 1 (" + old + ") -> none");
    }
    long accepted = status("n1").path("counters").path("heartbeatsAccepted").asLong();
    assertThat(LocalDaemons.await(10, () -> statusHolds("n1", s -> s.path("counters")
        .path("heartbeatsAccepted").asLong() > accepted + 5))).isTrue();
    JsonNode s = status("n1");
    assertThat(s.path("counters").path("heartbeatsRejected").asLong()).isZero();
    assertThat(s.path("peers").get(0).path("liveness").asText()).isEqualTo("ALIVE");
    assertThat(s.path("counters").path("released").asInt()).isZero();
    // Other bytes under id 2 would make the peers reject this node: refused.
    Files.writeString(fresh, Base64.getEncoder().encodeToString(new byte[40]) + "\n");
    assertThat(reload("n1")).isEqualTo(1);
    assertThat(vipctl.err()).contains("key id 2 now holds another key (" + fresh + ")");
    assertThat(status("n1").path("config").path("generation").asInt()).isEqualTo(3);
  }
}
