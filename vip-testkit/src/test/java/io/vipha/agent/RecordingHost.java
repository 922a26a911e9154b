package io.vipha.agent;

import io.vipha.Lease;
import io.vipha.VirtualIp;
import io.vipha.spi.AddressBackend;
import io.vipha.spi.BackendException;
import io.vipha.spi.Cancellable;
import io.vipha.spi.HostAddress;
import io.vipha.testing.InMemoryBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** An in-memory host that records when each assign (a take or a renewal) happened, and how long. */
final class RecordingHost implements AddressBackend {
  final InMemoryBackend host;
  private final TestCluster c;
  /** When each assign happened (the cluster's virtual clock). */
  final List<Long> assigns = new ArrayList<>();
  /** The lease of each assign. */
  final List<Lease> leases = new ArrayList<>();

  RecordingHost(TestCluster c, InMemoryBackend host) {
    this.c = c;
    this.host = host;
  }

  @Override
  public Duration leaseOverrun() {
    return host.leaseOverrun();
  }

  @Override
  public void assign(VirtualIp vip, Lease lease) throws BackendException {
    host.assign(vip, lease);
    assigns.add(c.time.nanoTime());
    leases.add(lease);
  }

  @Override
  public void release(VirtualIp vip) throws BackendException {
    host.release(vip);
  }

  @Override
  public void announce(VirtualIp vip) throws BackendException {
    host.announce(vip);
  }

  @Override
  public Set<HostAddress> list(Set<String> interfaces) throws BackendException {
    return host.list(interfaces);
  }

  @Override
  public Cancellable watch(Listener listener) throws BackendException {
    return host.watch(listener);
  }
}
