package io.vipha.agent;

import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.internal.VipOrder;
import io.vipha.internal.heartbeat.HeartbeatDecoder;
import io.vipha.internal.heartbeat.HeartbeatKeys;
import io.vipha.internal.heartbeat.HeartbeatView;
import io.vipha.internal.heartbeat.ReplayGuard;
import io.vipha.plan.Eligibility;
import io.vipha.spi.Coordinator;
import io.vipha.spi.Coordinator.LocalState;
import io.vipha.spi.Coordinator.PeerState;
import io.vipha.spi.DatagramTransport;
import io.vipha.spi.Scheduler;
import io.vipha.testing.NodeLoop;
import io.vipha.testing.VirtualScheduler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One {@link HeartbeatCoordinator} (node n1 of a three-node group) on a virtual clock, with the
 * agent's side played by the test: what it reports is recorded, the local state is set by hand,
 * and peers are packets the test encodes with the group's key.
 */
final class CoordinatorRig implements Coordinator.Context {
  static final byte[] KEY = TestCluster.KEY;
  static final long MS = 1_000_000L;

  final VirtualScheduler time = new VirtualScheduler();
  final NodeLoop loop = new NodeLoop(time);
  final VipGroup group;
  final VirtualIp[] vips;
  final String[] ids = {"n1", "n2", "n3"};
  final HeartbeatCoordinator coordinator;
  final List<PeerState> reports = new ArrayList<>();
  final List<Long> reportTimes = new ArrayList<>();
  final List<Long> stalls = new ArrayList<>();
  final List<Long> echoes = new ArrayList<>();
  final List<InetSocketAddress> sentTo = new ArrayList<>();
  final List<byte[]> sent = new ArrayList<>();
  final List<Long> sentAt = new ArrayList<>();
  LocalState local = new LocalState(200, Eligibility.ELIGIBLE, false, Set.of(), List.of());
  long suspendedUntil = Long.MIN_VALUE;
  boolean transportClosed;
  DatagramTransport.@Nullable Receiver receiver;

  CoordinatorRig() {
    this(3);
  }

  CoordinatorRig(int deadAfter) {
    this(deadAfter, HeartbeatCoordinator.builder());
  }

  CoordinatorRig(int deadAfter, HeartbeatCoordinator.Builder b) {
    group = VipGroup.builder().name("web").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .vip(v -> v.address("192.0.2.11/24").interfaceName("eth0"))
        .vip(v -> v.address("2001:db8::10/64").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1").priority(200))
        .node(n -> n.id("n2").heartbeat("198.51.100.2").heartbeat("198.51.100.12").priority(150))
        .node(n -> n.id("n3").heartbeat("198.51.100.3").priority(100))
        .policy(p -> p.heartbeatInterval(Duration.ofMillis(100)).deadAfter(deadAfter))
        .build();
    vips = VipOrder.of(group);
    coordinator = b.key(1, KEY).transport(bind -> new DatagramTransport() {
      @Override
      public void open(Scheduler l, Receiver r) {
        receiver = r;
      }

      @Override
      public void send(InetSocketAddress to, byte[] data, int offset, int length) {
        sentTo.add(to);
        sent.add(Arrays.copyOfRange(data, offset, offset + length));
        sentAt.add(time.nanoTime());
      }

      @Override
      public void close() {
        transportClosed = true;
      }
    }).build();
  }

  /** Starts the coordinator at the current time (its first tick runs at once). */
  CoordinatorRig start() {
    try {
      coordinator.start(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  void advance(long nanos) {
    time.runUntil(time.nanoTime() + nanos);
  }

  void advanceMs(long ms) {
    advance(ms * MS);
  }

  /** The latest report of {@code id}, or null. */
  @Nullable PeerState last(String id) {
    PeerState out = null;
    for (PeerState s : reports) {
      if (s.nodeId().equals(id)) {
        out = s;
      }
    }
    return out;
  }

  PeerState lastOf(String id) {
    return Objects.requireNonNull(last(id), id);
  }

  /** Reports of {@code id} since the report with index {@code from}. */
  List<PeerState> reportsOf(String id, int from) {
    return indexesOf(id, from).stream().map(reports::get).toList();
  }

  /** The times of the reports of {@code id} since the report with index {@code from}. */
  List<Long> reportTimesOf(String id, int from) {
    return indexesOf(id, from).stream().map(reportTimes::get).toList();
  }

  private List<Integer> indexesOf(String id, int from) {
    List<Integer> out = new ArrayList<>();
    for (int i = from; i < reports.size(); i++) {
      if (reports.get(i).nodeId().equals(id)) {
        out.add(i);
      }
    }
    return out;
  }

  /** The last packet this node sent, decoded. */
  HeartbeatView lastSent() {
    return decode(sent.get(sent.size() - 1));
  }

  HeartbeatView decode(byte[] packet) {
    HeartbeatDecoder d = new HeartbeatDecoder(HeartbeatKeys.of(1, KEY),
        ReplayGuard.forNodes(Arrays.asList(ids)));
    return (HeartbeatView) d.decode(packet, 0, packet.length, "web");
  }

  /** A peer whose heartbeats arrive at once. */
  ScriptedPeer peer(String id) {
    return new ScriptedPeer(group, id, this::deliver);
  }

  /** Sends {@code p}'s next heartbeat through the node's loop (it waits there while paused). */
  void sendThroughLoop(ScriptedPeer p) {
    byte[] packet = p.packet();
    loop.schedule(0, () -> deliver(packet));
  }

  void deliver(byte[] packet) {
    Objects.requireNonNull(receiver).receive(new InetSocketAddress("198.51.100.2", 7405), packet,
        0, packet.length);
  }

  @Override
  public Scheduler loop() {
    return loop;
  }

  @Override
  public VipGroup group() {
    return group;
  }

  @Override
  public String nodeId() {
    return "n1";
  }

  @Override
  public long incarnation() {
    return 77;
  }

  @Override
  public LocalState local() {
    return local;
  }

  @Override
  public void peer(PeerState state) {
    reports.add(state);
    reportTimes.add(time.nanoTime());
  }

  @Override
  public long suspendedUntil() {
    return suspendedUntil;
  }

  @Override
  public void suspensionEchoed(long until) {
    echoes.add(until);
  }

  @Override
  public void stalled(long nanos) {
    stalls.add(nanos);
  }
}
