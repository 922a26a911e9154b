package io.vipha.vipd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vipha.VirtualIp;
import io.vipha.agent.AgentEvent;
import io.vipha.config.NotifySettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Notify hooks and sinks: order, sequence numbers, timeouts, overflow, FIFO and socket. */
class NotifierTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final VirtualIp VIP = VirtualIp.of("192.0.2.10/24", "eth0");

  @TempDir Path dir;
  private final List<Notifier> notifiers = new ArrayList<>();

  @AfterEach
  void close() {
    notifiers.forEach(n -> n.close(Duration.ofSeconds(1)));
  }

  /** An executable shell script {@code name} in the test's directory. */
  static Path script(Path dir, String name, String body) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    return file;
  }

  private Notifier start(NotifySettings settings) throws IOException {
    Notifier n = Notifier.start("web", "n1", settings);
    notifiers.add(n);
    return n;
  }

  private static NotifySettings.Hook hook(Duration timeout, Path script, String... args) {
    List<String> command = new ArrayList<>(List.of(script.toString()));
    command.addAll(List.of(args));
    return new NotifySettings.Hook(List.of(), command, timeout);
  }

  /** Event number {@code i} of a varied stream. */
  private static AgentEvent event(int i) {
    return switch (i % 4) {
      case 0 -> new AgentEvent.Acquired(i, VIP, "ELECTED");
      case 1 -> new AgentEvent.PeerUp(i, "n2", i);
      case 2 -> new AgentEvent.Released(i, VIP, "PREEMPTED");
      default -> new AgentEvent.QuorumLost(i, 1, 2);
    };
  }

  private static List<String> lines(Path file) throws IOException {
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }

  @Test
  void aThousandEventsRunTheHookOneAtATimeInOrderWithEveryNumber() throws Exception {
    Path record = dir.resolve("record");
    // Both the environment and stdin; a second copy running at once would interleave the lines.
    Path hook = script(dir, "recorder", """
        printf '%s %s %s ' "$VIPHA_SEQ" "$VIPHA_EVENT" "$VIPHA_DROPPED" >> "$1"
        cat >> "$1"
        """);
    Notifier n = start(new NotifySettings(List.of(hook(Duration.ofSeconds(30), hook,
        record.toString())), null, null, 2000));
    Thread producer = new Thread(() -> {
      for (int i = 0; i < 1000; i++) {
        n.on(event(i));
      }
    });
    producer.start();
    producer.join();
    assertThat(LocalDaemons.await(300, () -> n.ran() == 1000)).as("ran %d", n.ran()).isTrue();
    List<String> lines = lines(record);
    assertThat(lines).hasSize(1000);
    assertThat(n.dropped()).isZero();
    for (int i = 0; i < 1000; i++) {
      String[] parts = lines.get(i).split(" ", 4);
      JsonNode json = JSON.readTree(parts[3]);
      assertThat(Long.parseLong(parts[0])).as("line %d", i).isEqualTo(i + 1);
      assertThat(json.get("seq").asLong()).isEqualTo(i + 1);
      assertThat(json.get("v").asInt()).isEqualTo(1);
      assertThat(parts[1]).isEqualTo(Notice.name(event(i))).isEqualTo(json.get("event").asText());
      assertThat(parts[2]).isEqualTo("0");
    }
    assertThat(n.failed()).isZero();
    assertThat(n.timedOut()).isZero();
  }

  @Test
  void replacedHooksRunForTheEventsAfterwardsAndQueuedOnesKeepTheirsAndTheNumbersGoOn()
      throws Exception {
    Path record = dir.resolve("record");
    Path gate = dir.resolve("gate");
    // The old hook waits for the gate on its first event, so that the next two queue.
    Path old = script(dir, "old", """
        if [ "$VIPHA_SEQ" = 1 ]; then while [ ! -e "$2" ]; do sleep 0.01; done; fi
        echo "old $VIPHA_SEQ" >> "$1"
        """);
    Path fresh = script(dir, "new", "echo \"new $VIPHA_SEQ\" >> \"$1\"");
    Notifier n = start(new NotifySettings(List.of(hook(Duration.ofSeconds(30), old,
        record.toString(), gate.toString())), null, null, 100));
    n.on(event(0));
    n.on(event(1));
    n.on(event(2));
    n.hooks(new NotifySettings(List.of(hook(Duration.ofSeconds(30), fresh,
        record.toString())), null, null, 100));
    n.on(event(3));
    n.daemon("stopping", "signal");
    Files.createFile(gate);
    assertThat(LocalDaemons.await(30, () -> n.ran() == 5)).as("ran %d", n.ran()).isTrue();
    assertThat(lines(record)).containsExactly("old 1", "old 2", "old 3", "new 4", "new 5");
  }

  @Test
  void aHangingHookIsKilledWithItsChildrenAtItsTimeoutAndLaterEventsStillRun() throws Exception {
    Path record = dir.resolve("record");
    Path child = dir.resolve("child");
    Path hook = script(dir, "hang", """
        if [ "$VIPHA_SEQ" = 2 ]; then
          sleep 1000 &
          echo $! > "$2"
          wait
        fi
        echo "$VIPHA_SEQ" >> "$1"
        """);
    Notifier n = start(new NotifySettings(List.of(hook(Duration.ofMillis(500), hook,
        record.toString(), child.toString())), null, null, 16));
    n.on(event(0));
    n.on(event(1));
    assertThat(LocalDaemons.await(30, () -> Files.exists(child))).isTrue();
    n.on(event(2)); // while the hook hangs: queued, the caller goes on
    n.on(event(3));
    assertThat(LocalDaemons.await(30, () -> n.ran() == 4)).as("ran %d", n.ran()).isTrue();
    assertThat(lines(record)).containsExactly("1", "3", "4");
    assertThat(n.timedOut()).isEqualTo(1);
    long pid = Long.parseLong(Files.readString(child).strip());
    assertThat(LocalDaemons.await(10, () -> !running(pid))).as("the hook's child %d", pid)
        .isTrue();
  }

  /** Whether process {@code pid} runs (a zombie does not). */
  private static boolean running(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void aFullQueueDropsTheOldestCountsThemAndNeverBlocksTheCaller() throws Exception {
    Path record = dir.resolve("record");
    Path started = dir.resolve("started");
    Path gate = dir.resolve("gate");
    Path hook = script(dir, "slow", """
        if [ "$VIPHA_SEQ" = 1 ]; then
          touch "$2"
          while [ ! -e "$3" ]; do sleep 0.05; done
        fi
        echo "$VIPHA_SEQ $VIPHA_DROPPED" >> "$1"
        """);
    Notifier n = start(new NotifySettings(List.of(hook(Duration.ofSeconds(60), hook,
        record.toString(), started.toString(), gate.toString())), null, null, 4));
    n.on(event(0));
    assertThat(LocalDaemons.await(30, () -> Files.exists(started))).isTrue();
    for (int i = 1; i < 100; i++) {
      n.on(event(i));
    }
    assertThat(n.dropped()).isEqualTo(95);
    Files.createFile(gate);
    assertThat(LocalDaemons.await(30, () -> n.ran() == 5)).as("ran %d", n.ran()).isTrue();
    assertThat(lines(record)).containsExactly("1 0", "97 95", "98 95", "99 95", "100 95");
  }

  @Test
  void aFailingHookIsCountedAndTheNextOneStillRuns() throws Exception {
    Path record = dir.resolve("record");
    Path fail = script(dir, "fail", "echo 'no route to the load balancer' >&2\nexit 3");
    Path ok = script(dir, "ok", "echo \"$VIPHA_EVENT\" >> \"$1\"");
    Notifier n = start(new NotifySettings(List.of(
        new NotifySettings.Hook(List.of("acquired"), List.of(fail.toString()),
            Duration.ofSeconds(30)),
        new NotifySettings.Hook(List.of(), List.of(dir.resolve("missing").toString()),
            Duration.ofSeconds(30)),
        hook(Duration.ofSeconds(30), ok, record.toString())), null, null, 16));
    n.on(event(0));
    n.on(event(1));
    assertThat(LocalDaemons.await(30, () -> n.ran() == 5)).as("ran %d", n.ran()).isTrue();
    assertThat(lines(record)).containsExactly("acquired", "peer-up");
    assertThat(n.failed()).as("status 3 once, the missing command twice").isEqualTo(3);
  }

  @Test
  void aFifoWithoutAReaderKeepsTheNewestLinesAndBlocksNobody() throws Exception {
    Path fifo = dir.resolve("events");
    Notifier n = start(new NotifySettings(List.of(), fifo, null, 16));
    for (int i = 0; i < 20; i++) {
      n.on(event(i));
    }
    LineSink sink = n.sinks().get(0);
    // The newest 16 wait, whichever of the two queues dropped the oldest.
    assertThat(LocalDaemons.await(30, () -> n.dropped() + sink.dropped() == 4))
        .as("dropped %d + %d", n.dropped(), sink.dropped()).isTrue();
    assertThat(sink.written()).isZero();
    try (BufferedReader r = Files.newBufferedReader(fifo)) {
      for (int seq = 5; seq <= 20; seq++) {
        assertThat(JSON.readTree(r.readLine()).get("seq").asLong()).isEqualTo(seq);
      }
      n.on(event(20));
      n.on(event(21));
      assertThat(JSON.readTree(r.readLine()).get("seq").asLong()).isEqualTo(21);
      JsonNode last = JSON.readTree(r.readLine());
      assertThat(last.get("seq").asLong()).isEqualTo(22);
      assertThat(last.get("event").asText()).isEqualTo("peer-up");
      assertThat(last.get("peer").asText()).isEqualTo("n2");
    }
    // The reader left: the next line waits for another one, and closing still returns.
    n.on(event(22));
    CompletableFuture<Void> closed = CompletableFuture.runAsync(
        () -> n.close(Duration.ofSeconds(1)));
    closed.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aUnixSocketReceivesEveryLineOnceSomeoneListens() throws Exception {
    Path socket = dir.resolve("events.sock");
    Notifier n = start(new NotifySettings(List.of(), null, socket, 16));
    n.on(event(0));
    n.daemon("started", null);
    LineSink sink = n.sinks().get(0);
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      try (SocketChannel c = server.accept();
          BufferedReader r = new BufferedReader(Channels.newReader(c, StandardCharsets.UTF_8))) {
        JsonNode first = JSON.readTree(r.readLine());
        assertThat(first.get("seq").asLong()).isEqualTo(1);
        assertThat(first.get("vip").asText()).isEqualTo("192.0.2.10/24");
        assertThat(JSON.readTree(r.readLine()).get("event").asText()).isEqualTo("started");
        n.on(event(2));
        assertThat(JSON.readTree(r.readLine()).get("seq").asLong()).isEqualTo(3);
      }
    }
    assertThat(sink.dropped()).isZero();
  }
}
