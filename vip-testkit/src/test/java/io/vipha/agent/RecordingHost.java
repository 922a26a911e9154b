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
import org.jspecify.annotations.Nullable;

/**
 * An in-memory host that records when each assign (a take or a renewal) happened, and how long,
 * and every call in order (a take, {@code assignAndAnnounce}, as {@code take} before its assign
 * and announce) as {@code "<ms> <call>"}; its list, or its release, can be made to fail.
 */
final class RecordingHost implements AddressBackend {
  final InMemoryBackend host;
  private final TestCluster c;
  /** When each assign happened (the cluster's virtual clock). */
  final List<Long> assigns = new ArrayList<>();
  /** The lease of each assign. */
  final List<Lease> leases = new ArrayList<>();
  /** Every call: the virtual instant in ms, a space, and the call's name. */
  final List<String> calls = new ArrayList<>();
  /** Whether {@link #list} fails. */
  boolean listFails;
  /** Whether {@link #release} fails. */
  boolean releaseFails;

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
    note("assign");
    host.assign(vip, lease);
    assigns.add(c.time.nanoTime());
    leases.add(lease);
  }

  /** Noted as {@code take}, then the default's assign and announce, each noted too. */
  @Override
  public @Nullable BackendException assignAndAnnounce(VirtualIp vip, Lease lease, long epoch)
      throws BackendException {
    note("take");
    return AddressBackend.super.assignAndAnnounce(vip, lease, epoch);
  }

  @Override
  public void release(VirtualIp vip) throws BackendException {
    note("release");
    if (releaseFails) {
      throw new BackendException(BackendException.Kind.TRANSIENT, "address busy");
    }
    host.release(vip);
  }

  @Override
  public void announce(VirtualIp vip) throws BackendException {
    note("announce");
    host.announce(vip);
  }

  @Override
  public Set<HostAddress> list(Set<String> interfaces) throws BackendException {
    note("list");
    if (listFails) {
      throw new BackendException(BackendException.Kind.TRANSIENT, "no dump today");
    }
    return host.list(interfaces);
  }

  @Override
  public Cancellable watch(Listener listener) throws BackendException {
    return host.watch(listener);
  }

  private void note(String call) {
    calls.add(c.time.nanoTime() / 1_000_000 + " " + call);
  }

  /** The calls made at the instant of the first assign at or after {@code fromMs}. */
  List<String> atFirstAssignAfter(long fromMs) {
    String first = calls.stream().filter(s -> s.endsWith(" assign"))
        .filter(s -> Long.parseLong(s.split(" ")[0]) >= fromMs).findFirst().orElseThrow();
    String at = first.split(" ")[0] + " ";
    return calls.stream().filter(s -> s.startsWith(at)).map(s -> s.substring(at.length()))
        .toList();
  }
}
