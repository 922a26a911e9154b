package io.vipha.sim;

import io.vipha.spi.DatagramTransport;
import io.vipha.spi.Scheduler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/**
 * The heartbeat network: per-datagram delay (plus any per-link extra) with random jitter (which
 * reorders), seeded loss and
 * duplication, one-way blocks between nodes, and the nodes' own links. A datagram leaves only
 * from a powered node with its link up, and arrives only at one that still is, through the
 * receiving process's loop.
 */
final class Net {
  private final Simulation sim;
  private final Random random;
  private final Map<InetSocketAddress, Endpoint> endpoints = new HashMap<>();
  private final Map<InetAddress, SimNode> hosts = new HashMap<>();
  private final boolean[][] blocked;
  private final long[][] extraDelay;
  long delayNanos;
  long jitterNanos;
  double loss;
  double duplicate;
  long sent;
  long delivered;

  Net(Simulation sim, Random random, int nodes) {
    this.sim = sim;
    this.random = random;
    this.blocked = new boolean[nodes][nodes];
    this.extraDelay = new long[nodes][nodes];
  }

  void host(InetAddress address, SimNode node) {
    hosts.put(address, node);
  }

  void block(SimNode from, SimNode to, boolean on) {
    blocked[from.index()][to.index()] = on;
  }

  void extraDelay(SimNode from, SimNode to, long nanos) {
    extraDelay[from.index()][to.index()] = nanos;
  }

  boolean blocked(SimNode from, SimNode to) {
    return blocked[from.index()][to.index()];
  }

  void healAll() {
    for (boolean[] row : blocked) {
      Arrays.fill(row, false);
    }
  }

  /** Unbinds every socket of {@code node}'s process, as the kernel does when it dies. */
  void unbind(SimNode node) {
    endpoints.values().removeIf(e -> e.node == node);
  }

  DatagramTransport transport(SimNode node, ProcessLoop proc, InetSocketAddress local) {
    return new Endpoint(node, proc, local);
  }

  private final class Endpoint implements DatagramTransport {
    final SimNode node;
    final ProcessLoop proc;
    final InetSocketAddress local;
    @Nullable Receiver receiver;

    Endpoint(SimNode node, ProcessLoop proc, InetSocketAddress local) {
      this.node = node;
      this.proc = proc;
      this.local = local;
    }

    @Override
    public void open(Scheduler loop, Receiver r) {
      Endpoint old = endpoints.get(local);
      if (old != null && old != this) {
        throw new IllegalStateException(local + " is already bound");
      }
      this.receiver = r;
      endpoints.put(local, this);
    }

    @Override
    public void send(InetSocketAddress to, byte[] data, int offset, int length) {
      sent++;
      SimNode dst = hosts.get(to.getAddress());
      if (receiver == null || dst == null || !node.onSegment() || blocked(node, dst)) {
        return;
      }
      if (loss > 0 && random.nextDouble() < loss) {
        return;
      }
      int copies = duplicate > 0 && random.nextDouble() < duplicate ? 2 : 1;
      byte[] copy = Arrays.copyOfRange(data, offset, offset + length);
      for (int i = 0; i < copies; i++) {
        long d = delayNanos + extraDelay[node.index()][dst.index()]
            + (jitterNanos > 0 ? (long) (random.nextDouble() * jitterNanos) : 0);
        sim.time().schedule(d, () -> deliver(dst, to, copy));
      }
    }

    private void deliver(SimNode dst, InetSocketAddress to, byte[] copy) {
      if (!dst.onSegment()) {
        return;
      }
      Endpoint e = endpoints.get(to);
      if (e == null) {
        return;
      }
      e.proc.run(() -> {
        Receiver r = e.receiver;
        if (r != null && endpoints.get(to) == e) {
          delivered++;
          r.receive(local, copy, 0, copy.length);
        }
      });
    }

    @Override
    public void close() {
      receiver = null;
      endpoints.remove(local, this);
    }
  }
}
