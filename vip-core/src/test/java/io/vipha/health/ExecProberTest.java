package io.vipha.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecProberTest {
  private final ExecProber prober = new ExecProber();

  private ProbeResult probe(Duration timeout, String... command) throws Exception {
    return prober.probe(new HealthCheck.Exec(List.of(command)), timeout, new Cancellation());
  }

  @Test
  void exitCodeZeroIsHealthy() throws Exception {
    assertThat(probe(Duration.ofSeconds(5), "true"))
        .isEqualTo(ProbeResult.healthy("exit code 0"));
  }

  @Test
  void aNonZeroExitCodeIsAFailure() throws Exception {
    assertThat(probe(Duration.ofSeconds(5), "false"))
        .isEqualTo(ProbeResult.unhealthy("exit code 1"));
    assertThat(probe(Duration.ofSeconds(5), "sh", "-c", "exit 7"))
        .isEqualTo(ProbeResult.unhealthy("exit code 7"));
  }

  @Test
  void argumentsReachTheProgramWithoutAShell() throws Exception {
    // a shell would expand the glob and the variable; the program must see them as written
    assertThat(probe(Duration.ofSeconds(5), "test", "*$HOME", "=", "*$HOME").healthy()).isTrue();
  }

  @Test
  void aMissingProgramIsAFailure() throws Exception {
    ProbeResult r = probe(Duration.ofSeconds(5), "/nonexistent/check");

    assertThat(r.healthy()).isFalse();
    assertThat(r.detail()).startsWith("cannot run /nonexistent/check: IOException");
  }

  @Test
  void anOverrunningCommandIsKilledAtTheTimeout() throws Exception {
    long start = System.nanoTime();
    ProbeResult r = probe(Duration.ofMillis(200), "sleep", "5");
    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(r.healthy()).isFalse();
    assertThat(r.detail()).startsWith("timed out after 200ms; killed pid ");
    assertThat(took).isBetween(200L, 2_000L);
    long pid = Processes.numberAfter(r.detail(), "killed pid ");
    assertThat(Processes.ended(pid)).as("pid %d ended", pid).isTrue();
  }

  @Test
  void theCommandsDescendantsAreKilledToo(@TempDir Path dir) throws Exception {
    Path pidFile = dir.resolve("child.pid");
    ProbeResult r = probe(Duration.ofMillis(300), "sh", "-c",
        "sleep 5 & echo $! > " + pidFile + "; wait");

    assertThat(r.detail()).contains("and 1 descendant(s)");
    long child = Long.parseLong(Files.readString(pidFile).trim());
    assertThat(Processes.await(() -> Processes.ended(child), 2_000))
        .as("child %d ended", child).isTrue();
  }

  @Test
  void cancellingKillsTheRunningCommand() throws Exception {
    Cancellation cancellation = new Cancellation();
    List<String> args = List.of("7.25");
    CompletableFuture<ProbeResult> result = CompletableFuture.supplyAsync(() -> {
      try {
        return prober.probe(new HealthCheck.Exec(List.of("sleep", "7.25")), Duration.ofSeconds(20),
            cancellation);
      } catch (InterruptedException e) {
        return ProbeResult.unhealthy("interrupted");
      }
    });
    assertThat(Processes.await(() -> Processes.descendant(args).isPresent(), 5_000)).isTrue();
    long pid = Processes.descendant(args).orElseThrow().pid();

    cancellation.cancel();

    assertThat(result.get(5, TimeUnit.SECONDS).healthy()).isFalse();
    assertThat(Processes.await(() -> Processes.ended(pid), 2_000)).isTrue();
  }
}
