package io.vipha.testing;

import io.vipha.spi.DatagramTransport;
import io.vipha.spi.Scheduler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A datagram network in virtual time: every datagram arrives after a fixed delay unless a
 * partition blocks it or seeded random loss drops it. Partitions can be one-way.
 */
public final class InMemoryNetwork {
  private final VirtualScheduler scheduler;
  private final Map<InetSocketAddress, Endpoint> endpoints = new HashMap<>();
  private final Set<Link> blocked = new HashSet<>();
  private final Random random;
  private long delayNanos;
  private double loss;
  private long sent;
  private long delivered;

  private record Link(InetAddress from, InetAddress to) {}

  /** A network on {@code scheduler} with 100 µs delay, no loss, and random loss seeded by seed. */
  public InMemoryNetwork(VirtualScheduler scheduler, long seed) {
    this.scheduler = scheduler;
    this.random = new Random(seed);
    this.delayNanos = 100_000;
  }

  /** Sets the one-way delay of every datagram. */
  public InMemoryNetwork delay(Duration d) {
    this.delayNanos = d.toNanos();
    return this;
  }

  /** Drops each datagram with probability {@code p} (0–1). */
  public InMemoryNetwork loss(double p) {
    this.loss = p;
    return this;
  }

  /** Blocks datagrams from host {@code from} to host {@code to} (one way). */
  public void block(InetAddress from, InetAddress to) {
    blocked.add(new Link(from, to));
  }

  /** Blocks both ways between {@code a} and every host in {@code others}. */
  public void isolate(InetAddress a, Set<InetAddress> others) {
    for (InetAddress o : others) {
      block(a, o);
      block(o, a);
    }
  }

  /** Removes every partition. */
  public void heal() {
    blocked.clear();
  }

  /** Datagrams sent so far. */
  public long sent() {
    return sent;
  }

  /** Datagrams delivered so far. */
  public long delivered() {
    return delivered;
  }

  /** A transport bound to {@code local}. */
  public DatagramTransport transport(InetSocketAddress local) {
    return new Endpoint(local);
  }

  private final class Endpoint implements DatagramTransport {
    final InetSocketAddress local;
    @Nullable Receiver receiver;
    @Nullable Scheduler loop;

    Endpoint(InetSocketAddress local) {
      this.local = local;
    }

    @Override
    public void open(Scheduler loop, Receiver r) {
      if (endpoints.containsKey(local)) {
        throw new IllegalStateException(local + " is already bound");
      }
      this.receiver = r;
      this.loop = loop;
      endpoints.put(local, this);
    }

    @Override
    public void send(InetSocketAddress to, byte[] data, int offset, int length) {
      sent++;
      if (receiver == null) {
        return;
      }
      if (blocked.contains(new Link(local.getAddress(), to.getAddress()))) {
        return;
      }
      if (loss > 0 && random.nextDouble() < loss) {
        return;
      }
      byte[] copy = java.util.Arrays.copyOfRange(data, offset, offset + length);
      Endpoint dst = endpoints.get(to);
      Scheduler dstLoop = dst == null ? null : dst.loop;
      // Delivered through the receiver's own loop, so a halted node receives nothing.
      (dstLoop == null ? scheduler : dstLoop).schedule(delayNanos, () -> {
        Endpoint now = endpoints.get(to);
        Receiver r = now == null ? null : now.receiver;
        if (r != null) {
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
