package io.vipha.benchmarks.failover;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Which nodes hold a VIP, over time: one {@code ip -n NS -o monitor address} per node namespace
 * (rtnetlink address events, each stamped with {@link System#nanoTime()} when read), so adds,
 * deletes and kernel lease expiries are seen as they happen rather than sampled.
 */
final class AddressWatch implements AutoCloseable {
  /** One change: at {@code nanos}, node {@code node} gained or lost {@code vip}. */
  record Change(long nanos, int node, String vip, boolean present) {}

  private static final boolean DEBUG = System.getenv("FAILOVER_DEBUG") != null;
  private final List<Change> changes = new ArrayList<>();
  private final List<Process> monitors = new ArrayList<>();
  private final boolean[][] holds;
  private final String[] vips;

  AddressWatch(List<String> namespaces, String... vips) throws IOException {
    this.vips = vips.clone();
    this.holds = new boolean[namespaces.size()][vips.length];
    for (int i = 0; i < namespaces.size(); i++) {
      Process p = new ProcessBuilder("ip", "-n", namespaces.get(i), "-o", "monitor", "address")
          .redirectErrorStream(true).start();
      monitors.add(p);
      int node = i;
      Thread t = new Thread(() -> read(p, node), "addr-watch-" + i);
      t.setDaemon(true);
      t.start();
    }
  }

  private void read(Process p, int node) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
        StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        long now = System.nanoTime();
        if (DEBUG) {
          System.err.println("watch n" + (node + 1) + " " + now / 1_000_000 + " " + line);
        }
        boolean deleted = line.startsWith("Deleted");
        for (int v = 0; v < vips.length; v++) {
          if (line.contains(" " + vips[v] + "/")) {
            synchronized (this) {
              if (holds[node][v] == deleted) {
                holds[node][v] = !deleted;
                changes.add(new Change(now, node, vips[v], !deleted));
              }
            }
          }
        }
      }
    } catch (IOException e) {
      // closed
    }
  }

  /** Whether node {@code node} holds {@code vip} now. */
  synchronized boolean holds(int node, String vip) {
    return holds[node][index(vip)];
  }

  /** The nodes holding {@code vip} now. */
  synchronized int holders(String vip) {
    int n = 0;
    for (boolean[] h : holds) {
      n += h[index(vip)] ? 1 : 0;
    }
    return n;
  }

  /** Total time in [from, to] during which two or more nodes held {@code vip}. */
  synchronized long dualNanos(String vip, long from, long to) {
    boolean[] state = new boolean[holds.length];
    long total = 0;
    long last = from;
    int count = 0;
    for (Change c : changes) {
      if (!c.vip().equals(vip)) {
        continue;
      }
      long at = Math.min(Math.max(c.nanos(), from), to);
      if (count >= 2) {
        total += at - last;
      }
      last = at;
      if (state[c.node()] != c.present()) {
        state[c.node()] = c.present();
        count += c.present() ? 1 : -1;
      }
    }
    if (count >= 2) {
      total += to - Math.max(last, from);
    }
    return Math.max(0, total);
  }

  /** When a node other than {@code except} last lost {@code vip} since {@code from}; or -1. */
  synchronized long lastLoss(String vip, int except, long from) {
    long last = -1;
    for (Change c : changes) {
      if (c.node() != except && c.vip().equals(vip) && !c.present() && c.nanos() >= from) {
        last = c.nanos();
      }
    }
    return last;
  }

  /** The changes seen in [from, to], oldest first. */
  synchronized List<Change> changes(long from, long to) {
    return changes.stream().filter(c -> c.nanos() >= from && c.nanos() <= to).toList();
  }

  /** When node {@code node} last lost {@code vip} at or after {@code from}, or -1. */
  synchronized long lostAt(int node, String vip, long from) {
    for (Change c : changes) {
      if (c.node() == node && c.vip().equals(vip) && !c.present() && c.nanos() >= from) {
        return c.nanos();
      }
    }
    return -1;
  }

  private int index(String vip) {
    for (int i = 0; i < vips.length; i++) {
      if (vips[i].equals(vip)) {
        return i;
      }
    }
    throw new IllegalArgumentException(vip);
  }

  @Override
  public void close() {
    for (Process p : monitors) {
      p.destroyForcibly();
    }
  }
}
