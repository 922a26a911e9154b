package io.vipha.zookeeper;

import io.vipha.Lease;
import io.vipha.VirtualIp;
import io.vipha.spi.AddressBackend;
import io.vipha.spi.BackendException;
import io.vipha.spi.Cancellable;
import io.vipha.spi.HostAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Every node's holding of every VIP in real time, as the kernel would keep it: an assign at
 * {@code t} holds the VIP until {@code t + lease + overrun} (or until a later renewal's end), with
 * {@code overrun} the backend's {@linkplain AddressBackend#leaseOverrun() lateness} in removing an
 * expired address, a release ends it at once. {@link #overlaps()} names every instant two nodes
 * held one VIP.
 */
final class Ledger {
  /** One node's holding of one VIP: from {@code start} to {@code end} (nanoTime). */
  record Span(String node, VirtualIp vip, long start, long end, long epoch) {}

  private final Map<VirtualIp, List<Span>> spans = new HashMap<>();
  private final List<Long> epochs = new ArrayList<>();

  synchronized void assigned(String node, VirtualIp vip, Lease lease, Duration overrun,
      long epoch) {
    long now = System.nanoTime();
    long end = now + Objects.requireNonNull(lease.duration()).toNanos() + overrun.toNanos();
    List<Span> l = spans.computeIfAbsent(vip, k -> new ArrayList<>());
    for (int i = l.size() - 1; i >= 0; i--) {
      Span s = l.get(i);
      if (s.node().equals(node) && s.end() >= now) {
        l.set(i, new Span(node, vip, s.start(), end, epoch));
        return;
      }
    }
    l.add(new Span(node, vip, now, end, epoch));
    epochs.add(epoch);
  }

  synchronized void released(String node, VirtualIp vip) {
    long now = System.nanoTime();
    List<Span> l = spans.getOrDefault(vip, List.of());
    for (int i = 0; i < l.size(); i++) {
      Span s = l.get(i);
      if (s.node().equals(node) && s.end() > now) {
        l.set(i, new Span(node, vip, s.start(), now, s.epoch()));
      }
    }
  }

  /** Pairs of spans of different nodes that overlap in time, for one VIP. */
  synchronized List<String> overlaps() {
    List<String> out = new ArrayList<>();
    for (List<Span> l : spans.values()) {
      for (int i = 0; i < l.size(); i++) {
        for (int j = i + 1; j < l.size(); j++) {
          Span a = l.get(i);
          Span b = l.get(j);
          if (!a.node().equals(b.node()) && a.start() < b.end() && b.start() < a.end()) {
            out.add(a + " overlaps " + b + " by "
                + (Math.min(a.end(), b.end()) - Math.max(a.start(), b.start())) / 1_000_000
                + " ms");
          }
        }
      }
    }
    return out;
  }

  /** The epoch of every new holding, in the order they began. */
  synchronized List<Long> epochs() {
    return List.copyOf(epochs);
  }

  /** Holdings of {@code vip} that began, in order. */
  synchronized List<Span> spans(VirtualIp vip) {
    return List.copyOf(spans.getOrDefault(vip, List.of()));
  }

  /** A backend that tells this ledger what it does. */
  AddressBackend audit(String node, AddressBackend inner) {
    return new AddressBackend() {
      @Override
      public void assign(VirtualIp vip, Lease lease) throws BackendException {
        assign(vip, lease, 0);
      }

      @Override
      public void assign(VirtualIp vip, Lease lease, long epoch) throws BackendException {
        inner.assign(vip, lease);
        assigned(node, vip, lease, inner.leaseOverrun(), epoch);
      }

      @Override
      public Duration leaseOverrun() {
        return inner.leaseOverrun();
      }

      @Override
      public void release(VirtualIp vip) throws BackendException {
        released(node, vip);
        inner.release(vip);
      }

      @Override
      public void announce(VirtualIp vip) throws BackendException {
        inner.announce(vip);
      }

      @Override
      public Set<HostAddress> list(Set<String> interfaces) throws BackendException {
        return inner.list(interfaces);
      }

      @Override
      public Cancellable watch(Listener listener) throws BackendException {
        return inner.watch(listener);
      }
    };
  }
}
