package io.vipha.benchmarks.failover;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the client and the next owner saw in one round, for {@code --capture DIR}: {@code
 * NAME.pcap} (tcpdump on the client's {@code eth0}), {@code NAME-p-n2.pcap} (on n2's switch port:
 * the heartbeats that reached n2, and what n2 sent) and {@code NAME.neigh} ({@code ip -ts monitor
 * neigh} in the client namespace). Stamps are wall-clock; the harness adds {@code NAME.probes},
 * which maps its monotonic stamps to the wall clock.
 */
final class Capture implements AutoCloseable {
  private final List<Process> processes = new ArrayList<>();

  /** Starts them all; returns once both tcpdumps listen (or after 5 s each). */
  Capture(Path dir, String name, Topology topology) throws IOException {
    try {
      tcpdump(topology.client, "eth0", dir.resolve(name + ".pcap"));
      tcpdump(topology.sw, Topology.port(1), dir.resolve(name + "-" + Topology.port(1) + ".pcap"));
      processes.add(new ProcessBuilder("ip", "-n", topology.client, "-ts", "monitor", "neigh")
          .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".neigh").toFile())
          .start());
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  private void tcpdump(String ns, String dev, Path file) throws IOException {
    Process p = new ProcessBuilder("ip", "netns", "exec", ns, "tcpdump", "-i", dev, "-n", "-U",
        "--immediate-mode", "--time-stamp-precision=nano", "-w", file.toString())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    processes.add(p);
    Object ready = new Object();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(),
          StandardCharsets.UTF_8))) {
        while (r.readLine() != null) {
          synchronized (ready) {
            ready.notifyAll();
          }
        }
      } catch (IOException e) {
        // tcpdump ended
      }
    }, "capture-" + dev);
    reader.setDaemon(true);
    synchronized (ready) {
      reader.start();
      try {
        ready.wait(5000); // tcpdump's first line on stderr: "listening on …"
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Stops them (tcpdump flushes its file on SIGTERM). */
  @Override
  public void close() {
    for (Process p : processes) {
      p.destroy();
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    processes.clear();
  }
}
