package io.vipha.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * keepalived (2.2.7 here) running one VRRPv3 instance, {@code vipha}, VRID 51, in a network
 * namespace: multicast on one interface, state BACKUP at start, one VIP. Its log is a file the
 * test reads; {@link #close()} ends it and its VRRP child, each by its process id, even when the
 * test failed. Needs root and keepalived (see {@link Privileged#requireTool}).
 */
public final class Keepalived implements AutoCloseable {
  private final Process process;
  private final List<ProcessHandle> children;
  private final Path log;

  private Keepalived(Process process, Path log) {
    this.process = process;
    this.log = log;
    this.children = new ArrayList<>();
  }

  /**
   * Starts keepalived in namespace {@code ns} on {@code iface} with the VIP {@code vip} (e.g.
   * {@code 192.0.2.100/24}), {@code priority}, an advertisement every {@code advertInt} seconds
   * (e.g. {@code "0.1"}), its files in {@code dir} under {@code name}; returns once it is backup.
   */
  public static Keepalived start(String ns, String iface, String vip, int priority,
      String advertInt, Path dir, String name) throws IOException, InterruptedException {
    String conf = "global_defs {\n  router_id " + name + "\n  vrrp_version 3\n}\n"
        + "vrrp_instance vipha {\n  state BACKUP\n  interface " + iface + "\n"
        + "  virtual_router_id 51\n  priority " + priority + "\n  advert_int " + advertInt
        + "\n  virtual_ipaddress {\n    " + vip + " dev " + iface + "\n  }\n}\n";
    Path file = dir.resolve(name + ".conf");
    Files.writeString(file, conf);
    Path log = dir.resolve(name + ".log");
    Files.deleteIfExists(log);
    Process p = new ProcessBuilder("ip", "netns", "exec", ns, "keepalived", "--dont-fork",
        "--log-console", "--vrrp", "--no-syslog", "-f", file.toString(),
        "-p", dir.resolve(name + ".pid").toString(),
        "-r", dir.resolve(name + "-vrrp.pid").toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Keepalived k = new Keepalived(p, log);
    try {
      k.await("(vipha) Entering BACKUP STATE");
      k.children.addAll(p.descendants().toList());
    } catch (AssertionError | InterruptedException e) {
      k.close();
      throw e;
    }
    return k;
  }

  /** What it logged so far. */
  public String log() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  /** Waits up to 10 s until it has logged {@code line}. */
  public void await(String line) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!log().contains(line)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("keepalived did not log \"" + line + "\"; it logged:\n"
            + log());
      }
      Thread.sleep(10);
    }
  }

  /** SIGKILL for it and its VRRP child: a crash, which leaves the VIP on its interface. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    for (ProcessHandle h : children) {
      h.destroyForcibly();
    }
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM (a graceful stop: priority 0), then SIGKILL for whatever still runs. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (ProcessHandle h : children) {
      h.destroyForcibly();
    }
  }
}
