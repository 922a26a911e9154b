package io.vipha.benchmarks;

import io.vipha.agent.HeartbeatCoordinator;
import io.vipha.spi.DatagramTransport;
import io.vipha.spi.Scheduler;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An in-process wire whose transports hand each datagram to the receiver bound at its
 * destination at once, in the sender's thread (no copy, no queue, nothing allocated), or drop it
 * while muted, so a sender's cost can be measured without its receivers'.
 */
final class DirectWire {
  private final Map<InetSocketAddress, DatagramTransport.Receiver> bound = new HashMap<>();
  private boolean muted;

  /** A heartbeat coordinator on this wire, signing with the benchmarks' key (id 1). */
  HeartbeatCoordinator coordinator() {
    return HeartbeatCoordinator.builder().key(1, Fixtures.HEARTBEAT_KEY)
        .transport(this::transport).build();
  }

  /** A transport bound to {@code local}; a coordinator builder's transport factory. */
  DatagramTransport transport(InetSocketAddress local) {
    return new Direct(local);
  }

  /** Drops every datagram while {@code muted}. */
  void mute(boolean muted) {
    this.muted = muted;
  }

  private final class Direct implements DatagramTransport {
    private final InetSocketAddress local;

    Direct(InetSocketAddress local) {
      this.local = local;
    }

    @Override
    public void open(Scheduler loop, Receiver r) {
      bound.put(local, r);
    }

    @Override
    public void send(InetSocketAddress to, byte[] data, int offset, int length) {
      @Nullable Receiver r = muted ? null : bound.get(to);
      if (r != null) {
        r.receive(local, data, offset, length);
      }
    }

    @Override
    public void close() {
      bound.remove(local);
    }
  }
}
