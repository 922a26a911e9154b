package io.vipha.benchmarks.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.testkit.Privileged;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness's real-time instruments and its witness start as they should: a {@link Responder}
 * started as the harness starts it runs every thread at {@code SCHED_RR} 5 and answers; the
 * {@link Witness} runs at {@code SCHED_FIFO} 99 and stamps with this JVM's clock. Needs root (or
 * an {@code RLIMIT_RTPRIO} of 99) and python3; skips loudly otherwise.
 */
class RealtimeTest {
  @Test
  void readsPolicyAndPriorityFromAThreadsStatLine() {
    String rr = "4242 (java (rx) 2) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 -6 0 20 0 123"
        + " 456 789 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 5 2 0 0 0 0 0 0 0 0 0"
        + " 0 0";
    assertThat(Realtime.policy(rr)).isEqualTo("SCHED_RR 5");
    assertThat(Realtime.policy(rr.replace(" 17 1 5 2 ", " 17 1 0 0 "))).isEqualTo("SCHED_OTHER");
    assertThat(Realtime.policy(rr.replace(" 17 1 5 2 ", " 17 1 99 1 ")))
        .isEqualTo("SCHED_FIFO 99");
  }

  @Test
  void theInstrumentsAndTheWitnessStartAtRealTimePriority(@TempDir Path dir) throws Exception {
    Privileged.gate(Realtime.missing(), Privileged.required(System.getenv()));
    Privileged.requireTool("python3");
    assertThat(Realtime.of(ProcessHandle.current().pid())).contains("SCHED_OTHER");
    int port;
    try (DatagramSocket free = new DatagramSocket(0)) {
      port = free.getLocalPort();
    }
    List<String> cmd = new ArrayList<>(Realtime.rr(Realtime.INSTRUMENTS));
    cmd.addAll(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx32m",
        "-cp", System.getProperty("java.class.path"), Responder.class.getName(), "n1",
        Integer.toString(port)));
    Process responder = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try (Witness witness = new Witness(dir.resolve("witness.log"));
        DatagramSocket client = new DatagramSocket()) {
      long before = System.nanoTime();
      BufferedReader out = new BufferedReader(new InputStreamReader(responder.getInputStream(),
          StandardCharsets.US_ASCII));
      assertThat(out.readLine()).isEqualTo("READY");
      assertThat(Realtime.of(responder.pid())).matches("SCHED_RR 5 \\(all \\d+ threads\\)");

      client.setSoTimeout(5000);
      byte[] ask = "7".getBytes(StandardCharsets.US_ASCII);
      client.send(new DatagramPacket(ask, ask.length,
          new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
      DatagramPacket answer = new DatagramPacket(new byte[64], 64);
      client.receive(answer);
      assertThat(new String(answer.getData(), 0, answer.getLength(), StandardCharsets.US_ASCII))
          .isEqualTo("n1 7");

      Witness.Log log = witness.read();
      for (int i = 0; i < 300 && log.counts().isEmpty(); i++) {
        Thread.sleep(20); // the witness writes its count of wake-ups every second
        log = witness.read();
      }
      assertThat(Realtime.of(witness.process().pid())).isEqualTo("SCHED_FIFO 99 (its one thread)");
      assertThat(log.scheduling()).isEqualTo("SCHED_FIFO 99");
      // Its clock is this JVM's System.nanoTime(): it started between our stamps.
      assertThat(log.started()).isBetween(before - 5_000_000_000L, System.nanoTime());
      assertThat(log.counts()).isNotEmpty();
      assertThat(log.counts().get(0)[1]).as("wake-ups in its first second").isPositive();
    } finally {
      responder.destroyForcibly().waitFor();
    }
  }
}
