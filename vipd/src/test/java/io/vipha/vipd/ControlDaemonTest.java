package io.vipha.vipd;

import static io.vipha.vipd.ControlTestClient.json;
import static io.vipha.vipd.LocalDaemons.VIP4;
import static io.vipha.vipd.LocalDaemons.VIP6;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vipha.VirtualIp;
import io.vipha.testing.InMemoryBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two daemons in this JVM on the in-memory backend, steered through their control sockets. */
class ControlDaemonTest {
  private static final VirtualIp V4 = VirtualIp.of(VIP4, "eth0");
  private static final VirtualIp V6 = VirtualIp.of(VIP6, "eth0");

  @TempDir Path dir;
  private @Nullable LocalDaemons daemons;

  private LocalDaemons d() {
    return java.util.Objects.requireNonNull(daemons);
  }

  private LocalDaemons start(String mode) throws Exception {
    LocalDaemons d = new LocalDaemons(dir, mode);
    daemons = d;
    return d.start("n1").start("n2");
  }

  @AfterEach
  void stop() throws Exception {
    LocalDaemons d = daemons;
    if (d != null) {
      d.close();
    }
  }

  private JsonNode ask(String node, String request) throws IOException {
    try (ControlTestClient c = new ControlTestClient(d().socket(node))) {
      return json(c.ask(request));
    }
  }

  private JsonNode status(String node) throws IOException {
    JsonNode r = ask(node, "{\"v\":1,\"cmd\":\"status\"}");
    assertThat(r.path("ok").asBoolean()).as("%s", r).isTrue();
    return r.path("result");
  }

  private boolean holdsBoth(String node) {
    InMemoryBackend b = d().backend(node);
    return b.holds(V4) && b.holds(V6);
  }

  private void awaitOwner(String node) throws InterruptedException {
    assertThat(LocalDaemons.await(LocalDaemons.FIRST_OWNER_SECONDS, () -> holdsBoth(node))).as("%s holds both VIPs; %s",
        node, d().output()).isTrue();
  }

  @Test
  void statusShowsThePhaseEveryNodeTheVipsHealthEventsAndCounters() throws Exception {
    start("ACTIVE_PASSIVE");
    awaitOwner("n1");
    assertThat(LocalDaemons.await(5, () -> {
      try {
        return status("n1").path("self").path("health").get(0).path("healthy").asBoolean();
      } catch (IOException e) {
        return false;
      }
    })).isTrue();
    JsonNode s = status("n1");
    assertThat(s.path("group").asText()).isEqualTo("web");
    assertThat(s.path("node").asText()).isEqualTo("n1");
    assertThat(s.path("mode").asText()).isEqualTo("ACTIVE_PASSIVE");
    assertThat(s.path("phase").asText()).isEqualTo("RUNNING");
    assertThat(s.path("fresh").asBoolean()).isTrue();
    assertThat(java.time.Instant.parse(s.path("takenAt").asText()))
        .isBeforeOrEqualTo(java.time.Instant.parse(s.path("now").asText()));
    assertThat(s.path("quorum").path("has").asBoolean()).isTrue();
    assertThat(s.path("quorum").path("reachable").asInt()).isEqualTo(2);
    JsonNode self = s.path("self");
    assertThat(self.path("effectivePriority").asInt()).isEqualTo(200);
    assertThat(self.path("eligibility").asText()).isEqualTo("ELIGIBLE");
    List<String> held = new ArrayList<>();
    self.path("held").forEach(h -> {
      held.add(h.path("vip").asText());
      assertThat(h.path("reason").asText()).isEqualTo("ELECTED");
      assertThat(h.path("interface").asText()).isEqualTo("eth0");
      assertThat(java.time.Instant.parse(h.path("since").asText()))
          .isBefore(java.time.Instant.parse(s.path("now").asText()).plusMillis(1));
    });
    assertThat(held).containsExactlyInAnyOrder(VIP4, VIP6);
    JsonNode check = self.path("health").get(0);
    assertThat(check.path("name").asText()).isEqualTo("true");
    assertThat(check.path("kind").asText()).isEqualTo("EXEC");
    assertThat(check.path("probes").asLong()).isPositive();
    assertThat(check.path("lastResult").asText()).isNotEmpty();
    JsonNode peer = s.path("peers").get(0);
    assertThat(peer.path("id").asText()).isEqualTo("n2");
    assertThat(peer.path("liveness").asText()).isEqualTo("ALIVE");
    assertThat(peer.path("eligibility").asText()).isEqualTo("ELIGIBLE");
    assertThat(peer.path("held")).isEmpty();
    assertThat(s.path("vips")).hasSize(2);
    s.path("vips").forEach(v -> {
      assertThat(v.path("owner").asText()).isEqualTo("n1");
      assertThat(v.path("heldHere").asBoolean()).isTrue();
    });
    List<String> texts = new ArrayList<>();
    s.path("events").forEach(e -> texts.add(e.path("type").asText() + ": "
        + e.path("text").asText()));
    assertThat(texts).contains("Acquired: acquired 192.0.2.10/24 on eth0 (ELECTED)");
    assertThat(s.path("events").size()).isLessThanOrEqualTo(64);
    assertThat(s.path("counters").path("acquired").asLong()).isEqualTo(2);
    assertThat(s.path("counters").path("announcements").asLong()).isPositive();
    assertThat(s.path("counters").path("heartbeatsAccepted").asLong()).isPositive();
    JsonNode n2 = status("n2");
    assertThat(n2.path("self").path("held")).isEmpty();
    assertThat(n2.path("peers").get(0).path("held").toString()).contains(VIP4, VIP6);
  }

