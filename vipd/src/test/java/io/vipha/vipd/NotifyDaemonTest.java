package io.vipha.vipd;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.VirtualIp;
import io.vipha.agent.EventLoopScheduler;
import io.vipha.testing.InMemoryBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** vipd on the in-memory backend runs its notify hooks. */
class NotifyDaemonTest {
  @TempDir Path dir;
  private final EventLoopScheduler clock = new EventLoopScheduler("test-clock");

  @AfterEach
  void close() {
    clock.close();
  }

  @Test
  void acquiringAVipRunsTheHooksWithTheEventInTheirEnvironmentEvenAfterOneHangs()
      throws Exception {
    Path events = Files.createDirectory(dir.resolve("events"));
    Path hang = NotifierTest.script(dir, "hang", "exec sleep 1000");
    Path record = NotifierTest.script(dir, "record", """
        cat > "$1/$VIPHA_SEQ-$VIPHA_EVENT.json"
        # the .env file appears whole, and after the .json: the test waits for it, then reads
        env | grep '^VIPHA_' | sort > "$1/.$VIPHA_SEQ.tmp"
        mv "$1/.$VIPHA_SEQ.tmp" "$1/$VIPHA_SEQ-$VIPHA_EVENT.env"
        """);
    Path key = dir.resolve("web.key");
    Files.writeString(key, Base64.getEncoder().encodeToString(new byte[32]) + "\n");
    int port;
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path config = dir.resolve("vipha.json");
    Files.writeString(config, """
        {"groups": [{
          "name": "web", "mode": "ACTIVE_PASSIVE",
          "vips": [{"address": "192.0.2.10/24", "interface": "eth0"}],
          "nodes": [{"id": "n1", "heartbeat": ["127.0.0.1:%d"]},
                    {"id": "n2", "heartbeat": ["127.0.0.1:%d"]}],
          "policy": {"heartbeatInterval": "100ms", "deadAfter": 3},
          "daemon": {"keyFile": "%s", "notify": {"hooks": [
            {"events": ["acquired"], "command": ["%s"], "timeout": "300ms"},
            {"command": ["%s", "%s"]}
          ]}}
        }]}
        """.formatted(port, port == 65535 ? port - 1 : port + 1, key, hang, record, events));
    InMemoryBackend backend = new InMemoryBackend(clock, Set.of("lo", "eth0"));
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
    Vipd vipd = new Vipd(out, out, (ns, d) -> backend, false,
        dir.resolve("{group}-{node}.state").toString()).controlDirectory(dir);
    CompletableFuture<Integer> code = CompletableFuture.supplyAsync(
        () -> vipd.run("--config", config.toString(), "--node", "n1"));
    assertThat(LocalDaemons.await(30, () -> find(events, "-acquired.env").isPresent()))
        .as("the recording hook ran on acquired: %s", output).isTrue();
    assertThat(backend.holds(VirtualIp.of("192.0.2.10/24", "eth0"))).isTrue();
    Path acquired = find(events, "-acquired.env").orElseThrow();
    String seq = acquired.getFileName().toString().split("-")[0];
    assertThat(Files.readAllLines(acquired)).contains("VIPHA_EVENT=acquired",
        "VIPHA_GROUP=web", "VIPHA_NODE=n1", "VIPHA_VIP=192.0.2.10/24", "VIPHA_INTERFACE=eth0",
        "VIPHA_SEQ=" + seq, "VIPHA_DROPPED=0").anyMatch(l -> l.startsWith("VIPHA_REASON="));
    assertThat(Files.readString(events.resolve(seq + "-acquired.json")))
        .startsWith("{\"v\":1,\"seq\":" + seq + ",\"event\":\"acquired\"");

    vipd.shutdown();
    assertThat(code.get(30, TimeUnit.SECONDS)).isZero();
    assertThat(Files.readAllLines(find(events, "-stopping.env").orElseThrow()))
        .contains("VIPHA_REASON=shutdown");
    assertThat(Files.readAllLines(find(events, "-stopped.env").orElseThrow()))
        .contains("VIPHA_REASON=released");
    List<String> order = names(events);
    assertThat(order).contains("started").containsSubsequence("acquired", "stopping",
        "released", "stopped");
  }

  private static Optional<Path> find(Path dir, String suffix) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(suffix)).findFirst();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The events recorded, in sequence order. */
  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".env"))
          .sorted((a, b) -> Integer.compare(Integer.parseInt(a.split("-")[0]),
              Integer.parseInt(b.split("-")[0])))
          .map(n -> n.substring(n.indexOf('-') + 1, n.length() - 4)).toList();
    }
  }
}
