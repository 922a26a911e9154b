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
 * reorders), seeded loss and duplication, an optional attacker that sends recorded datagrams
 * again later, one-way blocks between nodes, and the nodes' own links. A datagram leaves only
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
  /** Per sender and receiver: the newest incarnation delivered, and when it last was. */
  private final long[][] newestIncarnation;
  private final long[][] newestAt;
  long delayNanos;
  long jitterNanos;
  double loss;
  double duplicate;
  double replay;
  long replayWithinNanos;
  long sent;
  long delivered;

  Net(Simulation sim, Random random, int nodes) {
    this.sim = sim;
    this.random = random;
    this.blocked = new boolean[nodes][nodes];
    this.extraDelay = new long[nodes][nodes];
    this.newestIncarnation = new long[nodes][nodes];
    this.newestAt = new long[nodes][nodes];
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

  /** A heartbeat's incarnation: the unsigned 64-bit field at offset 8 of its header. */
  private static long incarnation(byte[] packet) {
    return packet.length < 16 ? 0 : java.nio.ByteBuffer.wrap(packet, 8, 8).getLong();
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
      if (replay > 0 && random.nextDouble() < replay) {
        long d = (long) (random.nextDouble() * replayWithinNanos);
        sim.time().schedule(d, () -> replay(dst, to, copy));
      }
    }

    /**
     * Sends a recorded datagram again if it is of an older incarnation than one the receiver was
     * sent within the last heartbeat interval: a receiver that heard the newer one so lately
     * has not declared the sender dead, so its replay guard must reject the old one as stale.
     */
    private void replay(SimNode dst, InetSocketAddress to, byte[] copy) {
      int s = node.index();
      int r = dst.index();
      long recent = sim.group().policy().heartbeatInterval().toNanos();
      if (Long.compareUnsigned(incarnation(copy), newestIncarnation[s][r]) < 0
          && sim.now() - newestAt[s][r] < recent) {
        deliver(dst, to, copy);
      }
    }

    private void deliver(SimNode dst, InetSocketAddress to, byte[] copy) {
      if (!dst.onSegment()) {
        return;
      }
      if (replay > 0) { // what replay() reads; nothing else does
        long inc = incarnation(copy);
        int from = node.index();
        int at = dst.index();
        if (Long.compareUnsigned(inc, newestIncarnation[from][at]) >= 0) {
          newestIncarnation[from][at] = inc;
          newestAt[from][at] = sim.now();
        }
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
