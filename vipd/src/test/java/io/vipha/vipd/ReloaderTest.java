package io.vipha.vipd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.vipha.VipGroup;
import io.vipha.config.DaemonSettings;
import io.vipha.config.NotifySettings;
import io.vipha.health.HealthCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A reload against a recording target: what it applies, what it rejects, one at a time. */
class ReloaderTest {
  private static final Instant AT = Instant.parse("2026-12-06T04:00:00Z");

  @TempDir Path dir;
  private final List<String> applied = Collections.synchronizedList(new ArrayList<>());
  /** Taken by each interface check: a test holds a reload there by keeping none. */
  private final Semaphore checks = new Semaphore(Integer.MAX_VALUE);
  private final CountDownLatch checking = new CountDownLatch(1);
  private @Nullable Reloader reloader;

  private Path config = Path.of("set by start");
  private Path key = Path.of("set by start");

  private final Reloader.Target target = new Reloader.Target() {
    @Override
    public CompletableFuture<Void> reconfigure(VipGroup group, List<HealthCheck> healthChecks) {
      applied.add("group " + group.node("n2").orElseThrow().priority() + ", "
          + healthChecks.size() + " check(s)");
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void rekey(KeySet keys) {
      applied.add("keys " + keys);
    }

    @Override
    public void hooks(NotifySettings notify) {
      applied.add("hooks " + notify.hooks().size());
    }

    @Override
    public void checkInterfaces(VipGroup group, DaemonSettings daemon) throws Failure {
      checking.countDown();
      checks.acquireUninterruptibly();
      if (group.vips().stream().anyMatch(v -> v.interfaceName().equals("eth9"))) {
        throw new Failure(ExitCode.NO_SUCH_INTERFACE, "interface eth9 does not exist");
      }
    }
  };

  private void write(String n2, String policy, String daemon) throws Exception {
    Files.writeString(config, """
        {"groups": [{
          "name": "web", "mode": "ACTIVE_PASSIVE",
          "vips": [{"address": "192.0.2.10/24", "interface": "eth0"}],
          "nodes": [{"id": "n1", "heartbeat": ["127.0.0.1:17405"], "priority": 200},
                    {"id": "n2", "heartbeat": ["127.0.0.1:17406"]%s}],
          "policy": {%s},
          "daemon": {"keyFile": "%s", "stateFile": "%s/{node}.state"%s}
        }]}
        """.formatted(n2, policy, key, dir, daemon));
  }

  private Reloader start() throws Exception {
    config = dir.resolve("vipha.json");
    key = dir.resolve("web.key");
    Files.writeString(key, Base64.getEncoder().encodeToString(new byte[32]));
    write("", "", "");
    Options o = Options.parse("--config", config.toString(), "--node", "n1");
    Reloader r = new Reloader(o, dir + "/{node}.state", Setup.read(o, "unused"), target,
        () -> AT);
    reloader = r;
    return r;
  }

  @AfterEach
  void close() {
    Reloader r = reloader;
    if (r != null) {
      r.close();
    }
  }

  @Test
  void anUnchangedFileIsAnAppliedReloadWithNoChanges() throws Exception {
    Reloader r = start();
    assertThat(r.status().path("lastReload").isNull()).isTrue();
    Reloader.Outcome o = r.reload();
    assertThat(o).isEqualTo(new Reloader.Outcome(AT, true, 1, List.of(), List.of()));
    assertThat(applied).isEmpty();
    assertThat(Reloader.result(o).toString()).isEqualTo("{\"generation\":1,\"changes\":[]}");
    JsonNode s = r.status();
    assertThat(s.path("file").asText()).isEqualTo(config.toString());
    assertThat(s.path("generation").asInt()).isEqualTo(1);
    assertThat(s.path("applied").asInt()).isEqualTo(1);
    assertThat(s.path("rejected").asInt()).isZero();
    assertThat(s.path("lastReload").toString()).isEqualTo("{\"at\":\"2026-12-06T04:00:00Z\","
        + "\"ok\":true,\"changes\":[],\"problems\":[]}");
  }

  @Test
  void aChangeIsAppliedGroupFirstThenKeysAndHooks() throws Exception {
    Reloader r = start();
    Path key2 = dir.resolve("web-2.key");
    byte[] two = new byte[32];
    two[0] = 2;
    Files.writeString(key2, Base64.getEncoder().encodeToString(two));
    write(", \"priority\": 150", "\"heartbeatInterval\": \"200ms\"", ", \"acceptKey\": {\"id\":"
        + " 2, \"file\": \"" + key2 + "\"}, \"notify\": {\"hooks\": [{\"command\":"
        + " [\"/bin/true\"]}]}");
    Reloader.Outcome o = r.reload();
    assertThat(o.changes()).containsExactly("nodes[n2].priority: default -> 150",
        "policy.heartbeatInterval: default -> 200ms",
        "daemon.notify.hooks: default -> [{\"command\":[\"/bin/true\"]}]",
        "accepted key: none -> key 2 (" + key2 + ")");
    assertThat(applied).containsExactly("group 150, 0 check(s)",
        "keys signing key 1 (" + key + "), accepting key 2 (" + key2 + ")", "hooks 1");
    assertThat(r.running().group().node("n2").orElseThrow().priority()).isEqualTo(150);
  }

  @Test
  void aBadFileIsRejectedWholeWithEveryProblemAndTheRunningOneStays() throws Exception {
    Reloader r = start();
    write(", \"priority\": 300", "\"deadAfter\": 1", "");
    assertThatThrownBy(r::reload).isInstanceOfSatisfying(Reloader.Rejected.class, e -> {
      assertThat(e.outcome.problems()).hasSize(2).satisfiesExactly(
          p -> assertThat(p).startsWith("groups[0].nodes[1].priority: \"300\""),
          p -> assertThat(p).startsWith("groups[0].policy.deadAfter: \"1\""));
      assertThat(e.getMessage()).startsWith("reload rejected, the running configuration stays;"
          + " 2 problems:\n  groups[0].nodes[1].priority");
    });
    // Interfaces, keys and restart-needed changes: all at once.
    write(", \"priority\": 150", "", ", \"metrics\": {\"listen\": \"127.0.0.1:9405\"}");
    Files.writeString(config, Files.readString(config).replace("\"eth0\"", "\"eth9\"")
        .replace("\"ACTIVE_PASSIVE\"", "\"ACTIVE_ACTIVE\""));
    byte[] other = new byte[32];
    other[5] = 5;
    Files.writeString(key, Base64.getEncoder().encodeToString(other));
    assertThatThrownBy(r::reload).isInstanceOfSatisfying(Reloader.Rejected.class, e ->
        assertThat(e.outcome.problems()).satisfiesExactly(
            p -> assertThat(p).isEqualTo("interface eth9 does not exist"),
            p -> assertThat(p).startsWith("key id 1 now holds another key"),
            p -> assertThat(p).startsWith("mode: ACTIVE_PASSIVE -> ACTIVE_ACTIVE needs a"
                + " restart"),
            p -> assertThat(p).startsWith("daemon.metrics: default ->")));
    assertThat(applied).isEmpty();
    assertThat(r.running().group().node("n2").orElseThrow().priority()).isEqualTo(100);
    JsonNode s = r.status();
    assertThat(s.path("generation").asInt()).isZero();
    assertThat(s.path("rejected").asInt()).isEqualTo(2);
    assertThat(s.path("lastReload").path("ok").asBoolean()).isFalse();
    assertThat(s.path("lastReload").path("problems")).hasSize(4);
    assertThat(s.path("lastReload").path("changes")).isEmpty();
  }

  @Test
  void anotherNodeIdOrGroupNameIsRefusedAsNeedingARestart() throws Exception {
    Reloader r = start();
    Files.writeString(config, Files.readString(config).replace("\"id\": \"n1\"",
        "\"id\": \"n9\""));
    assertThatThrownBy(r::reload).isInstanceOfSatisfying(Reloader.Rejected.class, e ->
        assertThat(e.outcome.problems()).containsExactly("node n1 is not in group web of "
            + config + "; its nodes are n9, n2; another group or node id needs a restart"));
    Files.writeString(config, Files.readString(config).replace("\"id\": \"n9\"",
        "\"id\": \"n1\"").replace("\"web\"", "\"shop\""));
    assertThatThrownBy(r::reload).isInstanceOfSatisfying(Reloader.Rejected.class, e ->
        assertThat(e.outcome.problems()).containsExactly("name: web -> shop needs a restart"
            + " (vipd runs one group, which its peers know by name)"));
  }

  @Test
  void aMissingFileIsRejected() throws Exception {
    Reloader r = start();
    Files.delete(config);
    assertThatThrownBy(r::reload).isInstanceOfSatisfying(Reloader.Rejected.class, e ->
        assertThat(e.outcome.problems()).containsExactly("cannot read the configuration "
            + config + ": no such file"));
  }

  @Test
  void signalsDuringAReloadMakeOneMoreReloadAfterIt() throws Exception {
    Reloader r = start();
    checks.drainPermits();
    r.signal();
    assertThat(checking.await(10, TimeUnit.SECONDS)).isTrue();
    // The first reload waits in its interface check; three more signals come meanwhile.
    r.signal();
    r.signal();
    r.signal();
    checks.release(Integer.MAX_VALUE / 2);
    assertThat(LocalDaemons.await(10, () -> r.status().path("generation").asInt() == 2))
        .isTrue();
    Thread.sleep(200);
    assertThat(r.status().path("applied").asInt()).isEqualTo(2);
  }
}
