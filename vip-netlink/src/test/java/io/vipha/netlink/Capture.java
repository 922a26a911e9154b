package io.vipha.netlink;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A tcpdump capture on one interface of a namespace, written to a temporary pcap file: started
 * once tcpdump listens, {@linkplain #stop() stopped} to read its frames, {@linkplain #close()
 * closed} (killed, its file deleted) even when the test failed. Needs tcpdump.
 */
public final class Capture implements AutoCloseable {
  private final Process process;
  private final Path file;

  private Capture(Process process, Path file) {
    this.process = process;
    this.file = file;
  }

  /** Starts {@code tcpdump -i IFACE FILTER} in namespace {@code ns}; returns once it listens. */
  public static Capture start(String ns, String iface, String filter) throws IOException,
      InterruptedException {
    Path file = Files.createTempFile("vipha-capture", ".pcap");
    Process p = new ProcessBuilder("ip", "netns", "exec", ns, "tcpdump", "-i", iface, "-U",
        "--immediate-mode", "-n", "-w", file.toString(), filter).start();
    Capture c = new Capture(p, file);
    BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(),
        StandardCharsets.UTF_8));
    StringBuilder said = new StringBuilder();
    String line;
    while ((line = err.readLine()) != null && !line.contains("listening on")) {
      said.append(line).append('\n'); // tcpdump's warnings before it listens
    }
    if (line == null) {
      int code = p.waitFor();
      c.close();
      throw new AssertionError("tcpdump did not start; its exit code: " + code + "; it said: "
          + said);
    }
    return c;
  }

  /** The pcap file. */
  public Path file() {
    return file;
  }

  /** Stops tcpdump (it writes out what it holds) and reads the frames it captured. */
  public List<Pcap.Frame> stop() throws IOException, InterruptedException {
    process.destroy();
    process.waitFor(10, TimeUnit.SECONDS);
    return Pcap.read(file);
  }

  /** Kills tcpdump if it still runs and deletes the file. */
  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // A leftover file in the temporary directory is harmless.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