  @Test
  void switchoverMovesTheGroupMakeBeforeBreakAndClearSwitchoverEndsTheRequest()
      throws Exception {
    start("ACTIVE_PASSIVE");
    awaitOwner("n1");
    JsonNode r = ask("n1", "{\"v\":1,\"cmd\":\"switchover\",\"target\":\"n2\"}");
    assertThat(r.path("result").path("requested").asText()).isEqualTo("switchover");
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!(holdsBoth("n2") && !d().backend("n1").holds(V4)
        && !d().backend("n1").holds(V6)) && System.nanoTime() < deadline) {
      for (VirtualIp v : List.of(V4, V6)) {
        assertThat(d().backend("n1").holds(v) || d().backend("n2").holds(v))
            .as("%s is always held by someone", v).isTrue();
      }
      Thread.sleep(1);
    }
    assertThat(holdsBoth("n2")).isTrue();
    JsonNode held = status("n2").path("self").path("held");
    assertThat(held.get(0).path("reason").asText()).isEqualTo("SWITCHOVER");
    assertThat(ask("n2", "{\"v\":1,\"cmd\":\"clear-switchover\"}").path("ok").asBoolean())
        .isTrue();
  }

  @Test
  void drainMovesTheVipsAwayAndUndrainLetsTheNodeTakeThemAgain() throws Exception {
    start("ACTIVE_PASSIVE");
    awaitOwner("n1");
    assertThat(ask("n1", "{\"v\":1,\"cmd\":\"drain\"}").path("result").path("node").asText())
        .isEqualTo("n1");
    awaitOwner("n2");
    assertThat(status("n1").path("self").path("eligibility").asText()).isEqualTo("DRAINING");
    assertThat(status("n2").path("peers").get(0).path("eligibility").asText())
        .isEqualTo("DRAINING");
    ask("n1", "{\"v\":1,\"cmd\":\"undrain\"}");
    assertThat(LocalDaemons.await(5, () -> {
      try {
        return status("n1").path("self").path("eligibility").asText().equals("ELIGIBLE");
      } catch (IOException e) {
        return false;
      }
    })).isTrue();
  }

  @Test
  void announceResendsOnTheOwnerOnly() throws Exception {
    start("ACTIVE_PASSIVE");
    awaitOwner("n1");
    Thread.sleep(300); // the burst after taking the VIPs is over
    int before = d().backend("n1").announcements().size();
    JsonNode r = ask("n1", "{\"v\":1,\"cmd\":\"announce\"}").path("result");
    assertThat(r.path("announced").toString()).contains(VIP4, VIP6);
    assertThat(d().backend("n1").announcements().size()).isGreaterThanOrEqualTo(before + 2);
    assertThat(ask("n2", "{\"v\":1,\"cmd\":\"announce\"}").path("result").path("announced"))
        .isEmpty();
  }

  @Test
  void argumentsTheAgentRefusesGetAnErrorThatSaysWhy() throws Exception {
    start("ACTIVE_PASSIVE");
    assertThat(ask("n1", "{\"v\":1,\"cmd\":\"switchover\",\"target\":\"n9\"}")
        .path("error").path("message").asText())
        .isEqualTo("node n9 is not a member of group web");
    assertThat(ask("n1", "{\"v\":1,\"cmd\":\"switchover\",\"target\":\"n2\",\"vip\":\""
        + VIP4 + "\"}").path("error").path("message").asText()).isEqualTo("group web is"
        + " Active/Passive: its VIPs move together; leave out \"vip\"");
  }

  @Test
  void activeActiveMovesOneVipAndNeedsItNamed() throws Exception {
    start("ACTIVE_ACTIVE");
    assertThat(LocalDaemons.await(10, () -> {
      try {
        JsonNode vips = status("n1").path("vips");
        return !vips.get(0).path("owner").isNull() && !vips.get(1).path("owner").isNull();
      } catch (IOException e) {
        return false;
      }
    })).isTrue();
    assertThat(ask("n1", "{\"v\":1,\"cmd\":\"switchover\",\"target\":\"n2\"}")
        .path("error").path("message").asText()).isEqualTo("group web is Active/Active: name"
        + " the VIP to move with \"vip\" (vipctl switchover --vip CIDR n2)");
    assertThat(ask("n1", "{\"v\":1,\"cmd\":\"switchover\",\"target\":\"n2\",\"vip\":\"bad\"}")
        .path("error").path("message").asText()).isEqualTo("\"vip\": bad is not an IP address;"
        + " write e.g. 192.0.2.10/24");
    assertThat(ask("n1", "{\"v\":1,\"cmd\":\"switchover\",\"target\":\"n2\",\"vip\":"
        + "\"192.0.2.99\"}").path("error").path("message").asText()).isEqualTo("192.0.2.99 is"
        + " not a VIP of group web; its VIPs are 192.0.2.10/24, 2001:db8::10/64");
    for (String vip : List.of("192.0.2.10", "2001:DB8:0::10/64")) {
      String target = vip.startsWith("192") ? "n1" : "n2";
      JsonNode r = ask("n1", "{\"v\":1,\"cmd\":\"switchover\",\"target\":\"" + target
          + "\",\"vip\":\"" + vip + "\"}");
      assertThat(r.path("ok").asBoolean()).as("%s", r).isTrue();
    }
    VirtualIp v4 = V4;
    VirtualIp v6 = V6;
    assertThat(LocalDaemons.await(10, () -> d().backend("n1").holds(v4)
        && !d().backend("n1").holds(v6) && d().backend("n2").holds(v6)
        && !d().backend("n2").holds(v4))).as(d().output()).isTrue();
  }

  /**
   * 10,000 random requests: random bytes, truncated and huge lines, wrong types, unknown
   * commands, valid commands with bad arguments (and status, clear-switchover and switchover to
   * the owner itself). Every complete line gets one JSON reply, and the agent keeps running and
   * holding its VIPs.
   */
  @Test
  void tenThousandRandomRequestsNeverStopTheServerOrTheAgent() throws Exception {
    start("ACTIVE_PASSIVE");
    awaitOwner("n1");
    Random random = new Random(15);
    String[] commands = {"status", "switchover", "clear-switchover", "drain", "undrain",
        "announce", "reload", "STATUS", "", "status ", "switchover\u0000"};
    Object[] values = {"n1", "n3", "n9", "", 7, -1, 1.5, true, null, List.of(), "192.0.2.10",
        "192.0.2.300/24", "::", "x".repeat(300), "\u00e9\u0000\uffff"};
    int requests = 10_000;
    int replies = 0;
    int errors = 0;
    ControlTestClient c = new ControlTestClient(d().socket("n1"));
    try {
      for (int i = 0; i < requests; i++) {
        int kind = random.nextInt(8);
        byte[] line;
        boolean answered = true;
        boolean closes = false;
        switch (kind) {
          case 0 -> { // random bytes, no newline inside, not blank
            byte[] b = new byte[1 + random.nextInt(200)];
            random.nextBytes(b);
            for (int k = 0; k < b.length; k++) {
              if (b[k] == '\n') {
                b[k] = '{';
              }
            }
            b[0] = (byte) ('!' + random.nextInt(90));
            line = b;
          }
          case 1 -> { // a request cut short, then the connection closes: no reply
            String full = "{\"v\":1,\"cmd\":\"" + commands[random.nextInt(commands.length)]
                + "\",\"target\":\"n2\"}";
            line = full.substring(0, random.nextInt(full.length())).getBytes(
                StandardCharsets.UTF_8);
            answered = false;
            closes = true;
          }
          case 2 -> { // huge: over 64 KiB, the error, then the connection closes
            line = ("{\"v\":1,\"cmd\":\"status\",\"x\":\"" + "y".repeat(65_536 + random
                .nextInt(1000)) + "\"}").getBytes(StandardCharsets.UTF_8);
            closes = true;
          }
          case 3 -> { // wrong types
            Object v = values[random.nextInt(values.length)];
            Object cmd = values[random.nextInt(values.length)];
            line = ControlProtocol.JSON.writeValueAsBytes(java.util.Map.of("v",
                random.nextBoolean() ? 1 : String.valueOf(v), "cmd", String.valueOf(cmd)));
          }
          case 4 -> { // unknown or misspelt commands, other versions
            line = ("{\"v\":" + (random.nextInt(4)) + ",\"cmd\":\""
                + commands[random.nextInt(commands.length)] + random.nextInt(3) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
          }
          case 5 -> { // valid commands with bad arguments
            java.util.Map<String, Object> m = new java.util.HashMap<>();
            m.put("v", 1);
            m.put("cmd", random.nextBoolean() ? "switchover" : "status");
            m.put(random.nextBoolean() ? "target" : "vip", values[random.nextInt(
                values.length)]);
            if (random.nextBoolean()) {
              m.put("vip", values[random.nextInt(values.length)]);
            }
            line = ControlProtocol.JSON.writeValueAsBytes(m);
          }
          case 6 -> line = ("[" + random.nextInt() + "]").getBytes(StandardCharsets.UTF_8);
          default -> line = ("{\"v\":1,\"cmd\":\""
              + (random.nextBoolean() ? "status" : "clear-switchover") + "\"}")
              .getBytes(StandardCharsets.UTF_8);
        }
        if (kind == 1) {
          c.write(line);
          c.close();
          c = new ControlTestClient(d().socket("n1"));
          continue;
        }
        byte[] withNewline = java.util.Arrays.copyOf(line, line.length + 1);
        withNewline[line.length] = '\n';
        c.write(withNewline);
        if (answered) {
          JsonNode reply = json(c.read());
          replies++;
          assertThat(reply.path("v").asInt()).isEqualTo(1);
          assertThat(reply.has("ok")).isTrue();
          if (!reply.path("ok").asBoolean()) {
            errors++;
            assertThat(reply.path("error").path("code").asText()).isNotEmpty();
            assertThat(reply.path("error").path("message").asText()).isNotEmpty();
          }
        }
        if (closes) {
          assertThat(c.read()).isNull();
          c.close();
          c = new ControlTestClient(d().socket("n1"));
        }
      }
    } finally {
      c.close();
    }
    System.out.printf("fuzz: %d requests, %d replies, %d errors%n", requests, replies, errors);
    assertThat(replies).isGreaterThan(requests * 8 / 10);
    assertThat(errors).isGreaterThan(requests / 2);
    JsonNode s = status("n1");
    assertThat(s.path("phase").asText()).isEqualTo("RUNNING");
    assertThat(s.path("self").path("eligibility").asText()).isEqualTo("ELIGIBLE");
    assertThat(holdsBoth("n1")).as(d().output()).isTrue();
  }
}
