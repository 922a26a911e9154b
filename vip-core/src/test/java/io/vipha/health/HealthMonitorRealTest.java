package io.vipha.health;

import io.vipha.agent.EventLoopScheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The monitor on real threads and the real clock, against real loopback servers and processes. */
class HealthMonitorRealTest {
  private final EventLoopScheduler loop = new EventLoopScheduler("health-test");
  private final ExecutorService probes = Executors.newCachedThreadPool();
  private final BlockingQueue<String> transitions = new LinkedBlockingQueue<>();

  @AfterEach
  void shutDown() throws InterruptedException {
    loop.close();
    probes.shutdownNow();
    assertThat(probes.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  private HealthMonitor monitor(HealthCheck check) {
    return HealthMonitor.builder().check(check).executor(probes).scheduler(loop)
        .listener((c, healthy, detail) -> transitions.add(c.name() + (healthy ? " up" : " down")))
        .build();
  }

  private static HealthStatus status(HealthMonitor m, String name) {
    return Objects.requireNonNull(m.status(name), name);
  }

  @Test
  void aTcpCheckRisesWhileTheServerListensAndFallsWhenItCloses() throws Exception {
    ServerSocket server = new ServerSocket(0, 50, Loopback.ip("127.0.0.1"));
    HealthMonitor m = monitor(HealthCheck.tcp("db", "127.0.0.1:" + server.getLocalPort())
        .interval(Duration.ofMillis(100)).timeout(Duration.ofMillis(50)).rise(2).fall(1)
        .weight(-50).build());
    m.start();
    assertThat(m.priorityDelta()).isEqualTo(-50);

    assertThat(transitions.poll(5, TimeUnit.SECONDS)).isEqualTo("db up");
    assertThat(m.priorityDelta()).isZero();
    server.close();
    assertThat(transitions.poll(5, TimeUnit.SECONDS)).isEqualTo("db down");
    assertThat(m.priorityDelta()).isEqualTo(-50);
    assertThat(status(m, "db").lastDetail()).contains("Connection refused");
    m.stop();
  }

  @Test
  void stopKillsARunningCommand() throws Exception {
    List<String> args = List.of("6.75");
    HealthMonitor m = monitor(HealthCheck.exec("script", "sleep", "6.75")
        .interval(Duration.ofSeconds(20)).timeout(Duration.ofSeconds(10)).build());
    m.start();
    assertThat(Processes.await(() -> Processes.descendant(args).isPresent(), 5_000)).isTrue();
    long pid = Processes.descendant(args).orElseThrow().pid();

    m.stop();

    assertThat(Processes.await(() -> Processes.ended(pid), 2_000)).as("pid %d ended", pid)
        .isTrue();
    assertThat(status(m, "script").probes()).isZero();
    assertThat(transitions).isEmpty();
  }
}
